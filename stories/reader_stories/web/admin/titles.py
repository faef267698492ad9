"""Articles' titles for the article filter, read from the built site and remembered a while.

Every list page offers a choice of the articles that have stories, by title where the built
site knows it (its pages carry their title: pages/built.py), else by slug. Reading each page on
every list would read the whole site; a title only changes with a build, so each is kept for a
few minutes.
"""

from __future__ import annotations

from collections.abc import Callable

from reader_stories.web.admin.sessions import Clock

KEEP_SECONDS = 300


class RememberedTitles:
    def __init__(self, read: Callable[[str], str | None], clock: Clock) -> None:
        self._read = read
        self._clock = clock
        self._known: dict[str, tuple[float, str | None]] = {}

    def __call__(self, slug: str) -> str | None:
        """The article's title, or None when no built page of it says one."""
        now = self._clock()
        kept = self._known.get(slug)
        if kept is not None and now - kept[0] < KEEP_SECONDS:
            return kept[1]
        title = self._read(slug)
        self._known[slug] = (now, title)
        return title
