"""Confirming an address: a signed link per story, sent in the one email an address gets first.

Until its owner clicks it (and then the button of the page it opens: link scanners fetch links,
and must not confirm anything), no other email goes to the address. Confirming covers every
story written with the address, and lets the email waiting for it go.

The link does not expire: an address left unconfirmed is forgotten by `comments.purge` 30 days
after it was asked, and then the link finds nothing to confirm.
"""

from __future__ import annotations

from enum import StrEnum

from itsdangerous import BadSignature, URLSafeSerializer

from reader_stories.errors import InvalidToken
from reader_stories.store import Store
from reader_stories.tokens import Secret, serializer

SALT = "nextround.stories.confirm-address"


class AddressState(StrEnum):
    """Where the address of a story stands."""

    GONE = "gone"  # the story or its address was deleted: nothing to confirm
    WAITING = "waiting"
    CONFIRMED = "confirmed"


def _serializer(secret: Secret) -> URLSafeSerializer:
    return serializer(secret, SALT)


def make_confirm_token(secret: str, story_id: int) -> str:
    return str(_serializer(secret).dumps({"story": story_id}))


def check_confirm_token(secret: Secret, token: str) -> int:
    """The story id the link was made for, or InvalidToken."""
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise InvalidToken("This confirmation link is not valid") from exc
    story_id = payload.get("story") if isinstance(payload, dict) else None
    if not isinstance(story_id, int) or isinstance(story_id, bool) or story_id < 1:
        raise InvalidToken("This confirmation link is not valid")
    return story_id


def address_state(store: Store, story_id: int) -> AddressState:
    with store.reading() as tx:
        story = tx.find(story_id)
        if story is None or not story.email:
            return AddressState.GONE
        if tx.address_confirmed(story.email):
            return AddressState.CONFIRMED
    return AddressState.WAITING


def confirm_story_address(store: Store, story_id: int) -> AddressState:
    """Confirm the story's address on every story that has it; what it was before.

    Idempotent: a second click finds it confirmed and changes nothing.
    """
    with store.writing() as tx:
        story = tx.find(story_id)
        if story is None or not story.email:
            return AddressState.GONE
        before = AddressState.CONFIRMED if tx.address_confirmed(story.email) else None
        tx.confirm_address(story.email)
    return before or AddressState.WAITING
