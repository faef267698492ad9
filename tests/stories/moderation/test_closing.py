"""Closing an article's stories: the page loses its form for a note, at once through the
republisher and byte for byte as a full build writes it; reopening brings the form back."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_support import SEED, build, build_live, submit

from reader_stories.moderation import actions as moderation
from reader_stories.moderation import closing
from reader_stories.store import open_store

NOTE = "Stories are closed on this article; the stories above stay."


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def test_closing_and_reopening_rewrite_the_page_as_a_full_build_does(
    tmp_path: Path, db_url: str
) -> None:
    with open_store(db_url) as store:
        story = submit(store, "Gus", "SHOWN-MARK: the story that stays on the page.").id
        moderation.approve(store, [story])
    site, republisher = build_live(tmp_path, db_url)
    page = site / SEED / "index.html"
    assert 'id="story-form"' in page.read_text()

    with open_store(db_url) as store:
        said = closing.close(store, republisher, SEED, "moderator")
    assert said == [
        f"Stories on {SEED} are closed: its page shows a note instead of the form.",
        f"{SEED}: page and stories feed updated ({page}).",
    ]
    fast = page.read_bytes()
    text = fast.decode()
    assert NOTE in text and 'id="story-form"' not in text
    assert "SHOWN-MARK" in text and 'id="follow-form"' in text and "story__helped" in text
    assert (build(tmp_path, db_url) / SEED / "index.html").read_bytes() == fast

    with open_store(db_url) as store:
        assert closing.close(store, republisher, SEED, "moderator") == [
            f"Stories on {SEED} were closed already; nothing was changed."
        ]
        said = closing.reopen(store, republisher, SEED)
    assert said[0] == f"Stories on {SEED} are open again: its form is back."
    reopened = page.read_bytes()
    assert b'id="story-form"' in reopened and NOTE.encode() not in reopened
    assert (build(tmp_path, db_url) / SEED / "index.html").read_bytes() == reopened


def test_a_closed_article_without_stories_says_so_plainly(tmp_path: Path, db_url: str) -> None:
    with open_store(db_url) as store, store.writing() as tx:
        tx.close_article(SEED, actor="moderator")
    text = (build(tmp_path, db_url) / SEED / "index.html").read_text()
    assert (
        '<p class="stories__closed" id="stories-closed">Stories are closed on this article.</p>'
        in text
    )


def test_a_slug_that_cannot_be_one_is_refused_in_words(db_url: str) -> None:
    with open_store(db_url) as store, pytest.raises(ValueError, match="is not an article's slug"):
        closing.close(store, None, "../etc", "moderator")


def test_without_a_built_site_the_change_waits_for_the_next_build(db_url: str) -> None:
    with open_store(db_url) as store:
        said = closing.close(store, None, SEED, "moderator")
    assert said[1].startswith("The article page changes at the next build or publish")
