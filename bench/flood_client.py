"""Child entry point: a flood of bot submissions from many networks, with real readers sending
their stories among them, against our intake on loopback.

`python -m bench.flood_client SPEC.json RESULT.json`. Bots and readers share the clients'
connections in one interleaved order; each request names its network in `X-Forwarded-For` (the
intake trusts loopback as its proxy in this run), so the rate limit sees 500 bot networks and
one network per reader, as behind a real reverse proxy.
"""

from __future__ import annotations

import asyncio
import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.corpus import SENTENCES
from bench.http_wire import Connection, HttpFailure
from reader_stories.tokens import make_article_token

REQUEST_TIMEOUT = 10.0
ACCEPTED = 202
# Comment spam as bot nets send it: a handful of templates, varied in their numbers and links.
BOT_TEMPLATES = (
    "I earn ${n} a day from home working 2 hours on my laptop. Start here: https://bit.ly/{code}",
    "Check out my channel for more career tips!!! Subscribe please https://youtu.be/{code}",
    "Great post! Best SEO services and backlinks for your site, visit https://seo-{n}.example",
    "I invested ${n} with this investment platform and doubled it. WhatsApp +1 555 {n}",
    "Earn money online, no experience needed, click here https://tinyurl.com/{code}",
)


@dataclass
class Side:
    """What one side of the flood (bots or readers) saw."""

    sent: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def bot_text(serial: int) -> str:
    rng = random.Random(f"bot-{serial}")
    template = BOT_TEMPLATES[serial % len(BOT_TEMPLATES)]
    return template.format(n=rng.randint(100, 9999), code=f"{rng.getrandbits(32):08x}")


def reader_text(serial: int) -> str:
    """A reader's own story: sentences of the benchmark's articles, in an order of its own."""
    rng = random.Random(f"reader-{serial}")
    return " ".join(rng.sample(SENTENCES, 3))


def network(serial: int, *, bot: bool, networks: int) -> str:
    """Bots share `networks` networks; every reader has one of their own."""
    if bot:
        index = serial % networks
        return f"10.{index // 250}.{index % 250}.7"
    return f"172.16.{serial // 250}.{serial % 250 + 1}"


def schedule(bots: int, readers: int) -> list[tuple[bool, int]]:
    """(is a bot, its serial) in sending order: readers spread evenly through the flood."""
    order = [(True, serial) for serial in range(bots)]
    step = max(1, bots // max(1, readers))
    for reader in range(readers):
        order.insert(min(len(order), reader * (step + 1)), (False, reader))
    return order


async def run_flood(spec: dict[str, Any]) -> dict[str, Any]:
    base = spec["base_url"].rstrip("/")
    parts = urlsplit(base)
    if parts.hostname not in {"127.0.0.1", "localhost"}:
        raise SystemExit(f"refusing to flood {base}: only loopback is allowed")
    slugs: list[str] = spec["slugs"]
    tokens = {slug: make_article_token(spec["secret"], slug) for slug in slugs}
    order = schedule(int(spec["bots"]), int(spec["readers"]))
    sides = {"bots": Side(), "readers": Side()}
    deadline = time.perf_counter() + float(spec["time_cap"])
    position = 0

    async def send(connection: Connection, bot: bool, serial: int) -> None:
        slug = slugs[serial % len(slugs)]
        body = {
            "article": slug,
            "token": tokens[slug],
            "name": f"{'Promo' if bot else 'Reader'} {serial}",
            "story": bot_text(serial) if bot else reader_text(serial),
            "consent": "yes",
            "reply_to": "",
        }
        headers = {
            "Accept": "application/json",
            "Origin": base,
            "X-Forwarded-For": network(serial, bot=bot, networks=int(spec["networks"])),
        }
        side = sides["bots" if bot else "readers"]
        started = time.perf_counter()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT):
                status = str(
                    await connection.post_json("/stories/", json.dumps(body).encode(), headers)
                )
        except (HttpFailure, OSError, TimeoutError) as exc:
            await connection.close()
            status = type(exc).__name__
            if len(side.errors) < 10:
                side.errors.append(f"{status}: {exc}")
        side.sent += 1
        side.statuses[status] = side.statuses.get(status, 0) + 1
        side.latencies_ms.append((time.perf_counter() - started) * 1000)

    async def worker(connection: Connection) -> None:
        nonlocal position
        while position < len(order) and time.perf_counter() < deadline:
            bot, serial = order[position]
            position += 1
            await send(connection, bot, serial)

    host, port = parts.hostname or "", parts.port or 80
    connections = [Connection(host, port) for _ in range(int(spec["concurrency"]))]
    started = time.perf_counter()
    try:
        await asyncio.gather(*(worker(c) for c in connections))
    finally:
        for connection in connections:
            await connection.close()
    return {
        "elapsed": time.perf_counter() - started,
        "hit_time_cap": position < len(order),
        **{name: side.__dict__ for name, side in sides.items()},
    }


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    Path(argv[1]).write_text(json.dumps(asyncio.run(run_flood(spec))), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
