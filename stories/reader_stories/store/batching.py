"""Group commit: submissions that arrive while one transaction is being written go together in
the next, each in a savepoint of its own, so one disk flush acknowledges many readers.

With `synchronous=FULL` every commit waits for the disk. Committed one by one, twenty readers
sending at once wait for twenty flushes in a row; batched, they wait for about two. A story that
is refused (rate limit, duplicate, full queue) rolls back only its own savepoint, and nobody is
told "saved" before the commit that holds their story has returned.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool

from reader_stories.store import Store, Tx

Item = TypeVar("Item")
DEFAULT_MAX_BATCH = 64


@dataclass
class _Waiting(Generic[Item]):
    item: Item
    done: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class BatchWriter(Generic[Item]):
    """Writes items with `write_one(tx, item) -> id` in shared transactions, in arrival order.

    `write_one` refuses an item by raising, which also undoes what it wrote, or by returning the
    exception, which keeps it (a refused attempt that still counts against a rate limit).
    """

    def __init__(
        self,
        store: Callable[[], Store],
        write_one: Callable[[Tx, Item], int | Exception],
        max_batch: int = DEFAULT_MAX_BATCH,
    ) -> None:
        self.store = store
        self.write_one = write_one
        self.max_batch = max_batch
        self._queue: asyncio.Queue[_Waiting[Item]] | None = None
        self._worker: asyncio.Task[None] | None = None

    async def write(self, item: Item) -> int:
        """The id `write_one` returned, once committed; else what it (or the commit) raised."""
        if self._queue is None or self._worker is None or self._worker.done():
            self._queue = asyncio.Queue()
            self._worker = asyncio.get_running_loop().create_task(self._run(self._queue))
        waiting: _Waiting[Item] = _Waiting(item)
        await self._queue.put(waiting)
        return await waiting.done

    async def _run(self, queue: asyncio.Queue[_Waiting[Item]]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < self.max_batch and not queue.empty():
                batch.append(queue.get_nowait())
            try:
                outcomes = await run_in_threadpool(self._write_batch, [w.item for w in batch])
            except Exception as exc:  # the commit itself failed: nobody in the batch is saved
                outcomes = [exc] * len(batch)
            for waiting, outcome in zip(batch, outcomes, strict=True):
                if waiting.done.cancelled():
                    continue
                if isinstance(outcome, BaseException):
                    waiting.done.set_exception(outcome)
                else:
                    waiting.done.set_result(outcome)

    def _write_batch(self, items: list[Item]) -> list[int | Exception]:
        outcomes: list[int | Exception] = []
        with self.store().writing() as tx:
            for item in items:
                try:
                    with tx.savepoint():
                        outcomes.append(self.write_one(tx, item))
                except Exception as exc:  # refused: only this item's savepoint is rolled back
                    outcomes.append(exc)
        return outcomes
