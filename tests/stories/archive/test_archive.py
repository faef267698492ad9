"""comments.export / comments.import: our own JSON Lines archive, byte-identical round trips."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import store_calls as calls
from stories_support import FakeClock, add

from reader_stories import archive
from reader_stories.archive import ArchiveError
from reader_stories.models import Hold, HoldKind, SpamScore, Story
from reader_stories.moderation import actions as moderation
from reader_stories.moderation.edit_rules import EditRules
from reader_stories.store import Store, open_store, schema

ROOT = Path(__file__).resolve().parents[3]
SECRET = "s" * 40
DAY = timedelta(hours=24)


@pytest.fixture
def source(tmp_path: Path, clock: FakeClock) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'source.sqlite3'}", clock=clock) as opened:
        yield opened


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Store]:
    with open_store(f"sqlite:///{tmp_path / 'target.sqlite3'}") as opened:
        yield opened


def populate(store: Store, clock: FakeClock) -> None:
    """A store with every status, a reply, an author reply, an edit, a deletion, Unicode."""
    first = add(
        store,
        clock,
        name="Zoë Ångström 🚀",
        email="zoe@example.org",
        notify=True,
        body_markdown='Told "no" twice — then **hired** 🎉 & [my notes](https://example.org/n).',
    )
    second = add(store, clock, name="李雷", body_markdown="同じ経験です。Same here!")
    add(store, clock, article="negotiating-salary", body_markdown="Waiting\u2028to hear.")
    rejected = add(store, clock, body_markdown="Buy cheap watches at my shop today!!")
    spam = add(store, clock, body_markdown="spam spam spam spam spam", ip_hash="b" * 64)
    doomed = add(store, clock, body_markdown="Please delete this one again, thanks.")
    clock.advance(minutes=5)
    moderation.approve(store, [first.id, second.id])
    moderation.reject(store, [rejected.id], "advertising, not a story")
    moderation.mark_spam(store, [spam.id])
    answered = add(store, clock, reply_to=first.id, name="Ben", body_markdown="Thanks, that helps.")
    clock.advance(seconds=1.5)  # a fraction of a second, kept to the microsecond
    moderation.approve(store, [answered.id])
    moderation.reply(store, first.id, "Glad it worked out — *well done*.", "Next Round editors")
    moderation.edit(
        store, second.id, "Same here! (a surname removed by a moderator)", rules=EditRules(3, "")
    )
    moderation.delete(store, [doomed.id])


def exported(store: Store, tmp_path: Path) -> Path:
    path = tmp_path / "export.jsonl"
    archive.export_to_file(store, path)
    return path


def export_bytes(store: Store, path: Path) -> bytes:
    archive.export_to_file(store, path)
    return path.read_bytes()


def all_stories(store: Store) -> list[Story]:
    with store.reading() as tx:
        ids = list(tx.conn.scalars(schema.stories.select().with_only_columns(schema.stories.c.id)))
        return tx.get_many(sorted(ids))


def test_export_import_export_is_byte_identical(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    first = export_bytes(source, tmp_path / "first.jsonl")

    tally = archive.import_file(target, tmp_path / "first.jsonl")

    assert export_bytes(target, tmp_path / "second.jsonl") == first
    assert all_stories(target) == all_stories(source)
    assert tally.stories == 7 and tally.events == 15
    lines = first.decode("utf-8").split("\n")[:-1]
    assert lines[0] == '{"format": "nextround-stories", "version": 1}'
    assert lines[-1] == '{"events": 15, "kind": "end", "stories": 7}'
    assert first.endswith(b"\n")


def test_a_writers_waiting_change_travels_with_the_archive(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    published = all_stories(source)[0]
    with source.writing() as tx:
        tx.revise_by_writer(
            published.id, "Told no twice, then hired: my notes are gone now.", "Zoë", DAY
        )
    first = export_bytes(source, tmp_path / "first.jsonl")
    lines = first.decode("utf-8").split("\n")[:-1]
    revision = json.loads(lines[-2])
    assert (revision["kind"], revision["story_id"], revision["name"]) == (
        "revision",
        published.id,
        "Zoë",
    )
    assert lines[-1] == '{"events": 16, "kind": "end", "revisions": 1, "stories": 7}'

    tally = archive.import_file(target, tmp_path / "first.jsonl")

    assert tally.revisions == 1
    assert archive.import_summary(tally, "x")[-2] == (
        "Restored 7 stories, 16 moderation events and 1 writer's change waiting for a moderator "
        "from x, ids kept."
    )
    assert export_bytes(target, tmp_path / "second.jsonl") == first
    with target.reading() as tx:
        assert [r.story_id for r in tx.revisions_waiting()] == [published.id]


def test_a_change_to_a_story_the_file_does_not_hold_is_refused(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    with source.writing() as tx:
        tx.revise_by_writer(all_stories(source)[0].id, "A change that lost its story.", "Zoë", DAY)
    lines = export_bytes(source, tmp_path / "a.jsonl").decode("utf-8").split("\n")[:-1]
    orphan = json.loads(lines[-2]) | {"story_id": 999}
    lines[-2] = json.dumps(orphan, ensure_ascii=False, sort_keys=True)
    (tmp_path / "b.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ArchiveError) as failed:
        archive.import_file(target, tmp_path / "b.jsonl")
    assert str(failed.value) == (
        f"b.jsonl, line {len(lines) - 1}: a change to story 999, which is not earlier in the file."
    )
    assert all_stories(target) == []


def test_export_keeps_everything_in_canonical_form(
    source: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    text = export_bytes(source, tmp_path / "a.jsonl").decode("utf-8")
    records = [json.loads(line) for line in text.split("\n")[:-1][1:-1]]
    stories = [r for r in records if r["kind"] == "story"]
    events = [r for r in records if r["kind"] == "event"]

    assert [r["kind"] for r in records] == ["story"] * len(stories) + ["event"] * len(events)
    assert [s["id"] for s in stories] == sorted(s["id"] for s in stories)
    assert [e["id"] for e in events] == sorted(e["id"] for e in events)
    for line in text.split("\n")[:-1][1:]:
        assert list(json.loads(line)) == sorted(json.loads(line))
    by_name = {s["name"]: s for s in stories}
    zoe = by_name["Zoë Ångström 🚀"]
    assert (zoe["email"], zoe["notify"], zoe["status"]) == ("zoe@example.org", True, "approved")
    assert zoe["ip_hash"] == "a" * 64
    assert "Zoë Ångström 🚀" in text  # UTF-8 as is, not \u escapes
    assert "Waiting\u2028to hear." in text  # a line separator, yet not a line break
    assert by_name["李雷"]["edited"] is True
    rejected = next(s for s in stories if s["status"] == "rejected")
    assert rejected["reject_reason"] == "advertising, not a story"
    assert next(s for s in stories if s["author_reply"])["name"] == "Next Round editors"
    assert {s["status"] for s in stories} == {"approved", "pending", "rejected", "spam"}
    assert all(s["created"].endswith("+00:00") for s in stories)
    assert any("." in s["approved_at"] for s in stories if s["approved_at"])  # microseconds
    deleted = [e for e in events if e["action"] == "deleted"]
    assert deleted and deleted[0]["story_id"] not in {s["id"] for s in stories}


def test_a_held_story_comes_back_held_with_its_reasons(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    hold = Hold(HoldKind.SUSPECTED, ("2 links to link shorteners", "the same text on 3 articles"))
    add(source, clock, body_markdown="Earn money fast, see the link in my name.", hold=hold)
    add(source, clock)
    archive.import_file(target, exported(source, tmp_path))
    assert [story.hold for story in all_stories(target)] == [hold, None]


def test_spam_scores_come_back_and_unscored_stories_stay_unscored(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    high = SpamScore(6, ("a link shortener (bit.ly) (+3)", "spam phrasing: “earn $” (+3)"))
    hold = Hold(HoldKind.SUSPECTED, ("spam score 6 (held from 5)", *high.reasons))
    add(source, clock, body_markdown="Earn $ fast at bit.ly/x", spam=high, hold=hold)
    add(source, clock, spam=SpamScore(-2, ("the browser solved the proof of work (-2)",)))
    add(source, clock, body_markdown="A story from before scores were kept.")
    first = export_bytes(source, tmp_path / "first.jsonl")
    records = [json.loads(line) for line in first.decode("utf-8").split("\n")[1:4]]
    assert [(r["spam_score"], r["spam_reasons"]) for r in records] == [
        (6, "a link shortener (bit.ly) (+3)\nspam phrasing: “earn $” (+3)"),
        (-2, "the browser solved the proof of work (-2)"),
        (None, None),
    ]

    archive.import_file(target, tmp_path / "first.jsonl")

    assert [story.spam for story in all_stories(target)] == [
        high,
        SpamScore(-2, ("the browser solved the proof of work (-2)",)),
        None,
    ]
    assert export_bytes(target, tmp_path / "second.jsonl") == first


def test_an_archive_from_before_spam_scores_imports_unscored(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    add(source, clock, spam=SpamScore(1, ("a link (+1)",)))
    path = exported(source, tmp_path)
    lines = path.read_text("utf-8").split("\n")[:-1]
    record = json.loads(lines[1])
    del record["spam_score"], record["spam_reasons"]
    lines[1] = json.dumps(record, ensure_ascii=False, sort_keys=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")

    archive.import_file(target, path)

    assert [story.spam for story in all_stories(target)] == [None]


def test_restored_store_never_reuses_a_deleted_story_id(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    newest = add(source, clock, body_markdown="The newest story, deleted at once.")
    moderation.delete(source, [newest.id])
    archive.import_file(target, exported(source, tmp_path))

    after = add(target, body_markdown="A story written after the restore.")

    assert after.id == newest.id + 1  # the deleted id keeps its history to itself


def test_restore_into_either_database(
    source: Store, store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    """``store`` comes from conftest, once on SQLite and once on PostgreSQL (sequences reset)."""
    populate(source, clock)
    newest = add(source, clock, body_markdown="The newest story, deleted at once.")
    moderation.delete(source, [newest.id])
    first = export_bytes(source, tmp_path / "first.jsonl")

    archive.import_file(store, tmp_path / "first.jsonl")
    restored = export_bytes(store, tmp_path / "second.jsonl")
    after = add(store, body_markdown="A story written after the restore.")

    assert restored == first
    assert after.id == newest.id + 1
    assert [event.action.value for event in calls.events(store, after.id)] == ["submitted"]


def test_import_into_a_store_with_the_same_ids_is_refused_and_changes_nothing(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    path = exported(source, tmp_path)
    add(target, body_markdown="Already here before the import.")
    before = export_bytes(target, tmp_path / "before.jsonl")

    with pytest.raises(ArchiveError) as refused:
        archive.import_file(target, path)

    assert str(refused.value) == (
        "The store already has stories with ids in this archive (1). comments.import restores "
        "ids exactly, so it only loads into a store without them: point COMMENTS_DATABASE_URL "
        "at a new, empty database and import again."
    )
    assert export_bytes(target, tmp_path / "after.jsonl") == before


def test_import_twice_is_refused_the_second_time(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    path = exported(source, tmp_path)
    archive.import_file(target, path)

    with pytest.raises(ArchiveError, match="already has stories with ids in this archive"):
        archive.import_file(target, path)


Edit = Callable[[list[str]], list[str]]


def _set(line: int, **changes: object) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        record = json.loads(lines[line - 1])
        record.update(changes)
        lines[line - 1] = json.dumps(record, ensure_ascii=False, sort_keys=True)
        return lines

    return edit


def _drop_field(line: int, name: str) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        record = json.loads(lines[line - 1])
        del record[name]
        lines[line - 1] = json.dumps(record, ensure_ascii=False, sort_keys=True)
        return lines

    return edit


def _replace_line(line: int, text: str) -> Edit:
    def edit(lines: list[str]) -> list[str]:
        lines[line - 1] = text
        return lines

    return edit


# Line numbers in the populated export: 1 header, 2-8 stories, 9-23 events, 24 end.
BAD_LINES: dict[str, tuple[Edit, str]] = {
    "bad JSON": (
        _replace_line(4, '{"kind": "story", "id": 3,,}'),
        "first.jsonl, line 4: not valid JSON (Expecting property name enclosed in double "
        "quotes at column 27); the file may be cut short or edited by hand.",
    ),
    "not an object": (
        _replace_line(3, "[1, 2]"),
        "first.jsonl, line 3: expected a JSON object {...}, found list.",
    ),
    "unknown kind": (
        _set(5, kind="comment"),
        'first.jsonl, line 5: unknown record kind "comment"; '
        "expected story, event, revision or end.",
    ),
    "no kind": (
        _drop_field(12, "kind"),
        'first.jsonl, line 12: a record without "kind" (story, event or end).',
    ),
    "missing field": (
        _drop_field(6, "email"),
        'first.jsonl, line 6: the story record has no "email" (use null for none).',
    ),
    "unknown field": (
        _set(6, colour="blue"),
        'first.jsonl, line 6: the story record has unknown fields "colour".',
    ),
    "bad status": (
        _set(7, status="published"),
        'first.jsonl, line 7: story field "status" must be one of pending, approved, '
        'rejected, spam; it is "published".',
    ),
    "bad timestamp": (
        _set(8, created="yesterday"),
        'first.jsonl, line 8: story field "created" must be an ISO 8601 time with its UTC '
        'offset, like 2025-03-01T09:00:00+00:00; it is "yesterday".',
    ),
    "timestamp without offset": (
        _set(2, approved_at="2025-03-01T09:00:00"),
        'first.jsonl, line 2: story field "approved_at" must be an ISO 8601 time with its UTC '
        'offset, like 2025-03-01T09:00:00+00:00, or null; it is "2025-03-01T09:00:00".',
    ),
    "spam score as text": (
        _set(2, spam_score="7"),
        'first.jsonl, line 2: story field "spam_score" must be a whole number from -1000000 '
        'to 1000000, or null; it is "7".',
    ),
    "wrong type": (
        _set(2, notify="yes"),
        'first.jsonl, line 2: story field "notify" must be true or false; it is "yes".',
    ),
    "id as text": (
        _set(3, id="3"),
        'first.jsonl, line 3: story field "id" must be a whole number from 1 to 2147483647; '
        'it is "3".',
    ),
    "duplicate story": (
        _set(3, id=1),
        "first.jsonl, line 3: story 1 appears twice.",
    ),
    "parent not earlier": (
        _set(7, parent_id=8),
        "first.jsonl, line 7: story 7 replies to story 8, which is not earlier in the file.",
    ),
    "noncharacter in a name": (
        _set(3, name="Ada\uffff"),
        'first.jsonl, line 3: story 2 field "name" holds U+FFFF (a noncharacter) at character 4, '
        "which no page or feed can show; remove it from the file and import again.",
    ),
    "marks piled on a letter": (
        _set(4, body_markdown="Zalgo" + "\u0301" * 9),
        'first.jsonl, line 4: story 3 field "body_markdown" holds U+0301 (a mark too many, or on '
        "no letter) at character 10, which no page or feed can show; remove it from the file "
        "and import again.",
    ),
    "bad action": (
        _set(20, action="published"),
        'first.jsonl, line 20: event field "action" must be one of submitted, approved, '
        'rejected, spam, edited, replied, deleted, returned; it is "published".',
    ),
    "end count wrong": (
        _set(24, stories=9),
        "first.jsonl, line 24: the end record counts 9 stories and 15 events, but the file "
        "holds 7 and 15; the file was edited or damaged.",
    ),
    "not an archive": (
        _replace_line(1, '<?xml version="1.0"?>'),
        'first.jsonl, line 1: not a nextround-stories archive; its first line must be {"format": '
        '"nextround-stories", "version": 1} (make one with invoke comments.export, or give '
        "--format for Isso, Disqus or pelican-comment-system files).",
    ),
    "newer version": (
        _set(1, version=2),
        "first.jsonl, line 1: archive version 2 is not one this program reads (version 1); "
        "import it with the version that made it.",
    ),
    "empty line": (
        _replace_line(11, ""),
        "first.jsonl, line 11: an empty line; the file was edited.",
    ),
    "cut at a line break": (
        lambda lines: lines[:17],
        "first.jsonl ends at line 17 without its end record: the file is cut short. "
        "Nothing was imported; export it again.",
    ),
}


@pytest.mark.parametrize("case", list(BAD_LINES))
def test_bad_line_is_named_and_nothing_is_imported(
    case: str,
    source: Store,
    target: Store,
    clock: FakeClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    populate(source, clock)
    path = exported(source, tmp_path)
    empty = export_bytes(target, tmp_path / "empty.jsonl")
    edit, message = BAD_LINES[case]
    bad = tmp_path / "first.jsonl"
    bad.write_text("\n".join(edit(path.read_text("utf-8").split("\n")[:-1])) + "\n", "utf-8")
    monkeypatch.setattr(archive, "BATCH", 1)  # rows reach the database before the bad line

    with pytest.raises(ArchiveError) as failed:
        archive.import_file(target, bad)

    assert str(failed.value) == message
    assert export_bytes(target, tmp_path / "after.jsonl") == empty


def test_file_cut_mid_line_names_that_line(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    populate(source, clock)
    data = exported(source, tmp_path).read_bytes()
    cut = data.index(b'"kind": "event"') + 5  # inside the first event, line 9
    truncated = tmp_path / "cut.jsonl"
    truncated.write_bytes(data[:cut])

    with pytest.raises(ArchiveError) as failed:
        archive.import_file(target, truncated)

    assert str(failed.value).startswith("cut.jsonl, line 9: not valid JSON (")
    assert target.pending() == [] and all_stories(target) == []


def test_empty_and_missing_files_are_named(target: Store, tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")

    with pytest.raises(ArchiveError) as empty:
        archive.import_file(target, tmp_path / "empty.jsonl")
    with pytest.raises(ArchiveError) as missing:
        archive.import_file(target, tmp_path / "nowhere.jsonl")

    assert str(empty.value) == "empty.jsonl is empty; it is not a nextround-stories archive."
    assert str(missing.value) == (
        f"{tmp_path / 'nowhere.jsonl'}: cannot open it (No such file or directory)."
    )


def test_imported_html_passes_the_sanitiser_again(
    source: Store, target: Store, clock: FakeClock, tmp_path: Path
) -> None:
    add(source, clock, body_markdown="An honest story about an interview.")
    path = exported(source, tmp_path)
    lines = path.read_text("utf-8").split("\n")[:-1]
    record = json.loads(lines[1])
    record["body_html"] = '<p onclick="x()">Hi<script>alert(1)</script></p>'
    lines[1] = json.dumps(record, ensure_ascii=False, sort_keys=True)
    path.write_text("\n".join(lines) + "\n", "utf-8")

    archive.import_file(target, path)

    assert target.get(1).body_html == "<p>Hi</p>"


def test_every_column_is_in_the_archive() -> None:
    """A new column must be added to the archive format, or a round trip would lose it."""
    assert set(archive.STORY_FIELDS) == set(schema.stories.c.keys())
    assert set(archive.EVENT_FIELDS) == set(schema.moderation_events.c.keys())


def test_summary_has_one_line_per_article(source: Store, clock: FakeClock, tmp_path: Path) -> None:
    populate(source, clock)

    lines = archive.export_summary(archive.export_to_file(source, tmp_path / "a.jsonl"), "a")

    assert lines == [
        "handling-job-rejection: 6 stories (4 approved, 1 rejected, 1 spam)",
        "negotiating-salary: 1 story (1 pending)",
        "Exported 7 stories and 15 moderation events to a.",
        "It holds readers' email addresses and IP hashes: keep it as private as the database.",
    ]


def _invoke(*args: str, database: Path) -> subprocess.CompletedProcess[bytes]:
    env = {key: value for key, value in os.environ.items() if key != "PELICAN_SETTINGS"}
    env |= {"COMMENTS_DATABASE_URL": f"sqlite:///{database}", "COMMENTS_SECRET_KEY": SECRET}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args], cwd=ROOT, env=env, capture_output=True, timeout=60
    )


@pytest.mark.slow
def test_invoke_export_and_import(source: Store, clock: FakeClock, tmp_path: Path) -> None:
    populate(source, clock)
    expected = export_bytes(source, tmp_path / "expected.jsonl")
    source_db = tmp_path / "source.sqlite3"
    restored_db = tmp_path / "restored.sqlite3"

    to_stdout = _invoke("comments.export", database=source_db)
    to_file = _invoke("comments.export", "--path", str(tmp_path / "out.jsonl"), database=source_db)
    restored = _invoke("comments.import", str(tmp_path / "out.jsonl"), database=restored_db)
    again = _invoke("comments.import", str(tmp_path / "out.jsonl"), database=restored_db)
    round_trip = _invoke("comments.export", database=restored_db)

    assert to_stdout.returncode == 0, to_stdout.stderr
    assert to_stdout.stdout == expected
    assert to_stdout.stderr.decode().splitlines()[-2:] == [
        "Exported 7 stories and 15 moderation events to standard output.",
        "It holds readers' email addresses and IP hashes: keep it as private as the database.",
    ]
    assert to_file.returncode == 0, to_file.stderr
    assert (tmp_path / "out.jsonl").read_bytes() == expected
    assert restored.returncode == 0, restored.stderr
    assert restored.stdout.decode().split("\n")[:-1] == [
        "handling-job-rejection: 6 stories (4 approved, 1 rejected, 1 spam)",
        "negotiating-salary: 1 story (1 pending)",
        "Restored 7 stories and 15 moderation events from out.jsonl, ids kept.",
        "Run `invoke build` to publish the approved stories.",
    ]
    assert again.returncode == 1
    assert b"already has stories with ids in this archive" in again.stderr
    assert b"Traceback" not in again.stderr
    assert round_trip.stdout == expected
