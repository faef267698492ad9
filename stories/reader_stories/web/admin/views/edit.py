"""The actions that need a page of their own: edit the text, reply as the author, delete.

Each is a GET that shows the form (or the confirmation) and a POST that acts. A form with a
problem comes back as a 422 page with an error summary and the text kept, like the story form.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidTransition, StoryMoved, StoryNotFound, ValidationFailed
from reader_stories.models import Status
from reader_stories.moderation import service
from reader_stories.moderation.edit_rules import EditRules
from reader_stories.moderation.report import describe
from reader_stories.web.admin import checks, queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.forms import Form, back_path, list_path, shown_status
from reader_stories.web.admin.guard import Guard
from reader_stories.web.admin.sessions import Session
from reader_stories.web.admin.views.actions import Result, refused
from reader_stories.web.admin.views.queue import no_story
from reader_stories.web.errors import Refused

TITLE_NOT_PUBLISHED = "Only published stories can be answered"
# The checks' field names, as the edit form calls its fields.
FORM_FIELDS = {"story": "text", "name": "name"}
MSG_NOT_PUBLISHED = (
    "Story #{id} is {status}. Approve it first: an author reply appears under a published story."
)


class Editing:
    def __init__(self, admin: Admin, guard: Guard) -> None:
        self.admin = admin
        self.guard = guard

    async def _item(self, story_id: int) -> queries.Item:
        try:
            item, _history = await self.admin.with_store(queries.story_item, story_id)
        except StoryNotFound:
            raise no_story(await self.admin.with_store(checks.gone, story_id)) from None
        return item

    def _form_page(
        self,
        request: Request,
        session: Session,
        template: str,
        item: queries.Item,
        *,
        text: str,
        back: str,
        errors: dict[str, str] | None = None,
        name: str = "",
    ) -> Response:
        return self.admin.pages.render(
            request,
            template,
            422 if errors else 200,
            session=session,
            item=item,
            text=text,
            name=name or item.story.name,
            back=back,
            errors=errors or {},
            author_name=self.admin.settings.author_name,
            max_links=self.admin.settings.max_links,
        )

    # Edit

    async def edit_form(self, request: Request) -> Response:
        session = await self.guard.page(request)
        item = await self._item(int(request.path_params["story_id"]))
        back = back_path(request.query_params.get("back", ""), list_path(item.story.status))
        return self._form_page(
            request, session, "edit.html", item, text=item.story.body_markdown, back=back
        )

    def _edit(self, story_id: int, text: str, name: str | None, actor: str) -> Result:
        store = self.admin.store()
        current = queries.current_statuses(store, [story_id]).get(story_id)
        if current is None:
            return "error", [checks.gone(store, story_id), checks.NOTHING_CHANGED]
        settings = self.admin.settings
        rules = EditRules(settings.max_links, settings.author_name)
        try:
            outcome = service.edit(
                store, self.admin.republisher, story_id, text, rules, name, actor
            )
        except StoryNotFound as exc:
            return refused(exc)
        return "success", describe(outcome)

    async def edit(self, request: Request) -> Response:
        session, form = await self.guard.post(request)
        story_id = int(request.path_params["story_id"])
        back = back_path(form.get("back"), list_path(Status.PENDING))
        text = form.get("text")
        # An author reply's form has no name field: its name is the author's.
        name = form.get("name") if any(key == "name" for key, _ in form.pairs) else None
        try:
            kind, lines = await run_in_threadpool(self._edit, story_id, text, name, session.actor)
        except ValidationFailed as failed:
            return await self._invalid(request, session, "edit.html", story_id, form, failed)
        return self.admin.pages.redirect(request, back, kind, lines)

    # Redact: one piece of personal data the privacy check found, out of the story

    def _redact(self, story_id: int, text: str, actor: str) -> Result:
        store = self.admin.store()
        if queries.current_statuses(store, [story_id]).get(story_id) is None:
            return "error", [checks.gone(store, story_id), checks.NOTHING_CHANGED]
        settings = self.admin.settings
        rules = EditRules(settings.max_links, settings.author_name)
        try:
            outcome = service.redact(store, self.admin.republisher, story_id, text, rules, actor)
        except StoryNotFound as exc:
            return refused(exc)
        except ValueError as exc:  # edited since the page was shown: the text is gone already
            return "error", [f"Story #{story_id}: {exc}.", checks.NOTHING_CHANGED]
        return "success", describe(outcome)

    async def redact(self, request: Request) -> Response:
        session, form = await self.guard.post(request)
        story_id = int(request.path_params["story_id"])
        back = back_path(form.get("back"), list_path(Status.PENDING))
        text = form.get("text") or ""
        try:
            kind, lines = await run_in_threadpool(self._redact, story_id, text, session.actor)
        except ValidationFailed as failed:
            problems = [e.message for e in failed.errors]
            kind, lines = "error", [*problems, checks.NOTHING_CHANGED]
        return self.admin.pages.redirect(request, back, kind, lines)

    async def _invalid(
        self,
        request: Request,
        session: Session,
        template: str,
        story_id: int,
        form: Form,
        failed: ValidationFailed,
    ) -> Response:
        item = await self._item(story_id)
        errors: dict[str, str] = {}
        for error in failed.errors:
            field = FORM_FIELDS.get(error.field, "text")
            errors[field] = ". ".join(filter(None, [errors.get(field), error.message]))
        back = back_path(form.get("back"), list_path(item.story.status))
        return self._form_page(
            request,
            session,
            template,
            item,
            text=form.get("text"),
            back=back,
            errors=errors,
            name=form.get("name"),
        )

    # Reply as the author

    async def reply_form(self, request: Request) -> Response:
        session = await self.guard.page(request)
        item = await self._item(int(request.path_params["story_id"]))
        # A published story, or a waiting one: then the reply approves it too.
        if item.story.status not in (Status.APPROVED, Status.PENDING) or item.story.author_reply:
            message = MSG_NOT_PUBLISHED.format(id=item.story.id, status=item.story.status.value)
            raise Refused(409, message, title=TITLE_NOT_PUBLISHED)
        back = back_path(request.query_params.get("back", ""), list_path(item.story.status))
        return self._form_page(request, session, "reply.html", item, text="", back=back)

    def _reply(self, story_id: int, text: str, shown: Status | None, actor: str) -> Result:
        store = self.admin.store()
        current = queries.current_statuses(store, [story_id]).get(story_id)
        if current is None:
            return "error", [checks.gone(store, story_id), checks.NOTHING_CHANGED]
        author, admin = self.admin.settings.author_name, self.admin
        try:
            if shown == Status.PENDING:  # the page offered "Approve and publish the reply"
                outcomes = service.approve_and_reply(
                    store, admin.republisher, story_id, text, author, admin.mailer, actor
                )
            else:
                outcomes = [
                    service.reply(
                        store, admin.republisher, story_id, text, author, admin.mailer, actor
                    )
                ]
        except (StoryNotFound, InvalidTransition, StoryMoved) as exc:
            return refused(exc)
        return "success", [line for outcome in outcomes for line in describe(outcome)]

    async def reply(self, request: Request) -> Response:
        session, form = await self.guard.post(request)
        story_id = int(request.path_params["story_id"])
        back = back_path(form.get("back"), list_path(Status.APPROVED))
        try:
            shown = shown_status(form.get("status") or "")
            text = form.get("text")
            kind, lines = await run_in_threadpool(self._reply, story_id, text, shown, session.actor)
        except ValidationFailed as failed:
            return await self._invalid(request, session, "reply.html", story_id, form, failed)
        return self.admin.pages.redirect(request, back, kind, lines)

    # Delete, after a confirmation page

    async def delete_form(self, request: Request) -> Response:
        session = await self.guard.page(request)
        item = await self._item(int(request.path_params["story_id"]))
        back = back_path(request.query_params.get("back", ""), list_path(item.story.status))
        return self.admin.pages.render(
            request, "delete.html", session=session, item=item, back=back
        )

    def _delete(self, story_id: int, shown: Status | None, actor: str) -> Result:
        store = self.admin.store()
        current = queries.current_statuses(store, [story_id])
        problems = checks.problems(store, [story_id], current, shown, None)
        if problems:
            return "error", [*problems, checks.NOTHING_CHANGED]
        try:
            outcome = service.delete(store, self.admin.republisher, [story_id], shown, actor)
        except (StoryNotFound, StoryMoved) as exc:
            return refused(exc)
        return "success", describe(outcome)

    async def delete(self, request: Request) -> Response:
        session, form = await self.guard.post(request)
        story_id = int(request.path_params["story_id"])
        shown = shown_status(form.get("status"))
        back = back_path(form.get("back"), list_path(shown or Status.PENDING))
        if back == f"/stories/{story_id}":
            back = list_path(shown or Status.PENDING)  # that page is gone with the story
        kind, lines = await run_in_threadpool(self._delete, story_id, shown, session.actor)
        return self.admin.pages.redirect(request, back, kind, lines)
