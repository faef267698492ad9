"""What a service process does once started, before its first reader.

The first story a fresh process took waited 60 to 150 ms longer than the next: the store's
first connection and migration check, the renderer's and sanitiser's imports, the spam
classifier's load. Warming runs them once at start instead.

A production process then freezes what start-up made (modules, compiled queries, the
classifier): it lives as long as the process, and Python's full collections scanned all of it
again and again. Under a flood those collections stopped a worker for up to 54 ms at a time,
delaying every request it held; frozen, they scan only what requests made since.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence

from starlette.concurrency import run_in_threadpool


async def start_up(warm: Sequence[Callable[[], None]], *, freeze: bool) -> None:
    """Run each warming step (in a thread: they touch the database), then, for a production
    process, collect what start-up left behind and freeze the rest."""
    for step in warm:
        await run_in_threadpool(step)
    if freeze:
        gc.collect()
        gc.freeze()
