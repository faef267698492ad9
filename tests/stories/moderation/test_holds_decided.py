"""What the intake holds on arrival (moderation/holds.py), on SQLite and PostgreSQL: a blocked
writer's story (by email or network, until the block ends), then one with a listed word or
domain, each with reasons that name what matched."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from stories_support import FakeClock, submission

from reader_stories.models import Hold, HoldKind
from reader_stories.moderation.blocks import email_hash
from reader_stories.moderation.holds import hold_for
from reader_stories.moderation.listed import normal_domain, normal_word
from reader_stories.store import Store
from reader_stories.store.blocks import BlockKind, TermKind

SECRET = "s" * 40


def decided(store: Store, **changes: object) -> Hold | None:
    with store.reading() as tx:
        return hold_for(tx, submission(**changes), SECRET)


def listing(store: Store, *terms: tuple[TermKind, str]) -> None:
    with store.writing() as tx:
        for kind, value in terms:
            tx.add_listed_term(kind, value, actor="mod")


def test_a_writer_blocked_by_email_is_held_until_the_block_ends(
    store: Store, clock: FakeClock
) -> None:
    with store.writing() as tx:
        until = clock() + timedelta(days=7)
        key = email_hash(SECRET, "ayo@example.com")
        tx.add_block(BlockKind.EMAIL, key, until=until, note="", actor="mod")
    hold = decided(store, email="AYO@example.com")
    assert hold == Hold(
        HoldKind.BLOCKED,
        (f"its writer is blocked (by email, until {until.day} {until:%B %Y %H:%M} UTC)",),
    )
    assert decided(store, email="someone@example.com") is None
    clock.advance(days=7)
    assert decided(store, email="ayo@example.com") is None


def test_a_writer_blocked_by_network_is_held_whatever_address_they_give(store: Store) -> None:
    with store.writing() as tx:
        tx.add_block(BlockKind.NETWORK, "n" * 64, until=None, note="", actor="mod")
    hold = decided(store, ip_hash="n" * 64, email=None)
    assert hold == Hold(HoldKind.BLOCKED, ("its writer is blocked (by network, for good)",))
    assert decided(store, ip_hash="m" * 64) is None


def test_blocked_comes_before_listed(store: Store) -> None:
    listing(store, (TermKind.WORD, "casino"))
    with store.writing() as tx:
        tx.add_block(BlockKind.NETWORK, "n" * 64, until=None, note="", actor="mod")
    hold = decided(store, ip_hash="n" * 64, body_markdown="Try the casino, it paid my rent.")
    assert hold is not None and hold.kind == HoldKind.BLOCKED


def test_listed_words_match_whole_words_whatever_the_case(store: Store) -> None:
    listing(store, (TermKind.WORD, "casino"), (TermKind.WORD, "easy money"))
    body = "My CASINO nights ended. Then came Easy\nmoney, and casinos were history."
    hold = decided(store, body_markdown=body)
    assert hold == Hold(HoldKind.LISTED, ('it contains "casino"', 'it contains "easy money"'))
    assert decided(store, body_markdown="The casinos and easy moneymakers stayed away.") is None


def test_a_listed_word_in_the_name_holds_too(store: Store) -> None:
    listing(store, (TermKind.WORD, "casino"))
    hold = decided(store, name="Casino Bonus")
    assert hold == Hold(HoldKind.LISTED, ('it contains "casino"',))


def test_listed_domains_match_links_and_subdomains_bare_addresses_included(
    store: Store,
) -> None:
    listing(store, (TermKind.DOMAIN, "bit.ly"), (TermKind.DOMAIN, "spam.example"))
    body = (
        "Read [this](https://go.bit.ly/x) and www.spam.example/offer first. "
        "Not notbit.ly or https://example.org/bit.ly though."
    )
    hold = decided(store, body_markdown=body)
    assert hold == Hold(HoldKind.LISTED, ("it links to bit.ly", "it links to spam.example"))
    plain = "My bank was notbit.ly, see https://notbit.ly/path for the letter."
    assert decided(store, body_markdown=plain) is None


def test_nothing_listed_holds_nothing(store: Store) -> None:
    assert decided(store) is None


@pytest.mark.parametrize(
    ("typed", "kept"),
    [("https://Bit.ly/x?y", "bit.ly"), ("*.Spam.example", "spam.example"), ("bit.ly.", "bit.ly")],
)
def test_domains_are_kept_as_their_host(typed: str, kept: str) -> None:
    assert normal_domain(typed) == kept


@pytest.mark.parametrize("typed", ["", "nodot", "http://", "a b.com", "-bad-.com"])
def test_what_is_not_a_domain_is_refused_in_words(typed: str) -> None:
    with pytest.raises(ValueError, match=r"is not a domain; write it like bit\.ly"):
        normal_domain(typed)


def test_words_are_kept_folded_and_a_word_needs_a_letter() -> None:
    assert normal_word("  Easy   MONEY ") == "easy money"
    with pytest.raises(ValueError, match="no letters or digits"):
        normal_word(" !! ")


def test_two_hundred_listed_words_cost_little_per_story(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """A quick timing for the record (printed, not asserted): hold_for with the list read from
    the store, as in the intake's transaction, with 200 words and no match."""
    listing(store, *((TermKind.WORD, f"listedword{n}") for n in range(200)))
    body = "An ordinary story about a salary talk that went well in the end. " * 40
    story = submission(body_markdown=body)
    story.prepare()
    runs = 100
    with store.writing() as tx:
        assert hold_for(tx, story, SECRET) is None  # the matcher is compiled once, here
        started = time.perf_counter()
        for _ in range(runs):
            assert hold_for(tx, story, SECRET) is None
        each = (time.perf_counter() - started) / runs
    print(f"\nhold_for, 200 listed words, {len(body)} characters: {each * 1e6:.0f} µs a story")
