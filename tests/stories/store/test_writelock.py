"""The lock file writers of one SQLite store queue on across processes (store/writelock.py).

flock belongs to an open file, and every transaction opens the lock file anew, so two threads
of this process contend exactly as two processes would.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from reader_stories.store import open_store
from reader_stories.store.writelock import ProcessWriteLock, lock_path

pytestmark = pytest.mark.skipif(
    ProcessWriteLock.beside(Path("x")) is None, reason="no flock on this system"
)


def test_a_second_writer_waits_and_gets_the_lock_once_the_first_lets_go(tmp_path: Path) -> None:
    lock = ProcessWriteLock(tmp_path / "db.sqlite3-lock")
    order: list[str] = []
    first_holds = threading.Event()

    def second() -> None:
        first_holds.wait()
        with lock.held(timeout=30) as got:
            order.append(f"second got it: {got}")

    waiter = threading.Thread(target=second)
    waiter.start()
    with lock.held(timeout=1) as got:
        assert got
        first_holds.set()
        # The second writer is refused while this block runs: the lock is not free.
        with lock.held(timeout=0.05) as third:
            assert third is False
        order.append("first lets go")
    waiter.join(timeout=30)
    assert order == ["first lets go", "second got it: True"]


def test_a_writer_that_gave_up_leaves_the_lock_free_for_the_next(tmp_path: Path) -> None:
    """The waiting thread of a writer that timed out takes the lock later; it must let go."""
    lock = ProcessWriteLock(tmp_path / "db.sqlite3-lock")
    with lock.held(timeout=1) as got:
        assert got
        with lock.held(timeout=0.05) as gave_up:
            assert gave_up is False
    with lock.held(timeout=10) as next_one:
        assert next_one is True


def test_a_lock_file_that_cannot_be_made_leaves_the_write_to_sqlite(tmp_path: Path) -> None:
    lock = ProcessWriteLock(tmp_path / "missing folder" / "db.sqlite3-lock")
    with lock.held(timeout=1) as got:
        assert got is False


def test_the_store_makes_its_lock_file_beside_the_database_for_its_owner_only(
    tmp_path: Path,
) -> None:
    database = tmp_path / "comments.sqlite3"
    with open_store(f"sqlite:///{database}") as store, store.writing() as tx:
        tx.record_rate_event("network")
    made = lock_path(database)
    assert made == tmp_path / "comments.sqlite3-lock"
    assert stat.S_IMODE(made.stat().st_mode) == 0o600


_WRITER = """
import sys
from reader_stories.store import open_store
with open_store(sys.argv[1], busy_timeout=60) as store:
    for n in range(int(sys.argv[3])):
        with store.writing() as tx:
            tx.record_rate_event(sys.argv[2])
"""


def test_processes_writing_one_file_at_once_all_get_their_writes_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    open_store(url).close()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    writers = [
        subprocess.Popen([sys.executable, "-c", _WRITER, url, f"process {n}", "150"], env=env)
        for n in range(3)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    with open_store(url) as store, store.reading() as tx:
        since = tx.clock().replace(year=2000)
        assert [tx.count_rate_events(f"process {n}", since) for n in range(3)] == [150] * 3
