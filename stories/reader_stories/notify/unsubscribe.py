"""One-click unsubscribe: a signed link per story that stops all mail to the story's address.

"Stop all" on purpose: a reader who asks to stop means every story they wrote with that address,
not one of them. The address is forgotten on each of those stories (as if they had never ticked
the box) and their unsent mail is dropped; the stories themselves stay published.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from reader_stories.errors import InvalidToken
from reader_stories.store import Store
from reader_stories.tokens import Secret, serializer

SALT = "nextround.stories.unsubscribe"


def _serializer(secret: Secret) -> URLSafeSerializer:
    return serializer(secret, SALT)


def make_unsubscribe_token(secret: str, story_id: int) -> str:
    """No expiry: the link in an old email must still work (RFC 8058 expects it to)."""
    return str(_serializer(secret).dumps({"story": story_id}))


def check_unsubscribe_token(secret: Secret, token: str) -> int:
    """The story id the link was made for, or InvalidToken."""
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise InvalidToken("This unsubscribe link is not valid") from exc
    story_id = payload.get("story") if isinstance(payload, dict) else None
    if not isinstance(story_id, int) or isinstance(story_id, bool) or story_id < 1:
        raise InvalidToken("This unsubscribe link is not valid")
    return story_id


def is_subscribed(store: Store, story_id: int) -> bool:
    """Whether the story still has an address to write to (a deleted story has none)."""
    with store.reading() as tx:
        story = tx.find(story_id)
    return story is not None and bool(story.email)


def unsubscribe_story(store: Store, story_id: int) -> int:
    """Forget the story's address on every story that has it; how many stories changed.

    Idempotent: a second click (or a mail provider's retry) finds nothing and changes nothing.
    """
    with store.writing() as tx:
        story = tx.find(story_id)
        if story is None or not story.email:
            return 0
        return tx.unsubscribe(story.email)
