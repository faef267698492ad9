"""Signed, expiring session cookies and the CSRF tokens tied to them.

A session cookie holds a random session id, the moderator account's id and a fingerprint of that
account's password hash, signed with the site secret and stamped with the time (itsdangerous): a
changed byte or an old stamp ends it here; the guard ends it when the account is gone or has a new
password (its fingerprint no longer matches). Nothing else is kept per session. Logging out
records the session id (keyed hash) in the store's rate events, so a copied cookie is dead after
logout in every process; those records outlive the session they end (purge keeps rate events for
a day, a session lasts 12 hours).

The CSRF token of a session is an HMAC of its id: the same on every form of the session, checked in
constant time, and useless once the session ends. The login form, before any session exists, gets
the same protection from a short-lived signed nonce cookie.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from reader_stories.accounts.login import Account
from reader_stories.accounts.names import LEGACY_OWNER
from reader_stories.ratelimit import hash_network
from reader_stories.web.admin.passwords import fingerprint

SESSION_COOKIE = "nextround_admin"
LOGIN_COOKIE = "nextround_admin_login"
SESSION_SALT = "nextround.stories.admin.session"
LOGIN_SALT = "nextround.stories.admin.login"
DEFAULT_LIFETIME = timedelta(hours=12)
LOGIN_FORM_LIFETIME = timedelta(hours=1)

Clock = Callable[[], float]


class SessionInvalid(Exception):
    """No usable session: missing, tampered with, expired, from an old password or logged out."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class Session:
    """A session as its cookie says; ``account`` is set once the guard has found it live."""

    sid: str
    csrf: str
    moderator_id: int = 0
    password_mark: str = ""
    account: Account | None = None

    @property
    def actor(self) -> str:
        """The name the history records for what this session does."""
        return self.account.name if self.account else LEGACY_OWNER


def _signer_class(clock: Clock) -> type[TimestampSigner]:
    class ClockSigner(TimestampSigner):
        """itsdangerous stamps and checks ages with its own clock; tests move this one."""

        def get_timestamp(self) -> int:
            return int(clock())

    return ClockSigner


def _digest(secret: str, purpose: str, value: str) -> str:
    return hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


def tokens_match(expected: str, given: str) -> bool:
    """Constant-time comparison, so a token cannot be guessed a byte at a time from timings."""
    return hmac.compare_digest(expected.encode(), given.encode())


class Sessions:
    """Issues and checks session cookies, CSRF tokens and login-form nonces for one secret."""

    def __init__(
        self,
        secret: str,
        lifetime: timedelta = DEFAULT_LIFETIME,
        clock: Clock = time.time,
    ) -> None:
        self.secret = secret
        self.lifetime = lifetime
        signer = _signer_class(clock)
        self._sessions = URLSafeTimedSerializer(secret, salt=SESSION_SALT, signer=signer)
        self._logins = URLSafeTimedSerializer(secret, salt=LOGIN_SALT, signer=signer)

    # Sessions

    def issue(self, account: Account) -> tuple[str, Session]:
        """A new session for ``account`` (a fresh id at every login, so no id chosen before login
        survives it)."""
        sid = secrets.token_urlsafe(32)
        mark = self.password_mark(account.password_hash)
        cookie = str(self._sessions.dumps({"sid": sid, "mid": account.id, "pw": mark}))
        return cookie, self._session(sid, account.id, mark)

    def password_mark(self, password_hash: str) -> str:
        """What a session keeps of its account's password: a new password ends the session."""
        return fingerprint(password_hash, self.secret)

    def belongs_to(self, session: Session, account: Account) -> bool:
        """Whether the session was opened with the account's current password."""
        return tokens_match(self.password_mark(account.password_hash), session.password_mark)

    def open(self, cookie: str | None) -> Session:
        """The session in a cookie, or SessionInvalid saying why not (logout is checked apart)."""
        if not cookie:
            raise SessionInvalid("missing")
        try:
            payload: Any = self._sessions.loads(cookie, max_age=self.lifetime.total_seconds())
        except SignatureExpired:
            raise SessionInvalid("expired") from None
        except BadSignature:
            raise SessionInvalid("tampered") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("sid"), str):
            raise SessionInvalid("tampered")
        # A session from before accounts carries no account id: the single password's, 0.
        moderator_id = payload.get("mid", 0)
        if not isinstance(moderator_id, int):
            raise SessionInvalid("tampered")
        return self._session(payload["sid"], moderator_id, str(payload.get("pw", "")))

    def _session(self, sid: str, moderator_id: int = 0, mark: str = "") -> Session:
        csrf = _digest(self.secret, "admin-csrf", sid)
        return Session(sid=sid, csrf=csrf, moderator_id=moderator_id, password_mark=mark)

    def revocation_key(self, session: Session) -> str:
        """The rate-event key that marks this session as logged out (a keyed hash of its id)."""
        return hash_network(f"logout:{session.sid}", self.secret)

    # The login form

    def login_nonce(self, cookie: str | None) -> tuple[str, str]:
        """The login form's cookie and token: the current nonce while valid, else a new one."""
        try:
            nonce = self._logins.loads(cookie or "", max_age=LOGIN_FORM_LIFETIME.total_seconds())
            if not isinstance(nonce, str):
                raise BadSignature("not a nonce")
        except BadSignature:
            nonce = secrets.token_urlsafe(24)
            cookie = str(self._logins.dumps(nonce))
        return str(cookie), _digest(self.secret, "admin-login-csrf", nonce)

    def login_token_valid(self, cookie: str | None, token: str) -> bool:
        """Whether a posted login form came from a login page this browser was given."""
        try:
            nonce = self._logins.loads(cookie or "", max_age=LOGIN_FORM_LIFETIME.total_seconds())
        except BadSignature:
            return False
        if not isinstance(nonce, str):
            return False
        return tokens_match(_digest(self.secret, "admin-login-csrf", nonce), token)
