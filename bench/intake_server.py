"""Child entry point: our story intake alone, as production runs it, for the load benchmark.

`python -m bench.intake_server SPEC.json` serves the intake at /stories with uvicorn (the spec's
worker processes, log level "info" and no access log, as `invoke intake --workers N` runs it)
on a loopback port. Production
settings, SQLite with durable writes; only the rate limit, duplicate window and queue cap are
raised so every request of the benchmark is accepted (the same is done for Isso).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from reader_stories.config import Config, Site
from reader_stories.settings import build_settings
from reader_stories.web.app import INTAKE_PATH, closing, mount_routes
from reader_stories.web.intake.app import create_app
from reader_stories.web.workers import run_workers

ROOT = Path(__file__).resolve().parent.parent
SITEURL = "http://127.0.0.1:8000"


def intake_settings(database_url: str, secret: str) -> dict[str, object]:
    return {
        "database_url": database_url,
        "secret_key": secret,
        "production": True,
        "rate_limit": "1000000/60",
        "duplicate_window": 0,
        "max_pending": 10_000_000,
    }


def make_server_app(
    database_url: str, secret: str, work_dir: Path, overrides: dict[str, object] | None = None
) -> Starlette:
    """The intake with the benchmark's settings, and ``overrides`` over them (the flood keeps
    production's rate limit and queue cap)."""
    configured = {**intake_settings(database_url, secret), **(overrides or {})}
    settings = build_settings(configured, {}, work_dir, SITEURL)
    site = Site(
        SITEURL, "", "Next Round", "", work_dir / "site", "{slug}/index.html", ROOT / "theme"
    )
    intake = create_app(Config(settings, site, state=work_dir / "var"))
    # Warmed and settled at start as production's service is (reader_stories/web/startup.py).
    lifespan = closing([intake.state.close], warm=[intake.state.warm], freeze=True)
    return Starlette(routes=mount_routes({INTAKE_PATH: intake}), lifespan=lifespan)


SPEC_VARIABLE = "BENCH_INTAKE_SPEC"
APP = "bench.intake_server:app_from_spec"


def app_from_spec() -> Starlette:
    """The app each worker process makes, from the spec file the environment names."""
    spec = json.loads(Path(os.environ[SPEC_VARIABLE]).read_text("utf-8"))
    return make_server_app(
        spec["database_url"], spec["secret"], Path(spec["work_dir"]), spec.get("settings")
    )


def main(argv: list[str]) -> int:
    os.environ[SPEC_VARIABLE] = argv[0]
    spec = json.loads(Path(argv[0]).read_text("utf-8"))
    options = {"proxy_headers": False, "access_log": False, "log_level": "info"}
    workers, port = int(spec.get("workers", 1)), int(spec["port"])
    if workers > 1:  # as `invoke intake --workers N` runs them: a socket each
        return run_workers(APP, workers, "127.0.0.1", port, options)
    uvicorn.run(APP, factory=True, host="127.0.0.1", port=port, **options)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
