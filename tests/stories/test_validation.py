"""Form validation: good forms become Submissions; bad ones list every problem, word for word."""

from __future__ import annotations

import pytest
from hypothesis import given
from lxml import html
from text_strategies import PROPERTY, reader_text

from reader_stories import story_html, validation
from reader_stories.errors import ValidationFailed
from reader_stories.models import Submission
from reader_stories.text import first_problem, normalise
from reader_stories.validation import MSG_STORY_BLANK, validate_submission

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
        pytest.param(
            {"article": "entretien-d-été"}, {"article": "entretien-d-été"}, id="article-accents"
        ),
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
        pytest.param({"article": "entretien-d-été/.."}, [ARTICLE], id="article-dots"),
        pytest.param({"article": "-leading-dash"}, [ARTICLE], id="article-leading-dash"),
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


def test_each_field_stops_at_its_first_failed_check() -> None:
    with pytest.raises(ValidationFailed) as failed:
        validate_submission(form(name="\x07" * 90, story="\x07" * 6000), ip_hash=None)
    assert failed.value.messages() == {
        "name": ["Name must be 80 characters or fewer; yours has 90"],
        "story": ["Story must be 5,000 characters or fewer; yours has 6,000"],
    }


def test_an_over_long_story_is_refused_without_scanning_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Review finding 1: "a." * 31000 was scanned for links, which took time growing with the
    square of its length. Past the length limit nothing looks at the text again."""

    scan = validation.first_problem

    def must_not_scan(text: str) -> object:
        assert len(text) <= validation.STORY_MAX, "an over-long story was scanned"
        return scan(text)

    monkeypatch.setattr(story_html, "count_links", must_not_scan)
    monkeypatch.setattr(validation, "first_problem", must_not_scan)
    assert errors_of(form(story="a." * 31000)) == [
        ("story", "Story must be 5,000 characters or fewer; yours has 62,000")
    ]


def test_the_longest_allowed_story_is_counted_for_links_as_before() -> None:
    """The bare-address pattern is linear now; its count is unchanged."""
    assert story_html.count_links("a." * 2500) == 0
    story = "See http://a.example and " + "a." * 2000 + " then www.b.example and x+y.z://c"
    assert story_html.count_links(story) == 3


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


@pytest.mark.parametrize("nonchar", ["\uffff", "\ufffe", "\ufdd0", "\U0010fffe"])
def test_noncharacters_are_refused_with_where_they_are(nonchar: str) -> None:
    """Review finding 2: U+FFFF in an approved story made the feeds unreadable (see
    test_section.py for what a feed does with one that got into the store anyway)."""
    code = f"U+{ord(nonchar):04X}"
    assert errors_of(form(name=f"Ada{nonchar}", story=STORY + nonchar)) == [
        (
            "name",
            f"Name must not contain {code}, which no page can show (character 4 of your name); "
            "delete it",
        ),
        (
            "story",
            f"Story must not contain {code}, which no page can show (character 47 of your "
            "story); delete it",
        ),
    ]


def test_stacked_marks_are_refused() -> None:
    zalgo = "Ada" + "\u0301\u0308\u0303\u0302\u0304\u0306" * 13  # 78 characters in all
    story = "Marks on nothing: \u0301 and more words after it."
    assert errors_of(form(name=zalgo, story=story)) == [
        (
            "name",
            "Name must not stack more than 4 accents or other marks on one letter, or put one "
            "where there is no letter (see character 8 of your name)",
        ),
        (
            "story",
            "Story must not stack more than 4 accents or other marks on one letter, or put one "
            "where there is no letter (see character 19 of your story)",
        ),
    ]


def test_invisible_characters_are_removed_rather_than_refused() -> None:
    """A reader cannot find a character they cannot see, so it goes, with nothing else."""
    result = validate_submission(
        form(name="A\u200bda\u2060", story="\ufeff" + STORY + "\u200b\u00ad"), ip_hash=IP_HASH
    )
    assert (result.name, result.body_markdown) == ("Ada", STORY)


AUTHOR = "Next Round editors"
RESERVED = (
    "name",
    "Name must not be or contain \u201cNext Round editors\u201d, however it is written: that "
    "name is kept for the site's own replies. Choose another name",
)
BADGE = (
    "name",
    "Name must not end with the word \u201cAuthor\u201d, which marks the site's own replies. "
    "Choose another name",
)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        pytest.param("Next Round editors", RESERVED, id="the-name"),
        pytest.param("next round EDITORS", RESERVED, id="case"),
        pytest.param("Next\u200b Round\u200d editors", RESERVED, id="zero-width"),
        pytest.param("N\u0435xt R\u043eund \u0435ditors", RESERVED, id="cyrillic"),
        pytest.param("Next Round editors Author", RESERVED, id="name-and-badge"),
        pytest.param("Jane Author", BADGE, id="badge"),
        pytest.param("Jane \u0410uthor", BADGE, id="badge-cyrillic"),
    ],
)
def test_readers_cannot_pose_as_the_editors(name: str, expected: tuple[str, str]) -> None:
    """Review finding 3: these names were accepted and shown like the editors' replies."""
    assert errors_of(form(name=name), author_name=AUTHOR) == [expected]


def test_names_near_the_editors_are_fine() -> None:
    for name in ("Ada Next", "Round editor", "Jane, author of two books"):
        assert validate_submission(form(name=name), ip_hash=None, author_name=AUTHOR).name == name


@PROPERTY
@given(name=reader_text(max_size=100), story=reader_text(max_size=400))
def test_what_is_accepted_is_accepted_text_and_renders_to_html_that_parses(
    name: str, story: str
) -> None:
    raw = form(name=name, story=story)
    try:
        accepted = validate_submission(raw, ip_hash=IP_HASH, author_name=AUTHOR)
    except ValidationFailed as failed:
        assert failed.errors, "a refusal always says why"
        return
    assert first_problem(accepted.name) is None and first_problem(accepted.body_markdown) is None
    assert 0 < len(accepted.name) <= 80 and 20 <= len(accepted.body_markdown) <= 5000
    assert first_problem(accepted.body_html) is None
    fragment = html.fragment_fromstring(accepted.body_html, create_parent="div")
    assert fragment.text_content().strip() or accepted.body_html == ""


@PROPERTY
@given(name=reader_text(max_size=100), story=reader_text(max_size=400))
def test_what_breaks_a_rule_is_refused(name: str, story: str) -> None:
    clean_name, clean_story = normalise(name).strip(), normalise(story).strip()
    broken = first_problem(clean_name) is not None or first_problem(clean_story) is not None
    if broken:
        with pytest.raises(ValidationFailed):
            validate_submission(form(name=name, story=story), ip_hash=IP_HASH)


def test_lone_surrogates_are_refused_like_control_characters() -> None:
    """They cannot be encoded as UTF-8, so they must never reach the store."""
    assert errors_of(form(name="Ada\ud800", story=STORY + "\udfff")) == [
        ("name", "Name must not contain control characters"),
        (
            "story",
            "Story must not contain control characters (only line breaks and tabs are allowed)",
        ),
    ]


def test_a_story_of_character_codes_that_show_nothing_is_refused_in_words() -> None:
    # Each code decodes to a right-to-left override, which no page shows: 24 characters typed,
    # nothing on the page.
    assert errors_of(form(story="&#x202E;&#x202E;&#x202E;")) == [("story", MSG_STORY_BLANK)]
    kept = "Fish &amp; chips after the interview helped me."
    assert validate_submission(form(story=kept), ip_hash=IP_HASH).body_markdown == kept
