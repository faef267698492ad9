"""A writer's change to a published story reaches the page only when a moderator approves it,
through the same republisher as every other action: byte for byte what a full build writes."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from site_support import SEED, build, build_live, submit

from reader_stories.config import SITE_FEED
from reader_stories.live.manifest import MANIFEST
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import service
from reader_stories.moderation.report import describe
from reader_stories.store import open_store

pytestmark = pytest.mark.slow


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def test_an_approved_change_is_republished_as_a_full_build_writes_it(
    tmp_path: Path, db_url: str
) -> None:
    with open_store(db_url) as store:
        story = submit(store, "Gus", "BEFORE-MARK: the first telling of my story.").id
        moderation.approve(store, [story])
        with store.writing() as tx:
            tx.revise_by_writer(
                story, "AFTER-MARK: the telling I meant to send.", "Gus B.", timedelta(hours=24)
            )
    site, republisher = build_live(tmp_path, db_url)
    changed = [f"{SEED}/index.html", f"{SEED}/stories.atom.xml", SITE_FEED, MANIFEST]
    page = (site / changed[0]).read_text()
    assert "BEFORE-MARK" in page and "AFTER-MARK" not in page  # the build waits too

    with open_store(db_url) as store:
        rejected_first = service.reject_change(store, republisher, story)
        assert rejected_first.pages == () and not rejected_first.public
        with store.writing() as tx:
            tx.revise_by_writer(
                story, "AFTER-MARK: the telling I meant to send.", "Gus B.", timedelta(hours=24)
            )
        outcome = service.approve_change(store, republisher, story)
    assert describe(outcome)[1].startswith(f"{SEED}: page and stories feed updated (")
    fast = {name: (site / name).read_bytes() for name in changed}
    assert all(
        b"AFTER-MARK" in fast[name] and b"BEFORE-MARK" not in fast[name] for name in changed[:3]
    )
    assert b"Gus B." in fast[changed[0]] and b"edited by a moderator" in fast[changed[0]]

    rebuilt = build(tmp_path, db_url)
    assert {name: (rebuilt / name).read_bytes() for name in changed} == fast
