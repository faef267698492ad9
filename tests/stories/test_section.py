"""Pages and feeds hold only accepted text: a story whose text is not (an old row, an edited
archive) is left out of that output and named in a warning, and the build goes on."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
import store_calls as calls
from hypothesis import given
from lxml import etree, html
from site_support import SEED, SETTINGS, submit
from stories_support import make_config
from text_strategies import PROPERTY, reader_text

from pelicanconf import COMMENTS
from reader_stories.config import SITE_FEED, config_from_pelican
from reader_stories.errors import ValidationFailed
from reader_stories.models import Status, Story, Submission
from reader_stories.moderation import actions as moderation
from reader_stories.pages.republish import Republisher
from reader_stories.pages.section import (
    ArticleRef,
    render_feed,
    render_section,
    render_site_feed,
    story_count,
)
from reader_stories.pages.templates import environment
from reader_stories.settings import CommentsSettings
from reader_stories.store import open_store
from reader_stories.story_html import render_story
from reader_stories.threads import threads
from reader_stories.validation import validate_submission
from sitetools.build import build_site
from sitetools.check import check_feeds

START = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
ARTICLE = ArticleRef("asking-for-a-raise", "Asking for a raise", "asking-for-a-raise/", START)
SITE = make_config(CommentsSettings(secret_key="k" * 40)).site
ENV = environment(SITE.templates)
ATOM = "{http://www.w3.org/2005/Atom}"


def story(story_id: int, name: str = "Ada", body_html: str = "<p>A story.</p>", **more) -> Story:
    values = {
        "id": story_id,
        "article": ARTICLE.slug,
        "parent_id": None,
        "name": name,
        "body_markdown": "A story.",
        "body_html": body_html,
        "status": Status.APPROVED,
        "created": START + timedelta(minutes=story_id),
        "updated": START + timedelta(minutes=story_id),
        "approved_at": START + timedelta(minutes=story_id),
        "edited": False,
        "author_reply": False,
        "reject_reason": None,
        "email": None,
        "notify": False,
        **more,
    }
    return Story(**values)


def entry_ids(feed: str) -> list[str]:
    root = etree.fromstring(feed.encode("utf-8"))  # strict XML: raises if it does not parse
    assert not feedparser.parse(feed.encode("utf-8")).bozo
    return [e.findtext(f"{ATOM}id").rsplit("-", 1)[1] for e in root.iter(f"{ATOM}entry")]


def test_noncharacters_are_refused_and_never_reach_a_feed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Review finding 2: one approved story with U+FFFF stopped every feed from parsing, and so
    every `invoke check` and publish. The intake refuses it; one already stored is left out."""
    form = {"article": ARTICLE.slug, "name": "Ada\uffff", "story": "x" * 30, "consent": "on"}
    with pytest.raises(ValidationFailed):
        validate_submission(form, ip_hash=None)
    stories = [story(1), story(2, name="Bad\uffff"), story(3, body_html="<p>\ufffe</p>")]
    with caplog.at_level(logging.WARNING, logger="reader_stories.pages.section"):
        assert entry_ids(render_feed(ENV, ARTICLE, SITE, stories)) == ["1"]
        titles = {ARTICLE.slug: (ARTICLE.title, ARTICLE.url)}
        assert entry_ids(render_site_feed(ENV, SITE, stories, titles)) == ["1"]
    warnings = [r.getMessage() for r in caplog.records]
    assert warnings[:2] == [
        "Story #2 is left out of the stories feed of asking-for-a-raise: its name holds U+FFFF "
        "(a noncharacter) at character 4. Edit or reject it (reader-stories edit/reject).",
        "Story #3 is left out of the stories feed of asking-for-a-raise: its body_html holds "
        "U+FFFE (a noncharacter) at character 4. Edit or reject it (reader-stories edit/reject).",
    ]
    assert len(warnings) == 4  # the site's feed says the same


def test_the_page_leaves_out_the_story_with_its_replies_and_counts_what_it_shows() -> None:
    grouped = threads(
        [
            story(1),
            story(2, name="Zalgo" + "\u0301" * 9),
            story(3, parent_id=2),
            story(4, parent_id=1),
            story(5, parent_id=1, name="\u202eevil"),
        ]
    )
    section = render_section(ENV, ARTICLE, SITE, "k" * 40, grouped)
    tree = html.fromstring(section)
    assert tree.xpath("//article/@id") == ["story-1", "story-4"]
    assert story_count(grouped) == 2


@PROPERTY
@given(name=reader_text(max_size=100), body=reader_text(max_size=300))
def test_a_feed_always_parses_whatever_the_store_holds(name: str, body: str) -> None:
    """Unvalidated text straight into the output functions: the feed still parses."""
    stories = [
        story(1),
        story(2, name=name, body_html=body),
        story(3, body_html=render_story(body)),
    ]
    ids = entry_ids(render_feed(ENV, ARTICLE, SITE, stories))
    assert "1" in ids and "3" in ids


@PROPERTY
@given(name=reader_text(max_size=100), text=reader_text(min_size=20, max_size=300))
def test_every_story_the_intake_accepts_reaches_the_feed(name: str, text: str) -> None:
    form = {"article": ARTICLE.slug, "name": name, "story": text, "consent": "on"}
    try:
        accepted = validate_submission(form, ip_hash=None)
    except ValidationFailed:
        return
    shown = story(2, name=accepted.name, body_html=accepted.body_html)
    assert entry_ids(render_feed(ENV, ARTICLE, SITE, [story(1), shown])) == ["2", "1"]
    section = render_section(ENV, ARTICLE, SITE, "k" * 40, threads([shown]))
    assert html.fromstring(section).xpath("//article/@id") == ["story-2"]


@pytest.mark.slow
def test_a_bad_character_in_the_store_never_stops_a_build_or_a_republish(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with open_store(db_url) as store:
        good = submit(store, "Ayo", "GOOD-MARK: two offers after ten rejections.").id
        bad = calls.add_submission(  # as an old row or an edited archive could hold it
            store,
            Submission(
                article=SEED,
                name="Bad\uffffname",
                email=None,
                notify=False,
                body_markdown="BAD-MARK: a story from before the rules.",
                reply_to=None,
                ip_hash=None,
            ),
        ).id
        moderation.approve(store, [good, bad])
        report = build_site(
            SETTINGS,
            tmp_path / "site",
            {
                "SITEURL": "http://127.0.0.1:8000",
                "CACHE_PATH": str(tmp_path / "cache"),
                "COMMENTS": {**COMMENTS, "database_url": db_url, "secret_key": "s" * 40},
            },
            search_index=False,
        )
        site = report.output
        assert any(f"Story #{bad} is left out of" in w for w in report.warnings)
        Republisher(config_from_pelican(report.settings), site).articles(store, [SEED])
    assert check_feeds(site) == []
    for output in (site / SEED / "index.html", site / SEED / "stories.atom.xml", site / SITE_FEED):
        text = output.read_text(encoding="utf-8")
        assert "GOOD-MARK" in text and "BAD-MARK" not in text and "\uffff" not in text
