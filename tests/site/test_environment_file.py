"""A server checkout reads its production environment file for commands run by hand.

docs/deploy.md points the checkout at /etc/nextround/stories.env once; a moderator's
`invoke comments.pending` or `reader-stories pending` then runs with the secret and SITEURL
systemd gives the service, without sourcing anything.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader_stories.env_file import (
    apply_environment,
    forget_environment,
    point_environment_at,
    read_environment,
)
from reader_stories.settings import SettingsError

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy" / "stories.env.example"
SECRET = "environment-file-test-secret-0123456789-abcdef"
HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA"
# A production settings file that, like publishconf.py, takes SITEURL from the environment.
PRODUCTION_SETTINGS = """
import os
SITEURL = os.environ.get("SITEURL", "https://unset.example")
COMMENTS = {"production": True, "database_url": %r}
"""


def filled_example(path: Path) -> Path:
    """deploy/stories.env.example as an owner fills it in, the hash quoted as the docs print it."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("COMMENTS_SECRET_KEY=\n", f"COMMENTS_SECRET_KEY={SECRET}\n")
    text = text.replace(
        "COMMENTS_ADMIN_PASSWORD_HASH=\n", f"COMMENTS_ADMIN_PASSWORD_HASH='{HASH}'\n"
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_example_reads_as_systemd_reads_it(tmp_path: Path) -> None:
    values = read_environment(filled_example(tmp_path / "stories.env"))
    assert values["COMMENTS_SECRET_KEY"] == SECRET
    # Quoted, and no $-expansion: the argon2 hash arrives whole.
    assert values["COMMENTS_ADMIN_PASSWORD_HASH"] == HASH
    assert values["SITEURL"] == "https://careers.example"
    assert values["PUBLISH_TARGET"] == "/var/www/nextround"
    assert not any(key.startswith("#") for key in values)


def test_variables_already_set_win_over_the_file(tmp_path: Path) -> None:
    point_environment_at(filled_example(tmp_path / "stories.env"), tmp_path)
    environ = {"SITEURL": "https://staging.example"}
    apply_environment(tmp_path, environ)
    assert environ["SITEURL"] == "https://staging.example"
    assert environ["COMMENTS_SECRET_KEY"] == SECRET
    forget_environment(tmp_path)
    untouched: dict[str, str] = {}
    apply_environment(tmp_path, untouched)
    assert untouched == {}


@pytest.mark.parametrize("problem", ["missing", "folder"])
def test_a_file_that_cannot_be_read_is_named_with_the_fix(tmp_path: Path, problem: str) -> None:
    env_file = tmp_path / "stories.env"
    if problem == "folder":
        env_file.mkdir()
    point_environment_at(env_file, tmp_path)
    with pytest.raises(SettingsError) as raised:
        apply_environment(tmp_path, {})
    message = str(raised.value)
    assert str(env_file) in message
    if problem == "missing":
        assert "does not exist" in message and "deploy/stories.env.example" in message
    else:
        assert "cannot be read" in message and "chmod 0640" in message


def test_a_moderation_command_on_the_server_needs_nothing_sourced(tmp_path: Path) -> None:
    """The pointed checkout's `reader-stories pending` runs in production with the file's
    secret; the same command without the pointer refuses, saying the secret is missing."""
    project = tmp_path / "project"
    project.mkdir()
    database = f"sqlite:///{project / 'var' / 'comments.sqlite3'}"
    (project / "prodconf.py").write_text(PRODUCTION_SETTINGS % database, encoding="utf-8")
    (project / "var").mkdir()
    (project / "var" / "settings-file").write_text("prodconf.py\n", encoding="utf-8")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("COMMENTS_") and key not in {"SITEURL", "PELICAN_SETTINGS"}
    }
    command = [str(Path(sys.executable).parent / "reader-stories"), "pending"]

    refused = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert "COMMENTS_SECRET_KEY is not set" in refused.stderr
    assert "Traceback" not in refused.stderr

    point_environment_at(filled_example(tmp_path / "stories.env"), project)
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "No stories are waiting" in done.stdout
