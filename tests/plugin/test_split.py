"""One job in forked shares: each step done once, logs released once, any failure done alone."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from nextround import ahead, split

pytestmark = pytest.mark.skipif(not ahead.can_fork(), reason="shares run in forked processes")

logger = logging.getLogger("nextround.test_split")


def test_shares_take_turns_the_same_way_in_every_process() -> None:
    picks = [[shares.mine() for _ in range(7)] for shares in (split.Shares(i, 3) for i in range(3))]
    assert picks == [
        [True, False, False, True, False, False, True],
        [False, True, False, False, True, False, False],
        [False, False, True, False, False, True, False],
    ]


def test_first_come_steps_go_to_whoever_asks_first_each_once() -> None:
    claimed = split._shared_counter()
    fast, slow = split.Shares(0, 2, claimed), split.Shares(1, 2, claimed)
    taken_fast = [step for step in range(6) if fast.first_come()]
    taken_slow = [step for step in range(10) if slow.first_come()]
    taken_fast += [step for step in range(6, 10) if fast.first_come()]
    assert taken_fast == [0, 1, 2, 3, 4, 5]  # nothing left for it once the slow one caught up
    assert taken_slow == [6, 7, 8, 9]


def test_first_come_steps_follow_the_weights_without_a_shared_counter() -> None:
    picks = [[s.first_come() for _ in range(6)] for s in (split.Shares(i, 2) for i in (0, 1))]
    assert picks == [[True, False] * 3, [False, True] * 3]


def test_a_share_stops_when_another_died_holding_the_counter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    claimed = split._shared_counter()
    monkeypatch.setattr(split, "CLAIM_TIMEOUT", 0.05)
    pid = os.fork()
    if pid == 0:
        claimed.get_lock().acquire()
        os._exit(0)  # killed while choosing its next step
    os.waitpid(pid, 0)
    with pytest.raises(split.SplitStalled):
        split.Shares(0, 2, claimed).first_come()


class _Steps:
    """A job writing numbered files, one per step, each by the process whose share it is."""

    def __init__(self, folder: Path, steps: int = 20) -> None:
        self.folder = folder
        self.steps = steps
        self.alone_runs = 0

    def job(self, shares: split.Shares) -> set[str]:
        done = set()
        for step in range(self.steps):
            # The first half in turns, the rest to whichever process comes first.
            if shares.mine() if step < self.steps // 2 else shares.first_come():
                self.step(step)
                done.add(str(step))
        # Pelican logs a repeated warning once per process: each test says its own.
        logger.warning("share %d done in %s", shares.index, self.folder.name)
        return done

    def step(self, step: int) -> None:
        (self.folder / str(step)).write_text(str(os.getpid()), "utf-8")

    def alone(self) -> None:
        self.alone_runs += 1
        for step in range(self.steps):
            self.step(step)
        logger.warning("all done alone in %s", self.folder.name)


def _combine_disjoint(own: set[str], others: list[set[str]]) -> bool:
    return all(not (own & other) for other in others)


def test_every_step_is_done_once_by_two_processes(tmp_path: Path, caplog) -> None:
    steps = _Steps(tmp_path)
    with caplog.at_level(logging.WARNING):
        split.run_split(steps.job, steps.alone, _combine_disjoint, 2)
    pids = {(tmp_path / str(step)).read_text("utf-8") for step in range(steps.steps)}
    assert steps.alone_runs == 0
    assert str(os.getpid()) in pids and len(pids) == 2
    messages = [record.getMessage() for record in caplog.records]
    assert sorted(messages) == [
        f"share {n} done in {tmp_path.name}" for n in (0, 1)
    ]  # each once, the child's too


class _FailingChild(_Steps):
    def __init__(self, folder: Path, how: str) -> None:
        super().__init__(folder)
        self.how = how
        self.parent = os.getpid()

    def step(self, step: int) -> None:
        if os.getpid() != self.parent and step >= 5:  # the child's turns: 5, 7, 9
            if self.how == "raise":
                raise RuntimeError("broken template")
            if self.how == "error":
                logger.error("Could not render step %d", step)
            if self.how == "die":
                os._exit(9)
        super().step(step)


@pytest.mark.parametrize("how", ["raise", "error", "die"])
def test_a_failing_child_leaves_the_whole_job_to_this_process(
    tmp_path: Path, caplog, how: str
) -> None:
    steps = _FailingChild(tmp_path, how)
    with caplog.at_level(logging.WARNING):
        split.run_split(steps.job, steps.alone, _combine_disjoint, 2)
    assert steps.alone_runs == 1
    pids = {(tmp_path / str(step)).read_text("utf-8") for step in range(steps.steps)}
    assert pids == {str(os.getpid())}
    # Only what the one-process run logged: nothing held from the failed shares.
    messages = [record.getMessage() for record in caplog.records]
    assert messages == [f"all done alone in {tmp_path.name}"]


def test_a_failing_parent_share_is_done_again_alone_and_raises_there(tmp_path: Path) -> None:
    parent = os.getpid()

    class Broken(_Steps):
        def step(self, step: int) -> None:
            if os.getpid() == parent and step == 2:  # the parent's share: 0, 2, 4...
                raise ValueError("bad content in step 2")
            super().step(step)

    steps = Broken(tmp_path)
    with pytest.raises(ValueError, match="step 2"):
        split.run_split(steps.job, steps.alone, _combine_disjoint, 2)
    assert steps.alone_runs == 1


def test_shares_that_do_not_fit_together_are_done_alone(tmp_path: Path) -> None:
    steps = _Steps(tmp_path)
    split.run_split(steps.job, steps.alone, lambda own, others: False, 2)
    assert steps.alone_runs == 1
