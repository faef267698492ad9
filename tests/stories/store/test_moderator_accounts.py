"""Moderator accounts in the store (SQLite and PostgreSQL): unique names whatever their case,
the last owner kept, and logging in by name with the single password of older installs."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from stories_support import FakeClock

from reader_stories.accounts import login, manage
from reader_stories.accounts.manage import AccountRefused
from reader_stories.accounts.names import Role, check_name
from reader_stories.store import Store

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
    manage.add_moderator(store, "Mia", MIA_HASH, Role.MODERATOR)
    with pytest.raises(AccountRefused, match="already a moderator called 'MIA'"):
        manage.add_moderator(store, "MIA", MIA_HASH, Role.MODERATOR)
    assert len(manage.list_moderators(store)) == 1


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
    manage.add_moderator(store, "mia", MIA_HASH, Role.MODERATOR)
    assert login.authenticate(store, "", "mia", "wrong password here") is None
    assert login.authenticate(store, "", "nobody", "mia's long password") is None
    clock.advance(minutes=5)
    account = login.authenticate(store, "", "MIA", "mia's long password")
    assert account is not None and (account.name, account.role) == ("mia", Role.MODERATOR)
    assert manage.list_moderators(store)[0].last_login == clock.now


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
