"""The signed links of a follower's emails: confirm the follow, stop it (RFC 8058 one-click).

Each carries the follow's id and nothing else. They do not expire: the follow's row is what
ends, and ids are never reused, so a link to an ended follow finds nothing to act on.
"""

from __future__ import annotations

from itsdangerous import BadSignature

from reader_stories.errors import InvalidToken
from reader_stories.tokens import Secret, serializer

CONFIRM_SALT = "nextround.stories.follow-confirm"
UNSUBSCRIBE_SALT = "nextround.stories.follow-unsubscribe"


def make_follow_token(secret: str, follow_id: int, salt: str) -> str:
    return str(serializer(secret, salt).dumps({"follow": follow_id}))


def check_follow_token(secret: Secret, token: str, salt: str) -> int:
    """The follow id the link was made for, or InvalidToken."""
    try:
        payload = serializer(secret, salt).loads(token)
    except BadSignature as exc:
        raise InvalidToken("This link is not valid") from exc
    follow_id = payload.get("follow") if isinstance(payload, dict) else None
    if not isinstance(follow_id, int) or isinstance(follow_id, bool) or follow_id < 1:
        raise InvalidToken("This link is not valid")
    return follow_id
