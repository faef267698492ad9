"""Keeping a public site published elsewhere current: changed pages are queued, then pushed.

When the site lives on another machine (rsync to ``host:path``) or in a git branch (GitHub Pages
style), a moderation action cannot rewrite it in place. It queues the articles it changed, in
the store, in its own transaction; the service's push worker takes them once a burst of actions
has settled, fetches the live copies of their pages, rewrites their stories sections there as
the republisher does on one server, and sends the rewritten files back: one push for the burst.
A push that fails (the target is down, the branch moved on) is tried again later, with growing
waits, until it goes through; the moderator sees where every change stands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from reader_stories.background import Periodic
from reader_stories.config import SITE_FEED, Config
from reader_stories.live.manifest import MANIFEST
from reader_stories.live.transport import GitBranch, Rsync, TransportError
from reader_stories.moderation.report import when
from reader_stories.pages.republish import PageUpdate, Republisher
from reader_stories.pages.section import SITE_FEED_LIMIT
from reader_stories.store import Store
from reader_stories.store.pushes import PushState

log = logging.getLogger(__name__)

# A burst of actions makes one push: the worker waits until none came for this long.
SETTLE = timedelta(seconds=2)
TICK = 1.0  # seconds between the worker's looks at the queue
BACKOFF = (
    timedelta(seconds=30),
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=15),
    timedelta(hours=1),
)


def retry_delay(attempts: int) -> timedelta:
    """After `attempts` failed pushes; then every hour, never giving up: the site must catch up."""
    return BACKOFF[min(attempts, len(BACKOFF) - 1)]


class PushQueue:
    """Where moderation's changes go when the public site is elsewhere: the queue, in the store."""

    def articles(self, store: Store, slugs: Iterable[str]) -> list[PageUpdate]:
        slugs = sorted(set(slugs))
        with store.writing() as tx:
            tx.queue_pushes(slugs)
        return [PageUpdate(slug, queued=True) for slug in slugs]


@dataclass(frozen=True)
class PushReport:
    articles: tuple[str, ...]
    error: str = ""

    def __str__(self) -> str:
        if self.error:
            return f"{len(self.articles)} article pages not pushed: {self.error}"
        return f"{len(self.articles)} article pages pushed: {', '.join(self.articles)}"


def push_due(config: Config, store: Store, *, settle: timedelta = SETTLE) -> PushReport | None:
    """Push every article that is due, once the latest change is `settle` old; None if none."""
    with store.reading() as tx:
        now = tx.clock()
        due = tx.due_pushes(now)
        state = tx.push_state()
    if not due or (state.latest_queued is not None and now - state.latest_queued < settle):
        return None
    try:
        _push(config, store, due)
    except TransportError as problem:
        with store.writing() as tx:
            tx.push_failed(due, str(problem), now + retry_delay(state.attempts))
        log.warning("Pages not pushed (%s), trying again later: %s", ", ".join(due), problem)
        return PushReport(tuple(due), str(problem))
    with store.writing() as tx:
        tx.pushed(due, now)
    log.info("Pushed the pages of %s", ", ".join(due))
    return PushReport(tuple(due))


def _push(config: Config, store: Store, slugs: list[str]) -> None:
    """Rewrite the articles' live pages in a private copy and send them back."""
    target = config.target
    assert target is not None and target.local_folder is None  # only for a site elsewhere
    work = config.state / "push"
    if target.method == "git":
        branch = GitBranch(target.destination, target.branch, work / "git")
        if not branch.refresh():
            raise TransportError(f"{target} does not exist yet: publish the site once first")
        Republisher(config, branch.work).articles(store, slugs)
        branch.commit_and_push(f"Reader stories on {', '.join(slugs)}")
        return
    copy = work / "rsync"
    remote = Rsync(target.destination)
    remote.fetch(_pages(config, store, slugs), copy)
    updates = Republisher(config, copy).articles(store, slugs)
    written = [p for u in updates for p in (u.page, u.feed) if p is not None]
    relative = [str(path.relative_to(copy)) for path in written]
    remote.send(copy, [*relative, SITE_FEED, MANIFEST])


def _pages(config: Config, store: Store, slugs: list[str]) -> list[str]:
    """The live pages a push rewrites or reads: the changed articles, and the articles of the
    site feed's newest stories (their titles come from their pages)."""
    with store.reading() as tx:
        newest = {story.article for story in tx.approved_newest(SITE_FEED_LIMIT)}
    return [config.site.article_save_as.format(slug=slug) for slug in {*slugs, *newest}]


def push_worker(config: Config) -> Periodic | None:
    """The service's background pusher, when the public site is elsewhere."""
    if config.target is None or config.target.local_folder is not None:
        return None
    return Periodic(
        "page-pusher", config.comments.database_url, TICK, lambda store: push_due(config, store)
    )


def describe_pushes(config: Config, state: PushState, now: datetime) -> list[str]:
    """Where moderation's changes stand on a public site elsewhere, in a line for the moderator."""
    if config.target is None or config.target.local_folder is not None:
        return []
    if not state.waiting:
        return [f"Public site ({config.target}): every change is live."]
    pages = f"{state.waiting} article page{'s' if state.waiting != 1 else ''}"
    if state.next_attempt is None or state.next_attempt <= now:
        next_time = "in a few seconds"
    else:
        next_time = when(state.next_attempt, now)
    if state.last_error:
        return [
            f"Public site: push failed: {state.last_error}; {pages} waiting, next try at "
            f"{next_time} (attempt {state.attempts + 1})."
        ]
    return [
        f"Public site: {pages} waiting to be pushed to {config.target} (next push {next_time})."
    ]
