"""Group commit: submissions that arrive while one transaction is being written go together in
the next, each in a savepoint of its own, so one disk flush acknowledges many readers.

With `synchronous=FULL` every commit waits for the disk. Committed one by one, twenty readers
sending at once wait for twenty flushes in a row; batched, they wait for about two. A story that
is refused (rate limit, duplicate, full queue) rolls back only its own savepoint, and nobody is
told "saved" before the commit that holds their story has returned.

A batch is made once the write lock is held, not before: with several processes on one store,
the stories that arrive while this process waits for another's commit join the batch being
written, instead of waiting for the next one.

Items that can wait (`deferrable`: for the intake, a story its text already marks as suspected
spam) go in a lane of their own, written when no other item is waiting and a few at a time
(`deferred_batch`). Under a flood, a reader's story then waits behind one short batch of the
flood's, not behind a full one.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from starlette.concurrency import run_in_threadpool

from reader_stories.store import Store, Tx

Item = TypeVar("Item")
DEFAULT_MAX_BATCH = 64
# Deferred items written at once: their batch is what a reader arriving meanwhile waits for.
DEFAULT_DEFERRED_BATCH = 16


@dataclass
class _Waiting(Generic[Item]):
    item: Item
    done: asyncio.Future[int] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class BatchWriter(Generic[Item]):
    """Writes items with `write_one(tx, item) -> id` in shared transactions, in arrival order
    within each lane (deferrable items after the others).

    `write_one` refuses an item by raising, which also undoes what it wrote, or by returning the
    exception, which keeps it (a refused attempt that still counts against a rate limit).
    """

    def __init__(
        self,
        store: Callable[[], Store],
        write_one: Callable[[Tx, Item], int | Exception],
        max_batch: int = DEFAULT_MAX_BATCH,
        *,
        deferrable: Callable[[Item], bool] | None = None,
        deferred_batch: int = DEFAULT_DEFERRED_BATCH,
    ) -> None:
        self.store = store
        self.write_one = write_one
        self.max_batch = max_batch
        self.deferrable = deferrable
        self.deferred_batch = deferred_batch
        # Appended on the event loop, taken by the writing thread: deque's append and popleft
        # are atomic, and one thread at a time takes.
        self._waiting: deque[_Waiting[Item]] = deque()
        self._deferred: deque[_Waiting[Item]] = deque()
        self._wakeup: asyncio.Event | None = None
        self._worker: asyncio.Task[None] | None = None

    async def write(self, item: Item) -> int:
        """The id `write_one` returned, once committed; else what it (or the commit) raised."""
        if self._wakeup is None or self._worker is None or self._worker.done():
            self._wakeup = asyncio.Event()
            self._worker = asyncio.get_running_loop().create_task(self._run(self._wakeup))
        waiting: _Waiting[Item] = _Waiting(item)
        can_wait = self.deferrable is not None and self.deferrable(item)
        (self._deferred if can_wait else self._waiting).append(waiting)
        self._wakeup.set()
        return await waiting.done

    async def _run(self, wakeup: asyncio.Event) -> None:
        while True:
            await wakeup.wait()
            wakeup.clear()
            while self._waiting or self._deferred:
                for waiting, outcome in await run_in_threadpool(self._write_waiting):
                    if waiting.done.cancelled():
                        continue
                    if isinstance(outcome, BaseException):
                        waiting.done.set_exception(outcome)
                    else:
                        waiting.done.set_result(outcome)

    def _write_waiting(self) -> list[tuple[_Waiting[Item], int | Exception]]:
        """Take the write lock, then the items waiting by then, and write them in one commit.
        A failed commit (or a store that cannot be opened) fails every item it took."""
        taken: list[_Waiting[Item]] = []
        try:
            with self.store().writing() as tx:
                taken = self._take()
                outcomes = self._write_batch(tx, [waiting.item for waiting in taken])
        except Exception as exc:  # nobody in the batch is saved
            return [(waiting, exc) for waiting in taken or self._take()]
        return list(zip(taken, outcomes, strict=True))

    def _take(self) -> list[_Waiting[Item]]:
        """The items waiting, up to a batch; the deferred ones only when no other waits."""
        lane, most = self._waiting, self.max_batch
        if not lane:
            lane, most = self._deferred, min(self.deferred_batch, self.max_batch)
        taken: list[_Waiting[Item]] = []
        while lane and len(taken) < most:
            taken.append(lane.popleft())
        return taken

    def _write_batch(self, tx: Tx, items: list[Item]) -> list[int | Exception]:
        outcomes: list[int | Exception] = []
        for item in items:
            try:
                with tx.savepoint():
                    outcomes.append(self.write_one(tx, item))
            except Exception as exc:  # refused: only this item's savepoint is rolled back
                outcomes.append(exc)
        return outcomes
