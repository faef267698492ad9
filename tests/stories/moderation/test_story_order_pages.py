"""The order of an article's stories in real builds: the site's setting, an article's own
`Stories-Order:`, and the republisher keeping that order byte for byte as a full build does."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import html
from site_support import SEED, build, build_live, content_with, submit

from reader_stories.moderation import actions as moderation
from reader_stories.moderation import service
from reader_stories.store import Store, open_store
from sitetools.build import BuildFailed

pytestmark = pytest.mark.slow


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'comments.sqlite3'}"


def helped(store: Store, story_id: int, networks: int) -> None:
    with store.writing() as tx:
        for n in range(networks):
            tx.mark_helpful(story_id, f"{n:064x}")


def shown(page: Path) -> list[tuple[int, list[int]]]:
    """Each top-level story on the page, in page order, with the replies under it."""
    tree = html.fromstring(page.read_bytes())
    found = []
    for item in tree.xpath("//ol[@class='stories__list']/li"):
        replies = item.xpath(".//ol[@class='stories__replies']/li/article/@id")
        found.append((int(item.get("data-story")), [int(r.split("-")[1]) for r in replies]))
    return found


def three_stories(db_url: str) -> list[int]:
    with open_store(db_url) as store:
        ids = [submit(store, name, f"ORDER-{name}: what worked for me then.").id for name in "ABC"]
        moderation.approve(store, ids)
        helped(store, ids[2], 2)
        helped(store, ids[1], 1)
    return ids


def test_the_sites_order_is_kept_by_the_fast_path_as_a_build_writes_it(
    tmp_path: Path, db_url: str
) -> None:
    first, second, third = three_stories(db_url)
    with open_store(db_url) as store:
        answer = moderation.reply(store, first, "Thank you for this one.", "Next Round editors")
    site, republisher = build_live(tmp_path, db_url, comments={"stories_order": "helped"})
    page = site / SEED / "index.html"
    assert shown(page) == [(third, []), (second, []), (first, [answer.id])]
    assert 'data-stories-order="helped"' in page.read_text()
    assert '<option value="helped" selected>Most helpful first</option>' in page.read_text()

    with open_store(db_url) as store:
        helped(store, first, 3)  # now the most helpful: it moves up with its reply
        republisher.articles(store, [SEED])
    assert shown(page) == [(first, [answer.id]), (third, []), (second, [])]
    rebuilt = build(tmp_path, db_url, comments={"stories_order": "helped"})
    assert (rebuilt / SEED / "index.html").read_bytes() == page.read_bytes()


def test_an_articles_own_order_wins_and_an_approval_keeps_it(tmp_path: Path, db_url: str) -> None:
    first, second, third = three_stories(db_url)
    content = content_with(tmp_path, SEED, "Stories-Order: newest")
    site, republisher = build_live(tmp_path, db_url, content=content)
    page = site / SEED / "index.html"
    assert [story for story, _ in shown(page)] == [third, second, first]
    other = site / "asking-for-a-raise" / "index.html"
    assert 'data-stories-order="oldest"' in other.read_text()

    with open_store(db_url) as store:
        late = submit(store, "D", "ORDER-D: the latest story of all, approved now.").id
        service.approve(store, republisher, [late])
    assert [story for story, _ in shown(page)] == [late, third, second, first]
    rebuilt = build(tmp_path, db_url, content=content)
    assert (rebuilt / SEED / "index.html").read_bytes() == page.read_bytes()


def test_an_unknown_order_in_an_article_fails_the_build_in_words(
    tmp_path: Path, db_url: str
) -> None:
    content = content_with(tmp_path, SEED, "Stories-Order: loudest")
    with pytest.raises(BuildFailed) as failed:
        build(tmp_path, db_url, content=content)
    assert any(
        "Stories-Order in" in problem
        and f"{SEED}.md is 'loudest'; write one of oldest, newest, helped" in problem
        for problem in failed.value.problems
    ), failed.value.problems
