"""Form validation: good forms become Submissions; bad ones list every problem, word for word."""

from __future__ import annotations

import pytest

from reader_stories.errors import ValidationFailed
from reader_stories.models import Submission
from reader_stories.validation import validate_submission

STORY = "I was turned down twice before the offer came."
GOOD = {
    "article": "handling-job-rejection",
    "name": "Ada Lovelace",
    "email": "",
    "story": STORY,
    "consent": "on",
    "reply_to": "",
    "website": "",
}
IP_HASH = "f" * 64


def form(**changes: object) -> dict[str, object]:
    merged = {**GOOD, **changes}
    return {key: value for key, value in merged.items() if value is not None}


def errors_of(raw: dict[str, object], **options: int) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(raw, ip_hash=IP_HASH, **options)
    return [(e.field, e.message) for e in failed.value.errors]


def test_a_good_form_becomes_a_submission() -> None:
    assert validate_submission(form(), ip_hash=IP_HASH) == Submission(
        article="handling-job-rejection",
        name="Ada Lovelace",
        email=None,
        notify=False,
        body_markdown=STORY,
        reply_to=None,
        ip_hash=IP_HASH,
        honeypot=False,
    )


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"name": "  Ada \n\t Lovelace  "}, {"name": "Ada Lovelace"}, id="name-spaces"),
        pytest.param({"name": "A"}, {"name": "A"}, id="name-1-char"),
        pytest.param({"name": "é" * 80}, {"name": "é" * 80}, id="name-80-chars"),
        pytest.param({"name": "Zoe\u0301"}, {"name": "Zo\u00e9"}, id="name-nfc"),
        pytest.param({"story": "x" * 20}, {"body_markdown": "x" * 20}, id="story-20-chars"),
        pytest.param({"story": "x" * 5000}, {"body_markdown": "x" * 5000}, id="story-5000"),
        pytest.param(
            {"story": "\r\n  First line,\r\nsecond\tline.  \r\n"},
            {"body_markdown": "First line,\nsecond\tline."},
            id="story-newlines",
        ),
        pytest.param(
            {"story": "Evil \u202etxt.exe\u202c and \u2066more\u2069 here"},
            {"body_markdown": "Evil txt.exe and more here"},
            id="story-bidi-removed",
        ),
        pytest.param(
            {"story": "Hebrew mark \u200f stays in this text"},
            {"body_markdown": "Hebrew mark \u200f stays in this text"},
            id="story-rlm-kept",
        ),
        pytest.param(
            {"email": "ada@example.com", "notify": "on"},
            {"email": "ada@example.com", "notify": True},
            id="email-kept-with-notify",
        ),
        pytest.param(
            {"email": "ada@example.com"}, {"email": None, "notify": False}, id="email-dropped"
        ),
        pytest.param(
            {"email": "jo@bücher.example", "notify": "1"},
            {"email": "jo@bücher.example", "notify": True},
            id="email-idn",
        ),
        pytest.param({"reply_to": "42"}, {"reply_to": 42}, id="reply-to"),
        pytest.param({"reply_to": " 7 "}, {"reply_to": 7}, id="reply-to-spaces"),
        pytest.param({"consent": "YES"}, {}, id="consent-yes"),
        pytest.param({"website": "http://spam.example"}, {"honeypot": True}, id="honeypot"),
        pytest.param(
            {"story": "See https://a.example, www.b.example and [c](https://c.example)."},
            {},
            id="three-links",
        ),
        pytest.param({"reply_to": None, "website": None}, {}, id="optional-fields-absent"),
    ],
)
def test_good_forms(changes: dict[str, object], expected: dict[str, object]) -> None:
    result = validate_submission(form(**changes), ip_hash=IP_HASH)
    for name, value in expected.items():
        assert getattr(result, name) == value, name


NAME_EMPTY = ("name", "Enter your name (up to 80 characters)")
STORY_EMPTY = ("story", "Enter your story (between 20 and 5,000 characters)")
CONSENT = ("consent", "Tick the box to let us publish your story")
EMAIL_FORMAT = (
    "email",
    "Enter an email address in the correct format, like name@example.com, or leave it empty",
)
REPLY_TO = ("reply_to", "Reply to must be empty or a whole number greater than 0")
ARTICLE = ("article", "Article is missing or not valid; reload the page and try again")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        pytest.param({"name": ""}, [NAME_EMPTY], id="name-empty"),
        pytest.param({"name": " \n\t "}, [NAME_EMPTY], id="name-blank"),
        pytest.param({"name": None}, [NAME_EMPTY], id="name-missing"),
        pytest.param(
            {"name": "x" * 81},
            [("name", "Name must be 80 characters or fewer; yours has 81")],
            id="name-81",
        ),
        pytest.param(
            {"name": "Ada\x1cLovelace"},
            [("name", "Name must not contain control characters")],
            id="name-control",
        ),
        pytest.param({"story": ""}, [STORY_EMPTY], id="story-empty"),
        pytest.param({"story": b"bytes are not text"}, [STORY_EMPTY], id="story-not-text"),
        pytest.param(
            {"story": "  " + "x" * 19 + "  "},
            [("story", "Story must be at least 20 characters; yours has 19")],
            id="story-19",
        ),
        pytest.param(
            {"story": "x" * 5001},
            [("story", "Story must be 5,000 characters or fewer; yours has 5,001")],
            id="story-5001",
        ),
        pytest.param(
            {"story": "A long enough story with a bell \x07 in it"},
            [
                (
                    "story",
                    "Story must not contain control characters "
                    "(only line breaks and tabs are allowed)",
                )
            ],
            id="story-control",
        ),
        pytest.param(
            {"story": "Links: http://a.example http://b.example www.c.example <http://d.example>"},
            [("story", "Story can contain at most 3 links; yours has 4")],
            id="story-4-links",
        ),
        pytest.param({"email": "ada"}, [EMAIL_FORMAT], id="email-no-at"),
        pytest.param({"email": "ada@example"}, [EMAIL_FORMAT], id="email-no-dot"),
        pytest.param({"email": "ada lovelace@example.com"}, [EMAIL_FORMAT], id="email-space"),
        pytest.param({"email": "a@b.com>, evil@x.com"}, [EMAIL_FORMAT], id="email-header-trick"),
        pytest.param({"email": "a@-b.com"}, [EMAIL_FORMAT], id="email-bad-label"),
        pytest.param({"email": "x" * 65 + "@example.com"}, [EMAIL_FORMAT], id="email-long-local"),
        pytest.param(
            {"email": "a@" + "b" * 60 + "." + "c" * 60 + "." + "d" * 60 + "." + "e" * 70 + ".io"},
            [("email", "Email address must be 254 characters or fewer")],
            id="email-255",
        ),
        pytest.param(
            {"notify": "on"},
            [
                (
                    "email",
                    "Enter your email address to be told when your story is published, "
                    "or untick the box",
                )
            ],
            id="notify-without-email",
        ),
        pytest.param({"consent": ""}, [CONSENT], id="consent-empty"),
        pytest.param({"consent": "off"}, [CONSENT], id="consent-off"),
        pytest.param({"consent": None}, [CONSENT], id="consent-missing"),
        pytest.param({"reply_to": "0"}, [REPLY_TO], id="reply-to-zero"),
        pytest.param({"reply_to": "-3"}, [REPLY_TO], id="reply-to-negative"),
        pytest.param({"reply_to": "1.5"}, [REPLY_TO], id="reply-to-decimal"),
        pytest.param({"reply_to": "abc"}, [REPLY_TO], id="reply-to-text"),
        pytest.param({"reply_to": "\u0663"}, [REPLY_TO], id="reply-to-arabic-digit"),
        pytest.param({"reply_to": "2147483648"}, [REPLY_TO], id="reply-to-too-big"),
        pytest.param({"article": ""}, [ARTICLE], id="article-empty"),
        pytest.param({"article": "../etc/passwd"}, [ARTICLE], id="article-path"),
        pytest.param({"article": "a" * 201}, [ARTICLE], id="article-long"),
    ],
)
def test_bad_forms(changes: dict[str, object], expected: list[tuple[str, str]]) -> None:
    assert errors_of(form(**changes)) == expected


def test_every_problem_is_reported_at_once_in_form_order() -> None:
    raw = {"name": "", "email": "nope", "story": "short", "reply_to": "x", "article": "ok"}
    assert errors_of(raw) == [
        NAME_EMPTY,
        EMAIL_FORMAT,
        ("story", "Story must be at least 20 characters; yours has 5"),
        REPLY_TO,
        CONSENT,
    ]


def test_messages_are_grouped_by_field_for_the_template() -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(form(story="\x07" * 6000), ip_hash=None)
    assert list(failed.value.messages()) == ["story"]
    assert len(failed.value.messages()["story"]) == 2


@pytest.mark.parametrize(
    ("max_links", "story", "message"),
    [
        (0, "One link: https://a.example here", "Story must not contain links"),
        (
            1,
            "Two: https://a.example and https://b.example",
            "Story can contain at most 1 link; yours has 2",
        ),
    ],
)
def test_the_link_limit_is_configurable(max_links: int, story: str, message: str) -> None:
    assert errors_of(form(story=story), max_links=max_links) == [("story", message)]


def test_the_same_link_twice_counts_twice_as_written() -> None:
    story = "Same [here](https://a.example) https://a.example and again https://a.example"
    assert errors_of(form(story=story), max_links=2) == [
        ("story", "Story can contain at most 2 links; yours has 3")
    ]


def test_a_negative_link_limit_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="max_links"):
        validate_submission(form(), ip_hash=None, max_links=-1)


def test_lone_surrogates_are_refused_like_control_characters() -> None:
    """They cannot be encoded as UTF-8, so they must never reach the store."""
    assert errors_of(form(name="Ada\ud800", story=STORY + "\udfff")) == [
        ("name", "Name must not contain control characters"),
        (
            "story",
            "Story must not contain control characters (only line breaks and tabs are allowed)",
        ),
    ]
