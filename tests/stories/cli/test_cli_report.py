"""The command line reports every id: done, skipped and why, or not found; the exit status says
whether all of it was done. Options are checked with a message, never a traceback.

Each test runs on SQLite and PostgreSQL, through ``main`` as `reader-stories` runs it.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import store_calls as calls
from cli_support import Cli
from stories_support import ROOT, FakeClock, add, add_with_status

from reader_stories.models import Action, Status
from reader_stories.store import Store

SLUG = "handling-job-rejection"


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def test_every_id_is_attempted_and_each_gets_a_line(cli: Cli, store: Store) -> None:
    done = add_with_status(store, Status.APPROVED, name="Ada")
    waiting = add(store, name="Bo")
    ran = cli("approve", f"{done.id},{waiting.id},999")
    assert ran.code == 1
    assert ran.out_lines[0] == f"#{waiting.id} approved ({SLUG}, by Bo)"
    assert ran.err_lines == [
        f"#{done.id} skipped: already approved.",
        "#999 not found: there is no story with this id.",
        "2 of 3 stories not approved.",
    ]
    assert store.get(waiting.id).status is Status.APPROVED
    assert "Traceback" not in ran.err


def test_all_done_is_exit_status_0_and_nothing_on_standard_error(cli: Cli, store: Store) -> None:
    first, second = add(store), add(store)
    ran = cli("reject", f"{first.id} {second.id}", "--reason", "off topic")
    assert (ran.code, ran.err) == (0, "")
    assert [line.split(" (")[0] for line in ran.out_lines[:2]] == [
        f"#{first.id} rejected",
        f"#{second.id} rejected",
    ]
    for story in (first, second):
        assert store.get(story.id).reject_reason == "off topic"


def test_spam_and_requeue_report_each_id_too(cli: Cli, store: Store) -> None:
    story, spam = add(store), add_with_status(store, Status.SPAM)
    ran = cli("spam", f"{story.id},{spam.id}")
    assert ran.code == 1
    assert ran.err_lines[0] == f"#{spam.id} skipped: already spam."
    assert store.get(story.id).status is Status.SPAM

    back = cli("requeue", f"{story.id},{spam.id}")
    assert (back.code, back.err) == (0, "")
    assert back.out_lines[:2] == [
        f"#{story.id} back to pending ({SLUG}, by Ada)",
        f"#{spam.id} back to pending ({SLUG}, by Ada)",
    ]
    assert [e.action for e in calls.events(store, story.id)][-1] is Action.RETURNED
    again = cli("requeue", str(story.id))
    assert again.code == 1 and again.err_lines[0] == f"#{story.id} skipped: already pending."


def test_delete_names_a_deleted_id_and_replies_that_went_with_their_story(
    cli: Cli, store: Store
) -> None:
    story = add_with_status(store, Status.APPROVED, name="Ada")
    with store.writing() as tx:
        reply = tx.add_author_reply(story.id, "Thank you.", author_name="Ed", actor="Ed")
    gone = add(store)
    calls.delete(store, gone.id, actor="reader")
    ran = cli("delete", f"{story.id},{reply.id},{gone.id}")
    assert ran.code == 1
    assert ran.out_lines[:2] == [
        f"#{story.id} deleted, with the 1 reply under it (#{reply.id}).",
        "The moderation history remains.",
    ]
    assert ran.err_lines[0].startswith(f"#{gone.id} not found: it was deleted ")
    assert ran.err_lines[0].endswith(" UTC by reader.")
    assert ran.err_lines[1:] == ["1 of 3 stories not deleted."]  # the reply went with its story


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["purge", "--days", "abc"], "--days takes a whole number, like --days 30; not 'abc'."),
        (["purge", "--days", "-3"], "--days takes a whole number, like --days 30; not '-3'."),
        (["backup", "--keep", "many"], "--keep takes a whole number, like --keep 14; not 'many'."),
        (["purge", "--days", "0"], "Keep stories for at least 1 day (--days 1 or more)."),
    ],
)
def test_options_are_checked_with_a_message(cli: Cli, argv: list[str], message: str) -> None:
    ran = cli(*argv)
    assert (ran.code, ran.err_lines, ran.out) == (1, [message], "")


def test_invoke_passes_a_bad_number_to_the_command_not_to_a_traceback(db_url: str) -> None:
    env = {**os.environ, "COMMENTS_DATABASE_URL": db_url}
    ran = subprocess.run(
        [sys.executable, "-m", "invoke", "comments.purge", "--days", "abc"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 1
    assert ran.stderr == "--days takes a whole number, like --days 30; not 'abc'.\n"


def test_purge_counts_in_words_that_agree(cli: Cli, store: Store) -> None:
    add_with_status(store, Status.REJECTED)  # written in 2025: long past 30 days
    ran = cli("purge")
    assert ran.code == 0
    assert ran.out_lines[0].startswith(
        "Removed 1 rejected, spam or never-moderated story older than 30 days, "
    )
    ran = cli("purge", "--days", "1")
    assert ran.out_lines[0].startswith(
        "Removed 0 rejected, spam or never-moderated stories older than 1 day, "
    )


def test_show_a_deleted_story_says_so_and_shows_its_history(cli: Cli, store: Store) -> None:
    story = add(store)
    assert cli("delete", str(story.id), "--as", "Mia Wong").code == 0
    ran = cli("show", str(story.id))
    assert ran.code == 0
    assert ran.out_lines[0].startswith(f"Story #{story.id} was deleted on ")
    assert ran.out_lines[0].endswith("by Mia Wong; its text is gone, its history remains:")
    assert [line.split()[2] for line in ran.out_lines[1:]] == ["submitted", "deleted"]
    never = cli("show", "999")
    assert (never.code, never.err) == (1, "No story with id 999\n")


@pytest.mark.parametrize(
    ("status", "heading"),
    [
        (Status.PENDING, "Preview (sanitised HTML, as it will be published if approved):"),
        (Status.APPROVED, "Preview (sanitised HTML, as it is published):"),
        (Status.REJECTED, "Text (sanitised HTML; rejected, so not published):"),
        (Status.SPAM, "Text (sanitised HTML; marked as spam, so not published):"),
    ],
)
def test_show_says_whether_the_story_is_published(
    cli: Cli, store: Store, status: Status, heading: str
) -> None:
    story = add_with_status(store, status)
    ran = cli("show", str(story.id))
    assert ran.code == 0 and heading in ran.out_lines
    assert ("as it will be published" in ran.out) is (status is Status.PENDING)


def test_pending_lists_newest_first_one_line_per_story(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    older = add(store, clock, name="Ada", body_markdown="First paragraph here.\n\nSecond one.")
    newer = add(store, clock, name="Bo", body_markdown="A list:\n\n- one\n- two\n\nThe end.")
    ran = cli("pending")
    assert ran.out_lines[0] == "2 waiting for moderation (newest first, as in the admin):"
    assert ran.out_lines[1].startswith(f"#{newer.id} ")
    assert ran.out_lines[1].endswith("by Bo: A list: one two The end.")
    assert ran.out_lines[2].startswith(f"#{older.id} ")
    assert ran.out_lines[2].endswith("by Ada: First paragraph here. Second one.")
    assert len(ran.out_lines) == 3


def test_export_never_creates_folders(cli: Cli, store: Store, tmp_path: Path) -> None:
    add(store)
    target = tmp_path / "no" / "such" / "folder" / "stories.jsonl"
    ran = cli("export", "--path", str(target))
    assert ran.code == 1
    assert ran.err == (
        f"The folder {target.parent} does not exist; nothing was exported. Create it first "
        "(export never creates folders), or give a path in a folder that exists.\n"
    )
    assert not (tmp_path / "no").exists()
    folder = cli("export", "--path", str(tmp_path))
    assert folder.code == 1 and folder.err.startswith(f"{tmp_path} is a folder;")


def test_export_is_owner_only_whatever_the_umask(cli: Cli, store: Store, tmp_path: Path) -> None:
    add(store)
    target = tmp_path / "stories.jsonl"
    target.write_text("an older, world-readable copy\n")
    target.chmod(0o644)
    old = os.umask(0)
    try:
        ran = cli("export", "--path", str(target))
    finally:
        os.umask(old)
    assert ran.code == 0, ran.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert '"status": "pending"' in target.read_text()


def test_backup_counts_in_words_that_agree(cli: Cli, store: Store, tmp_path: Path) -> None:
    add(store)
    ran = cli("backup", "--to", str(tmp_path / "backups"))
    assert ran.code == 0, ran.err
    assert ran.out_lines[0].startswith("Backed up 1 story to ")
