"""The site author's name and the Author badge cannot be borrowed, however they are disguised."""

from __future__ import annotations

import pytest

from reader_stories.confusables import prototypes, skeleton
from reader_stories.reserved_names import borrows, ends_with_badge

AUTHOR = "Next Round editors"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("paypal", "paypal", id="plain"),
        pytest.param("\u0440\u0430ypal", "paypal", id="cyrillic-p-and-a"),
        pytest.param("\u039dext", "Next", id="greek-capital-nu"),
        pytest.param("\U0001d40d\U0001d41e\U0001d431\U0001d42d", "Next", id="mathematical-bold"),
        pytest.param("modern", "rnodern", id="m-looks-like-rn"),
        pytest.param("I1l", "lll", id="capital-i-and-one"),
        pytest.param("Ne\u200bxt", "Next", id="default-ignorable-dropped"),
    ],
)
def test_the_tr39_skeleton(text: str, expected: str) -> None:
    assert skeleton(text) == skeleton(expected) == expected


def test_the_shipped_data_is_unicodes_table() -> None:
    table = prototypes()
    assert len(table) == 6565  # the mappings of confusables.txt 17.0.0
    assert table[ord("\u0430")] == "a" and table[ord("m")] == "rn"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(AUTHOR, id="the-name"),
        pytest.param("next round EDITORS", id="case"),
        pytest.param("  Next   Round editors ", id="spacing"),
        pytest.param("NextRound editors", id="no-space"),
        pytest.param("N.e.x.t Round editors", id="dots"),
        pytest.param("Next\u200bRound\u2060 edi\u00adtors", id="zero-width"),
        pytest.param("N\u0435xt R\u043eund \u0435ditors", id="cyrillic-look-alikes"),
        pytest.param("\u039dEXT ROUND EDITORS", id="greek-capital-in-capitals"),
        pytest.param("\uff2e\uff45\uff58\uff54 Round editors", id="fullwidth"),
        pytest.param("Next R0und edItors", id="digit-zero-and-capital-i"),
        pytest.param("Next Round editors Author", id="with-the-badge"),
        pytest.param("Ask the Next Round editors", id="inside-a-longer-name"),
    ],
)
def test_the_authors_name_is_borrowed_however_it_is_written(name: str) -> None:
    assert borrows(name, AUTHOR)


@pytest.mark.parametrize(
    "name", ["Ada", "Next", "Round editors", "Next Round editorship", "Joanna", "Editor Rounds"]
)
def test_other_names_are_free(name: str) -> None:
    assert not borrows(name, AUTHOR)


def test_a_short_authors_name_is_matched_as_whole_words_only() -> None:
    assert borrows("Jo Ann", "Ann") and borrows("Ann-Marie", "Ann")
    assert not borrows("Joanna", "Ann") and not borrows("Hannah", "Ann")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jane Author", True),
        ("Jane (Author)", True),
        ("Jane AUTHOR", True),
        ("Jane \u0410uthor", True),  # Cyrillic capital A
        ("Author", True),
        ("Authority Jane", False),
        ("Jane Authors", False),
        ("Author of three books, Jane", False),
    ],
)
def test_the_badges_word_cannot_end_a_name(name: str, expected: bool) -> None:
    assert ends_with_badge(name) is expected
