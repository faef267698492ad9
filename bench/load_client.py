"""Child entry point: the load generator, 20 concurrent clients posting stories on loopback.

`python -m bench.load_client SPEC.json RESULT.json`. It runs in its own process so its CPU use
is not charged to either server; the same client drives our intake and Isso. Every loop is
bounded twice: by a total request count and by a time cap, and only loopback targets are allowed.

Each client is one HTTP/1.1 keep-alive connection written on asyncio streams (see http_wire.py),
not a general HTTP library: the two servers share one core with it, and a client that needs a core
of its own to keep twenty connections busy measures itself rather than the servers.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.http_wire import Connection, HttpFailure
from reader_stories.tokens import make_article_token

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
REQUEST_TIMEOUT = 10.0


@dataclass
class Tally:
    """Everything the clients saw; latencies only for the timed phase (after warm-up)."""

    statuses: dict[str, int] = field(default_factory=dict)
    acked: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timed_acked: int = 0
    timed_sent: int = 0


# Words a serial number is spelled in, so no two stories share a text even with the numbers
# left out (the spam score's repeat check ignores them, as a spammer's template varies them).
_WORDS = [
    "recruiter",
    "manager",
    "offer",
    "interview",
    "feedback",
    "panel",
    "salary",
    "portfolio",
    "mentor",
    "referral",
    "rejection",
    "contract",
    "startup",
    "agency",
    "bootcamp",
    "degree",
    "résumé",
    "network",
    "hiring",
    "deadline",
    "project",
    "team",
    "promotion",
    "freelance",
    "internship",
    "review",
    "answer",
    "question",
    "silence",
    "call",
    "letter",
    "email",
]


def spelled(serial: int) -> str:
    """``serial`` in base len(_WORDS), as four of those words: distinct up to a million."""
    words = []
    for _ in range(4):
        serial, digit = divmod(serial, len(_WORDS))
        words.append(_WORDS[digit])
    return " ".join(words)


def story_text(serial: int) -> str:
    """Unique per request, so neither side's duplicate detection nor our spam score's repeat
    check is involved: readers' stories differ in their words, not only in a number."""
    return (
        f"Benchmark story {serial} ({spelled(serial)}): I was turned down twice before the "
        "offer came, and the follow-up email made the difference."
    )


class Target:
    """How one request to one server is made; `ok` is the acknowledgement status."""

    ok = 202

    def __init__(self, spec: dict[str, Any]) -> None:
        self.base = spec["base_url"].rstrip("/")
        parts = urlsplit(self.base)
        host = parts.hostname or ""
        if host not in LOOPBACK_HOSTS or parts.scheme != "http":
            raise SystemExit(f"refusing to load {self.base}: only http on loopback is allowed")
        self.host, self.port = host, parts.port or 80
        self.spec = spec
        self.slugs: list[str] = spec["slugs"]

    def slug(self, serial: int) -> str:
        """The article request number `serial` is about: round-robin over the spec's slugs."""
        return self.slugs[serial % len(self.slugs)]

    def request(self, serial: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        """(path with query, JSON body, extra headers) of request number `serial`."""
        raise NotImplementedError


class OurIntake(Target):
    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.tokens = {s: make_article_token(spec["secret"], s) for s in self.slugs}
        self.headers = {"Accept": "application/json", "Origin": self.base}

    def request(self, serial: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        slug = self.slug(serial)
        body = {
            "article": slug,
            "token": self.tokens[slug],
            "name": f"Reader {serial % 97}",
            "story": story_text(serial),
            "consent": "yes",
            "reply_to": "",
        }
        return "/stories/", body, self.headers


class Isso(Target):
    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.headers = {"Origin": spec["origin"], "Referer": spec["origin"] + "/"}

    def request(self, serial: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        slug = self.slug(serial)
        body = {
            "text": story_text(serial),
            "author": f"Reader {serial % 97}",
            "email": "",
            "title": slug.replace("-", " "),
        }
        return f"/new?uri=/{slug}/", body, self.headers


TARGETS = {"ours": OurIntake, "isso": Isso}


async def _send(
    connection: Connection, target: Target, serial: int, tally: Tally, timed: bool
) -> None:
    """One POST; cookies the server sets are dropped, as each request stands for a new reader."""
    path, body, headers = target.request(serial)
    payload = json.dumps(body).encode("utf-8")
    started = time.perf_counter()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            status = str(await connection.post_json(path, payload, headers))
    except (HttpFailure, OSError, TimeoutError) as exc:
        await connection.close()
        status = type(exc).__name__
        if len(tally.errors) < 20:
            tally.errors.append(f"{status}: {exc}")
    elapsed_ms = (time.perf_counter() - started) * 1000
    tally.statuses[status] = tally.statuses.get(status, 0) + 1
    if status == str(target.ok):
        tally.acked += 1
        if timed:
            tally.timed_acked += 1
    if timed:
        tally.timed_sent += 1
        tally.latencies_ms.append(elapsed_ms)


async def run_load(spec: dict[str, Any]) -> dict[str, Any]:
    target = TARGETS[spec["kind"]](spec)
    concurrency = int(spec["concurrency"])
    total = int(spec["total"])
    warmup = int(spec["warmup"])
    cap = float(spec["time_cap"])
    tally = Tally()
    connections = [Connection(target.host, target.port) for _ in range(concurrency)]
    try:
        for serial in range(warmup):  # warm caches and connections; counted, not timed
            await _send(connections[serial % concurrency], target, serial, tally, timed=False)
        next_serial = warmup
        deadline = time.perf_counter() + cap

        async def worker(connection: Connection) -> None:
            nonlocal next_serial
            while next_serial < warmup + total and time.perf_counter() < deadline:
                serial = next_serial
                next_serial += 1
                await _send(connection, target, serial, tally, timed=True)

        started = time.perf_counter()
        await asyncio.gather(*(worker(c) for c in connections))
        elapsed = time.perf_counter() - started
    finally:
        for connection in connections:
            await connection.close()
    return {
        "kind": spec["kind"],
        "concurrency": concurrency,
        "sent": warmup + tally.timed_sent,
        "acked": tally.acked,
        "timed_sent": tally.timed_sent,
        "timed_acked": tally.timed_acked,
        "elapsed": elapsed,
        "hit_time_cap": tally.timed_sent < total,
        "statuses": tally.statuses,
        "latencies_ms": tally.latencies_ms,
        "errors": tally.errors,
    }


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    result = asyncio.run(run_load(spec))
    Path(argv[1]).write_text(json.dumps(result), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
