"""Reader-story settings: the COMMENTS dict of the Pelican settings, then environment overrides.

Read once, validated once, frozen. The intake service reads the same settings file as the build
without importing Pelican (settings files are plain Python), so both always agree.
"""

from __future__ import annotations

import ipaddress
import os
import runpy
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_DATABASE_URL = "sqlite:///var/comments.sqlite3"
DEV_SECRET_FILE = Path("var") / "secret_key"


class SettingsError(ValueError):
    """A reader-story setting is missing or malformed; the message names it and the fix."""


@dataclass(frozen=True)
class RateLimit:
    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """'5/600' means at most 5 submissions per client network in 600 seconds."""
        try:
            count, seconds = (int(part) for part in str(text).split("/"))
        except ValueError:
            raise SettingsError(
                f"COMMENTS rate_limit is {text!r}; write it as COUNT/SECONDS, e.g. 5/600."
            ) from None
        if count < 1 or seconds < 1:
            raise SettingsError(f"COMMENTS rate_limit {text!r} needs a positive count and period.")
        return cls(count, seconds)

    def __str__(self) -> str:
        return f"{self.count}/{self.seconds}"


@dataclass(frozen=True)
class CommentsSettings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    production: bool = False
    rate_limit: RateLimit = RateLimit(5, 600)
    trusted_proxies: tuple[str, ...] = ()
    max_pending: int = 1000
    max_links: int = 3
    duplicate_window: int = 86400
    max_body_bytes: int = 65536
    intake_url: str = ""
    allowed_origins: tuple[str, ...] = ()
    author_name: str = "Next Round editors"


# Setting name -> environment variable; every setting can be overridden from the environment.
ENVIRONMENT = {field.name: f"COMMENTS_{field.name.upper()}" for field in fields(CommentsSettings)}


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{ENVIRONMENT[name]} is {value!r}; use true or false.")


def _as_int(name: str, value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise SettingsError(
            f"{ENVIRONMENT[name]} is {value!r}; it must be a whole number."
        ) from None
    if number < 0:
        raise SettingsError(f"{ENVIRONMENT[name]} is {number}; it cannot be negative.")
    return number


def _as_tuple(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = value.split(",")
    return tuple(item.strip() for item in value if item and item.strip())


def _check_proxies(proxies: tuple[str, ...]) -> tuple[str, ...]:
    for proxy in proxies:
        try:
            ipaddress.ip_network(proxy, strict=False)
        except ValueError:
            raise SettingsError(
                f"COMMENTS_TRUSTED_PROXIES has {proxy!r}, which is not an IP address or network."
            ) from None
    return proxies


def dev_secret(folder: Path) -> str:
    """A development secret, generated once and kept in var/ (never committed)."""
    path = folder / DEV_SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


def build_settings(
    configured: Mapping[str, Any],
    environ: Mapping[str, str],
    project_root: Path,
    siteurl: str = "",
) -> CommentsSettings:
    """Merge defaults, the COMMENTS dict and the environment (in that order) and validate."""
    known = set(ENVIRONMENT)
    unknown = sorted(set(configured) - known)
    if unknown:
        raise SettingsError(
            f"COMMENTS has unknown key(s) {', '.join(unknown)}; "
            f"known keys: {', '.join(sorted(known))}."
        )
    merged: dict[str, Any] = dict(configured)
    for name, variable in ENVIRONMENT.items():
        if variable in environ:
            merged[name] = environ[variable]
    values: dict[str, Any] = {}
    for field in fields(CommentsSettings):
        if field.name not in merged:
            continue
        raw = merged[field.name]
        if field.name == "production":
            values[field.name] = _as_bool(field.name, raw)
        elif field.name == "rate_limit":
            values[field.name] = raw if isinstance(raw, RateLimit) else RateLimit.parse(raw)
        elif field.name in {"trusted_proxies", "allowed_origins"}:
            values[field.name] = _as_tuple(raw)
        elif field.name in {"max_pending", "max_links", "duplicate_window", "max_body_bytes"}:
            values[field.name] = _as_int(field.name, raw)
        else:
            values[field.name] = str(raw).strip()
    settings = CommentsSettings(**values)
    _check_proxies(settings.trusted_proxies)
    if not settings.secret_key:
        if settings.production:
            raise SettingsError(
                "COMMENTS_SECRET_KEY is not set. Production refuses to start without one: "
                'generate one with `python -c "import secrets; print(secrets.token_urlsafe(48))"` '
                "and set it in the environment."
            )
        settings = replace(settings, secret_key=dev_secret(project_root))
    elif len(settings.secret_key) < 32:
        raise SettingsError("COMMENTS_SECRET_KEY is too short; use at least 32 characters.")
    if not settings.allowed_origins and siteurl:
        settings = replace(settings, allowed_origins=(_origin(siteurl),))
    if settings.database_url.startswith("sqlite:///") and not settings.database_url.startswith(
        "sqlite:////"
    ):
        relative = settings.database_url.removeprefix("sqlite:///")
        settings = replace(settings, database_url=f"sqlite:///{project_root / relative}")
    return settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def load_settings(
    settings_file: Path, environ: Mapping[str, str] | None = None
) -> CommentsSettings:
    """Read COMMENTS and SITEURL from a Pelican settings file without importing Pelican."""
    settings_file = Path(settings_file).resolve()
    namespace = runpy.run_path(str(settings_file))
    return build_settings(
        namespace.get("COMMENTS", {}),
        os.environ if environ is None else environ,
        settings_file.parent,
        namespace.get("SITEURL", ""),
    )
