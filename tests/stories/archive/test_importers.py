"""Importers of foreign comment formats: pelican-comment-system folders, Isso, Disqus.

Every fixture is built here from the formats' documented layouts: comment folders written
file by file, an Isso database created with Isso's own CREATE TABLE statements, a Disqus
export as an XML string. ``store`` is conftest's: each test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
import store_calls as calls
from importer_support import settings_over
from stories_support import START

from reader_stories import archive
from reader_stories.archive import ArchiveError
from reader_stories.importers import ImportOptions
from reader_stories.importers import import_path as import_any
from reader_stories.importers.bodies import text_of_html
from reader_stories.importers.records import clean_name, clean_text
from reader_stories.importers.site_articles import SiteArticles
from reader_stories.models import Action, Status, Story
from reader_stories.store import Store, schema

ROOT = Path(__file__).resolve().parents[3]
SECRET = "s" * 40

# From isso/db/threads.py and isso/db/comments.py.
ISSO_SCHEMA = """
CREATE TABLE IF NOT EXISTS threads (
    id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE, title VARCHAR(256));
CREATE TABLE IF NOT EXISTS comments (
    tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
    created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
    text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
    likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
    notification INTEGER NOT NULL DEFAULT 0);
"""
ISSO_T0 = 1714555800.25  # 2024-05-01 09:30:00.25 UTC
# The articles these fixtures' addresses name, as a built site would list them.
SITE = SiteArticles.of(["handling-job-rejection", "negotiating-salary"], ["about"])


def import_path(store: Store, path: Path, format: str = "nextround") -> list[str]:
    """An import onto SITE's articles (for the foreign formats)."""
    options = None if format == "nextround" else ImportOptions(site=SITE)
    return import_any(store, path, format, options)


def stories(store: Store) -> list[Story]:
    with store.reading() as tx:
        ids = sorted(
            tx.conn.scalars(schema.stories.select().with_only_columns(schema.stories.c.id))
        )
        return tx.get_many(ids)


def by_text(store: Store) -> dict[str, Story]:
    """Stories keyed by the first word of their text, which the fixtures keep unique."""
    return {story.body_markdown.split()[0]: story for story in stories(store)}


def exported_text(store: Store, tmp_path: Path) -> str:
    archive.export_to_file(store, tmp_path / "check.jsonl")
    return (tmp_path / "check.jsonl").read_text("utf-8")


# Isso


def make_isso(path: Path, comments: list[tuple]) -> Path:
    """An Isso database: (id, tid, parent, created, mode, remote_addr, text, author, email)."""
    with sqlite3.connect(path) as conn:
        conn.executescript(ISSO_SCHEMA)
        conn.executemany(
            "INSERT INTO threads (id, uri, title) VALUES (?, ?, ?)",
            [
                (1, "/handling-job-rejection/", "Handling job rejection"),
                (2, "/negotiating-salary.html", "Negotiating salary"),
                (3, "/", "Home"),
            ],
        )
        conn.executemany(
            "INSERT INTO comments (id, tid, parent, created, mode, remote_addr, text, author, "
            "email, website, voters) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'https://me.example', ?)",
            [(*row, b"\x00" * 32) for row in comments],
        )
    conn.close()
    return path


ISSO_COMMENTS = [
    (1, 1, None, ISSO_T0, 1, "203.0.113.9", "Rejected **twice**, then hired.", "Ada", "a@b.org"),
    (2, 1, 1, ISSO_T0 + 60, 2, "203.0.113.10", "Pending: same thing happened to me.", "", None),
    (3, 1, None, ISSO_T0 + 120, 4, "203.0.113.11", "", None, None),
    (4, 1, 3, ISSO_T0 + 180, 1, "203.0.113.12", "Orphan: my parent was deleted.", "Cy", ""),
    (5, 1, 2, ISSO_T0 + 240, 1, "203.0.113.13", "Nested: a reply to a reply.", "Di", None),
    (
        6,
        2,
        None,
        ISSO_T0 + 300,
        1,
        "203.0.113.14",
        "Salary: [click](javascript:alert(1)) <a href='javascript:x()'>y</a> "
        "<script>alert(2)</script> *fine*",
        "Ed",
        None,
    ),
    (7, 3, None, ISSO_T0 + 360, 1, "203.0.113.15", "Homepage comment, no article.", "Flo", None),
]


def test_isso_database_becomes_stories(store: Store, tmp_path: Path) -> None:
    db = make_isso(tmp_path / "comments.db", ISSO_COMMENTS)

    lines = import_path(store, db, "isso")

    found = by_text(store)
    rejected, pending, orphan, nested = (
        found["Rejected"],
        found["Pending:"],
        found["Orphan:"],
        found["Nested:"],
    )
    assert [s.status for s in (rejected, pending, orphan, nested)] == [
        Status.APPROVED,
        Status.PENDING,
        Status.APPROVED,
        Status.APPROVED,
    ]
    # A reply under a pending reply hangs on it, hidden as Isso hid it until it is approved.
    assert (pending.parent_id, nested.parent_id, orphan.parent_id) == (
        rejected.id,
        pending.id,
        None,
    )
    assert rejected.created == datetime.fromtimestamp(ISSO_T0, UTC)
    assert rejected.created.tzinfo is UTC and rejected.approved_at == rejected.created
    assert (rejected.name, rejected.email) == ("Ada", "a@b.org")
    assert (pending.name, pending.email, orphan.email) == ("Anonymous", None, None)
    assert rejected.body_html == "<p>Rejected <strong>twice</strong>, then hired.</p>"
    salary = found["Salary:"]
    assert salary.article == "negotiating-salary"
    assert "<script" not in salary.body_html and 'href="javascript' not in salary.body_html
    assert "<a" not in salary.body_html and "<em>fine</em>" in salary.body_html
    assert lines == [
        "Imported: the Isso database comments.db, 7 comments on 3 addresses.",
        "/ -> no article: 1 kept aside",
        "  comment 7: kept aside: no article of this site has this address; add it to the "
        "--map file",
        "/handling-job-rejection/ -> handling-job-rejection: 2 shown, 1 waiting for "
        "moderation, 1 hidden reply, 1 skipped",
        "  comment 2: waiting for moderation: as it was in Isso",
        "  comment 4: shown: as a story of its own: its parent comment 3 is not imported "
        "(deleted in Isso)",
        "  comment 5: hidden reply: a reply under comment 2, which is waiting for moderation: "
        "it shows once that is approved",
        "  comment 3: skipped: deleted in Isso",
        "/negotiating-salary.html -> negotiating-salary: 1 shown",
        "Left out, the store has no place for them: website links (6 comments).",
        "IP addresses were not imported: the store keeps only keyed hashes of them, never raw "
        "addresses.",
        "5 imported, 3 will be shown, 3 need your attention: 1 has no article here (kept "
        "aside; map its address with --map); 1 waits for moderation; 1 is an approved reply "
        "under a parent that is not shown.",
    ]


def test_isso_import_keeps_no_ip_address_and_records_the_import(
    store: Store, tmp_path: Path
) -> None:
    db = make_isso(tmp_path / "comments.db", ISSO_COMMENTS)

    import_path(store, db, "isso")

    text = exported_text(store, tmp_path)
    assert "203.0.113" not in text and "me.example" not in text
    assert all(story.email != "" for story in stories(store))
    story = by_text(store)["Rejected"]
    [event] = calls.events(store, story.id)
    assert (event.action, event.actor, event.at) == (Action.SUBMITTED, "import", START)
    assert event.note == "imported from isso (comment 1)"
    records = [json.loads(line) for line in text.splitlines()]
    assert all(r["ip_hash"] is None for r in records if r.get("kind") == "story")


def test_importing_the_same_database_twice_adds_nothing(store: Store, tmp_path: Path) -> None:
    db = make_isso(tmp_path / "comments.db", ISSO_COMMENTS)
    import_path(store, db, "isso")
    before = exported_text(store, tmp_path)

    lines = import_path(store, db, "isso")

    assert exported_text(store, tmp_path) == before
    assert [line for line in lines if not line.startswith(("Left", "IP"))] == [
        "Imported: the Isso database comments.db, 7 comments on 3 addresses.",
        "/ -> no article: 1 kept aside",
        "  comment 7: kept aside: no article of this site has this address; add it to the "
        "--map file",
        "/handling-job-rejection/ -> handling-job-rejection: 1 skipped, 4 already imported",
        "  comment 3: skipped: deleted in Isso",
        "/negotiating-salary.html -> negotiating-salary: 1 already imported",
        "0 imported, 0 will be shown, 1 needs your attention: 1 has no article here (kept "
        "aside; map its address with --map).",
    ]


def test_a_failure_while_writing_leaves_the_store_unchanged(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = make_isso(tmp_path / "comments.db", ISSO_COMMENTS)
    real_insert = archive.insert_story
    inserted = []

    def failing_insert(conn, values):  # type: ignore[no-untyped-def]
        inserted.append(values)
        if len(inserted) == 3:
            raise ArchiveError("disk full, say")
        return real_insert(conn, values)

    monkeypatch.setattr(archive, "insert_story", failing_insert)

    with pytest.raises(ArchiveError, match="disk full"):
        import_path(store, db, "isso")

    assert len(inserted) == 3
    assert stories(store) == [] and calls.events(store, 1) == []


def test_a_file_that_is_not_an_isso_database_is_refused(store: Store, tmp_path: Path) -> None:
    text_file = tmp_path / "comments.db"
    text_file.write_text("these are not the comments you are looking for\n" * 20)
    other_db = tmp_path / "other.db"
    with sqlite3.connect(other_db) as conn:
        conn.execute("CREATE TABLE threads (id INTEGER PRIMARY KEY, uri TEXT)")
    conn.close()

    with pytest.raises(ArchiveError) as not_sqlite:
        import_path(store, text_file, "isso")
    with pytest.raises(ArchiveError) as not_isso:
        import_path(store, other_db, "isso")
    with pytest.raises(ArchiveError) as missing:
        import_path(store, tmp_path / "nowhere.db", "isso")

    assert str(not_sqlite.value) == (
        f"{text_file} is not an SQLite database (file is not a database); give the path of "
        "Isso's database (the dbpath of its configuration)."
    )
    assert str(not_isso.value) == (
        f"{other_db} is an SQLite database but not Isso's: its comments table is missing."
    )
    assert str(missing.value) == (
        f"{tmp_path / 'nowhere.db'}: no such file; give the path of Isso's SQLite database."
    )
    assert stories(store) == []


def test_an_unknown_isso_mode_is_reported_and_the_rest_imported(
    store: Store, tmp_path: Path
) -> None:
    rows = [(9, 1, None, ISSO_T0, 8, None, "Odd mode", "X", None), ISSO_COMMENTS[0]]
    db = make_isso(tmp_path / "comments.db", rows)

    lines = import_path(store, db, "isso")

    assert [story.body_markdown for story in stories(store)] == [ISSO_COMMENTS[0][6]]
    assert "  comment 9: skipped: mode 8, which Isso does not use (1, 2 or 4)" in lines
    assert lines[-1] == (
        "1 imported, 1 will be shown, 1 needs your attention: 1 is a record that could not be read."
    )


# Disqus

DISQUS_XML = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <category dsq:id="11">
    <forum>nextround</forum><title>General</title><isDefault>true</isDefault>
  </category>
  <thread dsq:id="21">
    <id>handling</id><forum>nextround</forum><category dsq:id="11"/>
    <link>https://careers.example.org/handling-job-rejection/</link>
    <title>Handling job rejection</title>
    <createdAt>2024-04-30T08:00:00Z</createdAt>
    <author><name>Editors</name><isAnonymous>false</isAnonymous></author>
    <isClosed>false</isClosed><isDeleted>false</isDeleted>
  </thread>
  <thread dsq:id="22">
    <link>http://careers.example.org/2024/05/negotiating-salary.html?utm=x</link>
    <title>Negotiating salary</title>
  </thread>
  <post dsq:id="31">
    <id/>
    <message><![CDATA[{first_message}]]></message>
    <createdAt>2024-05-01T09:30:00Z</createdAt>
    <isDeleted>false</isDeleted>
    <isSpam>false</isSpam>
    <author><email>ada@example.org</email><name>Ada</name><isAnonymous>false</isAnonymous></author>
    <ipAddress>198.51.100.7</ipAddress>
    <thread dsq:id="21"/>
  </post>
  <post dsq:id="32">
    <message><![CDATA[<p>Same here,<br>really.</p>]]></message>
    <createdAt>2024-05-01T10:00:00+02:00</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name></name><isAnonymous>true</isAnonymous></author>
    <ipAddress>198.51.100.8</ipAddress>
    <thread dsq:id="21"/>
    <parent dsq:id="31"/>
  </post>
  <post dsq:id="33">
    <message><![CDATA[<p>Nested reply.</p>]]></message>
    <createdAt>2024-05-02T09:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Ben</name></author>
    <thread dsq:id="21"/>
    <parent dsq:id="32"/>
  </post>
  <post dsq:id="34">
    <message><![CDATA[<p>Cheap watches!</p>]]></message>
    <createdAt>2024-05-03T09:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>true</isSpam>
    <author><name>Spammer</name></author>
    <thread dsq:id="22"/>
  </post>
  <post dsq:id="35">
    <message></message>
    <createdAt>2024-05-04T09:00:00Z</createdAt>
    <isDeleted>true</isDeleted><isSpam>false</isSpam>
    <author><name></name></author>
    <thread dsq:id="21"/>
  </post>
  <post dsq:id="36">
    <message><![CDATA[<script>alert("only this")</script>]]></message>
    <createdAt>2024-05-05T09:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam>
    <author><name>Eve</name></author>
    <thread dsq:id="21"/>
  </post>
</disqus>
""".replace(
    "{first_message}",
    '<p>Rejected <b>twice</b>.</p><p>See <a href="https://example.org/x" onclick="steal()">'
    "my notes</a><script>alert(1)</script></p>",
)


def test_disqus_export_becomes_stories(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "disqus.xml"
    path.write_text(DISQUS_XML, "utf-8")

    lines = import_path(store, path, "disqus")

    found = by_text(store)
    top, same, nested, spam = found["Rejected"], found["Same"], found["Nested"], found["Cheap"]
    assert top.body_html == (
        '<p>Rejected <strong>twice</strong>.</p><p>See <a href="https://example.org/x" '
        'rel="nofollow ugc noopener">my notes</a></p>'
    )
    assert top.body_markdown == "Rejected twice.\n\nSee my notes (https://example.org/x)"
    assert (top.name, top.email, top.status) == ("Ada", "ada@example.org", Status.APPROVED)
    assert top.created == datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    assert same.created == datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    assert (same.name, same.parent_id, nested.parent_id) == ("Anonymous", top.id, top.id)
    assert same.body_markdown == "Same here,\nreally."
    assert (spam.status, spam.article) == (Status.SPAM, "negotiating-salary")
    assert "198.51.100" not in exported_text(store, tmp_path)
    assert lines == [
        "Imported: the Disqus export disqus.xml, 6 comments on 2 addresses.",
        "http://careers.example.org/2024/05/negotiating-salary.html?utm=x -> "
        "negotiating-salary: 1 spam",
        "  post 34: spam: as Disqus marked it",
        "https://careers.example.org/handling-job-rejection/ -> handling-job-rejection: "
        "3 shown, 2 skipped",
        "  post 35: skipped: deleted in Disqus",
        "  post 36: skipped: an empty message",
        "IP addresses were not imported: the store keeps only keyed hashes of them, never raw "
        "addresses.",
        "4 imported, 3 will be shown; nothing needs your attention.",
    ]


def test_malformed_disqus_xml_names_its_line(store: Store, tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text(DISQUS_XML.replace("</post>", "</pst>", 2), "utf-8")

    with pytest.raises(ArchiveError) as failed:
        import_path(store, broken, "disqus")

    assert str(failed.value) == (
        "broken.xml, line 28: not well-formed XML (Opening and ending tag mismatch: post line 19 "
        "and pst, line 28, column 9); the export may be cut short. Download it from Disqus again."
    )
    assert stories(store) == []


def test_a_truncated_disqus_export_names_its_line(store: Store, tmp_path: Path) -> None:
    cut = tmp_path / "cut.xml"
    cut.write_text(DISQUS_XML[: DISQUS_XML.index('<post dsq:id="33">') + 4], "utf-8")

    with pytest.raises(ArchiveError, match=r"^cut\.xml, line 38: not well-formed XML \("):
        import_path(store, cut, "disqus")


def test_xml_that_is_not_a_disqus_export_is_refused(store: Store, tmp_path: Path) -> None:
    rss = tmp_path / "feed.xml"
    rss.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n', "utf-8")

    with pytest.raises(ArchiveError) as failed:
        import_path(store, rss, "disqus")

    assert str(failed.value) == (
        "feed.xml, line 2: not a Disqus export; its root element is <rss>, not <disqus>."
    )


def test_a_disqus_post_with_a_bad_date_is_reported_and_the_rest_imported(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "disqus.xml"
    path.write_text(DISQUS_XML.replace("2024-05-02T09:00:00Z", "last Tuesday"), "utf-8")

    lines = import_path(store, path, "disqus")

    assert "Nested" not in by_text(store) and "Rejected" in by_text(store)
    assert (
        "  post 33: skipped: <createdAt> is 'last Tuesday' (disqus.xml, line 40), not a time "
        "like 2024-05-01T09:30:00Z"
    ) in lines


@pytest.mark.parametrize(
    ("change", "line"),
    [
        ('<post dsq:id="33">', "  post at line 38: skipped: a post without dsq:id"),
        ('<thread dsq:id="21"/>\n    <parent dsq:id="32"/>', ""),
    ],
)
def test_odd_disqus_posts_are_reported_and_never_stop_the_rest(
    change: str, line: str, store: Store, tmp_path: Path
) -> None:
    """Real exports hold posts without an id and posts whose thread is not in the file."""
    path = tmp_path / "disqus.xml"
    if line:
        path.write_text(DISQUS_XML.replace(change, "<post>"), "utf-8")
    else:
        line = "  post 33: skipped: its thread 99 is not in the export"
        path.write_text(
            DISQUS_XML.replace(change, '<thread dsq:id="99"/>\n    <parent dsq:id="32"/>'),
            "utf-8",
        )

    lines = import_path(store, path, "disqus")

    assert line in lines
    assert {"Rejected", "Same", "Cheap"} <= set(by_text(store))


# pelican-comment-system


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, "utf-8")


def make_comment_folders(root: Path) -> Path:
    comments = root / "content" / "comments"
    article = comments / "handling-job-rejection"
    write(
        article / "0.md",
        "Author: Ada Lovelace\nDate: 2014-03-21 15:02\nEmail: ada@example.org\n"
        "Website: https://ada.example\n\nFirst: turned down **twice**.\n\n"
        "<script>alert(1)</script> [x](javascript:alert(2))\n",
    )
    write(
        article / "1.md",
        "author: Ben\ndate: 2014-03-22T10:00:00+02:00\nreplyto: 0.md\n\nSecond: same here.\n",
    )
    write(article / "2.md", "author: Cy\ndate: 2014-3-23\nreplyto: 1md\n\nThird: nested reply.\n")
    write(
        article / "3.rst",
        "Comment\n#######\n\n:author: Dee\n:date: 2014-03-24 08:00\n\nFourth: *reST* text.\n",
    )
    write(article / "notes.txt", "not a comment")
    write(
        comments / "negotiating-salary" / "x.md",
        "author:\ndate: 2015-01-02 03:04:05\nreplyto: gone\n\nFifth: parent is gone.\n",
    )
    return comments


def test_pelican_comment_system_folders_become_stories(store: Store, tmp_path: Path) -> None:
    comments = make_comment_folders(tmp_path)

    lines = import_path(store, comments, "pelican-comment-system")

    found = by_text(store)
    first, second, third, fourth, fifth = (
        found[key] for key in ("First:", "Second:", "Third:", "Fourth:", "Fifth:")
    )
    assert all(s.status is Status.APPROVED for s in found.values())
    assert (second.parent_id, third.parent_id, fourth.parent_id) == (first.id, first.id, None)
    assert fifth.parent_id is None and fifth.name == "Anonymous"
    assert (first.name, first.email, second.email) == ("Ada Lovelace", "ada@example.org", None)
    assert first.created == datetime(2014, 3, 21, 15, 2, tzinfo=UTC)
    assert second.created == datetime(2014, 3, 22, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert second.created.tzinfo is UTC
    assert third.created == datetime(2014, 3, 23, tzinfo=UTC)
    assert "<strong>twice</strong>" in first.body_html
    assert "<script" not in first.body_html and 'href="javascript' not in first.body_html
    assert "alert(1)" not in first.body_html  # inline HTML is sanitised, a script dropped whole
    assert fourth.body_html == "<p>Fourth: <em>reST</em> text.</p>"
    assert calls.events(store, first.id)[0].note == (
        "imported from pelican-comment-system (handling-job-rejection/0.md)"
    )
    assert lines == [
        "Imported: the pelican-comment-system folder comments, 6 comments on 2 addresses.",
        "handling-job-rejection -> handling-job-rejection: 4 shown, 1 skipped",
        "  handling-job-rejection/notes.txt: skipped: not a comment file",
        "negotiating-salary -> negotiating-salary: 1 shown",
        "  negotiating-salary/x.md: shown: as a story of its own: its parent "
        "negotiating-salary/gone is not imported",
        "Left out, the store has no place for them: website links (website:, link:) (1 comment).",
        "reST comments were imported as plain text with the story Markdown subset.",
        "5 imported, 5 will be shown; nothing needs your attention.",
    ]


def test_one_article_folder_given_directly_is_read(store: Store, tmp_path: Path) -> None:
    comments = make_comment_folders(tmp_path)

    import_path(store, comments / "negotiating-salary", "pelican-comment-system")

    assert [s.article for s in stories(store)] == ["negotiating-salary"]


@pytest.mark.parametrize(
    ("metadata", "problem"),
    [
        ("author: Ada\n", "no date: line in its metadata; add one like date: 2014-03-21 15:02"),
        (
            "author: Ada\ndate: some day soon\n",
            "its date 'some day soon' is not a date; write it like 2014-03-21 15:02",
        ),
        (
            "author: Ada\ndate: 2014-02-30\n",
            "its date '2014-02-30' is not a date; write it like 2014-03-21 15:02",
        ),
    ],
)
def test_a_bad_comment_file_is_reported_and_the_others_imported(
    metadata: str, problem: str, store: Store, tmp_path: Path
) -> None:
    comments = make_comment_folders(tmp_path)
    write(comments / "negotiating-salary" / "y.md", metadata + "\nA comment with a problem.\n")

    lines = import_path(store, comments, "pelican-comment-system")

    assert f"  negotiating-salary/y.md: skipped: {problem}" in lines
    assert len(stories(store)) == 5


def test_a_missing_comments_folder_is_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as failed:
        import_path(store, tmp_path / "comments", "pelican-comment-system")

    assert str(failed.value) == (
        f"{tmp_path / 'comments'}: no such folder; give the comments folder "
        "(PELICAN_COMMENT_SYSTEM_DIR, e.g. content/comments) that holds one folder per article."
    )


# Shared pieces


def test_imported_text_is_what_the_intake_accepts_without_losing_the_comment() -> None:
    """Review finding 2: every importer cleans through records.py, so a noncharacter, a bidi
    override or a pile of accents in an old export never reaches the store, nor stops the
    import."""
    assert clean_text("Old\uffff comment\u202e with e" + "\u0301" * 9 + "\u200b.") == (
        "Old comment with \u00e9" + "\u0301" * 4 + "."
    )
    assert clean_name("\ufeffAda\ufffe \u200b Lovelace") == "Ada Lovelace"
    assert clean_name("\u0301\uffff") == "Anonymous"


def test_text_of_html_keeps_paragraphs_lists_and_link_targets() -> None:
    html = (
        '<p>One <a href="https://a.example">link</a> and <a href="https://b.example">'
        "https://b.example</a>.</p><ul><li>first</li><li>second</li></ul><p>Line<br>break</p>"
    )

    assert text_of_html(html) == (
        "One link (https://a.example) and https://b.example.\n\n- first\n- second\n\nLine\nbreak"
    )


def test_an_unknown_format_is_named(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as failed:
        import_path(store, tmp_path, "wordpress")

    assert str(failed.value) == (
        "Unknown format 'wordpress'; use one of: nextround, pelican-comment-system, isso, disqus."
    )


@pytest.mark.slow
def test_invoke_import_with_a_format(tmp_path: Path, built_site: Path) -> None:
    path = tmp_path / "disqus.xml"
    path.write_text(DISQUS_XML, "utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PELICAN_SETTINGS"}
    env |= {
        "PELICAN_SETTINGS": str(settings_over(tmp_path, built_site)),
        "COMMENTS_DATABASE_URL": f"sqlite:///{tmp_path / 'stories.sqlite3'}",
        "COMMENTS_SECRET_KEY": SECRET,
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "invoke", "comments.import", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    imported = run(str(path), "--format", "disqus")
    unknown = run(str(path), "--format", "blogger")

    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.splitlines()[1:3] == [
        "http://careers.example.org/2024/05/negotiating-salary.html?utm=x -> no article: "
        "1 kept aside",
        "  post 34: kept aside: no article of this site has this address; add it to the --map file",
    ]
    assert imported.stdout.splitlines()[-1] == (
        "Run `invoke build` to show them on the site (1 article)."
    )
    assert unknown.returncode == 1
    assert unknown.stderr.strip() == (
        "Unknown format 'blogger'; use one of: nextround, pelican-comment-system, isso, disqus."
    )


def test_names_and_texts_over_the_forms_limits_are_reported_not_cut(
    store: Store, tmp_path: Path
) -> None:
    """The form takes 80-character names and 5,000-character stories; an old comment over
    either is imported whole and said. Only the store's 200-character name column cuts, and
    that is said too."""
    comments = tmp_path / "comments" / "handling-job-rejection"
    long_text = "Long " + "word " * 1100
    write(comments / "1.md", f"author: {'N' * 90}\ndate: 2014-03-21\n\n{long_text}\n")
    write(comments / "2.md", f"author: {'M' * 250}\ndate: 2014-03-22\n\nShort.\n")

    lines = import_path(store, comments.parent, "pelican-comment-system")

    found = by_text(store)
    assert len(found["Long"].body_markdown) == len(long_text.strip())
    assert (found["Long"].name, found["Short."].name) == ("N" * 90, "M" * 200)
    assert lines[2:4] == [
        "  handling-job-rejection/1.md: shown: its name has 90 characters, over the form's 80; "
        "its text has 5,504 characters, over the form's 5,000",
        "  handling-job-rejection/2.md: shown: its name has 250 characters, cut to the store's 200",
    ]
    assert lines[-1] == (
        "2 imported, 2 will be shown, 2 need your attention: 2 are over the form's limits."
    )


def test_comment_files_that_cannot_be_read_are_reported_and_the_others_imported(
    store: Store, tmp_path: Path
) -> None:
    comments = make_comment_folders(tmp_path)
    write(comments / "negotiating-salary" / "empty.html", "")
    (comments / "negotiating-salary" / "latin1.md").write_bytes(
        b"author: Zo\xe9\ndate: 2014-03-21\n\nCaf\xe9.\n"
    )

    lines = import_path(store, comments, "pelican-comment-system")

    assert "  negotiating-salary/empty.html: skipped: not an HTML comment (Document is empty)" in (
        lines
    )
    assert (
        "  negotiating-salary/latin1.md: skipped: not UTF-8 text; save it as UTF-8 and import again"
    ) in lines
    assert len(stories(store)) == 5


def test_a_post_that_appears_twice_is_imported_once_and_its_replies_keep_their_place(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "disqus.xml"
    first_post = DISQUS_XML[DISQUS_XML.index('<post dsq:id="31">') : DISQUS_XML.index("</post>")]
    path.write_text(DISQUS_XML.replace("</disqus>", first_post + "</post>\n</disqus>"), "utf-8")

    lines = import_path(store, path, "disqus")

    found = by_text(store)
    assert [s.body_markdown.split()[0] for s in stories(store)].count("Rejected") == 1
    assert found["Same"].parent_id == found["Rejected"].id
    assert "  post 31: skipped: appears twice; the first one is imported" in lines
