"""`invoke intake --workers 2`: two worker processes on one SQLite store, as a server with two
cores runs it. Every acknowledged story is stored once, both workers take stories, and the
settings reach every worker (a wrong option is refused before any starts).
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
import pytest
from test_intake import JSON_HEADERS, SECRET, STORY, story_form

ROOT = Path(__file__).resolve().parents[3]
SUBMISSIONS = 120
CONCURRENT = 10
WAIT = 60.0  # bounds how long the test waits for the service to listen; never asserted on


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def worker_processes(pid: int) -> list[int]:
    """The worker processes uvicorn started under ``pid`` (multiprocessing's spawned children;
    its resource tracker is left out)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        for child in task.read_text("utf-8").split():
            command = Path(f"/proc/{child}/cmdline").read_bytes()
            if b"spawn_main" in command:
                found.append(int(child))
    return found


def invoke_intake(*options: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "invoke", "intake", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # the master and its workers stop together at the end
    )


@contextmanager
def serving(tmp_path: Path, workers: int) -> Iterator[tuple[str, int, Path]]:
    database = tmp_path / "stories.sqlite3"
    env = {
        **os.environ,
        "COMMENTS_DATABASE_URL": f"sqlite:///{database}",
        "COMMENTS_SECRET_KEY": SECRET,
        "COMMENTS_RATE_LIMIT": "100000/60",
    }
    port = free_port()
    child = invoke_intake("--port", str(port), "--workers", str(workers), env=env)
    try:
        deadline = time.monotonic() + WAIT
        while True:
            assert child.poll() is None, child.stdout.read() if child.stdout else ""
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "the service did not listen"
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", child.pid, database
    finally:
        os.killpg(child.pid, signal.SIGINT)
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        if child.stdout:
            child.stdout.close()


@pytest.mark.slow
def test_two_workers_on_one_sqlite_store_store_every_acknowledged_story(tmp_path: Path) -> None:
    with serving(tmp_path, workers=2) as (base, master, database):
        workers = worker_processes(master)
        assert len(workers) == 2, workers

        def send(number: int) -> tuple[str, int]:
            text = f"{STORY} Story number {number} of the burst."
            with httpx.Client(base_url=base, timeout=30, headers=JSON_HEADERS) as client:
                return text, client.post("/stories/", json=story_form(story=text)).status_code

        before = {pid: cpu_ticks(pid) for pid in workers}
        with ThreadPoolExecutor(max_workers=CONCURRENT) as pool:
            results = list(pool.map(send, range(SUBMISSIONS)))
        worked = [pid for pid in workers if cpu_ticks(pid) > before[pid]]
    assert Counter(code for _, code in results) == Counter({202: SUBMISSIONS})
    with closing(sqlite3.connect(database)) as db:
        stored = sorted(text for (text,) in db.execute("SELECT body_markdown FROM stories"))
    assert stored == sorted(text for text, _ in results)
    assert worked == workers, "both workers took stories"


def cpu_ticks(pid: int) -> int:
    """The CPU time a process has used so far, in clock ticks (user and system)."""
    fields = Path(f"/proc/{pid}/stat").read_text("utf-8").rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def test_a_wrong_worker_count_is_refused_in_words(tmp_path: Path) -> None:
    env = {**os.environ, "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    child = invoke_intake("--workers", "0", env=env)
    output, _ = child.communicate(timeout=60)
    assert child.returncode == 1
    assert "--workers must be 1 or more." in output
