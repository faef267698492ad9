"""Adding, changing and removing moderator accounts, with the shop never left without an owner.

The command line and the admin's Moderators page both call these. Each runs in one write
transaction, so two owners removing each other at once cannot leave no owner behind.
"""

from __future__ import annotations

from reader_stories.accounts.names import Role, check_name, check_role, name_key
from reader_stories.errors import StoriesError
from reader_stories.store import ModeratorRow, Store, Tx


class AccountRefused(StoriesError):
    """A change to the accounts that cannot be made; the message says why and what to do."""


MSG_EXISTS = "There is already a moderator called {name!r}; choose another name."
MSG_UNKNOWN = "There is no moderator called {name!r}; `reader-stories moderators` lists them."
MSG_LAST_OWNER = (
    "{name!r} is the last owner: make another moderator an owner first "
    "(`invoke comments.set-role NAME owner`), so someone can still manage the accounts."
)
MSG_FIRST_OWNER = (
    "The first account must be an owner (--owner), so someone can add and remove the others."
)


def _named(tx: Tx, name: str) -> ModeratorRow:
    row = tx.moderator_named(name_key(name))
    if row is None:
        raise AccountRefused(MSG_UNKNOWN.format(name=name))
    return row


def _keep_an_owner(tx: Tx, row: ModeratorRow) -> None:
    if row.role == Role.OWNER and tx.count_moderators(Role.OWNER) <= 1:
        raise AccountRefused(MSG_LAST_OWNER.format(name=row.name))


def list_moderators(store: Store) -> list[ModeratorRow]:
    with store.reading() as tx:
        return tx.moderators()


def ensure_name_free(store: Store, name: str) -> None:
    with store.reading() as tx:
        if tx.moderator_named(name_key(name)) is not None:
            raise AccountRefused(MSG_EXISTS.format(name=name))


def add_moderator(store: Store, name: str, password_hash: str, role: Role | str) -> ModeratorRow:
    """A new account; the name is checked and must be free (whatever its case)."""
    checked, checked_role = check_name(name), check_role(str(role))
    with store.writing() as tx:
        if tx.moderator_named(name_key(checked)) is not None:
            raise AccountRefused(MSG_EXISTS.format(name=checked))
        if checked_role != Role.OWNER and tx.count_moderators() == 0:
            raise AccountRefused(MSG_FIRST_OWNER)
        new_id = tx.add_moderator(checked, name_key(checked), password_hash, checked_role)
        row = tx.moderator_by_id(new_id)
    assert row is not None
    return row


def set_password(store: Store, name: str, password_hash: str) -> ModeratorRow:
    """A new password: the account's sessions end, as its hash's fingerprint changes."""
    with store.writing() as tx:
        row = _named(tx, name)
        tx.set_moderator_password(row.id, password_hash)
        return row


def set_role(store: Store, name: str, role: Role | str) -> ModeratorRow:
    checked = check_role(str(role))
    with store.writing() as tx:
        row = _named(tx, name)
        if checked != Role.OWNER:
            _keep_an_owner(tx, row)
        tx.set_moderator_role(row.id, checked)
        return row


def remove_moderator(store: Store, name: str) -> ModeratorRow:
    """The account goes, and with it every session it had; its name stays in the histories."""
    with store.writing() as tx:
        row = _named(tx, name)
        _keep_an_owner(tx, row)
        tx.remove_moderator(row.id)
        return row


def remove_moderator_by_id(store: Store, moderator_id: int) -> ModeratorRow:
    with store.writing() as tx:
        row = tx.moderator_by_id(moderator_id)
        if row is None:
            raise AccountRefused("That moderator was removed already; nothing was changed.")
        _keep_an_owner(tx, row)
        tx.remove_moderator(row.id)
        return row
