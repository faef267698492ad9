"""Articles whose stories are closed: they take no new story, and keep the ones they have."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, insert, select

from reader_stories.store import schema
from reader_stories.store.engine import Clock

_closed = schema.closed_articles
# Built once: the intake asks for every story.
_IS_CLOSED = select(_closed.c.article).where(_closed.c.article == bindparam("slug"))


@dataclass(frozen=True)
class ClosedArticle:
    article: str
    closed_by: str
    closed_at: datetime


class ClosedQueries:
    conn: Connection
    clock: Clock

    def article_closed(self, slug: str) -> bool:
        return self.conn.scalar(_IS_CLOSED, {"slug": slug}) is not None

    def closed_slugs(self) -> frozenset[str]:
        """Every closed article's slug: one read for a batch of stories (see Tx.once)."""
        return frozenset(self.conn.scalars(select(_closed.c.article)))

    def closed_articles(self) -> list[ClosedArticle]:
        query = select(_closed).order_by(_closed.c.article)
        return [
            ClosedArticle(r.article, r.closed_by, r.closed_at) for r in self.conn.execute(query)
        ]

    def close_article(self, slug: str, *, actor: str) -> bool:
        """Close an article's stories; False when they were closed already."""
        if self.article_closed(slug):
            return False
        self.conn.execute(
            insert(_closed).values(article=slug, closed_by=actor, closed_at=self.clock())
        )
        return True

    def reopen_article(self, slug: str) -> bool:
        """Open an article's stories again; False when they were not closed."""
        return bool(self.conn.execute(delete(_closed).where(_closed.c.article == slug)).rowcount)
