"""The held bin in the admin: the stories set apart on arrival (suspected spam, a blocked
writer, a listed word), each with its kind and reasons, and the count of the last day.

The bin's stories are waiting stories, so its list posts the same bulk form as the queue
(approve, reject, mark as spam, delete: moderation/service.py through views/bulk.py). What is
the bin's own is releasing: "Not spam: put in the queue", one story or every ticked one, with an
Undo that puts them back in the bin, while they are still in the queue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import StoryMoved, StoryNotFound
from reader_stories.models import HoldKind, Status
from reader_stories.moderation import held
from reader_stories.moderation.actions import ALLOWED_TRANSITIONS
from reader_stories.store import Store
from reader_stories.store.spam import HoldSummary
from reader_stories.web.admin import checks, queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.flash import Undo
from reader_stories.web.admin.forms import back_path, story_ids
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.queue_view import page_number
from reader_stories.web.admin.views.actions import Answer, refused
from reader_stories.web.admin.views.queue import LIST_LABELS

HELD_PATH = "/held"
# The Undo of a release carries this in place of a status: back to the bin, not to pending.
UNDO_RELEASE = "held"
KIND_LABELS = {
    HoldKind.SUSPECTED: "Suspected spam",
    HoldKind.BLOCKED: "Blocked writer",
    HoldKind.LISTED: "Listed word or domain",
}
MSG_NOTHING_TICKED = (
    "Nothing was ticked, so nothing was put in the queue. Tick the stories first, or use the "
    "button on a story."
)


@dataclass(frozen=True)
class Bin:
    """One page of the bin, its counts per kind and the count of the last day."""

    kind: HoldKind | None
    items: tuple[queries.Item, ...]
    page: int
    pages: int
    total: int
    kinds: dict[HoldKind, int]
    summary: HoldSummary
    summary_line: str
    queue: int  # waiting in the moderator's queue, for the page's title


def bin_page(store: Store, kind: HoldKind | None, page: int) -> Bin:
    with store.reading() as tx:
        kinds = tx.held_kind_counts()
        ids = tx.held_ids(kind, queries.PAGE_SIZE, (page - 1) * queries.PAGE_SIZE)
        queue = tx.pending_count()
    try:
        items = queries.items_of(store, ids) if ids else ()
    except StoryNotFound:  # one was decided on meanwhile: read the page again
        return bin_page(store, kind, page)
    summary = held.summary(store)
    total = kinds[kind] if kind is not None else sum(kinds.values())
    pages = max(1, math.ceil(total / queries.PAGE_SIZE))
    line = held.describe_summary(summary)
    return Bin(kind, items, page, pages, total, kinds, summary, line, queue)


def held_path(kind: HoldKind | None, page: int = 1) -> str:
    query = [f"kind={kind.value}"] if kind is not None else []
    if page > 1:
        query.append(f"page={page}")
    return HELD_PATH + ("?" + "&".join(query) if query else "")


class HeldBin:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    async def page(self, request: Request) -> Response:
        """GET /held: the bin, every kind or one (?kind=suspected)."""
        session = await self.guard.page(request)
        try:
            kind = (
                HoldKind(request.query_params["kind"]) if "kind" in request.query_params else None
            )
        except ValueError:
            kind = None
        page = page_number(request.query_params.get("page")) or 1
        found = await self.admin.with_store(bin_page, kind, page)
        return self.admin.pages.render(
            request,
            "held.html",
            session=session,
            bin=found,
            kind_labels=KIND_LABELS,
            labels=LIST_LABELS,
            back=held_path(kind, page),
            transitions=ALLOWED_TRANSITIONS,
            bulk=[Status.APPROVED.value, Status.REJECTED.value, Status.SPAM.value],
        )

    async def release(self, request: Request) -> Response:
        """POST /held/release: the ticked stories (or the one of a story's button) go into
        the moderator's queue, all or none."""
        session, form = await self.guard.post(request)
        back = back_path(form.get("back"), HELD_PATH)
        ids = story_ids(form.getlist("ids"))
        if not ids:
            return self.admin.pages.redirect(request, back, "error", [MSG_NOTHING_TICKED])
        answer = await run_in_threadpool(self._release, ids, session.actor)
        ticked = tuple(ids) if answer.kind == "error" else ()
        return self.admin.pages.redirect(
            request, back, answer.kind, answer.lines, ticked=ticked, undo=answer.undo
        )

    async def undo(self, request: Request) -> Response:
        """POST /held/undo from a release's message: those stories go back to the bin, each
        while it still waits in the queue."""
        session, form = await self.guard.post(request)
        back = back_path(form.get("back"), HELD_PATH)
        ids = story_ids(form.getlist("ids"))
        if not ids:
            return self.admin.pages.redirect(request, back, "error", [checks.NOTHING_CHANGED])
        answer = await run_in_threadpool(self._hold_again, ids, session.actor)
        return self.admin.pages.redirect(request, back, answer.kind, answer.lines)

    def _release(self, ids: list[int], actor: str) -> Answer:
        try:
            released = held.release(self.admin.store(), ids, actor=actor)
        except (StoryNotFound, StoryMoved) as exc:
            return Answer(*refused(exc))
        lines = held.describe_released(released)
        return Answer("success", lines, Undo(tuple(ids), UNDO_RELEASE))

    def _hold_again(self, ids: list[int], actor: str) -> Answer:
        try:
            stories = held.hold_again(self.admin.store(), ids, actor=actor)
        except (StoryNotFound, StoryMoved) as exc:
            return Answer(*refused(exc))
        return Answer("success", [f"#{s.id} back in the held bin." for s in stories])
