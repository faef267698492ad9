"""The moderator's privacy check on a corpus of stories written for it, with what each should
flag; the misses the docs admit are pinned too, so a change in them is a decision."""

from __future__ import annotations

import pytest

from reader_stories.moderation.personal_data import (
    ADDRESS,
    EMAIL,
    NAME,
    PHONE,
    PROFILE,
    find_personal_data,
    redact,
)

CORPUS = [
    (
        "The recruiter, Sarah Jones, called me on 07911 123456 and then wrote from "
        "sarah.jones@hiring.example to say no.",
        [(NAME, "Sarah Jones"), (PHONE, "07911 123456"), (EMAIL, "sarah.jones@hiring.example")],
    ),
    (
        "I met Tom Brown at the careers fair. Then my manager John told me to wait until March.",
        [(NAME, "Tom Brown"), (NAME, "John")],
    ),
    (
        "Ms Patel was kind about it. Find me at linkedin.com/in/jane-doe or @jane@social.example.",
        [(NAME, "Ms Patel"), (PROFILE, "linkedin.com/in/jane-doe"),
         (PROFILE, "@jane@social.example")],
    ),
    (
        "Send the references to 12 Baker Street, London NW1 6XE, or ring +44 20 7946 0958.",
        [(ADDRESS, "12 Baker Street"), (ADDRESS, "NW1 6XE"), (PHONE, "+44 20 7946 0958")],
    ),
    (
        "In January I applied to Google and Next Round helped. I earned 45000 in 2023, "
        "and the offer on 2024-05-01 was 52,000.",
        [],
    ),
    (
        "After the interview at Acme Corp I went home. The Hiring Manager Priya said no.",
        [(NAME, "Priya")],
    ),
    ("Follow https://github.com/someone-real for the portfolio I mentioned.",
     [(PROFILE, "https://github.com/someone-real")]),
]  # fmt: skip


@pytest.mark.parametrize(("story", "expected"), CORPUS)
def test_the_corpus_gives_the_expected_findings(story: str, expected: list) -> None:
    assert [(f.kind, f.text) for f in find_personal_data(story)] == expected


@pytest.mark.parametrize(
    "story",
    [
        "sarah from the agency was lovely",  # a name in lower case
        "Sarah was lovely about it.",  # a first name at the start of a sentence, with no role
        "Call 07700 900123 for the drama",  # numbers reserved for fiction are not numbers
        "Baker Street, London",  # an address without a number or postcode
    ],
)
def test_the_documented_misses(story: str) -> None:
    assert find_personal_data(story) == []


def test_findings_know_their_place_in_the_text() -> None:
    story = CORPUS[0][0]
    for finding in find_personal_data(story):
        assert story[finding.start : finding.end] == finding.text


def test_a_redaction_replaces_every_place_the_text_stands() -> None:
    story = "The recruiter, Sarah Jones, was blunt. Sarah Jones later apologised."
    name = find_personal_data(story)[0]
    assert redact(story, name) == (
        "The recruiter, [name removed], was blunt. [name removed] later apologised."
    )
    with pytest.raises(ValueError, match="no longer in the story"):
        redact("A story edited since the check.", name)
