"""Moving a blog's comments here: each source imported onto the real site, built, and the
article pages compared with what the source showed; re-imports after moderation; what is kept
aside; the report's exact lines. Every test that touches the store runs on SQLite and
PostgreSQL (``db_url`` and ``store`` are conftest's).

The fixtures in fixtures/ keep the structure and quirks of real exports with invented people:

- ``disqus-export.xml``: a Disqus export as Disqus writes it (namespaces, a category, threads
  with empty and WordPress ``<id>``s, links on localhost and old domains, percent-encoded and
  dated paths, a thread marked deleted, a page's thread), posts in CDATA HTML with ``<b>``,
  ``<i>``, ``<br>`` and links, spam, a deleted post, replies, user names, IP addresses from the
  documentation ranges, a post without ``dsq:id``, one whose thread is missing, an empty one,
  one with an unreadable date, and the owner's replies under two names.
- ``isso-0.14.db``: made by Isso 0.14.0 itself (bench/requirements-isso.txt, installed in a
  throwaway virtualenv): comments posted through Isso's WSGI app (``POST /new`` with a title,
  moderation on, the guard off, REMOTE_ADDR 192.0.2.10, which Isso stores anonymised), then
  moderated with Isso's own database calls: ``comments.activate`` for the accepted ones,
  ``comments.update`` for an edit, ``comments.vote`` for a like, ``comments.delete`` for a
  parent with a reply (which Isso keeps as mode 4 with its text emptied). It holds an author
  "Tom & Jerry <3" (stored escaped, as Isso does), a website, a subscription, a pending
  comment with an accepted reply, and threads on a page, a removed post and a ``?p=`` link.
- ``pelican-comment-system/``: the plugin's folders as a real blog keeps them: padded
  ``key:   value`` metadata, a hashed ``email:``, hard-wrapped prose with inline ``<i>``,
  ``<a>``, ``<blockquote>`` and ``<code>``, ``replyto:``, ``link:``, a date Pelican accepts
  (``Sep 19, 2011 2:39pm``), a date with a zone, dates without one (the site's TIMEZONE), an
  ``.html`` comment file, a folder named with capitals, a page's and a removed post's folder,
  a file without a date and a stray text file.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import markdown
import pytest
import store_calls as calls
from importer_support import FIXTURES, ROOT, all_stories
from lxml import html
from site_support import build_live, submit
from stories_support import FakeClock

from reader_stories.importers import ImportOptions, import_foreign
from reader_stories.importers.bodies import foreign_html
from reader_stories.importers.plan import Owner
from reader_stories.importers.site_articles import SiteArticles, built_site_articles
from reader_stories.importers.url_map import read_map
from reader_stories.models import Status
from reader_stories.moderation import privacy
from reader_stories.store import Store

DISQUS = FIXTURES / "disqus-export.xml"
ISSO = FIXTURES / "isso-0.14.db"
PCS = FIXTURES / "pelican-comment-system"
MAP = FIXTURES / "old-addresses.map"
OWNER = Owner.of(["Robin Vale"], ["editor@oldblog.example"])


def content_site() -> SiteArticles:
    """The site's articles from their Slug: lines, and its two pages (no build needed)."""
    slugs = [
        line.split(":", 1)[1].strip()
        for page in sorted((ROOT / "content" / "articles").glob("*.md"))
        for line in page.read_text("utf-8").splitlines()
        if line.startswith("Slug:")
    ]
    return SiteArticles.of(slugs, ["about", "privacy"])


Shown = tuple[int, str, bool, str]  # heading level (3 story, 4 reply), name, Author badge, HTML


def shown_on(output: Path, slug: str) -> list[Shown]:
    """The stories an article's built page shows, in order, as a reader sees them."""
    page = html.parse(str(output / slug / "index.html")).getroot()
    found = []
    for story in page.iterfind('.//section[@id="stories"]//article'):
        heading = story.find('.//*[@class="story__by"]')
        body = story.find('.//div[@class="story__body"]')
        inner = (body.text or "") + "".join(
            html.tostring(child, encoding="unicode") for child in body
        )
        found.append(
            (
                int(heading.tag[1]),
                (heading.text or "").strip(),
                heading.find('span[@class="badge"]') is not None,
                inner.strip(),
            )
        )
    return found


@pytest.fixture
def built(tmp_path: Path, db_url: str) -> Iterator[tuple[Path, SiteArticles]]:
    """The real site built over the test's store, and its articles as the import sees them."""
    output, republisher = build_live(tmp_path, db_url)
    yield output, built_site_articles(republisher.config.site)


def rebuild(tmp_path: Path, db_url: str) -> Path:
    return build_live(tmp_path, db_url)[0]


# Round trips: import onto the built site, build, and read the pages.


@pytest.mark.slow
def test_disqus_round_trip(store: Store, db_url: str, tmp_path: Path, built) -> None:
    _, site = built
    options = ImportOptions(site=site, url_map=read_map(MAP, site), owner=OWNER)

    import_foreign(store, DISQUS, "disqus", options)
    output = rebuild(tmp_path, db_url)

    assert shown_on(output, "running-a-focused-job-search") == [
        (
            3,
            "陳小明",
            False,
            "<p>I sent <strong>forty</strong> applications and heard back from two.<br>Then I "
            '<em>narrowed</em> it down, see <a href="https://example.org/list" '
            'rel="nofollow ugc noopener">my list</a>.</p><p>Three offers in a month.</p>',
        ),
        (4, "Robin Vale", True, "<p>Glad it worked. Focus beats volume.</p>"),
        # Disqus showed it under a "comment deleted" placeholder; here it stands alone.
        (3, "Still Here", False, "<p>Replying to a comment that was later deleted.</p>"),
    ]
    assert shown_on(output, "asking-for-a-raise") == [
        (
            3,
            "Trần Minh Khoa",
            False,
            "<p>Asked in March, got it in April.<br><br>Practise the number out loud.</p>",
        ),
        (
            3,
            "A reader who would rather not say where they work but wanted to share this "
            "anyway, thanks",
            False,
            "<p>Long name, short story.</p>",
        ),
    ]
    assert shown_on(output, "handling-job-rejection") == [
        (3, "R. Vale", True, "<p>Rejection is data, not a verdict.</p>")
    ]
    assert shown_on(output, "negotiating-a-job-offer") == [
        (3, "Old Timer", False, "<p>A WordPress-era comment on negotiating.</p>")
    ]
    privacy_page = (output / "privacy" / "index.html").read_text("utf-8")
    assert "A comment on the privacy page" not in privacy_page
    everything = "".join(
        p.read_text("utf-8").lower() for p in output.rglob("*") if p.suffix in {".html", ".xml"}
    )
    assert "192.0.2." not in everything and "198.51.100." not in everything
    for address in ("reader.one@", "robin@", "spammer@", "editor@oldblog"):
        assert address not in everything
    assert "Cheap pills" not in everything and "Answering the spam" not in everything


@pytest.mark.slow
def test_isso_round_trip(store: Store, db_url: str, tmp_path: Path, built) -> None:
    """The HTML Isso 0.14 itself rendered for this database (its GET /?uri= answer) is what
    the page shows; names appear as typed, not escaped twice."""
    _, site = built
    options = ImportOptions(site=site, url_map=read_map(MAP, site), owner=OWNER)

    import_foreign(store, ISSO, "isso", options)
    output = rebuild(tmp_path, db_url)

    assert shown_on(output, "handling-job-rejection") == [
        (
            3,
            "Tom & Jerry <3",
            False,
            "<p>Rejected <strong>twice</strong> before this job.<br>\nThen it clicked.</p>",
        ),
        (4, "Robin Vale", True, "<p>Thanks, that is <em>exactly</em> the point.</p>"),
        (3, "Ola Brink", False, "<p>Edited: second draft, better.</p>"),
        (3, "Kit Marl", False, "<p>Voted: a comment people liked.</p>"),
        (3, "Cy Left", False, "<p>Orphan: my parent was deleted.</p>"),
    ]
    assert shown_on(output, "asking-for-a-raise") == [
        (3, "Lê Văn An", False, "<p>Nested: chúc mừng, great advice.</p>"),
        (4, "林小雨", False, "<p>Reply: 我也是这样 asked for a raise.</p>"),
    ]
    assert shown_on(output, "negotiating-a-job-offer") == [
        (3, "Wes Press", False, "<p>WordPress: a ?p= link.</p>")
    ]
    page = (output / "handling-job-rejection" / "index.html").read_text("utf-8")
    assert "Tom &amp; Jerry &lt;3" in page and "&amp;amp;" not in page
    waiting = {story.name: story for story in all_stories(store) if story.status is Status.PENDING}
    assert set(waiting) == {"Sam Quill", "Hal Wait"}


def _time_of(output: Path, slug: str) -> list[str]:
    page = html.parse(str(output / slug / "index.html")).getroot()
    return [t.get("datetime") for t in page.iterfind('.//section[@id="stories"]//time')]


@pytest.mark.slow
def test_pelican_comment_system_round_trip(
    store: Store, db_url: str, tmp_path: Path, built
) -> None:
    """Text as Pelican's Markdown showed it (compared with Python-Markdown itself, through the
    same sanitiser), dates in the site's TIMEZONE (Europe/London: BST in September)."""
    _, site = built
    options = ImportOptions(site=site, owner=OWNER, timezone="Europe/London")

    import_foreign(store, PCS, "pelican-comment-system", options)
    output = rebuild(tmp_path, db_url)

    focused = shown_on(output, "running-a-focused-job-search")
    source = (PCS / "running-a-focused-job-search" / "2235.md").read_text("utf-8")
    as_pelican_showed = foreign_html(markdown.markdown(source.split("\n\n", 1)[1]))

    def squeeze(text: str) -> str:
        return re.sub(r">\s+<", "><", text)

    assert [(level, name, badge) for level, name, badge, _ in focused] == [
        (3, "Quinn Harrow", False),
        (4, "Robin Vale", True),
    ]
    assert squeeze(focused[0][3]) == squeeze(as_pelican_showed)
    assert "<br" not in focused[0][3] and "&lt;" not in focused[0][3]
    assert "<em>twelve</em>" in focused[0][3] and "<blockquote>" in focused[0][3]
    assert focused[1][3] == "<p>Agreed: twelve done well beat a hundred done\nquickly.</p>"
    assert _time_of(output, "running-a-focused-job-search") == [
        "2011-09-19T13:39:31+00:00",
        "2011-09-19T13:39:00+00:00",
    ]
    assert shown_on(output, "handling-job-rejection") == [
        (
            3,
            "Morgan Fell",
            False,
            "<p>The third <strong>no</strong> hurt the most.</p>\n<p>The fourth was a yes.</p>",
        )
    ]
    assert _time_of(output, "asking-for-a-raise") == ["2014-03-21T13:02:00+00:00"]


# Re-importing after moderation: moderation wins.


def _isso(store: Store) -> list[str]:
    options = ImportOptions(site=content_site(), url_map=read_map(MAP, content_site()))
    return import_foreign(store, ISSO, "isso", options).lines


def test_reimport_after_edit_delete_and_approval_changes_nothing(store: Store) -> None:
    _isso(store)
    by_name = {story.name: story for story in all_stories(store)}
    with store.writing() as tx:
        tx.edit_body(by_name["Ola Brink"].id, "Edited here by a moderator.", actor="moderator")
        tx.delete(by_name["Kit Marl"].id, actor="moderator")
        tx.set_status(by_name["Sam Quill"].id, Status.REJECTED, actor="moderator")
    before = [(s.id, s.name, s.status, s.body_markdown) for s in all_stories(store)]

    lines = _isso(store)

    assert [(s.id, s.name, s.status, s.body_markdown) for s in all_stories(store)] == before
    kit = by_name["Kit Marl"].id
    assert lines[1:4] == [
        "/2024/05/01/asking-for-a-raise.html -> asking-for-a-raise: 4 already imported",
        "/?p=42 -> negotiating-a-job-offer (by the map): 1 already imported",
        "/Handling-Job-Rejection/ -> handling-job-rejection: 2 skipped, 5 already imported",
    ]
    assert lines[4:6] == [
        f"  comment 5: skipped: imported before as story #{kit}, which a moderator deleted; "
        "not brought back",
        "  comment 6: skipped: deleted in Isso",
    ]
    assert lines[-1] == (
        "0 imported, 0 will be shown, 2 need your attention: 1 has no article here (kept "
        "aside; map its address with --map); 1 is on a page, which shows no stories."
    )


def test_a_dry_run_writes_nothing(store: Store) -> None:
    options = ImportOptions(site=content_site(), dry_run=True)

    lines = import_foreign(store, ISSO, "isso", options).lines

    assert lines == [
        "Dry run, nothing written: the Isso database isso-0.14.db, 14 comments on 5 addresses.",
        "/2024/05/01/asking-for-a-raise.html -> asking-for-a-raise: 2 shown, 1 waiting for "
        "moderation, 1 hidden reply",
        "  comment 13: waiting for moderation: as it was in Isso",
        "  comment 14: hidden reply: a reply under comment 13, which is waiting for moderation: "
        "it shows once that is approved",
        "/?p=42 -> no article: 1 kept aside",
        "  comment 12: kept aside: a WordPress link (?p=) names no article; add it to the --map "
        "file",
        "/Handling-Job-Rejection/ -> handling-job-rejection: 5 shown, 1 waiting for moderation, 1 "
        "skipped",
        "  comment 3: waiting for moderation: as it was in Isso",
        "  comment 7: shown: as a story of its own: its parent comment 6 is not imported (deleted "
        "in Isso)",
        "  comment 6: skipped: deleted in Isso",
        "/about/ -> about (a page): 1 kept aside",
        "  comment 10: kept aside: about is a page, not an article; pages show no stories",
        "/old-post-we-removed/ -> no article: 1 kept aside",
        "  comment 11: kept aside: no article of this site has this address; add it to the --map "
        "file",
        "Left out, the store has no place for them: reply notifications (subscriptions) (1 "
        "comment), votes (likes and dislikes) (1 comment), website links (2 comments).",
        "IP addresses were not imported: the store keeps only keyed hashes of them, never raw "
        "addresses.",
        "10 would be imported, 7 would be shown, 6 need your attention: 2 have no article here "
        "(kept aside; map their addresses with --map); 1 is on a page, which shows no stories; 2 "
        "wait for moderation; 1 is an approved reply under a parent that is not shown.",
    ]
    assert all_stories(store) == []
    with store.reading() as tx:
        assert tx.held() == [] and tx.origins("isso") == {}


def test_the_dry_run_report_of_a_disqus_export(store: Store) -> None:
    """Per old address: the article, what becomes of its comments, and each comment that will
    not be shown (or has something to know) with its source id and why."""
    site = content_site()
    options = ImportOptions(site=site, url_map=read_map(MAP, site), owner=OWNER, dry_run=True)

    lines = import_foreign(store, DISQUS, "disqus", options).lines

    assert lines == [
        "Dry run, nothing written: the Disqus export disqus-export.xml, 17 comments on 8 "
        "addresses.",
        "(no address): 2 skipped",
        "  post at line 286: skipped: a post without dsq:id",
        "  post 9000113: skipped: its thread 7999999 is not in the export",
        "http://localhost:4000/2021/05/17/Running-A-Focused-Job-Search/ -> "
        "running-a-focused-job-search: 3 shown, 1 spam, 1 hidden reply, 1 skipped",
        "  post 9000103: spam: as Disqus marked it",
        "  post 9000104: hidden reply: a reply under post 9000103, which is spam: it shows once "
        "that is approved",
        "  post 9000106: shown: as a story of its own: its parent post 9000105 is not imported "
        "(deleted in Disqus)",
        "  post 9000105: skipped: deleted in Disqus",
        "http://localhost:4000/ios-%25e5%2588%25a9%25e7%2594%25a8json%25e7%259a%2584%25e6"
        "%2596%25b9%25e5%25bc%258f/ -> no article: 1 kept aside",
        "  post 9000110: kept aside: no article of this site has this address; add it to the "
        "--map file",
        "http://oldblog.example/asking-for-a-raise.html -> asking-for-a-raise: 2 shown",
        "  post 9000108: shown: its name has 89 characters, over the form's 80",
        "http://oldblog.example/handling-job-rejection/ -> handling-job-rejection: 1 shown, 2 "
        "skipped",
        "  post 9000114: skipped: an empty message",
        "  post 9000115: skipped: <createdAt> is 'yesterday' (disqus-export.xml, line 325), not a "
        "time like 2024-05-01T09:30:00Z",
        "http://oldblog.example/handling-job-rejection/?utm_source=feed -> "
        "handling-job-rejection: 1 skipped",
        "  post 9000112: skipped: its thread is deleted in Disqus",
        "http://www.oldblog.example/?p=1496 -> negotiating-a-job-offer (by the map): 1 shown",
        "https://oldblog.example/privacy/index.html -> privacy (a page): 1 kept aside",
        "  post 9000111: kept aside: privacy is a page, not an article; pages show no stories",
        "Left out, the store has no place for them: Disqus user names (4 comments), Disqus's own "
        "post ids (<id>, such as wp_id=) (2 comments).",
        "IP addresses were not imported: the store keeps only keyed hashes of them, never raw "
        "addresses.",
        "2 comments by the site's author get the Author badge.",
        "9 would be imported, 7 would be shown, 7 need your attention: 1 has no article here "
        "(kept aside; map its address with --map); 1 is on a page, which shows no stories; 1 is "
        "an approved reply under a parent that is not shown; 1 is over the form's limits; 3 "
        "are records that could not be read.",
    ]
    assert all_stories(store) == []


# Kept aside: never shown, never purged, placed by a later import, or dropped.


def test_kept_aside_comments_wait_for_a_map_then_join_their_article(store: Store) -> None:
    site = content_site()
    first = import_foreign(store, DISQUS, "disqus", ImportOptions(site=site)).lines
    with store.reading() as tx:
        held = {row["ref"]: row["source_url"] for row in tx.held("disqus")}
    assert held == {
        "post 9000109": "http://www.oldblog.example/?p=1496",
        "post 9000110": "http://localhost:4000/ios-%25e5%2588%25a9%25e7%2594%25a8json%25e7"
        "%259a%2584%25e6%2596%25b9%25e5%25bc%258f/",
        "post 9000111": "https://oldblog.example/privacy/index.html",
    }
    assert (
        "  post 9000109: kept aside: a WordPress link (?p=) names no article; add it to the "
        "--map file"
    ) in first
    assert "Old Timer" not in {story.name for story in all_stories(store)}

    second = import_foreign(
        store, DISQUS, "disqus", ImportOptions(site=site, url_map=read_map(MAP, site))
    ).lines

    [placed] = [story for story in all_stories(store) if story.name == "Old Timer"]
    assert (placed.article, placed.status) == ("negotiating-a-job-offer", Status.APPROVED)
    with store.reading() as tx:
        assert {row["ref"] for row in tx.held("disqus")} == {"post 9000110", "post 9000111"}
    assert (
        "http://www.oldblog.example/?p=1496 -> negotiating-a-job-offer (by the map): 1 shown"
        in (second)
    )
    assert second[-1].startswith("1 imported, 1 will be shown, 5 need your attention")


def test_held_comments_are_forgotten_with_their_address(store: Store) -> None:
    """A site with none of the export's articles keeps every comment aside, addresses too."""
    import_foreign(store, DISQUS, "disqus", ImportOptions(site=SiteArticles.of(["x"])))

    privacy.forget_email(store, "Reader.One@example.org")

    with store.reading() as tx:
        refs = {row["ref"] for row in tx.held("disqus")}
    assert "post 9000101" not in refs and "post 9000107" in refs


def test_purge_keeps_the_import_queue_and_what_is_kept_aside(
    store: Store, clock: FakeClock, tmp_path: Path
) -> None:
    """Imported comments carry their old dates: a daily purge must not empty the moderation
    queue the import just filled, nor the comments kept aside."""
    old = tmp_path / "old-isso.db"
    shutil.copy(ISSO, old)
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE comments SET created = created - 6 * 365 * 86400")
    conn.close()
    import_foreign(store, old, "isso", ImportOptions(site=content_site()))
    reader = submit(store, "Fresh Reader", "A story sent through the form, never moderated.")
    clock.now += timedelta(days=31)

    removed = privacy.purge(store, days=30)

    assert set(removed.ids) == {reader.id}
    waiting = [story.name for story in all_stories(store) if story.status is Status.PENDING]
    assert sorted(waiting) == ["Hal Wait", "Sam Quill"]
    with store.reading() as tx:
        assert len(tx.held("isso")) == 3
    with store.writing() as tx:
        [sam] = [s for s in all_stories(store) if s.name == "Sam Quill"]
        tx.set_status(sam.id, Status.REJECTED, actor="moderator")
    clock.now += timedelta(days=31)
    assert sam.id in privacy.purge(store, days=30).ids
    assert calls.events(store, sam.id)[-1].actor == "purge"
