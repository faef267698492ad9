"""kill -9 of the intake under load: every submission it acknowledged is in the store after."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

from reader_stories.store import open_store
from reader_stories.tokens import make_article_token

ROOT = Path(__file__).resolve().parents[3]
SECRET = "crash-test-secret-0123456789-abcdefghij"
SLUG = "handling-job-rejection"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_intake(port: int, db_url: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PELICAN_SETTINGS": str(ROOT / "pelicanconf.py"),
        "COMMENTS_DATABASE_URL": db_url,
        "COMMENTS_SECRET_KEY": SECRET,
        "COMMENTS_RATE_LIMIT": "100000/60",
        "COMMENTS_MAX_PENDING": "100000",
    }
    # The service as production runs it: any ASGI server, here uvicorn, with the app factory.
    factory = ["-m", "uvicorn", "--factory", "reader_stories.web:create_app", "--port", str(port)]
    process = subprocess.Popen([sys.executable, *factory, "--log-level", "warning"], env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/stories/received", timeout=1)
            return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("the intake did not start")


def test_every_acknowledged_story_survives_kill_9(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    port = free_port()
    server = start_intake(port, db_url)
    token = make_article_token(SECRET, SLUG)
    acknowledged: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def client(worker: int) -> None:
        with httpx.Client(timeout=5) as http:
            for n in range(100):  # bounded: at most 800 submissions in all
                if stop.is_set():
                    return
                marker = f"crash-{worker}-{n}"
                try:
                    answer = http.post(
                        f"http://127.0.0.1:{port}/stories/",
                        json={
                            "article": SLUG,
                            "token": token,
                            "name": f"Writer {worker}",
                            "story": f"{marker}: a story sent while the server may be killed.",
                            "consent": "yes",
                            "reply_to": "",
                        },
                        headers={"Accept": "application/json"},
                    )
                except httpx.TransportError:
                    return  # the server is gone: this one was never acknowledged
                if answer.status_code == 202:
                    with lock:
                        acknowledged.append(marker)

    workers = [threading.Thread(target=client, args=(i,)) for i in range(8)]
    for worker in workers:
        worker.start()
    deadline = time.monotonic() + 30
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.005)
    server.send_signal(signal.SIGKILL)  # mid-flight: clients are still sending
    server.wait(timeout=10)
    stop.set()
    for worker in workers:
        worker.join(timeout=10)
    assert len(acknowledged) >= 60

    restarted = start_intake(port, db_url)
    try:
        with open_store(db_url) as store:
            stored = {s.body_markdown.split(":", 1)[0] for s in store.pending()}
    finally:
        restarted.terminate()
        restarted.wait(timeout=10)
    missing = [marker for marker in acknowledged if marker not in stored]
    assert missing == []
