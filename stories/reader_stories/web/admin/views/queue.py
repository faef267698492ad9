"""The pages a moderator reads: a status list (the pending queue by default) and one story."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import StoryNotFound
from reader_stories.models import Status
from reader_stories.moderation.actions import ALLOWED_TRANSITIONS
from reader_stories.moderation.blocks import DURATION_LABELS
from reader_stories.web.admin import checks, queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.forms import route_back
from reader_stories.web.admin.guard import Guard
from reader_stories.web.errors import Refused

LIST_TITLES = {
    Status.PENDING: "Waiting for moderation",
    Status.APPROVED: "Recently approved",
    Status.REJECTED: "Recently rejected",
    Status.SPAM: "Recently marked as spam",
}
LIST_LABELS = {
    Status.PENDING: "Pending",
    Status.APPROVED: "Approved",
    Status.REJECTED: "Rejected",
    Status.SPAM: "Spam",
}
EMPTY = {
    Status.PENDING: "No stories are waiting for moderation.",
    Status.APPROVED: "No approved stories yet.",
    Status.REJECTED: "No rejected stories.",
    Status.SPAM: "No stories marked as spam.",
}
TITLE_NO_LIST = "There is no such list"
MSG_NO_LIST = "Stories are listed as pending, approved, rejected or spam; pick one of those lists."
TITLE_NO_STORY = "Story not found"


def page_number(text: str | None) -> int:
    """?page=N, forgiving: anything odd is page 1."""
    return int(text) if text and text.isdigit() and 0 < int(text) < 1_000_000 else 1


def no_story(store_message: str) -> Refused:
    return Refused(404, store_message, title=TITLE_NO_STORY)


class Reading:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    async def queue(self, request: Request) -> Response:
        session = await self.guard.page(request)
        try:
            status = Status(request.query_params.get("status", Status.PENDING.value))
        except ValueError:
            raise Refused(404, MSG_NO_LIST, title=TITLE_NO_LIST) from None
        page = page_number(request.query_params.get("page"))
        listing = await self.admin.with_store(queries.listing, status, page)
        moves = (Status.APPROVED, Status.REJECTED, Status.SPAM)
        bulk = [s.value for s in moves if s in ALLOWED_TRANSITIONS[status]]
        return self.admin.pages.render(
            request,
            "queue.html",
            session=session,
            listing=listing,
            title=LIST_TITLES[status],
            labels=LIST_LABELS,
            empty=EMPTY[status],
            bulk=bulk,
            pending=listing.counts[Status.PENDING],
            back=route_back(status, page),
            transitions=ALLOWED_TRANSITIONS,
        )

    async def story(self, request: Request) -> Response:
        session = await self.guard.page(request)
        story_id = int(request.path_params["story_id"])
        try:
            item, history = await self.admin.with_store(queries.story_item, story_id)
        except StoryNotFound:
            raise no_story(await self.admin.with_store(checks.gone, story_id)) from None
        return self.admin.pages.render(
            request,
            "story.html",
            session=session,
            item=item,
            history=history,
            back=f"/stories/{story_id}",
            labels=LIST_LABELS,
            transitions=ALLOWED_TRANSITIONS,
            durations=DURATION_LABELS,  # the block form under the story
        )
