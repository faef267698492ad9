"""The one definition of accepted reader text: what normalise removes, what first_problem
reports, and that clean always ends with text first_problem accepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from text_strategies import PROPERTY, reader_text

from reader_stories.text import (
    MARKS_MAX,
    Trouble,
    clean,
    first_problem,
    fold,
    normalise,
    strip_controls,
)

INVISIBLE = ["\u200b", "\u2060", "\ufeff", "\u00ad", "\u3164", "\u202e", "\u2066", "\U000e0041"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Zoe\u0301", "Zo\u00e9", id="nfc"),
        pytest.param("one\r\ntwo\rthree", "one\ntwo\nthree", id="newlines"),
        pytest.param("Evil \u202etxt.exe\u202c", "Evil txt.exe", id="bidi-override"),
        pytest.param("Next\u200bRound", "NextRound", id="zero-width-space"),
        pytest.param("soft\u00adhyphen", "softhyphen", id="soft-hyphen"),
        pytest.param("\u3164\u3164", "", id="hangul-filler"),
        pytest.param("tag\U000e0041\U000e007f", "tag", id="tag-characters"),
        pytest.param("Next\u200dRound", "NextRound", id="joiner-between-ascii"),
        pytest.param("\U0001f469\u200d\U0001f4bb", "\U0001f469\u200d\U0001f4bb", id="emoji-zwj"),
        pytest.param("\u0645\u06cc\u200c\u062e", "\u0645\u06cc\u200c\u062e", id="persian-zwnj"),
        pytest.param("\u2764\ufe0f", "\u2764\ufe0f", id="variation-selector"),
        pytest.param("shalom \u200f!", "shalom \u200f!", id="rlm-kept"),
        pytest.param("\u212a\u200d\u00e9", "K\u00e9", id="kelvin-becomes-ascii-first"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.mark.parametrize(
    ("text", "trouble", "position"),
    [
        pytest.param("Ada\x07", Trouble.CONTROL, 4, id="bell"),
        pytest.param("a\x7f", Trouble.CONTROL, 2, id="delete"),
        pytest.param("a\x85", Trouble.CONTROL, 2, id="c1-next-line"),
        pytest.param("\ud800", Trouble.CONTROL, 1, id="lone-surrogate"),
        pytest.param("x\uffff", Trouble.NONCHARACTER, 2, id="U+FFFF"),
        pytest.param("x\ufffe", Trouble.NONCHARACTER, 2, id="U+FFFE"),
        pytest.param("\ufdd0", Trouble.NONCHARACTER, 1, id="U+FDD0"),
        pytest.param("\U0010ffff", Trouble.NONCHARACTER, 1, id="U+10FFFF"),
        pytest.param("a\u202eb", Trouble.BIDI, 2, id="bidi-left-in"),
        pytest.param("a" + "\u0301" * (MARKS_MAX + 1), Trouble.MARKS, MARKS_MAX + 2, id="zalgo"),
        pytest.param("\u0301a", Trouble.MARKS, 1, id="mark-at-start"),
        pytest.param("a \u0301", Trouble.MARKS, 3, id="mark-on-a-space"),
    ],
)
def test_first_problem(text: str, trouble: Trouble, position: int) -> None:
    problem = first_problem(text)
    assert problem is not None
    assert (problem.trouble, problem.position) == (trouble, position)


@pytest.mark.parametrize(
    "text",
    [
        "Plain words, with a tab\tand a line\nbreak.",
        "Vi\u1ec7t Nam",  # two marks on one letter, precomposed as far as NFC goes
        "a" + "\u0301" * MARKS_MAX,
        "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd",  # Hebrew with points
        "\u0928\u092e\u0938\u094d\u0924\u0947",  # Devanagari with vowel signs and a virama
        "\U0001f469\U0001f3fd\u200d\U0001f4bb",
        "1\ufe0f\u20e3",  # a keycap: a letter under two marks
    ],
)
def test_text_people_write_is_accepted(text: str) -> None:
    assert first_problem(normalise(text)) is None


def test_the_problem_names_the_character_and_where_it_is() -> None:
    assert str(first_problem("abc\uffff")) == "U+FFFF (a noncharacter) at character 4"


def test_strip_controls_drops_everything_xml_cannot_carry() -> None:
    assert strip_controls("a\x00b\x1fc\ufffed\uffffe\ud800f\u202eg\th\ni") == "abcdefg\th\ni"


def test_clean_keeps_marks_up_to_the_limit_and_drops_marks_on_nothing() -> None:
    # "q" has no precomposed form with an acute, so NFC leaves every mark apart.
    assert clean("\u0301 q" + "\u0301" * 9) == " q" + "\u0301" * MARKS_MAX


@pytest.mark.parametrize("invisible", INVISIBLE)
def test_fold_does_not_see_invisible_characters(invisible: str) -> None:
    assert fold(f"My story{invisible} was  LONG") == fold("my story was long")


def test_fold_does_not_see_compatibility_forms() -> None:
    assert fold("\uff2e\uff45\uff58\uff54 \ufb01le") == fold("next file")


@PROPERTY
@given(reader_text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once


@PROPERTY
@given(reader_text())
def test_clean_always_ends_with_accepted_text(text: str) -> None:
    cleaned = clean(text)
    assert first_problem(cleaned) is None
    assert clean(cleaned) == cleaned == normalise(cleaned)
    cleaned.encode("utf-8")  # no lone surrogate left


@PROPERTY
@given(reader_text())
def test_clean_changes_nothing_in_accepted_text(text: str) -> None:
    if first_problem(normalise(text)) is None:
        assert clean(text) == normalise(text)


@PROPERTY
@given(reader_text(max_size=60), st.sampled_from(INVISIBLE), reader_text(max_size=60))
def test_an_invisible_character_never_changes_the_fold(
    before: str, unseen: str, after: str
) -> None:
    assert fold(before + unseen + after) == fold(before + after)
