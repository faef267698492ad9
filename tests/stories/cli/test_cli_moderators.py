"""Moderator accounts from the command line (SQLite and PostgreSQL): add, list, new password,
roles, removal with the last owner kept, the single password of an upgrade taken over, and the
name each story action signs the history with."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import store_calls as calls
from cli_support import Cli
from stories_support import add

from reader_stories.accounts import login
from reader_stories.store import Store
from reader_stories.web.admin.passwords import set_password, verify_password

PASSWORD = "a long moderator password"


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


@pytest.fixture
def password_file(tmp_path: Path) -> str:
    path = tmp_path / "password.txt"
    path.write_text(PASSWORD + "\n", encoding="utf-8")
    return str(path)


def hash_of(store: Store, name: str) -> str:
    with store.reading() as tx:
        account = login.find_account(tx, "", name)
    assert account is not None
    return account.password_hash


def test_add_list_and_log_in(cli: Cli, store: Store, password_file: str) -> None:
    empty = cli("moderators")
    assert empty.code == 0 and "add-moderator NAME --owner" in empty.out
    added = cli("add-moderator", "Mia Wong", "--owner", "--password-file", password_file)
    assert (added.code, added.err) == (0, "")
    assert added.out_lines[0] == "Added owner 'Mia Wong'; they log in at the admin with that name."
    assert cli("add-moderator", "alex", "--password-file", password_file).code == 0
    listed = cli("moderators").out_lines
    assert listed[0].split() == ["NAME", "ROLE", "CREATED", "LAST", "LOGIN"]
    assert listed[1].endswith("never") and listed[2].endswith("never")
    assert [line[:8].strip() for line in listed[1:]] == ["Mia Wong", "alex"]
    assert "owner" in listed[1] and "moderator" in listed[2]
    assert login.authenticate(store, "", "mia wong", PASSWORD) is not None
    assert not cli("moderators").out_lines[1].endswith("never")  # the login's time instead


def test_refusals_say_why_and_change_nothing(
    cli: Cli, store: Store, password_file: str, tmp_path: Path
) -> None:
    first = cli("add-moderator", "alex", "--password-file", password_file)
    assert (first.code, first.err) == (
        1,
        "The first account must be an owner (--owner), so someone can add and remove the others.\n",
    )
    assert cli("add-moderator", "mia", "--owner", "--password-file", password_file).code == 0
    twice = cli("add-moderator", "MIA", "--password-file", password_file)
    assert (twice.code, twice.err) == (
        1,
        "There is already a moderator called 'MIA'; choose another name.\n",
    )
    short = tmp_path / "short.txt"
    short.write_text("too short\n", encoding="utf-8")
    weak = cli("add-moderator", "alex", "--password-file", str(short))
    assert (weak.code, weak.err) == (1, "The password must be at least 12 characters long.\n")
    bad = cli("add-moderator", "<b>alex</b>", "--password-file", password_file)
    assert bad.code == 1 and bad.err.startswith("A moderator's name is 1 to 40 letters")
    unknown = cli("remove-moderator", "nobody")
    assert unknown.code == 1 and "There is no moderator called 'nobody'" in unknown.err
    last = cli("remove-moderator", "mia")
    assert last.code == 1 and last.err.startswith("'mia' is the last owner")
    demote = cli("set-role", "mia", "moderator")
    assert demote.code == 1 and "last owner" in demote.err
    role = cli("set-role", "mia", "boss")
    assert (role.code, role.err) == (1, "A role is owner or moderator; 'boss' is neither.\n")
    assert [m.name for m in calls_moderators(store)] == ["mia"]
    for ran in (twice, weak, bad, unknown, last, demote, role):
        assert "Traceback" not in ran.err


def calls_moderators(store: Store) -> list:
    with store.reading() as tx:
        return tx.moderators()


def test_roles_change_and_an_owner_can_then_be_removed(
    cli: Cli, store: Store, password_file: str
) -> None:
    cli("add-moderator", "mia", "--owner", "--password-file", password_file)
    cli("add-moderator", "alex", "--password-file", password_file)
    assert cli("set-role", "alex", "owner").out == "'alex' is now an owner.\n"
    removed = cli("remove-moderator", "mia")
    assert removed.code == 0 and removed.out.startswith("Removed 'mia'; their sessions have ended")
    assert [(m.name, m.role) for m in calls_moderators(store)] == [("alex", "owner")]


def test_a_new_password_replaces_the_old(
    cli: Cli, store: Store, password_file: str, tmp_path: Path
) -> None:
    cli("add-moderator", "mia", "--owner", "--password-file", password_file)
    new = tmp_path / "new.txt"
    new.write_text("another long password\n", encoding="utf-8")
    ran = cli("set-moderator-password", "Mia", "--password-file", str(new))
    assert (ran.code, ran.out) == (0, "Set a new password for 'Mia'; their sessions have ended.\n")
    assert verify_password(hash_of(store, "mia"), "another long password")
    assert not verify_password(hash_of(store, "mia"), PASSWORD)
    nobody = cli("set-moderator-password", "nobody", "--password-file", str(new))
    assert nobody.code == 1 and "no moderator called 'nobody'" in nobody.err


def test_the_single_password_of_an_upgrade_becomes_an_owner_account(
    cli: Cli, store: Store, tmp_path: Path
) -> None:
    missing = cli("add-moderator", "mia", "--owner", "--from-admin-password")
    assert missing.code == 1 and "There is no password set with" in missing.err
    set_password(PASSWORD, tmp_path, environ={})  # var/admin.env beside the settings file
    listed = cli("moderators")
    assert "logs in as 'owner'" in listed.out
    ran = cli("add-moderator", "mia", "--owner", "--from-admin-password")
    assert ran.code == 0 and "remove COMMENTS_ADMIN_PASSWORD_HASH" in ran.out
    assert verify_password(hash_of(store, "mia"), PASSWORD)


def test_story_actions_sign_the_history_as_given_or_as_the_system_user(
    cli: Cli, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = add(store), add(store, body_markdown="x" * 40), add(store)
    assert cli("approve", str(first.id), "--as", "Mia Wong").code == 0
    monkeypatch.setenv("LOGNAME", "deploy")
    assert cli("reject", str(second.id), "--reason", "off topic").code == 0
    refused = cli("spam", str(third.id), "--as", "<script>")
    assert refused.code == 1 and refused.err.startswith("A moderator's name is")
    assert [e.actor for e in calls.events(store, first.id)][-1] == "Mia Wong"
    assert [e.actor for e in calls.events(store, second.id)][-1] == "deploy"
    assert [e.action.value for e in calls.events(store, third.id)] == ["submitted"]
    shown = cli("show", str(first.id)).out
    assert "approved by Mia Wong" in shown


def test_a_password_from_standard_input_for_scripts(cli: Cli, store: Store) -> None:
    program = Path(sys.executable).parent / "reader-stories"  # the installed command
    command = [str(program), "--settings", str(cli.settings)]
    add_mia = [*command, "add-moderator", "mia", "--owner", "--password-file", "-"]
    ran = subprocess.run(
        add_mia, input=PASSWORD + "\n", capture_output=True, text=True, env=os.environ, check=False
    )
    assert (ran.returncode, ran.stderr) == (0, ""), ran.stderr
    assert verify_password(hash_of(store, "mia"), PASSWORD)
    empty = subprocess.run(
        [*command, "set-moderator-password", "mia", "--password-file", "-"],
        input="",
        capture_output=True,
        text=True,
        check=False,
    )
    assert (empty.returncode, empty.stderr) == (1, "No password was given; nothing was changed.\n")
