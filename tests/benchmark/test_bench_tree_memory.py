"""The build's memory counts its worker processes: a child with workers weighs more than alone."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bench.tree_memory import TreeMemory

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")

# A child that holds 60 MiB of its own, then forks workers that each fill 40 MiB of their own.
HOLDER = """
import multiprocessing, sys, time
def fill(_):
    block = bytearray(40 * 1024 * 1024)
    block[::4096] = b"x" * len(block[::4096])
    time.sleep(0.6)
    return len(block)
own = bytearray(60 * 1024 * 1024)
own[::4096] = b"y" * len(own[::4096])
workers = int(sys.argv[1])
if workers:
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(fill, range(workers))
else:
    time.sleep(0.6)
"""


# Measured from a process of its own: in the suite, the test process has children of other
# tests (servers, browsers) whose memory must not count.
MEASURE = """
import subprocess, sys, time
from bench.tree_memory import TreeMemory
with TreeMemory(interval=0.01) as tree:
    subprocess.run([sys.executable, "-c", sys.argv[1], sys.argv[2]], check=True)
    time.sleep(0.05)
print(tree.peak_kib, tree.most_processes)
"""


def _peak(workers: int) -> TreeMemory:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, HOLDER, str(workers)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    peak, most = done.stdout.split()
    tree = TreeMemory()
    tree.peak_kib, tree.most_processes = int(peak), int(most)
    return tree


def test_workers_peaks_add_to_the_builds_own() -> None:
    alone, with_workers = _peak(0), _peak(2)
    assert alone.most_processes == 1 and with_workers.most_processes == 3
    assert alone.peak_kib > 60 * 1024
    # Each worker's own 40 MiB counts; the pages it shares with its parent count once.
    assert with_workers.peak_kib > alone.peak_kib + 60 * 1024
    assert with_workers.peak_kib < alone.peak_kib + 3 * 60 * 1024
