"""Who is logging in, and who a session belongs to, the single password of older installs
included.

Until the first account is made, the hash set by `comments.set-password` (environment, else
var/admin.env) logs in as the owner account "owner" (id 0), with the name left empty or typed
as "owner": an upgrade changes nothing for whoever logs in today. From the first account on,
only accounts log in, and that hash's sessions end.

A name no account has costs the same argon2 work as a wrong password (a dummy hash is
verified), so the time an answer takes does not tell which names exist.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import cache

from reader_stories.accounts.names import LEGACY_OWNER, Role, name_key
from reader_stories.store import ModeratorRow, Store, Tx
from reader_stories.web.admin.passwords import hash_password, verify_password

LEGACY_ID = 0


@dataclass(frozen=True)
class Account:
    """A logged-in moderator: the name the history records, and what they may do."""

    id: int
    name: str
    role: Role
    password_hash: str

    @property
    def owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def legacy(self) -> bool:
        """The single password of older installs, before the first account was made."""
        return self.id == LEGACY_ID


def _account(row: ModeratorRow) -> Account:
    return Account(row.id, row.name, Role(row.role), row.password_hash)


def legacy_account(legacy_hash: str) -> Account:
    return Account(LEGACY_ID, LEGACY_OWNER, Role.OWNER, legacy_hash)


@cache
def dummy_hash() -> str:
    """A hash of a password nobody knows, with the parameters real hashes get."""
    return hash_password(secrets.token_urlsafe(24))


def find_account(tx: Tx, legacy_hash: str, name: str) -> Account | None:
    """The account a login form names, or None."""
    if tx.count_moderators() == 0:
        wanted = name_key(name)
        return legacy_account(legacy_hash) if legacy_hash and wanted in ("", LEGACY_OWNER) else None
    row = tx.moderator_named(name_key(name))
    return None if row is None else _account(row)


def session_account(tx: Tx, legacy_hash: str, moderator_id: int) -> Account | None:
    """The account a session was opened for, while it exists (its password is checked apart)."""
    if moderator_id == LEGACY_ID:
        return legacy_account(legacy_hash) if legacy_hash and tx.count_moderators() == 0 else None
    row = tx.moderator_by_id(moderator_id)
    return None if row is None else _account(row)


def authenticate(store: Store, legacy_hash: str, name: str, password: str) -> Account | None:
    """The account whose name and password these are, its login recorded; else None, after the
    same argon2 work whether or not the name exists."""
    with store.reading() as tx:
        account = find_account(tx, legacy_hash, name)
    if not verify_password(account.password_hash if account else dummy_hash(), password):
        return None
    if account is None:  # the dummy hash's password is never known; kept for the type checker
        return None
    if not account.legacy:
        with store.writing() as tx:
            tx.record_login(account.id)
    return account


def accounts_exist(store: Store) -> bool:
    with store.reading() as tx:
        return tx.count_moderators() > 0
