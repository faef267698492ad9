"""An approval in the browser admin goes live at once, through the same republisher as the CLI.

The site is built for real into tmp_path (site_support.build), the admin is given its
files, and the article page on disk must change as soon as the approval's 303 arrives.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from lxml import html
from site_support import ENV, SEED, build_live, submit
from stories_support import make_config
from test_admin import PASSWORD, act, flash_lines, log_in, make_settings, serve_admin

from reader_stories.models import Status
from reader_stories.store import open_store
from reader_stories.web.admin.app import create_app


def test_approving_in_the_admin_rewrites_the_built_page_at_once(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with open_store(db_url) as store:
        story = submit(store, "Gus", "ADMIN-FAST-MARK: approved in the browser admin.")
    site, republisher = build_live(tmp_path, db_url)
    page = site / SEED / "index.html"
    feed = site / SEED / "stories.atom.xml"
    assert "ADMIN-FAST-MARK" not in page.read_text()
    settings = make_settings(db_url, secret_key=ENV["COMMENTS_SECRET_KEY"])
    app = create_app(make_config(settings), republisher=republisher)
    with serve_admin(tmp_path / "admin-site", app) as base, httpx.Client(base_url=base) as client:
        csrf = log_in(client, PASSWORD)
        lines = flash_lines(client, act(client, csrf, f"/stories/{story.id}/approve"))
        text = page.read_text()  # read as soon as the redirect is back: nothing else runs
    assert lines[0] == f"#{story.id} approved ({SEED}, by Gus)"
    assert lines[1].startswith(f"{SEED}: page and stories feed updated (")
    assert "ADMIN-FAST-MARK" in text and "ADMIN-FAST-MARK" in feed.read_text()
    published = html.fromstring(text).xpath(f"//article[@id='story-{story.id}']")
    assert len(published) == 1
    with open_store(db_url) as store:
        assert store.get(story.id).status is Status.APPROVED
