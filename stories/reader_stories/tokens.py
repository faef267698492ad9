"""Form tokens that bind a story form to the article page it was built into.

Tokens are signed but carry no timestamp: the static page embedding them may be served
for months, and the same input gives the same token, so rebuilds do not churn pages.
"""

from __future__ import annotations

from functools import lru_cache

from itsdangerous import BadSignature, URLSafeSerializer

from reader_stories.errors import InvalidToken

# One secret, or every secret still accepted (newest last: itsdangerous signs with it).
Secret = str | tuple[str, ...]

SALT = "nextround.stories.article-form"
RECEIPT_SALT = "nextround.stories.receipt"
MIN_SECRET_LENGTH = 16


@lru_cache(maxsize=16)
def serializer(secret: Secret, salt: str = SALT) -> URLSafeSerializer:
    """Kept per secret and salt: a process signs with one secret, on every story it takes."""
    keys = (secret,) if isinstance(secret, str) else secret
    if not keys or any(len(key) < MIN_SECRET_LENGTH for key in keys):
        raise ValueError(f"the secret must be at least {MIN_SECRET_LENGTH} characters")
    return URLSafeSerializer(list(keys), salt=salt)


def make_article_token(secret: str, slug: str) -> str:
    """The token to put in the article's form as a hidden field."""
    return str(serializer(secret).dumps({"article": slug}))


def check_article_token(secret: Secret, token: str, slug: str) -> None:
    """Raise InvalidToken unless ``token`` was made with ``secret`` for ``slug``."""
    try:
        payload = serializer(secret).loads(token)
    except BadSignature as exc:
        raise InvalidToken("The form token is invalid; reload the page and try again") from exc
    if not isinstance(payload, dict) or payload.get("article") != slug:
        raise InvalidToken("The form token belongs to another article")


def make_receipt_token(secret: str, story_id: int) -> str:
    """The reader's private deletion link for one story; it does not expire."""
    return str(serializer(secret, RECEIPT_SALT).dumps({"story": story_id}))


def check_receipt_token(secret: Secret, token: str) -> int:
    """The story id a receipt token was made for, or InvalidToken."""
    try:
        payload = serializer(secret, RECEIPT_SALT).loads(token)
    except BadSignature as exc:
        raise InvalidToken(
            "This deletion link is not valid; check that it was copied whole"
        ) from exc
    story_id = payload.get("story") if isinstance(payload, dict) else None
    if not isinstance(story_id, int) or isinstance(story_id, bool) or story_id < 1:
        raise InvalidToken("This deletion link is not valid; check that it was copied whole")
    return story_id
