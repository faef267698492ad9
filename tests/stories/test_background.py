"""Background work in a service of several processes: one at a time does it, another takes over.

Two workers share a lock file as two worker processes of the service would (flock locks belong
to each open file, so two in one process exclude each other as two processes do).
"""

from __future__ import annotations

import threading
from pathlib import Path

from reader_stories.background import Periodic
from reader_stories.store import Store

WAIT = 20.0  # only bounds how long the test waits for a pass; no test asserts on time


class Recorder:
    """The work of each worker: counts its passes, and lets the test wait for the next."""

    def __init__(self) -> None:
        self.passes: dict[str, int] = {}
        self.changed = threading.Condition()

    def work(self, name: str):
        def one_pass(_store: Store) -> None:
            with self.changed:
                self.passes[name] = self.passes.get(name, 0) + 1
                self.changed.notify_all()

        return one_pass

    def wait_for(self, name: str, passes: int) -> None:
        with self.changed:
            done = self.changed.wait_for(lambda: self.passes.get(name, 0) >= passes, WAIT)
        assert done, f"{name} made {self.passes.get(name, 0)} passes, expected {passes}"


def worker(name: str, db: Path, recorder: Recorder, lock: Path | None) -> Periodic:
    periodic = Periodic(name, f"sqlite:///{db}", 0.02, recorder.work(name))
    periodic.lock = lock
    return periodic


def test_one_worker_at_a_time_does_the_work_and_another_takes_over(tmp_path: Path) -> None:
    recorder = Recorder()
    lock = tmp_path / "var" / "mail-sender.lock"
    first = worker("first", tmp_path / "a.sqlite3", recorder, lock).start()
    recorder.wait_for("first", 1)
    second = worker("second", tmp_path / "b.sqlite3", recorder, lock).start()
    try:
        recorder.wait_for("first", 5)  # the second has ticked several times meanwhile
        assert "second" not in recorder.passes
        first.stop()
        recorder.wait_for("second", 2)  # the lock went with the first: the second does it now
    finally:
        first.stop()
        second.stop()


def test_without_a_lock_file_every_worker_does_its_work(tmp_path: Path) -> None:
    recorder = Recorder()
    both = [worker(name, tmp_path / f"{name}.sqlite3", recorder, None) for name in ("a", "b")]
    for periodic in both:
        periodic.start()
    try:
        recorder.wait_for("a", 2)
        recorder.wait_for("b", 2)
    finally:
        for periodic in both:
            periodic.stop()
