"""Blocks, the list of held words and domains, and closed articles in the store, on SQLite and
PostgreSQL: what is kept, when a block is in force, and that nothing keeps an email address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from stories_support import FakeClock

from reader_stories.moderation.blocks import email_hash
from reader_stories.store import Store, schema
from reader_stories.store.blocks import BlockKind, TermKind

SECRET = "s" * 40


def test_a_block_is_in_force_until_its_end_then_listed_as_expired(
    store: Store, clock: FakeClock
) -> None:
    key = email_hash(SECRET, "Ayo@Example.com")
    with store.writing() as tx:
        block = tx.add_block(
            BlockKind.EMAIL, key, until=clock() + timedelta(days=1), note="abuse", actor="mod"
        )
    with store.reading() as tx:
        assert tx.active_block(BlockKind.EMAIL, email_hash(SECRET, "ayo@example.COM")) == block
        assert tx.active_block(BlockKind.NETWORK, key) is None
    clock.advance(days=1)
    with store.reading() as tx:
        assert tx.active_block(BlockKind.EMAIL, key) is None
        [listed] = tx.blocks()
    assert listed.id == block.id and not listed.active_at(clock())


def test_a_block_for_good_lasts_until_lifted(store: Store, clock: FakeClock) -> None:
    with store.writing() as tx:
        block = tx.add_block(BlockKind.NETWORK, "n" * 64, until=None, note="", actor="mod")
    clock.advance(days=3650)
    with store.writing() as tx:
        assert tx.active_block(BlockKind.NETWORK, "n" * 64) == block
        lifted = tx.lift_block(block.id, actor="other")
    assert (lifted.lifted_by, lifted.lifted_at) == ("other", clock())
    with store.writing() as tx:
        assert tx.active_block(BlockKind.NETWORK, "n" * 64) is None
        with pytest.raises(LookupError, match="not active any more"):
            tx.lift_block(block.id, actor="other")
        with pytest.raises(LookupError, match="no block #99"):
            tx.lift_block(99, actor="other")


def test_a_new_block_on_the_same_writer_replaces_the_active_one(
    store: Store, clock: FakeClock
) -> None:
    with store.writing() as tx:
        first = tx.add_block(BlockKind.NETWORK, "n" * 64, until=None, note="", actor="mod")
        second = tx.add_block(
            BlockKind.NETWORK, "n" * 64, until=clock() + timedelta(days=7), note="", actor="mod"
        )
        assert tx.active_block(BlockKind.NETWORK, "n" * 64) == second
        assert tx.block(first.id).lifted_at == clock()


def test_a_block_by_email_keeps_no_address(store: Store) -> None:
    with store.writing() as tx:
        tx.add_block(
            BlockKind.EMAIL, email_hash(SECRET, "ayo@example.com"), until=None, note="", actor="m"
        )
        rows = tx.conn.execute(select(schema.blocks)).all()
    assert rows and all("example" not in str(value) for row in rows for value in row)


def test_listed_terms_are_added_once_and_removed(store: Store) -> None:
    with store.writing() as tx:
        assert tx.add_listed_term(TermKind.WORD, "casino", actor="mod")
        assert not tx.add_listed_term(TermKind.WORD, "casino", actor="mod")
        assert tx.add_listed_term(TermKind.DOMAIN, "bit.ly", actor="mod")
        assert tx.listed_values() == (("word", "casino"), ("domain", "bit.ly"))
        assert tx.remove_listed_term(TermKind.WORD, "casino")
        assert not tx.remove_listed_term(TermKind.WORD, "casino")
        assert [term.value for term in tx.listed_terms()] == ["bit.ly"]


def test_closing_and_reopening_an_article(store: Store, clock: FakeClock) -> None:
    with store.writing() as tx:
        assert tx.close_article("asking-for-a-raise", actor="mod")
        assert not tx.close_article("asking-for-a-raise", actor="mod")
        assert tx.article_closed("asking-for-a-raise")
        assert not tx.article_closed("other")
        [closed] = tx.closed_articles()
        assert (closed.article, closed.closed_by, closed.closed_at) == (
            "asking-for-a-raise",
            "mod",
            clock(),
        )
        assert tx.reopen_article("asking-for-a-raise")
        assert not tx.reopen_article("asking-for-a-raise")
        assert not tx.article_closed("asking-for-a-raise")
