"""Stories in the static site: only approved ones, safely rendered, and republished at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest
from lxml import etree, html
from site_support import ENV, ROOT, SECRET, SEED, SETTINGS, build, build_live, submit

from reader_stories.config import SITE_FEED, load_config
from reader_stories.live.manifest import MANIFEST
from reader_stories.models import Status
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import service
from reader_stories.moderation.report import describe
from reader_stories.pages import atomic, republish
from reader_stories.pages.atomic import write_atomically
from reader_stories.pages.republish import NotBuilt, Republisher, republish_article
from reader_stories.pages.section import ArticleRef, render_section
from reader_stories.pages.templates import environment
from reader_stories.store import open_store


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


@pytest.fixture
def moderated(db_url: str) -> dict[str, int]:
    """One story in every state, plus a reply and an author answer, with an email given."""
    with open_store(db_url) as store:
        ids = {
            "approved": submit(
                store,
                "Ayo",
                "APPROVED-MARK: two offers after ten rejections.",
                email="ayo@mail.example",
            ).id,
            "pending": submit(store, "Ben", "PENDING-MARK: still waiting on a reply.").id,
            "rejected": submit(store, "Cat", "REJECTED-MARK: a rant about one company.").id,
            "spam": submit(store, "Dan", "SPAM-MARK: buy cheap certificates today.").id,
            "xss": submit(
                store,
                "Eve <img src=x onerror=alert(1)>",
                "XSS-MARK <script>alert(1)</script> [x](javascript:alert(1))",
            ).id,
        }
        moderation.approve(store, [ids["approved"], ids["xss"]])
        moderation.reject(store, [ids["rejected"]], "off topic")
        moderation.mark_spam(store, [ids["spam"]])
        ids["reply"] = submit(
            store, "Fay", "REPLY-MARK: same here, keep at it.", reply_to=str(ids["approved"])
        ).id
        moderation.approve(store, [ids["reply"]])
        ids["answer"] = moderation.reply(
            store, ids["approved"], "ANSWER-MARK: well done.", "The editors"
        ).id
    return ids


def output_files(site: Path) -> list[Path]:
    return [p for p in site.rglob("*") if p.is_file() and p.suffix in {".html", ".xml", ".json"}]


def test_only_approved_stories_reach_any_page_or_feed(tmp_path, db_url, moderated) -> None:
    site = build(tmp_path, db_url)
    everything = b"".join(p.read_bytes() for p in output_files(site))
    for mark in (b"APPROVED-MARK", b"REPLY-MARK", b"ANSWER-MARK", b"XSS-MARK"):
        assert mark in everything
    for mark in (b"PENDING-MARK", b"REJECTED-MARK", b"SPAM-MARK"):
        assert mark not in everything
    assert b"ayo@mail.example" not in everything
    assert b"f" * 64 not in everything


def test_article_page_threads_badges_and_count(tmp_path, db_url, moderated) -> None:
    site = build(tmp_path, db_url)
    tree = html.fromstring((site / SEED / "index.html").read_bytes())
    stories = tree.xpath("//section[@id='stories']")[0]
    top = stories.xpath("./ol[@class='stories__list']/li/article/@id")
    assert top == [f"story-{moderated['approved']}", f"story-{moderated['xss']}"]
    replies = stories.xpath("//ol[@aria-label='Replies to Ayo']/li/article/@id")
    assert replies == [f"story-{moderated['reply']}", f"story-{moderated['answer']}"]
    badge = stories.xpath(f"//article[@id='story-{moderated['answer']}']//span[@class='badge']")
    assert [b.text for b in badge] == ["Author"]
    assert tree.xpath("string(//a[@class='story-count'])") == "3 reader stories"
    options = tree.xpath("//select[@name='reply_to']/option/@value")
    assert options == ["", str(moderated["approved"]), str(moderated["xss"])]
    assert tree.xpath("//form[@id='story-form']/@action") == ["/stories/"]


def test_hostile_story_is_inert(tmp_path, db_url, moderated) -> None:
    site = build(tmp_path, db_url)
    page = (site / SEED / "index.html").read_text()
    assert (
        "<script>alert" not in page
        and "onerror=alert" not in page.replace("&lt;", "<").split("story__by")[0]
    )
    tree = html.fromstring(page)
    story = tree.xpath(f"//article[@id='story-{moderated['xss']}']")[0]
    assert story.xpath(".//script") == [] and story.xpath(".//img") == []
    assert "javascript:" not in " ".join(story.xpath(".//a/@href"))
    assert "Eve <img src=x onerror=alert(1)>" in story.xpath("string(.//h3)")


def test_story_feeds_per_article_and_site(tmp_path, db_url, moderated) -> None:
    site = build(tmp_path, db_url)
    feed = feedparser.parse((site / SEED / "stories.atom.xml").read_bytes())
    assert not feed.bozo
    assert len(feed.entries) == 4
    assert feed.entries[0].link.endswith(f"/{SEED}/#story-{moderated['answer']}")
    site_feed = feedparser.parse((site / "feeds" / "stories.atom.xml").read_bytes())
    assert {e.link.rsplit("#", 1)[1] for e in site_feed.entries} == {
        f"story-{moderated[k]}" for k in ("approved", "xss", "reply", "answer")
    }
    empty = feedparser.parse((site / "asking-for-a-raise" / "stories.atom.xml").read_bytes())
    assert not empty.bozo and empty.entries == []


def test_story_feed_is_strict_xml_and_carries_hostile_text_as_text(
    tmp_path, db_url, moderated
) -> None:
    site = build(tmp_path, db_url)
    atom = "{http://www.w3.org/2005/Atom}"
    root = etree.fromstring((site / SEED / "stories.atom.xml").read_bytes())  # raises if invalid
    entry = root.find(
        f"{atom}entry[{atom}id='{root.findtext(atom + 'id')}#story-{moderated['xss']}']"
    )
    assert entry.findtext(f"{atom}author/{atom}name") == "Eve <img src=x onerror=alert(1)>"
    summary = entry.find(f"{atom}summary")
    assert summary.get("type") == "html" and len(summary) == 0  # escaped HTML, not elements
    assert "<img" not in summary.text and "onerror" not in summary.text
    assert root.findtext(f"{atom}updated") == max(
        e.findtext(f"{atom}updated") for e in root.iter(f"{atom}entry")
    )


def test_no_database_means_no_stories_and_creates_nothing(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'comments.sqlite3'}"
    site = build(tmp_path, url)
    assert "No stories yet" in (site / SEED / "index.html").read_text()
    assert not (tmp_path / "missing").exists()


def test_republished_page_matches_a_full_build_byte_for_byte(tmp_path, db_url) -> None:
    with open_store(db_url) as store:
        first = submit(store, "Gus", "FIRST-MARK: the first story on the page.").id
        moderation.approve(store, [first])
        waiting = submit(store, "Hal", "LATE-MARK: approved after the build ran.").id
    site, republisher = build_live(tmp_path, db_url)
    page = site / SEED / "index.html"
    assert "LATE-MARK" not in page.read_text()

    with open_store(db_url) as store:
        outcome = service.approve(store, republisher, [waiting])
    assert describe(outcome)[0] == f"#{waiting} approved ({SEED}, by Hal)"
    changed = [f"{SEED}/index.html", f"{SEED}/stories.atom.xml", SITE_FEED, MANIFEST]
    fast = {name: (site / name).read_bytes() for name in changed}
    assert all(b"LATE-MARK" in fast[name] for name in changed[:3])
    assert f"{first},{waiting}".encode() in fast[MANIFEST]

    rebuilt = build(tmp_path, db_url)
    assert {name: (rebuilt / name).read_bytes() for name in changed} == fast


def test_republishing_from_many_threads_leaves_the_newest_page(tmp_path, db_url) -> None:
    """Each approval rewrites the same page; whatever the order the threads finish in, the page
    ends as the store is, never half-written, and no thread fails."""
    with open_store(db_url) as store:
        ids = [
            submit(store, f"Reader {n}", f"THREAD-MARK-{n}: a story of my own.").id
            for n in range(8)
        ]
    site, republisher = build_live(tmp_path, db_url)
    failures: list[BaseException] = []

    def approve_one(story_id: int) -> None:
        try:
            with open_store(db_url) as store:
                service.approve(store, republisher, [story_id])
        except BaseException as exc:  # the test reports every one
            failures.append(exc)

    workers = [threading.Thread(target=approve_one, args=(i,)) for i in ids]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert failures == []
    page = (site / SEED / "index.html").read_text()
    assert all(f"THREAD-MARK-{n}" in page for n in range(8))
    assert not list((site / SEED).glob(".*"))  # no temporary file left behind
    rebuilt = build(tmp_path, db_url)
    assert (rebuilt / SEED / "index.html").read_text() == page


def test_rejecting_a_published_story_takes_it_off_at_once(tmp_path, db_url) -> None:
    with open_store(db_url) as store:
        story = submit(store, "Ida", "GONE-MARK: this will be withdrawn.").id
        moderation.approve(store, [story])
    site, republisher = build_live(tmp_path, db_url)
    with open_store(db_url) as store:
        outcome = service.reject(store, republisher, [story], "asked to withdraw")
    assert outcome.public and [page.slug for page in outcome.pages] == [SEED]
    assert "GONE-MARK" not in (site / SEED / "index.html").read_text()


def test_each_id_approved_goes_live_and_back_to_pending_comes_off(tmp_path, db_url) -> None:
    """The command line's approve and requeue, with a bare address linked on the page."""
    with open_store(db_url) as store:
        story = submit(store, "Ida", "LINKED-MARK: my notes are at https://notes.example/jobs.").id
    site, republisher = build_live(tmp_path, db_url)
    page = site / SEED / "index.html"
    with open_store(db_url) as store:
        approved = service.move_each(store, republisher, [story, 999], Status.APPROVED)
        assert [s.id for s in approved.stories] == [story] and not approved.complete
        html = page.read_text()
        assert "LINKED-MARK" in html
        assert '<a href="https://notes.example/jobs" rel="nofollow ugc noopener">' in html
        back = service.move_each(store, republisher, [story], Status.PENDING)
        assert back.complete and [p.slug for p in back.pages] == [SEED]
    assert "LINKED-MARK" not in page.read_text()


def test_republishing_without_a_built_site_says_so(tmp_path, db_url) -> None:
    config = load_config(SETTINGS, ENV)
    republisher = Republisher(config, tmp_path / "nothing")
    with open_store(db_url) as store:
        story = submit(store, "Jo", "NOT-BUILT-MARK: approved before any build.").id
        outcome = service.approve(store, republisher, [story])
        said = describe(outcome)[1]
        assert said.startswith(f"{SEED}: not rewritten: ") and "once a build or publish" in said
        with pytest.raises(NotBuilt):
            republish_article(store, config, tmp_path / "nothing", SEED)


def test_moderation_through_invoke(tmp_path, db_url) -> None:
    with open_store(db_url) as store:
        story = submit(store, "Kim", "INVOKE-MARK: moderated from the command line.").id
    env = {**os.environ, "COMMENTS_DATABASE_URL": db_url, "COMMENTS_SECRET_KEY": SECRET}
    invoke = [sys.executable, "-m", "invoke"]
    listed = subprocess.run(
        [*invoke, "comments.pending", "--json"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert listed.returncode == 0, listed.stderr
    records = json.loads(listed.stdout)
    assert [(r["id"], r["article"], r["name"]) for r in records] == [(story, SEED, "Kim")]
    assert set(records[0]) >= {"id", "article", "name", "story", "created"}

    bad = subprocess.run(
        [*invoke, "comments.approve", "12x"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert bad.returncode == 1 and "'12x' is not a story id" in bad.stderr
    assert "Traceback" not in bad.stderr

    missing = subprocess.run(
        [*invoke, "comments.approve", "999"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert missing.returncode == 1 and "999" in missing.stderr and "Traceback" not in missing.stderr


def test_republishing_reads_back_the_article_a_section_was_rendered_for() -> None:
    """Titles with quotes, ampersands and markup survive the page and come back unchanged."""
    article = ArticleRef(
        slug="salary-talks",
        title='Salary & "perks" <b>talks</b> it\'s',
        url="salary-talks/",
        date=datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
    )
    site = load_config(SETTINGS, ENV).site
    section = render_section(environment(site.templates), article, site, "k" * 40, [])
    assert republish._article_ref(section, "salary-talks") == article


def test_a_web_root_that_cannot_be_written_is_said_and_the_approval_kept(
    tmp_path, db_url, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The service's user lacks write access to the web root (a deployment mistake)."""
    with open_store(db_url) as store:
        story = submit(store, "Ivy", "UNWRITABLE-MARK: approved all the same.").id
    site, republisher = build_live(tmp_path, db_url)
    before = (site / SEED / "index.html").read_bytes()

    def refused(source, target):  # root may write anywhere: the refusal a user would get
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(atomic.os, "replace", refused)
    with open_store(db_url) as store:
        lines = describe(service.approve(store, republisher, [story]))
        assert store.get(story).status.value == "approved"
    assert lines[0] == f"#{story} approved ({SEED}, by Ivy)"
    assert "could not be written (Permission denied): give the service's user write" in lines[1]
    assert (site / SEED / "index.html").read_bytes() == before
    assert not list((site / SEED).glob(".index.html.*"))


KILLED_WRITER = """
import sys
from pathlib import Path
from reader_stories.pages.atomic import write_atomically
page = Path(sys.argv[1])
n = 0
while True:
    n += 1
    write_atomically(page, f"<html>{n}" + "x" * 2_000_000 + "</html>\\n")
    print(n, flush=True)
"""


def test_a_writer_killed_mid_write_never_leaves_half_a_page(tmp_path) -> None:
    page = tmp_path / "index.html"
    page.write_text("<html>0</html>\n", encoding="utf-8")
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(page)], stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout is not None
    for _ in range(3):
        writer.stdout.readline()  # a few whole pages written; the next is under way
    writer.kill()
    writer.communicate(timeout=30)
    text = page.read_text(encoding="utf-8")
    assert text.startswith("<html>") and text.endswith("</html>\n")
    leftovers = list(tmp_path.glob(".index.html.*"))
    for leftover in leftovers:  # as old as a killed writer's file is by the next write
        os.utime(leftover, (1, 1))
    write_atomically(page, "<html>next</html>\n")
    assert not list(tmp_path.glob(".index.html.*"))
