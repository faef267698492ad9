"""The command line's moderator accounts, and the name its own actions sign the history with.

`moderators` lists the accounts; `add-moderator`, `set-moderator-password`, `set-role` and
`remove-moderator` manage them. A password is typed twice at a hidden prompt, or read from the
first line of a file (`--password-file FILE`, `-` for standard input) for scripts, never given
on the command line, where other users of the machine and the shell's history would see it.

A story action on the command line (approve, reject, ...) is signed `--as NAME`, else with the
name of the system user running it: whoever has the shell and the database is trusted, and the
history should still say who it was.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from reader_stories.accounts import manage
from reader_stories.accounts.names import Role, check_name, check_role

if TYPE_CHECKING:
    from reader_stories.cli import Command

# When the system user's name is unknown or would not read as a name.
FALLBACK_ACTOR = "command line"
MSG_NO_PASSWORD = "No password was given; nothing was changed."
MSG_NO_ADMIN_HASH = (
    "There is no password set with `comments.set-password` to take over "
    "(COMMENTS_ADMIN_PASSWORD_HASH, or var/admin.env); give the new account a password instead."
)
ACTING_COMMANDS = (
    "approve",
    "reject",
    "spam",
    "requeue",
    "release",
    "edit",
    "redact",
    "reply",
    "delete",
    "approve-change",
    "reject-change",
    "block",
    "unblock",
    "hold-list",
    "close",
    "reopen",
)


def acting_name(given: str | None, system_user: str | None = None) -> str:
    """``--as NAME`` checked as an account name, else the system user's name (``system_user``
    when the stories service runs a command for someone else, reader_stories/control.py)."""
    if given is not None:
        return check_name(given)
    try:
        return check_name(system_user if system_user is not None else getpass.getuser())
    except (ValueError, OSError, KeyError):
        return FALLBACK_ACTOR


def _new_password_hash(run: Command) -> str:
    from reader_stories.web.admin.passwords import hash_password, read_new_password

    source = run.args.password_file
    try:
        if source == "-":
            line = sys.stdin.readline().rstrip("\r\n")
            if not line:
                raise EOFError
            return hash_password(line)
        return hash_password(read_new_password(source))
    except EOFError:
        raise ValueError(MSG_NO_PASSWORD) from None


def _when(moment: datetime | None) -> str:
    return "never" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _list(run: Command) -> None:
    with run.moderating() as (store, _):
        rows = manage.list_moderators(store)
    if not rows:
        run.say(
            "No moderator accounts yet. Add the first owner with "
            "`reader-stories add-moderator NAME --owner`."
        )
        if run.config.comments.admin_password_hash:
            run.say(
                "Until then the password set with `comments.set-password` logs in as "
                "'owner'; `add-moderator NAME --owner --from-admin-password` makes it an account."
            )
        return
    width = max(len(row.name) for row in rows)
    run.say(f"{'NAME':<{width}}  {'ROLE':<9}  {'CREATED':<20}  LAST LOGIN")
    for row in rows:
        created, last = _when(row.created), _when(row.last_login)
        run.say(f"{row.name:<{width}}  {row.role:<9}  {created:<20}  {last}")


def _add(run: Command) -> None:
    name = check_name(run.args.name)
    role = Role.OWNER if run.args.owner else Role.MODERATOR
    if run.args.from_admin_password:
        if run.args.password_file:
            raise ValueError("Give --password-file or --from-admin-password, not both.")
        password_hash = run.config.comments.admin_password_hash
        if not password_hash:
            raise ValueError(MSG_NO_ADMIN_HASH)
    else:
        with run.moderating() as (store, _):  # a taken name fails before the prompt
            manage.ensure_name_free(store, name)
        password_hash = _new_password_hash(run)
    with run.moderating() as (store, _):
        row = manage.add_moderator(store, name, password_hash, role)
    run.say(f"Added {row.role} {row.name!r}; they log in at the admin with that name.")
    if run.args.from_admin_password:
        run.say(
            "The password set with `comments.set-password` is now this account's; remove "
            "COMMENTS_ADMIN_PASSWORD_HASH from the environment or var/admin.env."
        )


def _set_password(run: Command) -> None:
    name = run.args.name
    with run.moderating() as (store, _):
        manage.set_password(store, name, _new_password_hash(run))
    run.say(f"Set a new password for {name!r}; their sessions have ended.")


def _set_role(run: Command) -> None:
    role = check_role(run.args.role)
    with run.moderating() as (store, _):
        row = manage.set_role(store, run.args.name, role)
    run.say(f"{row.name!r} is now {'an owner' if role == Role.OWNER else 'a moderator'}.")


def _remove(run: Command) -> None:
    with run.moderating() as (store, _):
        row = manage.remove_moderator(store, run.args.name)
    run.say(f"Removed {row.name!r}; their sessions have ended. The histories keep their name.")


COMMANDS: dict[str, tuple[Callable[[Command], None], str]] = {
    "moderators": (_list, "list the moderator accounts: name, role, created, last login"),
    "add-moderator": (_add, "add a moderator account (--owner: one who manages accounts)"),
    "set-moderator-password": (_set_password, "set or reset a moderator's password"),
    "set-role": (_set_role, "make a moderator an owner, or an owner a moderator"),
    "remove-moderator": (_remove, "remove a moderator account; its sessions end"),
}


def add_arguments(sub: dict[str, argparse.ArgumentParser]) -> None:
    """The options of these commands, and --as on every command that acts on stories."""
    password_help = "read the password from this file's first line (- for standard input)"
    for name in ("add-moderator", "set-moderator-password", "set-role", "remove-moderator"):
        sub[name].add_argument("name", help="the moderator's name")
    for name in ("add-moderator", "set-moderator-password"):
        sub[name].add_argument("--password-file", default="", help=password_help)
    sub["add-moderator"].add_argument("--owner", action="store_true", help="an owner account")
    sub["add-moderator"].add_argument(
        "--from-admin-password",
        action="store_true",
        help="keep the password set with comments.set-password (its hash) for this account",
    )
    sub["set-role"].add_argument("role", help="owner or moderator")
    for name in ACTING_COMMANDS:
        sub[name].add_argument(
            "--as",
            dest="actor",
            default=None,
            help="the name the history records (default: your system user name)",
        )
