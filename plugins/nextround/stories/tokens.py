"""Form tokens that bind a story form to the article page it was built into.

Tokens are signed but carry no timestamp: the static page embedding them may be served
for months, and the same input gives the same token, so rebuilds do not churn pages.
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

from nextround.stories.errors import InvalidToken

SALT = "nextround.stories.article-form"
MIN_SECRET_LENGTH = 16


def _serializer(secret: str) -> URLSafeSerializer:
    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"the secret must be at least {MIN_SECRET_LENGTH} characters")
    return URLSafeSerializer(secret, salt=SALT)


def make_article_token(secret: str, slug: str) -> str:
    """The token to put in the article's form as a hidden field."""
    return str(_serializer(secret).dumps({"article": slug}))


def check_article_token(secret: str, token: str, slug: str) -> None:
    """Raise InvalidToken unless ``token`` was made with ``secret`` for ``slug``."""
    try:
        payload = _serializer(secret).loads(token)
    except BadSignature as exc:
        raise InvalidToken("The form token is invalid; reload the page and try again") from exc
    if not isinstance(payload, dict) or payload.get("article") != slug:
        raise InvalidToken("The form token belongs to another article")
