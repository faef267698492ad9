"""Render the stories part of an article page: the count, the threads, the form, the feed.

The output is wrapped in marker comments so the approval fast path can replace exactly this part
of an already built page. Everything here is deterministic for a given set of stories.

Each render checks again that a story's shown text is accepted text (text.py), whatever let it
into the store: an old row, an archive, a moderator's edit. A story that is not is left out of
that output and named in a warning, so one bad character never stops a build or a publish.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from jinja2 import Environment

from reader_stories.config import SITE_FEED, Site
from reader_stories.models import Story
from reader_stories.story_order import DEFAULT_ORDER, ORDER_LABELS, in_order
from reader_stories.text import first_problem
from reader_stories.threads import Thread
from reader_stories.tokens import make_article_token

log = logging.getLogger(__name__)

SECTION_BEGIN, SECTION_END = "<!--stories:begin-->", "<!--stories:end-->"
COUNT_BEGIN, COUNT_END = "<!--story-count:begin-->", "<!--story-count:end-->"
FEED_TEMPLATE = "stories/feed.atom.xml"
SITE_FEED_LIMIT = 50  # stories in the site's feed, newest first


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """What the stories part needs to know of an article, whether from Pelican or from disk."""

    slug: str
    title: str
    url: str  # relative, as Pelican's article.url: "handling-job-rejection/"
    date: datetime
    order: str = DEFAULT_ORDER.value  # of its published stories (story_order.py)


def unpublishable(story: Story) -> str | None:
    """Why the story cannot be shown (its name or HTML is not accepted text), or None."""
    for field in ("name", "body_html"):
        problem = first_problem(getattr(story, field))
        if problem is not None:
            return f"its {field} holds {problem}"
    return None


def _sort_out(stories: Iterable[Story]) -> tuple[list[Story], list[tuple[Story, str]]]:
    """The stories that may be shown, and those left out with why. A reply to a story left out
    goes with it, as on the page."""
    stories = list(stories)
    left = [(story, reason) for story in stories if (reason := unpublishable(story)) is not None]
    gone = {story.id for story, _ in left}
    return [s for s in stories if s.id not in gone and s.parent_id not in gone], left


def publishable(stories: Iterable[Story], output: str) -> list[Story]:
    """The stories that may be shown in ``output``; each one left out is named in a warning."""
    shown, left = _sort_out(stories)
    for story, reason in left:
        log.warning(
            "Story #%d is left out of %s: %s. Edit or reject it (reader-stories edit/reject).",
            story.id,
            output,
            reason,
        )
    return shown


def _shown_threads(grouped: Sequence[Thread], output: str | None = None) -> list[Thread]:
    """The threads as they are shown; with ``output``, what is left out is said."""
    every = [story for thread in grouped for story in (thread.story, *thread.replies)]
    shown = publishable(every, output) if output is not None else _sort_out(every)[0]
    ids = {story.id for story in shown}
    return [
        Thread(t.story, tuple(r for r in t.replies if r.id in ids))
        for t in grouped
        if t.story.id in ids
    ]


def story_count(grouped: Sequence[Thread]) -> int:
    """Reader stories on the article, as the section shows them; author replies are answers,
    not stories."""
    return _count_shown(_shown_threads(grouped))


def _count_shown(shown: Sequence[Thread]) -> int:
    return len(shown) + sum(1 for t in shown for r in t.replies if not r.author_reply)


def render_count(env: Environment, article: ArticleRef, count: int) -> str:
    body = env.get_template("stories/count.html").render(article=article, count=count)
    return f"{COUNT_BEGIN}{body}{COUNT_END}"


def render_section(
    env: Environment,
    article: ArticleRef,
    site: Site,
    secret_key: str,
    grouped: Sequence[Thread],
    *,
    closed: bool = False,
) -> str:
    """``grouped`` is threads(stories): callers need the threads for the count too. On an
    article whose stories are ``closed``, a note takes the form's place."""
    grouped = _shown_threads(grouped, f"the page of {article.slug}")
    body = env.get_template("stories/section.html").render(
        article=article,
        site=site,
        threads=in_order(grouped, article.order),
        orders=ORDER_LABELS,
        count=_count_shown(grouped),  # the shown threads: checked once, just above
        token=make_article_token(secret_key, article.slug),
        values={},
        errors={},
        closed=closed,
    )
    return f"{SECTION_BEGIN}\n{body}\n{SECTION_END}"


def render_feed(env: Environment, article: ArticleRef, site: Site, stories: Sequence[Story]) -> str:
    """Atom feed of one article's stories, newest first; stable bytes for the same stories."""
    stories = publishable(stories, f"the stories feed of {article.slug}")
    page = f"{site.siteurl}/{article.url}"
    return _feed(
        env,
        title=f"Reader stories on {article.title} — {site.sitename}",
        link=page,
        feed_url=f"{site.siteurl}/{site.feed_path(article)}",
        updated=max((s.updated for s in stories), default=article.date),
        entries=[(s, page, article.title) for s in stories],
    )


def newest_first(stories: Iterable[Story], limit: int) -> list[Story]:
    """The ``limit`` newest stories, newest first: what the site's stories feed shows."""
    return sorted(stories, key=lambda s: (s.created, s.id), reverse=True)[:limit]


def render_site_feed(
    env: Environment,
    site: Site,
    stories: Sequence[Story],
    titles: dict[str, tuple[str, str]],
    limit: int = SITE_FEED_LIMIT,
) -> str:
    """Atom feed of the newest stories across the site; `titles` maps slug to (title, url)."""
    newest = newest_first(stories, limit)
    updated = max((s.updated for s in stories), default=None)
    return render_newest_feed(env, site, newest, updated, titles)


def render_newest_feed(
    env: Environment,
    site: Site,
    newest: Sequence[Story],
    updated: datetime | None,
    titles: dict[str, tuple[str, str]],
) -> str:
    """The site's stories feed from its newest stories and the latest change of any story: what
    a build and the republisher both write. Stories of articles without a title are left out."""
    newest = publishable(newest, "the site's stories feed")
    entries = [
        (s, f"{site.siteurl}/{titles[s.article][1]}", titles[s.article][0])
        for s in newest
        if s.article in titles
    ]
    return _feed(
        env,
        title=f"Reader stories — {site.sitename}",
        link=f"{site.siteurl}/",
        feed_url=f"{site.siteurl}/{SITE_FEED}",
        updated=updated or datetime(2000, 1, 1, tzinfo=UTC),
        entries=entries,
    )


def _feed(
    env: Environment,
    title: str,
    link: str,
    feed_url: str,
    updated: datetime,
    entries: Sequence[tuple[Story, str, str]],
) -> str:
    """A template rather than a feed library: far faster on a site with many stories."""
    newest_first = sorted(entries, key=lambda e: (e[0].created, e[0].id), reverse=True)
    return env.get_template(FEED_TEMPLATE).render(
        title=title, link=link, feed_url=feed_url, updated=updated, entries=newest_first
    )
