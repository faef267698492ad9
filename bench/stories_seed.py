"""Seed a story store with M approved stories per article (some of them replies) and a few
pending ones, through the product's own validation and store so every row is a valid row.

Rows go in per batch of articles inside one write transaction (the store's `writing()`), with a
clock that ticks one second per call, so the same N always gives the same database and the same
pages, run after run.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bench.corpus import ArticleSpec
from reader_stories.models import Status
from reader_stories.moderation.actions import DEFAULT_ACTOR
from reader_stories.store import Tx, open_store
from reader_stories.validation import validate_submission

STORY_SENTENCES = (
    "I was turned down three times before the offer that changed everything came through.",
    "Asking for feedback felt awkward, but the recruiter gave me two useful points.",
    "I wrote my number on a card exactly as suggested and it kept me from backing down.",
    "The follow-up email took five minutes and got me a second interview.",
    "Switching from teaching to product work took a year, and most skills came with me.",
    "My manager had no idea I wanted the promotion until I said it in a one-on-one.",
    "I kept a spreadsheet of every application, which made the rejections feel smaller.",
    "Practising the first minute aloud helped more than any amount of reading.",
    "A former colleague introduced me to the team, and that made all the difference.",
    "I negotiated for the first time at forty and got more than I expected.",
    "Two focused applications a day kept me going through a long search.",
    "The thank-you note mentioned one detail from the interview, and they noticed.",
)
NAMES = ("Ada", "Bilal", "Chen", "Dana", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jon")
BATCH_ARTICLES = 100


@dataclass
class SeedReport:
    """What was seeded: counts for the report, pending ids for the approve-to-live measure."""

    approved: int = 0
    replies: int = 0
    pending_ids: list[int] = field(default_factory=list)
    pending_articles: list[str] = field(default_factory=list)


class TickingClock:
    """A deterministic clock: one second later at every call."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def story_text(rng: random.Random, serial: int) -> str:
    """Two or three sentences, sometimes with emphasis; the serial keeps every text unique."""
    sentences = rng.sample(STORY_SENTENCES, rng.randint(2, 3))
    if rng.random() < 0.3:
        sentences[0] = f"**{sentences[0]}**"
    return " ".join(sentences) + f" (Story {serial}.)"


def _form(article: str, rng: random.Random, serial: int, reply_to: int | None) -> dict[str, str]:
    return {
        "article": article,
        "name": rng.choice(NAMES),
        "story": story_text(rng, serial),
        "consent": "yes",
        "reply_to": "" if reply_to is None else str(reply_to),
        "email": "",
    }


def _add_approved(tx: Tx, forms: Iterable[dict[str, str]]) -> list[tuple[str, int]]:
    """Add every form, in order, then approve them all: (article, story id) of each."""
    added = [
        (form["article"], tx.add_submission(validate_submission(form, ip_hash=None)).id)
        for form in forms
    ]
    for _article, story_id in added:
        tx.set_status(story_id, Status.APPROVED, actor=DEFAULT_ACTOR)
    return added


def seed_store(
    database_url: str,
    articles: Sequence[ArticleSpec],
    per_article: int = 10,
    replies_per_article: int = 2,
    pending: int = 0,
) -> SeedReport:
    """Seed `per_article` approved stories per article (of which `replies_per_article` are
    replies to that article's first story) and `pending` waiting ones on distinct articles."""
    report = SeedReport()
    rng = random.Random("stories")
    serials = itertools.count(1)
    top_level = max(per_article - replies_per_article, 1 if per_article else 0)
    replies = per_article - top_level
    clock = TickingClock(datetime(2025, 1, 1, 8, 0, tzinfo=UTC))
    with open_store(database_url, clock=clock) as store:
        for start in range(0, len(articles), BATCH_ARTICLES):
            batch = articles[start : start + BATCH_ARTICLES]
            firsts: dict[str, int] = {}
            with store.writing() as tx:
                added = _add_approved(
                    tx,
                    (
                        _form(spec.slug, rng, next(serials), None)
                        for spec in batch
                        for _ in range(top_level)
                    ),
                )
                for slug, story_id in added:
                    firsts.setdefault(slug, story_id)
                report.approved += len(added)
            if replies:
                with store.writing() as tx:
                    added = _add_approved(
                        tx,
                        (
                            _form(spec.slug, rng, next(serials), firsts[spec.slug])
                            for spec in batch
                            for _ in range(replies)
                        ),
                    )
                    report.approved += len(added)
                    report.replies += len(added)
        # Pending stories on articles spread over the corpus, one each, for approve-to-live.
        step = max(len(articles) // max(pending, 1), 1)
        with store.writing() as tx:
            for k in range(min(pending, len(articles))):
                spec = articles[(k * step + step // 2) % len(articles)]
                form = _form(spec.slug, rng, next(serials), None)
                story = tx.add_submission(validate_submission(form, ip_hash=None))
                report.pending_ids.append(story.id)
                report.pending_articles.append(spec.slug)
    return report
