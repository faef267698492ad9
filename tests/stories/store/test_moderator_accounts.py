"""Moderator accounts in the store (SQLite and PostgreSQL): unique names whatever their case,
the last owner kept, and logging in by name with the single password of older installs."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, inspect
from stories_support import FakeClock

from reader_stories.accounts import login, manage
from reader_stories.accounts.manage import AccountRefused
from reader_stories.accounts.names import Role, check_name
from reader_stories.store import Store, open_store
from reader_stories.store.engine import sqlite_path
from reader_stories.store.migrations import MIGRATIONS, apply_migrations

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
MIA_HASH = HASHER.hash("mia's long password")
LEGACY_HASH = HASHER.hash("the old single password")


def test_an_account_keeps_its_name_role_and_times(store: Store, clock: FakeClock) -> None:
    added = manage.add_moderator(store, "  Mia Wong ", MIA_HASH, Role.OWNER)
    assert (added.name, added.role, added.created, added.last_login) == (
        "Mia Wong",
        "owner",
        clock.now,
        None,
    )
    manage.add_moderator(store, "alex", MIA_HASH, "moderator")
    assert [(m.name, m.role) for m in manage.list_moderators(store)] == [
        ("Mia Wong", "owner"),
        ("alex", "moderator"),
    ]


def test_names_are_unique_whatever_their_case(store: Store) -> None:
    manage.add_moderator(store, "Mia", MIA_HASH, Role.OWNER)
    with pytest.raises(AccountRefused, match="already a moderator called 'MIA'"):
        manage.add_moderator(store, "MIA", MIA_HASH, Role.MODERATOR)
    assert len(manage.list_moderators(store)) == 1


def test_the_first_account_is_an_owner(store: Store) -> None:
    with pytest.raises(AccountRefused, match="The first account must be an owner"):
        manage.add_moderator(store, "alex", MIA_HASH, Role.MODERATOR)
    assert manage.list_moderators(store) == []


@pytest.mark.parametrize("name", ["", " ", "<b>x</b>", "a\nb", "a  b", "_x", "x" * 41, "Reader"])
def test_names_that_would_read_badly_in_a_history_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        check_name(name)


def test_the_last_owner_can_be_neither_removed_nor_demoted(store: Store) -> None:
    manage.add_moderator(store, "mia", MIA_HASH, Role.OWNER)
    manage.add_moderator(store, "alex", MIA_HASH, Role.MODERATOR)
    with pytest.raises(AccountRefused, match="last owner"):
        manage.remove_moderator(store, "Mia")
    with pytest.raises(AccountRefused, match="last owner"):
        manage.set_role(store, "mia", Role.MODERATOR)
    manage.set_role(store, "alex", Role.OWNER)
    manage.remove_moderator(store, "mia")
    assert [(m.name, m.role) for m in manage.list_moderators(store)] == [("alex", "owner")]
    with pytest.raises(AccountRefused, match="no moderator called 'mia'"):
        manage.remove_moderator(store, "mia")


def test_login_by_name_records_the_time(store: Store, clock: FakeClock) -> None:
    manage.add_moderator(store, "boss", MIA_HASH, Role.OWNER)
    manage.add_moderator(store, "mia", MIA_HASH, Role.MODERATOR)
    assert login.authenticate(store, "", "mia", "wrong password here") is None
    assert login.authenticate(store, "", "nobody", "mia's long password") is None
    clock.advance(minutes=5)
    account = login.authenticate(store, "", "MIA", "mia's long password")
    assert account is not None and (account.name, account.role) == ("mia", Role.MODERATOR)
    assert [m.last_login for m in manage.list_moderators(store)] == [None, clock.now]


def test_the_single_password_of_an_upgrade_logs_in_as_owner_until_an_account_exists(
    store: Store,
) -> None:
    for name in ("", "owner", "Owner"):
        account = login.authenticate(store, LEGACY_HASH, name, "the old single password")
        assert account is not None and (account.name, account.owner, account.legacy) == (
            "owner",
            True,
            True,
        )
    assert login.authenticate(store, LEGACY_HASH, "mia", "the old single password") is None
    manage.add_moderator(store, "mia", MIA_HASH, Role.OWNER)
    assert login.authenticate(store, LEGACY_HASH, "", "the old single password") is None
    with store.reading() as tx:
        assert login.session_account(tx, LEGACY_HASH, login.LEGACY_ID) is None


def test_an_existing_store_gains_the_accounts_table_on_upgrade(db_url: str) -> None:
    """A store made before accounts, opened by this version: the table is added, empty, so the
    single password still logs in until the first account is made."""
    path = sqlite_path(db_url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(db_url)
    try:
        apply_migrations(engine, [m for m in MIGRATIONS if m[0] != "0013_moderators"])
        assert not inspect(engine).has_table("moderators")
    finally:
        engine.dispose()
    with open_store(db_url) as upgraded:
        assert manage.list_moderators(upgraded) == []
        account = login.authenticate(upgraded, LEGACY_HASH, "", "the old single password")
        assert account is not None and account.legacy
        manage.add_moderator(upgraded, "mia", MIA_HASH, Role.OWNER)
        assert [m.name for m in manage.list_moderators(upgraded)] == ["mia"]
