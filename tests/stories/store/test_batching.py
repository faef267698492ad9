"""Group commit: many writes share a transaction, each refused one alone is rolled back."""

from __future__ import annotations

import asyncio
import threading

import pytest
from stories_support import submission

from reader_stories.errors import DuplicateSubmission
from reader_stories.store import Store, Tx
from reader_stories.store.batching import BatchWriter


def run_async(make_coroutine):
    """asyncio.run in a thread of its own: a browser test may hold this thread's event loop."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(asyncio.run(make_coroutine())))
    worker.start()
    worker.join(timeout=60)
    return outcome[0] if outcome else None


def record_batches(writer: BatchWriter) -> list[list]:
    """The items of each batch the writer writes from now on, in order."""
    batches: list[list] = []
    original = writer._write_batch

    def recording(tx, items):
        batches.append(list(items))
        return original(tx, items)

    writer._write_batch = recording  # type: ignore[method-assign]
    return batches


def another_writer_holding_the_lock(store: Store) -> tuple[threading.Event, threading.Thread]:
    """A thread that holds the store's write lock, as another process's commit would, until
    the event is set; returned once it holds the lock."""
    holding, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        with store.writing():
            holding.set()
            release.wait(30)

    other = threading.Thread(target=other_writer)
    other.start()
    holding.wait(30)
    return release, other


def test_concurrent_writes_share_transactions_and_refusals_stay_alone(store: Store) -> None:

    def write_one(tx: Tx, n: int) -> int:
        if n % 5 == 0:
            tx.add_submission(submission(body_markdown=f"Refused story number {n}, rolled back."))
            raise DuplicateSubmission(n)
        return tx.add_submission(submission(body_markdown=f"Kept story number {n} here.")).id

    writer = BatchWriter(lambda: store, write_one)
    batches = record_batches(writer)

    async def main() -> list[int | BaseException]:
        return await asyncio.gather(
            *(writer.write(n) for n in range(1, 41)), return_exceptions=True
        )

    outcomes = run_async(main)
    refused = [o for o in outcomes if isinstance(o, DuplicateSubmission)]
    kept = [o for o in outcomes if isinstance(o, int)]
    assert len(refused) == 8 and len(kept) == 32
    assert sorted(s.id for s in store.pending()) == sorted(kept)
    assert all("Kept" in s.body_markdown for s in store.pending())
    sizes = [len(batch) for batch in batches]
    assert sum(sizes) == 40 and max(sizes) > 1  # grouped, not one commit per write


def test_a_failed_commit_fails_everyone_in_the_batch(store: Store) -> None:
    class Broken(Exception):
        pass

    def write_one(tx: Tx, n: int) -> int:
        return tx.add_submission(submission(body_markdown=f"Story {n} that never commits.")).id

    writer = BatchWriter(lambda: store, write_one)

    def failing(tx, items):
        raise Broken("disk full")

    writer._write_batch = failing  # type: ignore[method-assign]

    async def main() -> bool:
        with pytest.raises(Broken):
            await writer.write(1)
        return True

    assert run_async(main) is True
    assert store.pending() == []


def test_a_refusal_returned_instead_of_raised_keeps_what_it_wrote(store: Store) -> None:
    """How the intake refuses a resent story yet keeps the rate-limit slot it took."""

    def write_one(tx: Tx, n: int) -> int | Exception:
        tx.add_submission(submission(body_markdown=f"Written before refusal number {n}."))
        return DuplicateSubmission(n)

    writer = BatchWriter(lambda: store, write_one)

    async def main() -> BaseException | None:
        try:
            await writer.write(1)
        except DuplicateSubmission as refused:
            return refused
        return None

    assert isinstance(run_async(main), DuplicateSubmission)
    assert [s.body_markdown for s in store.pending()] == ["Written before refusal number 1."]


def test_stories_sent_while_another_writer_holds_the_lock_join_the_waiting_batch(
    store: Store,
) -> None:
    """The batch is made once the lock is held: with several processes on one store, what
    arrives while one waits for another's commit goes in the same commit."""

    def write_one(tx: Tx, n: int) -> int:
        return tx.add_submission(submission(body_markdown=f"Queued story number {n}.")).id

    writer = BatchWriter(lambda: store, write_one)
    batches = record_batches(writer)
    release, other = another_writer_holding_the_lock(store)

    async def main() -> list[int]:
        first = asyncio.ensure_future(writer.write(1))
        await asyncio.sleep(0.2)  # the writer's thread is now waiting for the lock
        rest = [asyncio.ensure_future(writer.write(n)) for n in range(2, 11)]
        await asyncio.sleep(0.2)
        release.set()
        return await asyncio.gather(first, *rest)

    ids = run_async(main)
    other.join(30)
    assert ids is not None and len(set(ids)) == 10
    assert [len(batch) for batch in batches] == [10]


def test_deferrable_items_wait_for_the_others_and_go_a_few_at_a_time(store: Store) -> None:
    """A flood's suspected stories queued before a reader's: the reader's is committed first,
    and the flood's follow in batches short enough that the next reader never waits long."""

    def write_one(tx: Tx, n: int) -> int:
        return tx.add_submission(submission(body_markdown=f"Queued story number {n}.")).id

    writer = BatchWriter(lambda: store, write_one, deferrable=lambda n: n < 100, deferred_batch=8)
    written = record_batches(writer)
    release, other = another_writer_holding_the_lock(store)

    async def main() -> list[int]:
        flood = [asyncio.ensure_future(writer.write(n)) for n in range(1, 21)]
        await asyncio.sleep(0.2)  # the writer's thread is now waiting for the lock
        readers = [asyncio.ensure_future(writer.write(n)) for n in (101, 102, 103)]
        await asyncio.sleep(0.2)
        release.set()
        return await asyncio.gather(*flood, *readers)

    ids = run_async(main)
    other.join(30)
    assert ids is not None and len(set(ids)) == 23
    assert written[0] == [101, 102, 103]
    assert written[1:] == [list(range(1, 9)), list(range(9, 17)), list(range(17, 21))]
    assert len(store.pending()) == 23
