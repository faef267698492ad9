"""Child entry point: the load generator, 20 concurrent clients posting stories on loopback.

`python -m bench.load_client SPEC.json RESULT.json`. It runs in its own process so its CPU use
is not charged to either server; the same client drives our intake and Isso. Every loop is
bounded twice: by a total request count and by a time cap, and only loopback targets are allowed.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from nextround.stories.tokens import make_article_token

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


@dataclass
class Tally:
    """Everything the clients saw; latencies only for the timed phase (after warm-up)."""

    statuses: dict[str, int] = field(default_factory=dict)
    acked: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    timed_acked: int = 0
    timed_sent: int = 0


def story_text(serial: int) -> str:
    """Unique per request, so neither side's duplicate detection is involved."""
    return (
        f"Benchmark story number {serial}: I was turned down twice before the offer came, "
        "and the follow-up email made the difference."
    )


class Target:
    """How one request to one server is made; `ok` is the acknowledgement status."""

    ok = 202

    def __init__(self, spec: dict[str, Any]) -> None:
        self.base = spec["base_url"].rstrip("/")
        host = urlsplit(self.base).hostname or ""
        if host not in LOOPBACK_HOSTS:
            raise SystemExit(f"refusing to load {self.base}: only loopback targets are allowed")
        self.spec = spec

    def request(self, serial: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        raise NotImplementedError


class OurIntake(Target):
    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.slugs: list[str] = spec["slugs"]
        self.tokens = {s: make_article_token(spec["secret"], s) for s in self.slugs}
        self.headers = {"Accept": "application/json", "Origin": self.base}

    def request(self, serial: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        slug = self.slugs[serial % len(self.slugs)]
        body = {
            "article": slug,
            "token": self.tokens[slug],
            "name": f"Reader {serial % 97}",
            "story": story_text(serial),
            "consent": "yes",
            "reply_to": "",
        }
        return f"{self.base}/stories/", body, self.headers


class Isso(Target):
    def __init__(self, spec: dict[str, Any]) -> None:
        super().__init__(spec)
        self.slugs: list[str] = spec["slugs"]
        self.headers = {"Origin": spec["origin"], "Referer": spec["origin"] + "/"}

    def request(self, serial: int) -> tuple[str, dict[str, Any], dict[str, str]]:
        slug = self.slugs[serial % len(self.slugs)]
        body = {
            "text": story_text(serial),
            "author": f"Reader {serial % 97}",
            "email": "",
            "title": slug.replace("-", " "),
        }
        return f"{self.base}/new?uri=/{slug}/", body, self.headers


TARGETS = {"ours": OurIntake, "isso": Isso}


async def _send(
    client: httpx.AsyncClient, target: Target, serial: int, tally: Tally, timed: bool
) -> None:
    url, body, headers = target.request(serial)
    started = time.perf_counter()
    try:
        response = await client.post(url, json=body, headers=headers)
        status = str(response.status_code)
    except httpx.HTTPError as exc:
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
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    # Each request stands for a different reader: keep no cookies (Isso sets one per comment,
    # and a shared jar would grow until the server refuses the headers).
    no_cookies = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    async with httpx.AsyncClient(limits=limits, timeout=10.0, cookies=no_cookies) as client:
        for serial in range(warmup):  # warm caches and connections; counted, not timed
            await _send(client, target, serial, tally, timed=False)
        next_serial = warmup
        deadline = time.perf_counter() + cap

        async def worker() -> None:
            nonlocal next_serial
            while next_serial < warmup + total and time.perf_counter() < deadline:
                serial = next_serial
                next_serial += 1
                await _send(client, target, serial, tally, timed=True)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
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
