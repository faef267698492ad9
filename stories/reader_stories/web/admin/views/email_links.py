"""The pages the one-click links of the moderator's email open: the story and one button.

Opening a link changes nothing (mail systems fetch the links of the email they scan); only the
page's button, a POST that carries the signed token again, acts. No session is needed: the
signed link is the credential. The action goes through the moderation service, as the admin's
own buttons do, so an approval rewrites the article page at once, and only while the story
still waits and nobody decided on it since the email was written. An expired, changed or
spent link gets a page that says so, and a link to the story in the admin.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from reader_stories.errors import InvalidToken, InvalidTransition, StoryMoved, StoryNotFound
from reader_stories.models import ModerationEvent, Status
from reader_stories.moderation import service
from reader_stories.moderation.flags import without_personal_data
from reader_stories.moderation.handled import handled_since
from reader_stories.moderation.report import describe_without_paths
from reader_stories.notify.action_links import MSG_INVALID, ActionLink, LinkAction
from reader_stories.notify.action_links import read_action_token as read_token
from reader_stories.store import Store
from reader_stories.story_html import render_story, sanitise
from reader_stories.web.admin import queries
from reader_stories.web.admin.admin import Admin
from reader_stories.web.admin.forms import read_form
from reader_stories.web.admin.link_targets import show_link_targets

# The history's "by ...": who acted, and how.
ACTOR = "moderator (email link)"
TITLE_INVALID = "This link is not valid"
TITLE_EXPIRED = "This link has expired"
TITLE_HANDLED = "This story was already handled"
MSG_EXPIRED = (
    "This {action} link for story #{story_id} worked until {until}. The story still waits for "
    "moderation: open it in the admin to decide."
)
MSG_SPENT = "This link does nothing now."
VERB = {LinkAction.APPROVE: "Approve", LinkAction.REJECT: "Reject"}


class LinkProblem(Exception):
    """Why a link cannot act: the page's status, title and words, and the story it names."""

    def __init__(self, status: int, title: str, message: str, story_id: int | None = None):
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message
        self.story_id = story_id


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def as_in_the_email(item: queries.Item) -> queries.Item:
    """The story with the privacy check's findings replaced, as the email quoted it: whoever
    holds the link (a forwarded email) sees no more than the email showed; the story's page
    in the admin, behind the login, shows the original."""
    if not item.flags.personal:
        return item
    text = without_personal_data(item.story.body_markdown, item.flags.personal)
    return replace(item, preview=Markup(show_link_targets(sanitise(render_story(text)))))


class EmailLinks:
    def __init__(self, admin: Admin) -> None:
        self.admin = admin

    def _link(self, token: str, action: LinkAction) -> ActionLink:
        """What the token vouches for, if it is ours and for this action (its time and its
        story's standing are checked against the store, in ``_standing``)."""
        try:
            link = read_token(self.admin.settings.signing_keys, token, action)
        except InvalidToken:
            raise LinkProblem(400, TITLE_INVALID, MSG_INVALID) from None
        return link

    def _expiry_problem(self, link: ActionLink) -> LinkProblem | None:
        until = link.expires(self.admin.settings.moderator_link_hours)
        if datetime.fromtimestamp(self.admin.clock(), UTC) < until:
            return None
        message = MSG_EXPIRED.format(
            action=link.action.value, story_id=link.story_id, until=_when(until)
        )
        return LinkProblem(410, TITLE_EXPIRED, message, link.story_id)

    def _standing(
        self, store: Store, link: ActionLink
    ) -> tuple[queries.Item, list[ModerationEvent]]:
        """The story, if the link may still act on it; otherwise the problem, handled first
        (who decided, and when, says more than that the link is old)."""
        try:
            item, history = queries.story_item(store, link.story_id)
        except StoryNotFound:
            with store.reading() as tx:
                history = tx.events(link.story_id)
            why = handled_since(link.story_id, None, history, link.issued)
            raise LinkProblem(409, TITLE_HANDLED, f"{why} {MSG_SPENT}") from None
        why = handled_since(link.story_id, item.story, history, link.issued)
        if why is not None:
            raise LinkProblem(409, TITLE_HANDLED, f"{why} {MSG_SPENT}", link.story_id)
        expired = self._expiry_problem(link)
        if expired is not None:
            raise expired
        return item, history

    def _problem_page(self, request: Request, problem: LinkProblem) -> Response:
        return self.admin.pages.render(
            request,
            "email-link-problem.html",
            problem.status,
            show_flash=False,
            title=problem.title,
            message=problem.message,
            story_id=problem.story_id,
        )

    async def page(self, request: Request, action: LinkAction) -> Response:
        """GET: the story and the one button; nothing changes."""
        token = request.query_params.get("token", "")
        try:
            link = self._link(token, action)
            item, history = await self.admin.with_store(self._standing, link)
        except LinkProblem as problem:
            return self._problem_page(request, problem)
        return self.admin.pages.render(
            request,
            "email-link.html",
            show_flash=False,
            item=as_in_the_email(item),
            history=history,
            action=action.value,
            verb=VERB[action],
            token=token,
            expires=link.expires(self.admin.settings.moderator_link_hours),
        )

    def _act(self, link: ActionLink) -> service.Outcome:
        store, republisher = self.admin.store(), self.admin.republisher
        self._standing(store, link)
        ids = [link.story_id]
        try:
            if link.action == LinkAction.APPROVE:
                mailer = self.admin.mailer
                return service.approve(
                    store, republisher, ids, mailer, expected=Status.PENDING, actor=ACTOR
                )
            return service.reject(
                store, republisher, ids, None, expected=Status.PENDING, actor=ACTOR
            )
        except (StoryNotFound, InvalidTransition, StoryMoved):
            # Someone was quicker, between the check and the change: say who.
            self._standing(store, link)
            raise

    async def act(self, request: Request, action: LinkAction) -> Response:
        """POST: the button. The token comes again in the form, and is checked again."""
        form = await read_form(request)
        try:
            link = self._link(form.get("token"), action)
            outcome = await run_in_threadpool(self._act, link)
        except LinkProblem as problem:
            return self._problem_page(request, problem)
        return self.admin.pages.render(
            request,
            "email-link-done.html",
            show_flash=False,
            story_id=link.story_id,
            done=outcome.done.value,
            lines=describe_without_paths(outcome),
        )
