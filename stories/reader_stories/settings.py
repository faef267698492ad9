"""Reader-story settings: the COMMENTS dict of the Pelican settings, then environment overrides.

Read once, validated once, frozen. The intake service reads the same settings file as the build
without importing Pelican (settings files are plain Python), so both always agree.
"""

from __future__ import annotations

import ipaddress
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from dataclasses import field as dataclass_field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reader_stories.story_order import parse_order

DEFAULT_DATABASE_URL = "sqlite:///var/comments.sqlite3"
DEV_SECRET_FILE = Path("var") / "secret_key"
# Written by `invoke comments.set-password`; read after the environment, before COMMENTS.
ADMIN_ENV_FILE = Path("var") / "admin.env"


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
    # Secrets used before secret_key, oldest first: what they signed (article forms, receipts,
    # unsubscribe and confirmation links) is still accepted while a site changes its secret.
    previous_secret_keys: tuple[str, ...] = dataclass_field(default=(), repr=False)
    trusted_proxies: tuple[str, ...] = ()
    max_pending: int = 1000
    max_links: int = 3
    duplicate_window: int = 86400
    max_body_bytes: int = 65536
    intake_url: str = ""
    allowed_origins: tuple[str, ...] = ()
    # The name the site author's replies are published under; "" takes Pelican's AUTHOR.
    author_name: str = ""
    # The page that tells readers what is kept and how to delete it (a path under the site or
    # an address); the form and the intake's pages link to it. Empty: no link.
    policy_url: str = ""
    # The web admin (admin/): switched off while admin_password_hash is empty.
    admin_password_hash: str = ""
    secure_cookies: bool = False
    # Email notifications (notify/): off while smtp_host is empty.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: str = dataclass_field(default="", repr=False)
    smtp_starttls: bool = True
    mail_from: str = ""
    moderator_email: str = ""
    digest_minutes: int = 0
    site_url: str = ""
    mail_interval: int = 60
    # Hours the one-click approve and reject links of the moderator's email work; 0: no links.
    moderator_link_hours: int = 72
    # Hours after its approval a writer may still change a published story with their receipt
    # (the change waits for a moderator; the page keeps the approved words); 0: never.
    edit_window_hours: int = 24
    # The order of the published stories on an article page: oldest, newest or helped (most
    # "This helped me" first); an article's `Stories-Order:` metadata overrides it.
    stories_order: str = "oldest"

    @property
    def edit_window(self) -> timedelta:
        return timedelta(hours=self.edit_window_hours)

    # The spam score (moderation/spam/): a story scoring this many points or more waits in the
    # held bin instead of the queue; 0 holds none. The bin keeps at most max_held stories
    # (the oldest suspected ones make room), and comments.purge drops held stories after
    # held_days. spam_learning: the score weighs what a classifier learned from this site's
    # decisions. spam_script: the script the site is written in, as Unicode names it.
    spam_threshold: int = 5
    max_held: int = 5000
    held_days: int = 14
    spam_learning: bool = True
    spam_script: str = "Latin"

    @property
    def signing_keys(self) -> tuple[str, ...]:
        """Every secret whose signature is accepted, newest last (itsdangerous signs with it)."""
        return (*self.previous_secret_keys, self.secret_key)

    @property
    def mail_enabled(self) -> bool:
        """Mail is queued and sent only when there is a server to send it through."""
        return bool(self.smtp_host)


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


def _check_admin_hash(password_hash: str) -> None:
    """Only an argon2 hash can be checked: a pasted password must not switch the admin on."""
    if password_hash and not password_hash.startswith("$argon2"):
        raise SettingsError(
            "COMMENTS_ADMIN_PASSWORD_HASH is not an argon2 hash. Set the password with "
            "`invoke comments.set-password` (it writes the hash, never the password)."
        )


_INT_FIELDS = frozenset(
    {
        "max_pending",
        "max_links",
        "duplicate_window",
        "max_body_bytes",
        "smtp_port",
        "digest_minutes",
        "mail_interval",
        "moderator_link_hours",
        "edit_window_hours",
        "spam_threshold",
        "max_held",
        "held_days",
    }
)
# Deliberately loose: one @, no spaces; the mail server has the last word on an address.
_ADDRESS_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def _check_mail(settings: CommentsSettings) -> None:
    """Refuse a mail set-up that could only fail later, in a background thread nobody watches."""
    if not 1 <= settings.smtp_port <= 65535:
        raise SettingsError(f"COMMENTS_SMTP_PORT is {settings.smtp_port}; use a port 1-65535.")
    for name in ("mail_from", "moderator_email"):
        value = getattr(settings, name)
        if value and not _ADDRESS_RE.fullmatch(value):
            raise SettingsError(f"{ENVIRONMENT[name]} is {value!r}, not an email address.")
    if not settings.smtp_host:
        return
    if not settings.mail_from:
        raise SettingsError(
            "COMMENTS_MAIL_FROM is not set; emails need a sender address, "
            "e.g. stories@careers.example."
        )
    parts = urlsplit(settings.site_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise SettingsError(
            f"COMMENTS_SITE_URL is {settings.site_url!r}; links in emails need the site's "
            "absolute address, e.g. https://careers.example (or set SITEURL)."
        )
    implicit_tls = settings.smtp_port == 465
    if (
        settings.smtp_username
        and not (settings.smtp_starttls or implicit_tls)
        and settings.smtp_host not in _LOOPBACK_HOSTS
    ):
        raise SettingsError(
            "COMMENTS_SMTP_USERNAME is set but COMMENTS_SMTP_STARTTLS is off: the password would "
            "cross the network unencrypted. Turn STARTTLS on, or use port 465."
        )


def dev_secret(folder: Path, database_url: str = "") -> str:
    """A development secret, generated once and kept in var/ (never committed).

    Never beside a store that already holds stories: that is a store made with other settings
    (production's, most likely), whose forms and links a new secret would all break."""
    path = folder / DEV_SECRET_FILE
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    store = Path(database_url.removeprefix("sqlite:///")) if database_url else None
    if store is not None and database_url.startswith("sqlite:///") and _holds_data(store):
        raise SettingsError(
            f"COMMENTS_SECRET_KEY is not set and {path} does not exist, but the store "
            f"{database_url} does: it was made with other settings (production's?), and a new "
            "development secret would break its forms and links. Name the settings it belongs "
            "to (PELICAN_SETTINGS=publishconf.py, or `invoke use-settings publishconf.py` once "
            "on this machine), or set COMMENTS_SECRET_KEY."
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
    return secret


def _holds_data(database: Path) -> bool:
    """A SQLite file with anything in it: an empty file is what a failed first start leaves."""
    try:
        return database.stat().st_size > 0
    except OSError:
        return False


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
        if field.name in {"production", "smtp_starttls", "secure_cookies", "spam_learning"}:
            values[field.name] = _as_bool(field.name, raw)
        elif field.name == "rate_limit":
            values[field.name] = raw if isinstance(raw, RateLimit) else RateLimit.parse(raw)
        elif field.name in {"trusted_proxies", "allowed_origins", "previous_secret_keys"}:
            values[field.name] = _as_tuple(raw)
        elif field.name in _INT_FIELDS:
            values[field.name] = _as_int(field.name, raw)
        else:
            values[field.name] = str(raw).strip()
    settings = CommentsSettings(**values)
    try:
        order = parse_order(settings.stories_order, ENVIRONMENT["stories_order"])
    except ValueError as wrong:
        raise SettingsError(str(wrong)) from None
    settings = replace(settings, stories_order=order.value)
    _check_proxies(settings.trusted_proxies)
    _check_admin_hash(settings.admin_password_hash)
    if settings.database_url.startswith("sqlite:///") and not settings.database_url.startswith(
        "sqlite:////"
    ):
        relative = settings.database_url.removeprefix("sqlite:///")
        settings = replace(settings, database_url=f"sqlite:///{project_root / relative}")
    if not settings.secret_key:
        if settings.production:
            raise SettingsError(
                "COMMENTS_SECRET_KEY is not set. Production refuses to start without one: "
                'generate one with `python -c "import secrets; print(secrets.token_urlsafe(48))"` '
                "and set it in the environment."
            )
        settings = replace(settings, secret_key=dev_secret(project_root, settings.database_url))
    elif len(settings.secret_key) < 32:
        raise SettingsError("COMMENTS_SECRET_KEY is too short; use at least 32 characters.")
    if any(len(key) < 32 for key in settings.previous_secret_keys):
        raise SettingsError(
            "COMMENTS_PREVIOUS_SECRET_KEYS holds a key shorter than 32 characters; list the "
            "earlier COMMENTS_SECRET_KEY values exactly, separated by commas."
        )
    if not settings.allowed_origins and siteurl:
        settings = replace(settings, allowed_origins=(_origin(siteurl),))
    settings = replace(settings, site_url=(settings.site_url or siteurl).rstrip("/"))
    _check_mail(settings)
    if settings.held_days < 1:
        raise SettingsError("COMMENTS_HELD_DAYS is 0; keep held stories for at least 1 day.")
    if settings.max_held < 1:
        raise SettingsError("COMMENTS_MAX_HELD is 0; the held bin needs room for 1 story or more.")
    return settings


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of COMMENTS_* variables (quotes optional, # comments); {} if no file."""
    if not path.is_file():
        return {}
    known = set(ENVIRONMENT.values())
    values: dict[str, str] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        key, sep, value = text.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or key not in known:
            raise SettingsError(
                f"{path}: line {number} is not COMMENTS_NAME=value with a known setting name."
            )
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values
