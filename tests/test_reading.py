from __future__ import annotations

from dataclasses import dataclass, field

from nextround.reading import reading_minutes, related, related_all, word_count


@dataclass(eq=False)
class Post:
    name: str
    tags: list[str] = field(default_factory=list)


def test_word_count_ignores_markup_and_keeps_contractions() -> None:
    assert word_count("<p>Don\u2019t <em>give</em> up, it's <a href='/x'>fine</a>.</p>") == 5


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
