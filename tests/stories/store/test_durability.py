"""An acknowledged submission survives the process being killed the instant after."""

from __future__ import annotations

import signal
import subprocess
import sys

import store_calls as calls

from reader_stories.models import Status
from reader_stories.store import open_store

WANTED = 40

CHILD = """
import sys
from reader_stories.models import Submission
from reader_stories.store import open_store

store = open_store(sys.argv[1])
number = 0
while True:
    number += 1
    with store.writing() as tx:
        story = tx.add_submission(Submission(
            article="handling-job-rejection", name=f"Reader {number}", email=None,
            notify=False, body_markdown=f"Story number {number} about a hard interview.",
            reply_to=None, ip_hash=None,
        ))
    print(story.id, flush=True)
"""


def test_every_acknowledged_id_survives_sigkill(db_url: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert child.stdout is not None
    acknowledged: list[int] = []
    try:
        while len(acknowledged) < WANTED:
            line = child.stdout.readline()
            assert line, f"child stopped early: {child.stderr.read() if child.stderr else ''}"
            acknowledged.append(int(line))
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL
    with open_store(db_url) as store:
        for story_id in acknowledged:
            assert store.get(story_id).status is Status.PENDING
        assert calls.pending_count(store) >= WANTED
