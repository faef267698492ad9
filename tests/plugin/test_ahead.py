"""Work ahead in forked worker processes: results in order, and every failure left to the caller."""

from __future__ import annotations

import logging
import multiprocessing
import os

import pytest

from nextround import ahead

pytestmark = pytest.mark.skipif(not ahead.can_fork(), reason="worker processes are forked")


def _in_worker() -> bool:
    return multiprocessing.parent_process() is not None


def test_one_process_for_one_core_a_setting_of_one_or_few_files() -> None:
    assert ahead.worker_count(1, 1000) == 0
    assert ahead.worker_count(2, ahead.MIN_FILES - 1) == 0
    assert ahead.worker_count(2, 10, min_files=0) == 2
    assert ahead.worker_count(4, 3, min_files=0) == 3
    assert ahead.worker_count(None, 1000) == (
        0 if ahead.usable_cores() == 1 else ahead.usable_cores()
    )


def test_results_come_from_workers_in_any_order_asked() -> None:
    items = [f"item-{n}" for n in range(50)]
    work = ahead.WorkAhead(lambda item: (item.upper(), os.getpid()), items, 2)
    taken = [work.take(item) for item in reversed(items)]
    assert [text for text, _ in taken] == [item.upper() for item in reversed(items)]
    pids = {pid for _, pid in taken}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert work.take("never-sent") is None


def test_a_failure_or_a_warning_leaves_the_item_to_the_caller(caplog) -> None:
    def convert(item: str) -> str:
        if item == "bad":
            raise ValueError("no")
        if item == "odd":
            logging.getLogger("somewhere").warning("odd one")
        return item * 2

    items = ["a", "bad", "b", "odd", "c"]
    work = ahead.WorkAhead(convert, items, 2)
    assert [work.take(item) for item in items] == ["aa", None, "bb", None, "cc"]
    # The workers' own logging went nowhere: the caller's conversion will say it, once.
    assert "odd one" not in caplog.text


def test_a_worker_that_dies_leaves_the_rest_to_the_caller_without_hanging(caplog) -> None:
    def convert(item: str) -> str:
        if item == "fatal" and _in_worker():
            os._exit(3)
        return item

    items = ["a", "b", "fatal", *(f"x{n}" for n in range(20))]
    work = ahead.WorkAhead(convert, items, 2)
    with caplog.at_level(logging.WARNING):
        taken = [work.take(item) for item in items]
    assert taken[2] is None
    assert set(taken) <= {None, *items}
    stopped = [r for r in caplog.records if "worker process stopped" in r.getMessage()]
    assert len(stopped) == 1


def test_the_workers_are_gone_once_the_last_result_is_taken() -> None:
    items = [str(n) for n in range(10)]
    work = ahead.WorkAhead(str.upper, items, 2)
    for item in items:
        work.take(item)
    assert multiprocessing.active_children() == []
    assert work.take("0") is None
