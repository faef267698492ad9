from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from nextround.reading import (
    _STAND_INS,
    _WORD,
    count_words,
    reading_minutes,
    related,
    related_all,
    word_count,
)


@dataclass(eq=False)
class Post:
    name: str
    tags: list[str] = field(default_factory=list)


def test_word_count_ignores_markup_and_keeps_contractions() -> None:
    assert word_count("<p>Don\u2019t <em>give</em> up, it's <a href='/x'>fine</a>.</p>") == 5


def test_word_count_reads_character_references_as_their_characters() -> None:
    assert word_count("<p>&#9733; Don&#8217;t &ldquo;panic&rdquo; &amp; <b>go</b></p>") == 3


def test_words_counted_in_c_are_the_words_the_expression_finds() -> None:
    """count_words counts in C what _WORD would find, where the text allows: checked on random
    text of letters, digits, joiners (at a word's edge, doubled, chained), punctuation, the
    characters it stands in for and letters beyond ASCII (which take the expression itself)."""
    rng = random.Random(7)
    pieces = [
        *"abcXYZ019_",
        *"'-\u2019",
        *' .,;:!?()[]/"\t\n#&*',
        *(char for char, _ in _STAND_INS),
        "\u00e9",
        "\u00df",
        "\u4e2d",
        "\u0663",
        "\u00b2",
        "\U0001f600",
        "word",
        "don't",
        "well-known",
        "a--b",
    ]
    ascii_only = [piece for piece in pieces if piece.isascii()]
    for alphabet in (ascii_only, [*ascii_only, *(char for char, _ in _STAND_INS)], pieces):
        for _ in range(3000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
            assert count_words(text) == len(_WORD.findall(text)), repr(text)


def test_each_stand_in_is_of_its_characters_kind() -> None:
    """A word character, a joiner or neither: the same to _WORD before and after."""

    def kind(char: str) -> str:
        if re.fullmatch(r"\w", char):
            return "word"
        return "joiner" if _WORD.fullmatch(f"a{char}a") else "other"

    assert {kind(char) for char, _ in _STAND_INS} == {"joiner", "other"}
    for char, stand_in in _STAND_INS:
        assert kind(char) == kind(stand_in), char


def test_reading_minutes_rounds_up_and_is_never_zero() -> None:
    assert reading_minutes("") == 1
    assert reading_minutes("word " * 230) == 1
    assert reading_minutes("word " * 231) == 2
    assert reading_minutes("word " * 100, words_per_minute=50) == 2


def test_related_ranks_by_shared_tags_then_original_order() -> None:
    me = Post("me", ["a", "b", "c"])
    one = Post("one", ["a"])
    two = Post("two", ["a", "b"])
    none = Post("none", ["z"])
    also_one = Post("also-one", ["c"])
    result = related(me, [me, one, none, two, also_one], limit=3)
    assert [p.name for p in result] == ["two", "one", "also-one"]
    assert related(Post("lonely"), [one, two]) == []


def test_related_all_matches_related_for_every_article() -> None:
    posts = [Post(str(i), [f"t{i % 3}", f"u{i % 5}", f"v{i % 7}"]) for i in range(40)]
    everyone = related_all(posts, limit=3)
    assert everyone == [related(p, posts, limit=3) for p in posts]
    assert all(p not in rel for p, rel in zip(posts, everyone, strict=True))


def _brute_force(subject: Post, candidates: list[Post], limit: int) -> list[Post]:
    """The definition: most shared tags first, then the candidates' order; never the subject."""
    mine = set(subject.tags)
    scored = [
        (-len(mine & set(other.tags)), position, other)
        for position, other in enumerate(candidates)
        if other is not subject and mine & set(other.tags)
    ]
    return [other for _, _, other in sorted(scored, key=lambda item: item[:2])[:limit]]


def test_related_all_is_the_brute_force_ranking_on_random_sites() -> None:
    rng = random.Random(20261125)
    for _ in range(60):
        pool = [f"tag{n}" for n in range(rng.randint(1, 12))]
        posts = [
            Post(str(i), rng.sample(pool, rng.randint(0, min(len(pool), 9))))
            for i in range(rng.randint(0, 40))
        ]
        limit = rng.randint(1, 5)
        outsider = Post("outsider", rng.sample(pool, min(len(pool), 3)))
        subjects = [*posts, outsider]
        got = related_all(posts, limit, subjects)
        assert got == [_brute_force(subject, posts, limit) for subject in subjects]


def test_related_all_ranks_heavily_tagged_articles_the_same_way() -> None:
    many = [f"t{n}" for n in range(10)]
    me = Post("me", many)
    posts = [me, Post("a", many[:2]), Post("b", many[:9]), Post("c", many[3:4]), Post("d", many)]
    assert [p.name for p in related(me, posts, limit=3)] == ["d", "b", "a"]
