"""A service process readies itself before its first reader: the intake opens its store and
runs a sample story through checking and scoring (never stored); a production process then
freezes what start-up made for the garbage collector (reader_stories/web/startup.py).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from stories_support import make_config
from test_intake import make_settings, story_form, write_site

from reader_stories.web.app import closers, warmers, web_apps
from reader_stories.web.intake.app import create_app
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running, site_with_stories

ROOT = Path(__file__).resolve().parents[3]


def tables(database: Path) -> dict[str, int]:
    with closing(sqlite3.connect(database)) as db:
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {n: db.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def test_warming_opens_the_store_and_stores_nothing(tmp_path: Path) -> None:
    database = tmp_path / "stories.sqlite3"
    app = create_app(make_config(make_settings(f"sqlite:///{database}")))
    try:
        assert not database.exists()
        app.state.warm()
        counts = tables(database)
        assert counts["migrations"] > 0  # migrated: the first reader does not wait
        assert counts["stories"] == counts["rate_events"] == counts["text_shapes"] == 0
        assert counts["hold_log"] == counts["moderation_events"] == 0
    finally:
        app.state.close()


def test_warming_with_the_store_down_says_so_and_the_intake_still_answers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "a file").write_text("not a folder")
    url = f"sqlite:///{tmp_path / 'a file' / 'stories.sqlite3'}"
    site = write_site(tmp_path / "site")
    apps = web_apps(make_config(make_settings(url)))
    app = create_site_app(site, mounts=dict(apps), on_shutdown=closers(apps), warm=warmers(apps))
    with caplog.at_level(logging.WARNING), running(app) as base:
        response = httpx.post(f"{base}/stories/", data=story_form())
    assert "Story database unavailable at startup" in caplog.text
    assert response.status_code == 503
    assert "nothing was saved" in response.text.lower()


def test_only_the_intake_has_something_to_warm(tmp_path: Path) -> None:
    apps = web_apps(make_config(make_settings(f"sqlite:///{tmp_path / 's.sqlite3'}")))
    try:
        assert warmers(apps) == [apps["/stories"].state.warm]
    finally:
        for app in apps.values():
            app.state.close()


def test_the_development_server_warms_without_freezing(tmp_path: Path) -> None:
    database = tmp_path / "stories.sqlite3"
    config = make_config(make_settings(f"sqlite:///{database}"))
    frozen = gc.get_freeze_count()
    with running(site_with_stories(config, write_site(tmp_path / "site"))):
        assert tables(database)["migrations"] > 0
        assert gc.get_freeze_count() == frozen


# The production service as `invoke intake` makes it, started in a process of its own (a freeze
# lasts as long as its process): what start-up left, before and after.
SERVICE_PROCESS = """
import gc, json, sys
from pathlib import Path
sys.path[:0] = sys.argv[2:]
import httpx
from stories_support import make_config
from test_intake import make_settings, story_form
from reader_stories.web.app import create_service
from sitetools.serve import running

service = create_service(make_config(make_settings(sys.argv[1])))
before = gc.get_freeze_count()
with running(service) as base:
    after = gc.get_freeze_count()
    status = httpx.post(f"{base}/stories/", data=story_form()).status_code
print(json.dumps({"before": before, "after": after, "status": status}))
"""


def test_the_production_service_freezes_what_start_up_made_and_still_takes_stories(
    tmp_path: Path,
) -> None:
    database = tmp_path / "stories.sqlite3"
    tests = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            SERVICE_PROCESS,
            f"sqlite:///{database}",
            str(tests.parent),
            str(tests),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["before"] == 0
    assert seen["after"] > 10_000  # every module, compiled query and the classifier
    assert seen["status"] == 303
    assert tables(database)["stories"] == 1
