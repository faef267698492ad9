"""Finding stories (store/search.py): each filter alone and together, in the admin's order, on
SQLite and PostgreSQL, with what the admin and the command line type (case, wildcards, parts of
a hash) matched literally."""

from __future__ import annotations

import store_calls as calls
from stories_support import FakeClock, add, add_with_status

from reader_stories.models import Hold, HoldKind, Status
from reader_stories.store import Store, StoryFilter

NET_A = "a1" * 32
NET_B = "b2" * 32


def found(store: Store, wanted: StoryFilter, limit: int | None = None, offset: int = 0) -> list:
    with store.reading() as tx:
        return tx.search_ids(wanted, limit, offset)


def test_each_filter_alone(store: Store, clock: FakeClock) -> None:
    ada = add(store, clock, name="Ada Lovelace", email="ada@example.org", ip_hash=NET_A)
    bo = add(
        store,
        clock,
        name="Bo",
        email=None,
        article="salary-talk",
        body_markdown="I asked for 100% more and got it.",
        ip_hash=NET_B,
    )
    cy = add_with_status(
        store, Status.SPAM, name="Cy", body_markdown="BUY cheap NOW.", ip_hash=None
    )
    every = StoryFilter(status=None)
    assert found(store, every) == [cy.id, bo.id, ada.id]
    assert found(store, StoryFilter()) == [bo.id, ada.id]  # pending by default
    assert found(store, StoryFilter(status=Status.SPAM)) == [cy.id]
    assert found(store, StoryFilter(status=None, article="salary-talk")) == [bo.id]
    assert found(store, StoryFilter(status=None, writer="LOVELACE")) == [ada.id]
    assert found(store, StoryFilter(status=None, writer="@EXAMPLE.org")) == [ada.id]
    assert found(store, StoryFilter(status=None, writer="ada", writer_exact=True)) == []
    exact = StoryFilter(status=None, writer="ADA@example.ORG", writer_exact=True)
    assert found(store, exact) == [ada.id]
    assert found(store, StoryFilter(status=None, writer="bo", writer_exact=True)) == [bo.id]
    assert found(store, StoryFilter(status=None, text="buy CHEAP")) == [cy.id]
    assert found(store, StoryFilter(status=None, network=NET_B)) == [bo.id]
    assert found(store, StoryFilter(status=None, network=NET_A[:8])) == [ada.id]


def test_wildcards_are_matched_as_typed(store: Store, clock: FakeClock) -> None:
    percent = add(store, clock, body_markdown="I asked for 100% more and got it.")
    add(store, clock, body_markdown="I asked for 100 more and got it, no percent.")
    underscore = add(store, clock, name="snake_case")
    add(store, clock, name="snakeXcase")
    assert found(store, StoryFilter(text="100%")) == [percent.id]
    assert found(store, StoryFilter(writer="e_c")) == [underscore.id]
    assert found(store, StoryFilter(text="%")) == [percent.id]


def test_filters_combine_and_page(store: Store, clock: FakeClock) -> None:
    mine = [
        add(store, clock, name="Ada", article="salary-talk", body_markdown=f"Offer {n} came.")
        for n in range(5)
    ]
    add(store, clock, name="Ada", article="other-article", body_markdown="Offer here too.")
    add(store, clock, name="Bo", article="salary-talk", body_markdown="Offer from Bo.")
    wanted = StoryFilter(article="salary-talk", writer="ada", text="offer")
    newest_first = [story.id for story in reversed(mine)]
    assert found(store, wanted) == newest_first
    assert found(store, wanted, limit=2, offset=2) == newest_first[2:4]
    assert found(store, wanted, limit=2, offset=10) == []


def test_moderated_lists_show_the_latest_change_first(store: Store, clock: FakeClock) -> None:
    first, second = add(store, clock), add(store, clock)
    clock.advance(seconds=1)
    calls.set_status(store, second.id, Status.REJECTED, actor="m")
    clock.advance(seconds=1)
    calls.set_status(store, first.id, Status.REJECTED, actor="m")
    assert found(store, StoryFilter(status=Status.REJECTED)) == [first.id, second.id]
    assert found(store, StoryFilter(status=None)) == [second.id, first.id]  # newest first


def test_counts_by_status_follow_the_other_filters(store: Store) -> None:
    add(store, name="Ada"), add(store, name="Bo")
    add_with_status(store, Status.APPROVED, name="Ada")
    add_with_status(store, Status.SPAM, name="Cy")
    with store.reading() as tx:
        counts = tx.search_counts(StoryFilter(status=Status.SPAM, writer="ada"))
        everything = tx.search_counts(StoryFilter())
    assert counts == {Status.PENDING: 1, Status.APPROVED: 1, Status.REJECTED: 0, Status.SPAM: 0}
    assert everything == {
        Status.PENDING: 2,
        Status.APPROVED: 1,
        Status.REJECTED: 0,
        Status.SPAM: 1,
    }


def test_articles_with_stories_and_network_hashes(store: Store) -> None:
    one = add(store, article="salary-talk", ip_hash=NET_A)
    two = add(store, article="salary-talk", ip_hash=None)
    add(store, article="after-the-offer")
    with store.reading() as tx:
        assert tx.articles_with_stories() == [("after-the-offer", 1), ("salary-talk", 2)]
        assert tx.network_hashes([one.id, two.id]) == {one.id: NET_A}


def test_stories_held_apart_are_in_no_list_until_released(store: Store, clock: FakeClock) -> None:
    queued = add(store, clock, name="Ada", article="salary-talk")
    held = add(
        store, clock, name="Ada", article="held-only", hold=Hold(HoldKind.SUSPECTED, ("score",))
    )
    with store.reading() as tx:
        assert tx.search_ids(StoryFilter(status=None, writer="ada"), None) == [queued.id]
        assert tx.search_counts(StoryFilter(writer="ada"))[Status.PENDING] == 1
        assert tx.articles_with_stories() == [("salary-talk", 1)]
    with store.writing() as tx:
        tx.release_held(held.id, actor="m")
    assert found(store, StoryFilter(writer="ada")) == [held.id, queued.id]
