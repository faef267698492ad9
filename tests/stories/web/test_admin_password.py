"""The moderator password: hashing, `invoke comments.set-password`, and where settings find it.

The task writes next to the settings file it is pointed at (PELICAN_SETTINGS), so these tests
point it at a settings file in tmp_path and never touch the repository's own var/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader_stories.config import load_config
from reader_stories.settings import (
    ADMIN_ENV_FILE,
    SettingsError,
    build_settings,
    read_env_file,
)
from reader_stories.web.admin.passwords import (
    MSG_MISMATCH,
    MSG_SHORT,
    hash_password,
    read_new_password,
    set_password,
    verify_password,
)

ROOT = Path(__file__).resolve().parents[3]
SECRET = "password-tests-secret-" + "p" * 32
PASSWORD = "a long enough moderator password"
SETTINGS_TEXT = f"""
SITEURL = "http://127.0.0.1:8000"
COMMENTS = {{"database_url": "sqlite:///var/comments.sqlite3", "secret_key": "{SECRET}"}}
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project folder of its own: a settings file, and var/ beside it once something writes."""
    (tmp_path / "pelicanconf.py").write_text(SETTINGS_TEXT, encoding="utf-8")
    return tmp_path


def test_hashes_verify_only_the_right_password() -> None:
    hashed = hash_password(PASSWORD)
    assert hashed.startswith("$argon2id$") and PASSWORD not in hashed
    assert verify_password(hashed, PASSWORD)
    assert not verify_password(hashed, PASSWORD + "!")
    assert not verify_password(hashed, "")
    assert not verify_password("", PASSWORD)
    assert not verify_password("$argon2id$garbage", PASSWORD)
    assert hash_password(PASSWORD) != hashed  # salted


def test_a_new_password_is_typed_twice_and_long_enough() -> None:
    answers = iter([PASSWORD, PASSWORD])
    assert read_new_password(ask=lambda _prompt: next(answers)) == PASSWORD
    answers = iter([PASSWORD, PASSWORD + "x"])
    with pytest.raises(ValueError, match=MSG_MISMATCH):
        read_new_password(ask=lambda _prompt: next(answers))
    with pytest.raises(ValueError, match=MSG_SHORT):
        read_new_password(ask=lambda _prompt: "short")


def test_a_password_file_gives_its_first_line(tmp_path: Path) -> None:
    path = tmp_path / "password.txt"
    path.write_text(PASSWORD + "\nanything after\n", encoding="utf-8")
    assert read_new_password(str(path)) == PASSWORD
    path.write_text("", encoding="utf-8")
    with pytest.raises(ValueError, match="empty"):
        read_new_password(str(path))


def test_set_password_writes_a_private_env_file_the_settings_read(project: Path) -> None:
    message = set_password(PASSWORD, project, environ={})
    path = project / ADMIN_ENV_FILE
    assert message == f"Wrote the password hash to {path}. Restart the server to use it."
    assert path.stat().st_mode & 0o777 == 0o600
    text = path.read_text(encoding="utf-8")
    assert PASSWORD not in text
    [line] = [line for line in text.splitlines() if not line.startswith("#")]
    assert line.startswith("COMMENTS_ADMIN_PASSWORD_HASH='$argon2id$") and line.endswith("'")
    settings = load_config(project / "pelicanconf.py", {}).comments
    assert verify_password(settings.admin_password_hash, PASSWORD)
    # A second run replaces the hash: the old password stops working.
    set_password("another long password", project, environ={})
    again = load_config(project / "pelicanconf.py", {}).comments
    assert verify_password(again.admin_password_hash, "another long password")
    assert not verify_password(again.admin_password_hash, PASSWORD)


def test_the_environment_wins_over_the_env_file_which_wins_over_comments(project: Path) -> None:
    (project / "pelicanconf.py").write_text(
        SETTINGS_TEXT.replace('"secret_key"', '"secure_cookies": False, "secret_key"'),
        encoding="utf-8",
    )
    set_password(PASSWORD, project, environ={})
    with (project / ADMIN_ENV_FILE).open("a", encoding="utf-8") as handle:
        handle.write('COMMENTS_SECURE_COOKIES="true"\n')
    from_file = load_config(project / "pelicanconf.py", {}).comments
    assert from_file.secure_cookies is True
    overridden = load_config(
        project / "pelicanconf.py",
        {"COMMENTS_SECURE_COOKIES": "false", "COMMENTS_ADMIN_PASSWORD_HASH": ""},
    ).comments
    assert overridden.secure_cookies is False and overridden.admin_password_hash == ""
    message = set_password(
        PASSWORD, project, environ={"COMMENTS_ADMIN_PASSWORD_HASH": from_file.admin_password_hash}
    )
    assert "takes precedence" in message


def test_print_only_writes_nothing(project: Path) -> None:
    message = set_password(PASSWORD, project, print_only=True)
    line = message.splitlines()[-1]
    assert line.startswith("COMMENTS_ADMIN_PASSWORD_HASH='$argon2id$")
    assert not (project / "var").exists()


def test_a_malformed_env_file_is_named(project: Path) -> None:
    (project / "var").mkdir()
    (project / ADMIN_ENV_FILE).write_text("# comment\n\nPASSWORD=hunter2\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"admin.env: line 3 is not COMMENTS_NAME=value"):
        read_env_file(project / ADMIN_ENV_FILE)


def test_a_hash_that_is_not_argon2_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="COMMENTS_ADMIN_PASSWORD_HASH is not an argon2 hash"):
        build_settings(
            {"secret_key": SECRET}, {"COMMENTS_ADMIN_PASSWORD_HASH": "hunter2"}, tmp_path
        )
    settings = build_settings({"secret_key": SECRET}, {}, tmp_path)
    assert settings.admin_password_hash == "" and settings.secure_cookies is False


def test_publish_settings_send_cookies_over_https_only() -> None:
    environ = {"COMMENTS_SECRET_KEY": SECRET}
    assert load_config(ROOT / "publishconf.py", environ).comments.secure_cookies is True
    assert load_config(ROOT / "pelicanconf.py", environ).comments.secure_cookies is False


def test_the_invoke_task_writes_beside_the_settings_it_is_pointed_at(project: Path) -> None:
    real = ROOT / ADMIN_ENV_FILE
    before = real.read_bytes() if real.exists() else None
    password_file = project / "password.txt"
    password_file.write_text(PASSWORD + "\n", encoding="utf-8")
    env = {**os.environ, "PELICAN_SETTINGS": str(project / "pelicanconf.py")}
    env.pop("COMMENTS_ADMIN_PASSWORD_HASH", None)
    done = subprocess.run(
        [sys.executable, "-m", "invoke", "comments.set-password", "--password-file", password_file],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"Wrote the password hash to {project / ADMIN_ENV_FILE}" in done.stdout
    settings = load_config(project / "pelicanconf.py", {}).comments
    assert verify_password(settings.admin_password_hash, PASSWORD)
    assert (real.read_bytes() if real.exists() else None) == before

    password_file.write_text("short\n", encoding="utf-8")
    refused = subprocess.run(
        [sys.executable, "-m", "invoke", "comments.set-password", "--password-file", password_file],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1 and MSG_SHORT in refused.stderr
    assert "Traceback" not in refused.stderr
    assert verify_password(
        load_config(project / "pelicanconf.py", {}).comments.admin_password_hash, PASSWORD
    )
