"""One configuration per process: every program runs the settings file exactly once.

Each program runs in a process of its own, on a settings file that records every time it runs.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from reader_stories.config import point_settings_at, settings_path

ROOT = Path(__file__).resolve().parents[2]
SECRET = "configuration-test-secret-0123456789-abc"
COUNTING_SETTINGS = """
import os
from pelicanconf import *  # noqa: F403

with open(os.environ["SETTINGS_RUNS"], "a", encoding="utf-8") as runs:
    runs.write("ran\\n")
PATH = {content!r}
THEME = {theme!r}
OUTPUT_PATH = {output!r}
CACHE_PATH = {cache!r}
COMMENTS = {{"database_url": {database!r}, "secret_key": {secret!r}}}
"""


@pytest.fixture
def counting(tmp_path: Path) -> dict[str, str]:
    """The environment of a process whose settings file counts its own runs."""
    settings = tmp_path / "countingconf.py"
    settings.write_text(
        COUNTING_SETTINGS.format(
            content=str(ROOT / "content"),
            theme=str(ROOT / "theme"),
            output=str(tmp_path / "output"),
            cache=str(tmp_path / "cache"),
            database=f"sqlite:///{tmp_path / 'comments.sqlite3'}",
            secret=SECRET,
        ),
        encoding="utf-8",
    )
    return {
        **os.environ,
        "PELICAN_SETTINGS": str(settings),
        "SETTINGS_RUNS": str(tmp_path / "runs.txt"),
    }


def runs(env: dict[str, str]) -> int:
    path = Path(env["SETTINGS_RUNS"])
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def python(env: dict[str, str], code: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
def test_the_development_server_reads_the_settings_once(counting: dict[str, str]) -> None:
    """`invoke serve`: the build, the intake, the admin, the republisher and mail."""
    python(
        counting,
        "import os\n"
        "from pathlib import Path\n"
        "from sitetools.serve import development_server\n"
        "server = development_server(Path(os.environ['PELICAN_SETTINGS']),"
        " Path(os.environ['SETTINGS_RUNS']).parent / 'output')\n"
        "assert server.build is not None and server.config.site.sitename == 'Next Round'\n",
    )
    assert runs(counting) == 1


def test_the_asgi_factory_reads_the_settings_once(counting: dict[str, str]) -> None:
    python(
        counting,
        "from reader_stories.web import create_app\n"
        "app = create_app()\n"
        "paths = [route.path for route in app.routes]\n"
        "assert paths == ['/stories', '/stories', '/admin', '/admin'], paths\n",
    )
    assert runs(counting) == 1


@pytest.mark.parametrize(
    "task", [["comments.pending"], ["comments.purge"], ["comments.reply", "1", "--text", "Hi"]]
)
def test_a_moderation_command_reads_the_settings_once(counting: dict[str, str], task) -> None:
    """A reply also needs the author's name, a purge the rate-limit window: still one run."""
    done = subprocess.run(
        [sys.executable, "-m", "invoke", *task],
        cwd=ROOT,
        env=counting,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr
    assert runs(counting) == 1


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_uvicorn_serves_the_intake_and_the_admin_from_the_factory(
    counting: dict[str, str], tmp_path: Path
) -> None:
    """As a blog owner runs it without invoke: `uvicorn --factory reader_stories.web:create_app`."""
    port = free_port()
    command = ["-m", "uvicorn", "--factory", "reader_stories.web:create_app", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, *command], env=counting, cwd=tmp_path, stderr=subprocess.PIPE
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                received = httpx.get(f"{base}/stories/received", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.1)
        assert received.status_code == 200 and "Next Round" in received.text
        admin = httpx.get(f"{base}/admin", follow_redirects=True, timeout=5)
        # No password hash yet: the admin says how to switch it on.
        assert admin.status_code == 503 and "comments.set-password" in admin.text
    finally:
        server.terminate()
        _out, errors = server.communicate(timeout=30)
    assert b"Traceback" not in errors
    assert runs(counting) == 1


def test_a_deployment_points_the_commands_at_its_settings_once(tmp_path: Path) -> None:
    """`invoke use-settings publishconf.py`, then no command needs PELICAN_SETTINGS."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pelicanconf.py").write_text("SITENAME = 'Development'\n", encoding="utf-8")
    (project / "publishconf.py").write_text("SITENAME = 'Production'\n", encoding="utf-8")
    environ: dict[str, str] = {}
    assert settings_path(environ=environ, folder=project) == project / "pelicanconf.py"
    point_settings_at(Path("publishconf.py"), project)
    assert settings_path(environ=environ, folder=project) == project / "publishconf.py"
    # The environment still wins, and a name given wins over both.
    assert settings_path(environ={"PELICAN_SETTINGS": "pelicanconf.py"}, folder=project) == (
        project / "pelicanconf.py"
    )
    assert settings_path("pelicanconf.py", environ, project) == project / "pelicanconf.py"
