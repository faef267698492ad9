"""The admin's safety pages: blocks (active, expired, lifted, with Unblock), the list of words
and domains that hold stories, and the articles whose stories are closed."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.moderation import closing
from reader_stories.moderation.blocks import block_state, block_words
from reader_stories.moderation.listed import normal_term
from reader_stories.store.blocks import TermKind
from reader_stories.web.admin import checks
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.safety import safety_back, safety_lists

MSG_KIND = "Choose whether to list a word or phrase, or a domain."


class Safety:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    async def _page(self, request: Request, template: str, back: str) -> Response:
        session = await self.guard.page(request)
        lists = await self.admin.with_store(safety_lists)
        return self.admin.pages.render(
            request,
            template,
            session=session,
            lists=lists,
            state=block_state,
            words=block_words,
            back=back,
        )

    async def blocks(self, request: Request) -> Response:
        return await self._page(request, "blocks.html", "/blocks")

    async def hold_list(self, request: Request) -> Response:
        return await self._page(request, "hold-list.html", "/hold-list")

    async def closed(self, request: Request) -> Response:
        return await self._page(request, "closed.html", "/closed")

    async def lift(self, request: Request) -> Response:
        """POST /blocks/{block_id}/lift."""
        session, form = await self.guard.post(request)
        back = safety_back(form.get("back"), "/blocks")
        block_id = int(request.path_params["block_id"])

        def lift() -> str:
            with self.admin.store().writing() as tx:
                block = tx.lift_block(block_id, actor=session.actor)
            return f"Block #{block.id} lifted ({block_words(block)})."

        try:
            said = await run_in_threadpool(lift)
        except LookupError as problem:
            return self.admin.pages.redirect(request, back, "error", [str(problem)])
        return self.admin.pages.redirect(request, back, "success", [said])

    async def change_list(self, request: Request) -> Response:
        """POST /hold-list: add (or, with action=remove, take off) one word or domain."""
        session, form = await self.guard.post(request)
        adding = form.get("action") != "remove"
        try:
            kind = TermKind(form.get("kind"))
            term = normal_term(kind, form.get("value"))
        except ValueError as problem:
            message = MSG_KIND if not form.get("kind") else str(problem)
            lines = [message, checks.NOTHING_CHANGED]
            return self.admin.pages.redirect(request, "/hold-list", "error", lines)

        def change() -> bool:
            with self.admin.store().writing() as tx:
                if adding:
                    return tx.add_listed_term(kind, term, actor=session.actor)
                return tx.remove_listed_term(kind, term)

        changed = await run_in_threadpool(change)
        what = "word" if kind == TermKind.WORD else "domain"
        if adding:
            said = f"Added the {what} “{term}”." if changed else f"“{term}” was listed already."
        else:
            said = f"Removed the {what} “{term}”." if changed else f"“{term}” was not listed."
        return self.admin.pages.redirect(
            request, "/hold-list", "success" if changed else "info", [said]
        )

    async def close(self, request: Request) -> Response:
        """POST /closed: close (or, with action=reopen, open again) an article's stories; its
        page is rewritten at once."""
        session, form = await self.guard.post(request)
        back = safety_back(form.get("back"), "/closed")
        store, site = self.admin.store, self.admin.republisher
        slug = form.get("slug")
        try:
            if form.get("action") == "reopen":
                lines = await run_in_threadpool(lambda: closing.reopen(store(), site, slug))
            else:
                lines = await run_in_threadpool(
                    lambda: closing.close(store(), site, slug, session.actor)
                )
        except ValueError as problem:
            return self.admin.pages.redirect(
                request, back, "error", [str(problem), checks.NOTHING_CHANGED]
            )
        return self.admin.pages.redirect(request, back, "success", lines)
