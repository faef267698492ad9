"""The pages a moderator reads: a list of stories (the pending queue by default, narrowed by
the filters in its address, in order of time or of spam score) and one story."""

from __future__ import annotations

from dataclasses import dataclass, replace

from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import StoryNotFound
from reader_stories.models import Status
from reader_stories.moderation import changes
from reader_stories.moderation.actions import ALLOWED_TRANSITIONS
from reader_stories.moderation.blocks import DURATION_LABELS
from reader_stories.moderation.search_terms import (
    NETWORK_MIN,
    STATUS_WORDS,
    TEXT_MAX,
    WRITER_MAX,
    describe_terms,
)
from reader_stories.moderation.spam.shown import threshold_words
from reader_stories.store import StoryFilter
from reader_stories.web.admin import checks, queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.queue_view import read_view, view_path
from reader_stories.web.errors import Refused

LIST_TITLES = {
    Status.PENDING: "Waiting for moderation",
    Status.APPROVED: "Recently approved",
    Status.REJECTED: "Recently rejected",
    Status.SPAM: "Recently marked as spam",
    None: "All stories",
}
LIST_LABELS = {
    Status.PENDING: "Pending",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
    Status.SPAM: "Spam",
}
ALL_LABEL = "All"
EMPTY = {
    Status.PENDING: "No stories are waiting for moderation.",
    Status.APPROVED: "No approved stories yet.",
    Status.REJECTED: "No rejected stories.",
    Status.SPAM: "No stories marked as spam.",
    None: "There are no stories yet.",
}
NO_MATCH = "No stories match these filters."
TITLE_NO_STORY = "Story not found"


def no_story(store_message: str) -> Refused:
    return Refused(404, store_message, title=TITLE_NO_STORY)


@dataclass(frozen=True)
class Tab:
    """A link to one status with the other filters kept, and how many it would show."""

    label: str
    href: str
    count: int
    current: bool


def tabs(listing: queries.Listing) -> list[Tab]:
    wanted = listing.wanted
    found = []
    for status, label in (*LIST_LABELS.items(), (None, ALL_LABEL)):
        count = sum(listing.matching.values()) if status is None else listing.matching[status]
        href = view_path(replace(wanted, status=status))
        found.append(Tab(label, href, count, status == wanted.status))
    return found


SCORE_ORDER = "Highest spam score first"


def time_order(status: Status | None) -> str:
    """A list's usual order in words (store/search.py's)."""
    return "Newest first" if status in (None, Status.PENDING) else "Latest change first"


@dataclass(frozen=True)
class Order:
    """A link to the same list in one order, filters kept, from page 1."""

    label: str
    href: str
    current: bool


def orders(wanted: StoryFilter) -> list[Order]:
    return [
        Order(label, view_path(replace(wanted, by_score=by_score)), wanted.by_score == by_score)
        for label, by_score in ((time_order(wanted.status), False), (SCORE_ORDER, True))
    ]


def article_title(listing: queries.Listing) -> str | None:
    """The title of the article the list is narrowed to, when the built site shows one."""
    chosen = listing.wanted.article
    return next((a.title for a in listing.articles if a.slug == chosen and a.title), None)


class Reading:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    async def queue(self, request: Request) -> Response:
        session = await self.guard.page(request)
        view = read_view(request.query_params)
        wanted = view.wanted
        listing = await self.admin.with_store(queries.listing, wanted, view.page, self.admin.titles)
        moves = (Status.APPROVED, Status.REJECTED, Status.SPAM)
        allowed = moves if wanted.status is None else ALLOWED_TRANSITIONS[wanted.status]
        return self.admin.pages.render(
            request,
            "queue.html",
            session=session,
            listing=listing,
            view=view,
            title=LIST_TITLES[wanted.status],
            tabs=tabs(listing),
            orders=orders(wanted),
            held_from=threshold_words(self.admin.settings.spam_threshold),
            labels=LIST_LABELS,
            empty=NO_MATCH if wanted.narrowed else EMPTY[wanted.status],
            narrowed_by=describe_terms(wanted, article_title(listing)),
            bulk=[s.value for s in moves if s in allowed],
            pending=listing.counts[Status.PENDING],
            back=view.path(),
            transitions=ALLOWED_TRANSITIONS,
            status_words=STATUS_WORDS,
            network_min=NETWORK_MIN,
            text_max=TEXT_MAX,
            writer_max=WRITER_MAX,
        )

    async def story(self, request: Request) -> Response:
        session = await self.guard.page(request)
        story_id = int(request.path_params["story_id"])
        try:
            item, history = await self.admin.with_store(queries.story_item, story_id)
            change = await self.admin.with_store(changes.waiting_for, story_id)
        except StoryNotFound:
            raise no_story(await self.admin.with_store(checks.gone, story_id)) from None
        return self.admin.pages.render(
            request,
            "story.html",
            session=session,
            item=item,
            history=history,
            change=change,
            back=f"/stories/{story_id}",
            labels=LIST_LABELS,
            transitions=ALLOWED_TRANSITIONS,
            durations=DURATION_LABELS,  # the block form under the story
        )
