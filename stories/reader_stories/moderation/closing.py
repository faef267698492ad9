"""Closing an article's stories, and opening them again: the store, then the page at once.

A closed article takes no new story (the intake refuses one politely, giving the reader their
text back); its page shows a note where the form was, and its stories, "This helped me" and
the follow form stay. The page is rewritten by the republisher as any moderation change is,
byte for byte what the next build writes.
"""

from __future__ import annotations

from reader_stories.moderation.report import page_lines
from reader_stories.pages.republish import LivePages
from reader_stories.store import Store
from reader_stories.validation import SLUG_RE


def checked_slug(slug: str) -> str:
    slug = slug.strip().strip("/")
    if not SLUG_RE.fullmatch(slug):
        raise ValueError(
            f"{slug!r} is not an article's slug; give the slug as in its address, "
            "like asking-for-a-raise."
        )
    return slug


def close(store: Store, site: LivePages | None, slug: str, actor: str) -> list[str]:
    """Close, then rewrite the page; the result in words (ValueError for a bad slug)."""
    slug = checked_slug(slug)
    with store.writing() as tx:
        changed = tx.close_article(slug, actor=actor)
    if not changed:
        return [f"Stories on {slug} were closed already; nothing was changed."]
    said = [f"Stories on {slug} are closed: its page shows a note instead of the form."]
    return said + _republish(store, site, slug)


def reopen(store: Store, site: LivePages | None, slug: str) -> list[str]:
    """Open the article's stories again, then rewrite the page."""
    slug = checked_slug(slug)
    with store.writing() as tx:
        changed = tx.reopen_article(slug)
    if not changed:
        return [f"Stories on {slug} were not closed; nothing was changed."]
    return [f"Stories on {slug} are open again: its form is back.", *_republish(store, site, slug)]


def _republish(store: Store, site: LivePages | None, slug: str) -> list[str]:
    pages = site.articles(store, [slug]) if site is not None else []
    return page_lines(pages, site is not None)
