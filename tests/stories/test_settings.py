from __future__ import annotations

from pathlib import Path

import pytest

from reader_stories.config import load_config
from reader_stories.settings import (
    ENVIRONMENT,
    RateLimit,
    SettingsError,
    build_settings,
)

SECRET = "s" * 40


def test_defaults_with_a_generated_dev_secret_kept_in_var(tmp_path: Path) -> None:
    first = build_settings({}, {}, tmp_path, "http://127.0.0.1:8000")
    again = build_settings({}, {}, tmp_path, "http://127.0.0.1:8000")
    assert first.secret_key == again.secret_key and len(first.secret_key) >= 32
    assert (tmp_path / "var" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first.database_url == f"sqlite:///{tmp_path}/var/comments.sqlite3"
    assert first.rate_limit == RateLimit(5, 600)
    assert first.allowed_origins == ("http://127.0.0.1:8000",)


def test_environment_overrides_the_comments_dict(tmp_path: Path) -> None:
    settings = build_settings(
        {"rate_limit": "2/60", "max_links": 1, "secret_key": SECRET},
        {"COMMENTS_RATE_LIMIT": "9/90", "COMMENTS_TRUSTED_PROXIES": "10.0.0.1, 192.168.0.0/16"},
        tmp_path,
    )
    assert settings.rate_limit == RateLimit(9, 90)
    assert settings.max_links == 1
    assert settings.trusted_proxies == ("10.0.0.1", "192.168.0.0/16")
    assert not (tmp_path / "var").exists()


def test_every_setting_has_an_environment_variable() -> None:
    assert ENVIRONMENT["database_url"] == "COMMENTS_DATABASE_URL"
    assert ENVIRONMENT["secret_key"] == "COMMENTS_SECRET_KEY"
    assert ENVIRONMENT["rate_limit"] == "COMMENTS_RATE_LIMIT"


def test_production_refuses_to_start_without_a_secret(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="COMMENTS_SECRET_KEY is not set"):
        build_settings({"production": True}, {}, tmp_path)
    with pytest.raises(SettingsError, match="COMMENTS_SECRET_KEY is not set"):
        build_settings({}, {"COMMENTS_PRODUCTION": "true"}, tmp_path)
    assert not (tmp_path / "var").exists()


@pytest.mark.parametrize(
    ("configured", "environ", "message"),
    [
        ({"rate_limit": "lots"}, {}, "write it as COUNT/SECONDS"),
        ({"rate_limit": "0/60"}, {}, "needs a positive count"),
        ({}, {"COMMENTS_MAX_PENDING": "many"}, "COMMENTS_MAX_PENDING is 'many'"),
        ({}, {"COMMENTS_PRODUCTION": "perhaps"}, "use true or false"),
        ({"colour": "red"}, {}, "unknown key"),
        ({}, {"COMMENTS_TRUSTED_PROXIES": "proxy.example"}, "not an IP address"),
        ({"secret_key": "short"}, {}, "too short"),
    ],
)
def test_bad_settings_are_named(tmp_path: Path, configured, environ, message) -> None:
    with pytest.raises(SettingsError, match=message):
        build_settings(configured, environ, tmp_path)


def test_load_config_reads_the_pelican_settings_files(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parents[2]
    environ = {"COMMENTS_SECRET_KEY": SECRET, "SITEURL": "https://careers.example"}
    dev = load_config(root / "pelicanconf.py", environ)
    assert dev.comments.secret_key == SECRET and dev.comments.production is False
    assert dev.site.sitename == "Next Round" and dev.site.output == root / "output"
    assert dev.site.templates == root / "theme" / "templates"
    assert dev.site.article_page("x") == root / "output" / "x" / "index.html"
    with pytest.raises(SettingsError, match="COMMENTS_SECRET_KEY is not set"):
        load_config(root / "publishconf.py", {})


def test_no_development_secret_is_made_beside_a_store_made_with_other_settings(
    tmp_path: Path,
) -> None:
    """A server's store opened with the development settings: refuse, and say how to fix it."""
    store = tmp_path / "var" / "comments.sqlite3"
    store.parent.mkdir()
    store.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    with pytest.raises(SettingsError) as refused:
        build_settings({}, {}, tmp_path, "http://127.0.0.1:8000")
    message = str(refused.value)
    assert "COMMENTS_SECRET_KEY is not set" in message and "use-settings publishconf.py" in message
    assert not (tmp_path / "var" / "secret_key").exists()
    # A store that is empty (a first start that failed) is nobody's yet.
    store.write_bytes(b"")
    assert build_settings({}, {}, tmp_path, "http://127.0.0.1:8000").secret_key


def test_the_held_bin_needs_a_day_and_room(tmp_path: Path) -> None:
    for name, message in (
        ("held_days", "COMMENTS_HELD_DAYS is 0; keep held stories for at least 1 day."),
        ("max_held", "COMMENTS_MAX_HELD is 0; the held bin needs room for 1 story or more."),
    ):
        with pytest.raises(SettingsError) as refused:
            build_settings({name: 0, "secret_key": SECRET}, {}, tmp_path)
        assert str(refused.value) == message
    settings = build_settings({"spam_threshold": "7", "secret_key": SECRET}, {}, tmp_path)
    assert (settings.spam_threshold, settings.max_held, settings.held_days) == (7, 5000, 14)
    assert settings.spam_learning and settings.spam_script == "Latin"
