"""What a theme shows of one article's stories (``article.stories``): its section, rendered
as its page is written, its count, and its feed.

One small object per article, holding nothing rendered. Held for every article at once,
rendered sections cost more memory than the rest of a large build; and every attribute Pelican's
articles carry costs memory in each of them: past 29 names in all, CPython 3.11 stops sharing
their names, and each article's attributes take 1.6 KB instead of about 300 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from reader_stories.config import Site
from reader_stories.pages.ahead import StoriesAhead
from reader_stories.pages.section import ArticleRef, render_count, render_feed, render_section
from reader_stories.pages.windows import StoryWindows
from reader_stories.threads import threads


@dataclass(frozen=True)
class Rendering:
    """What every article's stories are rendered with in one build: its worker (if any), the
    windows of stories read from the store, the package's templates and the site."""

    ahead: StoriesAhead | None
    windows: StoryWindows
    env: Environment
    site: Site
    secret_key: str

    def section(self, ref: ArticleRef, closed: bool) -> str:
        made = self.ahead.section(ref.slug) if self.ahead is not None else None
        if made is not None:
            return made
        grouped = threads(self.windows.stories_of(ref.slug))
        return render_section(self.env, ref, self.site, self.secret_key, grouped, closed=closed)

    def feed(self, ref: ArticleRef) -> str | None:
        """None: the worker wrote the feed with the section it rendered."""
        if self.ahead is not None and self.ahead.feed_written(ref.slug):
            return None
        return render_feed(self.env, ref, self.site, self.windows.stories_of(ref.slug))


class ArticleStories:
    """``section`` and ``count_html`` are markup a template outputs as they are; ``count`` is
    the number of reader stories the section shows (author replies are not counted)."""

    __slots__ = ("_closed", "_ref", "_rendering", "count")

    def __init__(self, rendering: Rendering, ref: ArticleRef, count: int, closed: bool) -> None:
        self._rendering = rendering
        self._ref = ref
        self.count = count
        self._closed = closed

    @property
    def section(self) -> Markup:
        """Rendered now: ask once, as the article's page is written."""
        return Markup(self._rendering.section(self._ref, self._closed))

    @property
    def count_html(self) -> Markup:
        """The count, marked so that approving a story can update it in the written page."""
        rendering = self._rendering
        return Markup(render_count(rendering.env, self._ref, self.count))

    @property
    def feed(self) -> str:
        """The article's stories feed, relative to the output folder."""
        return self._rendering.site.feed_path(self._ref)

    def feed_text(self) -> str | None:
        """The feed, from the stories the page showed; None if the worker has written it."""
        return self._rendering.feed(self._ref)

    def __repr__(self) -> str:
        return f"<ArticleStories {self._ref.slug}: {self.count}>"


def stories_of(article: Any) -> ArticleStories | None:
    """The article's stories, if the plugin attached them (not to drafts or other pages)."""
    stories = getattr(article, "stories", None)
    return stories if isinstance(stories, ArticleStories) else None
