"""Each local signal of the spam score on its own: what it finds, its points, and its reason in
the words a moderator reads; and a reader's ordinary story, which none of them should touch."""

from __future__ import annotations

import pytest
from stories_support import submission

from reader_stories.models import HoldKind
from reader_stories.moderation.spam import signals
from reader_stories.moderation.spam.score import Score, repeat_signal, score_story
from reader_stories.moderation.spam.shape import text_shape
from reader_stories.moderation.spam.signals import Signal
from reader_stories.story_html import render_story

STORY = (
    "When my manager said the budget was frozen, I asked what would change that in six "
    "months, wrote it down, and came back with the numbers. I got the raise in the spring."
)


def found(text: str, site_script: str = "Latin") -> list[Signal]:
    return signals.text_signals(text, render_story(text), site_script)


def test_an_ordinary_story_raises_no_signal() -> None:
    assert found(STORY) == []
    assert score_story(submission(body_markdown=STORY)).points == 0


def test_links_are_counted_bare_addresses_too() -> None:
    text = "Read https://careers.example/a and www.jobs.example/b and [this](https://c.example)."
    assert found(text)[0] == Signal("links", 2, "3 links")
    assert found("My notes: https://careers.example/raise " + STORY)[0] == Signal(
        "links", 1, "a link"
    )


def test_a_link_shortener_is_named() -> None:
    text = STORY + " More at https://bit.ly/3xYz and https://tinyurl.com/abc"
    assert Signal("shortener", 3, "a link shortener (bit.ly, tinyurl.com)") in found(text)


def test_a_text_that_is_mostly_links() -> None:
    assert Signal("mostly-links", 2, "little text besides its links") in found(
        "Best deals here https://deals.example/watches and https://deals.example/bags"
    )
    assert not any(s.code == "mostly-links" for s in found(STORY + " https://careers.example"))


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("Great video! Check out my channel for more", "“check out my channel”"),
        ("I EARN $500 a day working from home, WhatsApp +1 555 0100", "“earn $”, “whatsapp +”"),
        ("Best SEO services and backlinks for your site", "“seo services”, “backlinks”"),
        (
            "Contact him on telegram @recoverypro, a hacker who got my coins back",
            "“contact him on”",
        ),
    ],
)
def test_known_spam_phrasing_is_quoted(text: str, quoted: str) -> None:
    [phrases] = [s for s in found(text) if s.code == "phrases"]
    assert quoted in phrases.reason


def test_phrases_match_whole_words_only() -> None:
    # "casino" inside another word, "act now" split across a sentence's words: not spam.
    text = STORY + " The casinos' finance team hired me; I had to act, now or never."
    assert not any(s.code == "phrases" for s in found(text))


def test_codes_in_the_text_but_not_in_link_addresses() -> None:
    assert Signal("codes", 2, "2 codes of letters and digits") in found(
        "Use SAVE20X at checkout or REF9981QZ for a friend, " + STORY
    )
    assert not any(s.code == "codes" for s in found(STORY + " https://careers.example/a1b2c3d4"))
    assert not any(s.code == "codes" for s in found("It took 12 months, until 2024. " + STORY))


def test_another_script_than_the_sites() -> None:
    russian = "Заработок в интернете без вложений, пишите мне в личные сообщения сегодня"
    [script] = found(russian)
    assert script == Signal(
        "script", 3, "mostly written in another script (Cyrillic) than the site's"
    )
    assert found(russian, site_script="Cyrillic") == []
    # A few words of another script in a story written in the site's are a reader's.
    assert found(STORY + " My colleague signed it Ольга.") == []


def test_capitals_and_exclamation_marks() -> None:
    assert found("BEST OFFER OF THE YEAR FOR EVERY JOB SEEKER TODAY") == [
        Signal("shouting", 1, "written mostly in capitals")
    ]
    assert found(STORY + " Wow! Great! Thanks! Yes! Again!") == [
        Signal("shouting", 1, "5 exclamation marks")
    ]


def test_the_same_text_varied_in_its_links_and_numbers_has_one_shape() -> None:
    first = "Visit bit.ly/a1 now!! Great stuff here for everybody who reads this page, 2 times"
    second = (
        "visit https://bit.ly/zz9 now, GREAT stuff here for everybody who reads this page 9 TIMES"
    )
    assert text_shape(first) == text_shape(second) is not None
    assert text_shape(first) != text_shape(STORY)
    assert text_shape("Thank you so much!") is None  # too short to tell readers apart


def test_repeats_on_other_articles() -> None:
    assert repeat_signal(0) is None
    assert repeat_signal(1) == Signal("repeat", 3, "the same text went to another article today")
    assert repeat_signal(4) == Signal("repeat", 5, "the same text went to 4 other articles today")


def test_the_score_is_the_sum_and_holds_at_the_threshold_with_every_reason() -> None:
    score = Score((Signal("links", 2, "3 links"), Signal("shortener", 3, "a link shortener (x)")))
    assert score.points == 5
    assert score.reasons == ("3 links (+2)", "a link shortener (x) (+3)")
    hold = score.hold(5)
    assert hold is not None and hold.kind == HoldKind.SUSPECTED
    assert hold.reasons == (
        "spam score 5 (held from 5)",
        "3 links (+2)",
        "a link shortener (x) (+3)",
    )
    assert score.hold(6) is None
    assert score.hold(0) is None  # 0: the score holds nothing


def test_typical_comment_spam_is_held_at_the_default_threshold() -> None:
    text = "Check out my channel!!! https://bit.ly/3kz and subscribe to my page"
    score = score_story(submission(body_markdown=text))
    assert score.points >= 5, score.reasons
