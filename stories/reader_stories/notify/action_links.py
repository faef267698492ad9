"""Signed one-click links in the moderator's email: approve, or reject, one waiting story.

A link names one story and one action, and when it was made; its salt is its own, so no other
token of the site (form, receipt, unsubscribe, confirmation, session) can stand in for it, nor
it for them. Opening it changes nothing: it opens a page in the admin with the story and one
button (a POST that carries the token again), because mail systems fetch the links of the
email they scan. It works for ``moderator_link_hours`` after the email was sent, and only while
the story waits: once the story is decided (or decided and sent back to pending) or deleted,
the link does nothing and says who handled it and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature

from reader_stories.errors import InvalidToken
from reader_stories.tokens import Secret, serializer

SALT = "nextround.stories.moderator-email-action"
MSG_INVALID = (
    "This link is not valid: it may have been cut short or changed on the way. Copy the whole "
    "link from the email, or open the story in the admin."
)


class LinkAction(StrEnum):
    """What a link does; its value is the path's last part (/admin/email/approve)."""

    APPROVE = "approve"
    REJECT = "reject"


@dataclass(frozen=True)
class ActionLink:
    """What a valid signature vouches for."""

    story_id: int
    action: LinkAction
    issued: datetime

    def expires(self, hours: int) -> datetime:
        return self.issued + timedelta(hours=hours)


def make_action_token(secret: str, story_id: int, action: LinkAction, issued: datetime) -> str:
    payload = {"story": story_id, "action": action.value, "issued": int(issued.timestamp())}
    return str(serializer(secret, SALT).dumps(payload))


def read_action_token(secret: Secret, token: str, action: LinkAction) -> ActionLink:
    """What the token says, if it was signed with one of our secrets for ``action``; otherwise
    InvalidToken (an approve link used to reject is as invalid as a changed one)."""
    try:
        payload = serializer(secret, SALT).loads(token)
    except BadSignature:
        raise InvalidToken(MSG_INVALID) from None
    if not isinstance(payload, dict):
        raise InvalidToken(MSG_INVALID)
    story_id, issued = payload.get("story"), payload.get("issued")
    if (
        payload.get("action") != action.value
        or not _positive_int(story_id)
        or not _positive_int(issued)
    ):
        raise InvalidToken(MSG_INVALID)
    return ActionLink(int(story_id), action, datetime.fromtimestamp(int(issued), UTC))


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
