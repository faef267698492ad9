"""Moderation commands handed to the running service (reader_stories/control.py).

The listener and the client talk over a real Unix socket; the last test runs `invoke
comments.approve` against a real `invoke intake` and checks the command's own process never
loaded the database layer: the service did the work.
"""

from __future__ import annotations

import getpass
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import IO

import pytest
from stories_support import add, make_config

from reader_stories.cli_moderators import acting_name
from reader_stories.config import Config
from reader_stories.control import (
    DELEGATED,
    MSG_NO_ANSWER,
    ControlListener,
    delegate,
    socket_path,
)
from reader_stories.settings import CommentsSettings
from reader_stories.store import open_store

ROOT = Path(__file__).resolve().parents[2]
WAIT = 60.0  # bounds waiting for a process to listen; never asserted on


class Recorder:
    """Stands in for the command line inside the service: records what it was asked."""

    def __init__(self) -> None:
        self.asked: list[list[str]] = []
        self.users: list[str | None] = []

    def __call__(self, argv: Sequence[str], out: IO[str], err: IO[str], user: str | None) -> int:
        self.asked.append(list(argv))
        self.users.append(user)
        print(f"#{argv[1]} approved", file=out)
        print("a warning", file=err)
        return 3


@pytest.fixture
def config() -> Config:
    # A short folder of its own: a Unix socket's path must stay under about 100 bytes.
    settings = CommentsSettings(database_url="sqlite:////nonexistent/x.sqlite3")
    return replace(make_config(settings), state=Path(tempfile.mkdtemp(prefix="ctl-")))


@pytest.fixture
def listening(config: Config) -> Iterator[tuple[ControlListener, Recorder]]:
    recorder = Recorder()
    listener = ControlListener(config, recorder).start()
    try:
        yield listener, recorder
    finally:
        listener.stop()


def test_the_service_runs_the_command_and_the_answer_is_what_it_printed(
    config: Config, listening: tuple[ControlListener, Recorder]
) -> None:
    _listener, recorder = listening
    assert oct(socket_path(config.state).stat().st_mode & 0o777) == "0o600"
    answer = delegate(config, ["approve", "12,13"])
    assert answer is not None
    assert (answer.code, answer.out, answer.err) == (3, "#12,13 approved\n", "a warning\n")
    assert recorder.asked == [["approve", "12,13"]]
    assert recorder.users == [getpass.getuser()]  # who typed it, for the history


def test_a_command_for_another_store_runs_in_its_own_process(
    config: Config, listening: tuple[ControlListener, Recorder]
) -> None:
    _listener, recorder = listening
    other = replace(config, comments=replace(config.comments, database_url="sqlite:////o.db"))
    assert delegate(other, ["approve", "12"]) is None
    assert recorder.asked == []


def test_only_actions_on_stories_are_handed_over(
    config: Config, listening: tuple[ControlListener, Recorder]
) -> None:
    listener, recorder = listening
    assert "pending" not in DELEGATED and "set-password" not in DELEGATED
    assert delegate(config, ["pending"]) is None
    assert delegate(config, []) is None
    refused = listener.handle(b'{"argv": ["set-password"], "identity": {}}')
    assert refused == {"refused": "not a command the service runs"}
    assert listener.handle(b"\xff not json") == {"refused": "not a request"}
    assert listener.handle(b'{"argv": ["approve", 5]}') == {
        "refused": "not a command the service runs"
    }
    assert recorder.asked == []


def test_without_a_listening_service_the_command_runs_itself(config: Config) -> None:
    assert delegate(config, ["approve", "1"]) is None  # no socket at all
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(socket_path(config.state)))  # left behind by a service that died
    stale.close()
    assert delegate(config, ["approve", "1"]) is None


def test_one_process_of_a_service_listens_and_a_second_leaves_its_socket_alone(
    config: Config, listening: tuple[ControlListener, Recorder]
) -> None:
    _first, recorder = listening
    second = ControlListener(config, Recorder()).start()
    try:
        assert delegate(config, ["spam", "7"]) is not None
        assert recorder.asked == [["spam", "7"]]  # still the first one's socket
    finally:
        second.stop()
    assert socket_path(config.state).exists()  # the second never owned it


def test_a_request_sent_but_never_answered_is_not_run_again(config: Config) -> None:
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(socket_path(config.state)))
    server.listen(1)

    def take_and_hang_up() -> None:
        connection, _ = server.accept()
        connection.recv(65536)
        connection.close()

    taker = threading.Thread(target=take_and_hang_up)
    taker.start()
    try:
        answer = delegate(config, ["delete", "4"])
    finally:
        taker.join(WAIT)
        server.close()
    assert answer is not None
    assert (answer.code, answer.err) == (1, MSG_NO_ANSWER)


def test_invoke_approve_is_done_by_the_running_intake(tmp_path: Path) -> None:
    folder = Path(tempfile.mkdtemp(prefix="ctl-"))
    settings = folder / "conf.py"
    settings.write_text(
        f"from pelicanconf import *  # noqa: F403\nOUTPUT_PATH = {str(tmp_path / 'site')!r}\n"
        f"THEME = {str(ROOT / 'theme')!r}\n",
        "utf-8",
    )
    database = f"sqlite:///{folder / 'stories.sqlite3'}"
    env = {
        **os.environ,
        "PELICAN_SETTINGS": str(settings),
        "PYTHONPATH": str(ROOT),
        "COMMENTS_DATABASE_URL": database,
        "COMMENTS_SECRET_KEY": "control-test-secret-" + "k" * 32,
    }
    with open_store(database) as store:
        story = add(store)
    service = subprocess.Popen(
        [sys.executable, "-m", "invoke", "intake", "--port", "0"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + WAIT
        while not (folder / "var" / "stories.sock").exists():
            assert service.poll() is None and time.monotonic() < deadline, "no socket"
            time.sleep(0.1)
        command = (
            "import sys, tasks\n"
            f"tasks._cli('approve', '{story.id}')\n"
            "print('database layer loaded:', 'sqlalchemy' in sys.modules)\n"
        )
        done = subprocess.run(
            [sys.executable, "-c", command], cwd=ROOT, env=env, capture_output=True, text=True
        )
    finally:
        os.killpg(service.pid, signal.SIGINT)
        service.wait(WAIT)
    assert done.returncode == 0, done.stderr
    assert f"#{story.id} approved" in done.stdout
    assert "database layer loaded: False" in done.stdout
    with open_store(database) as store, store.reading() as tx:
        assert tx.get(story.id).status.value == "approved"
        approved = tx.events(story.id)[-1]
    assert approved.actor == acting_name(None)  # the command's user, not the service's
