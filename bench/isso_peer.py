"""Isso 0.14 as the intake peer: its config, its command line, and where what it stored is.

Isso runs as its documentation deploys it: under gunicorn (`gunicorn --preload isso.run`, the
config in ISSO_SETTINGS), one worker per core, with moderation on. Its guard stays enabled with
the rate limits raised so it accepts every benchmark request, as our intake's are.
"""

from __future__ import annotations

import os
from pathlib import Path

from bench.procs import child_env

SITE_ORIGIN = "http://127.0.0.1:8000"
# What intake_load.count_stored counts: Isso's comments table, and those waiting for moderation.
STORED = ("comments", "mode = 2")


def write_config(folder: Path, port: int) -> tuple[Path, Path]:
    """An isso.cfg for a fresh database in `folder`; returns (config, database)."""
    folder.mkdir(parents=True, exist_ok=True)
    database = folder / "isso.sqlite3"
    config = folder / "isso.cfg"
    config.write_text(
        "\n".join(
            [
                "[general]",
                f"dbpath = {database}",
                f"host = {SITE_ORIGIN}/",
                "notify = stdout",
                "[moderation]",
                "enabled = true",
                "[server]",
                f"listen = http://127.0.0.1:{port}/",
                "[guard]",
                "enabled = true",
                "ratelimit = 1000000",
                "direct-reply = 1000000",
                "reply-to-self = true",
                "",
            ]
        ),
        "utf-8",
    )
    return config, database


def workers() -> int:
    """One gunicorn worker per core, as Isso's deployment docs suggest."""
    return os.cpu_count() or 1


def command(bin_dir: Path, port: int) -> list[str]:
    """gunicorn serving Isso's WSGI app; the config file comes through the environment."""
    return [
        str(bin_dir / "gunicorn"),
        "--preload",
        "--workers",
        str(workers()),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "isso.run",
    ]


def environment(config: Path) -> dict[str, str]:
    return child_env({"ISSO_SETTINGS": str(config)})


def version(bin_dir: Path) -> str:
    """The installed Isso version, read from its package metadata."""
    site = next((bin_dir.parent / "lib").glob("python*/site-packages"), None)
    if site is None:
        return "unknown"
    for meta in site.glob("isso-*.dist-info"):
        return meta.name.removeprefix("isso-").removesuffix(".dist-info")
    return "unknown"
