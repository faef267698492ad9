"""Article-bound form tokens: accepted for their article only, refused when altered."""

from __future__ import annotations

import pytest

from reader_stories.errors import InvalidToken
from reader_stories.tokens import check_article_token, make_article_token

SECRET = "t" * 32
SLUG = "handling-job-rejection"


def test_a_good_token_is_accepted_and_stable() -> None:
    token = make_article_token(SECRET, SLUG)
    check_article_token(SECRET, token, SLUG)
    assert make_article_token(SECRET, SLUG) == token, "rebuilds must not churn pages"


def test_a_token_for_another_article_is_refused() -> None:
    token = make_article_token(SECRET, "asking-for-a-raise")
    with pytest.raises(InvalidToken, match="another article"):
        check_article_token(SECRET, token, SLUG)


def test_a_token_signed_with_another_secret_is_refused() -> None:
    token = make_article_token("u" * 32, SLUG)
    with pytest.raises(InvalidToken, match="invalid"):
        check_article_token(SECRET, token, SLUG)


@pytest.mark.parametrize("position", [0, 5, -1, -5])
def test_a_tampered_token_is_refused(position: int) -> None:
    token = make_article_token(SECRET, SLUG)
    flipped = "A" if token[position] != "A" else "B"
    tampered = token[:position] + flipped + (token[position + 1 :] if position != -1 else "")
    assert tampered != token
    with pytest.raises(InvalidToken):
        check_article_token(SECRET, tampered, SLUG)


def test_a_payload_swapped_between_tokens_is_refused() -> None:
    good = make_article_token(SECRET, SLUG)
    other = make_article_token(SECRET, "asking-for-a-raise")
    swapped = other.split(".")[0] + "." + good.split(".")[1]
    with pytest.raises(InvalidToken, match="invalid"):
        check_article_token(SECRET, swapped, SLUG)


@pytest.mark.parametrize(
    "garbage", ["", ".", "garbage", "a.b.c", "\u00e9\u00e9.\u00e9", "x" * 5000, "eyJ9.e30"]
)
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(InvalidToken, match="invalid"):
        check_article_token(SECRET, garbage, SLUG)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 16"):
        make_article_token("short", SLUG)
