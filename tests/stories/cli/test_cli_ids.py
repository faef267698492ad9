"""The command line's id parser: the ids a moderator typed, or a message naming what is not one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from text_strategies import PROPERTY, reader_text

from reader_stories.cli import parse_ids
from reader_stories.validation import REPLY_TO_MAX


@pytest.mark.parametrize(
    ("text", "ids"),
    [("12", [12]), ("3,4 5", [3, 4, 5]), (" 7 , 8 ", [7, 8]), (["9", "10"], [9, 10])],
)
def test_ids_as_typed(text: str | list[str], ids: list[int]) -> None:
    assert parse_ids(text) == ids


@pytest.mark.parametrize(
    "part", ["0", "-3", "1.5", "abc", "\u00b2", "\u0663", "2147483648", "1" + "0" * 5000]
)
def test_what_is_not_an_id_is_named(part: str) -> None:
    with pytest.raises(ValueError, match="is not a story id; ids are whole numbers like 12"):
        parse_ids(f"4 {part}")


def test_no_id_at_all_is_said() -> None:
    with pytest.raises(ValueError, match="Give at least one story id"):
        parse_ids(" , ")


@PROPERTY
@given(st.lists(st.integers(1, REPLY_TO_MAX), min_size=1, max_size=20), st.sampled_from(", "))
def test_ids_written_out_come_back(ids: list[int], separator: str) -> None:
    assert parse_ids(separator.join(map(str, ids))) == ids


@PROPERTY
@given(reader_text(max_size=60))
def test_any_text_is_ids_or_a_message(text: str) -> None:
    try:
        ids = parse_ids(text)
    except ValueError as refused:
        assert str(refused).startswith("Give at least one") or "is not a story id" in str(refused)
    else:
        assert ids and all(0 < i <= REPLY_TO_MAX for i in ids)
