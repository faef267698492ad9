""" "This helped me" through the real intake: counted once per network, limited, and written into
the built page by the republisher, batched, byte for byte as a full build writes it."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import httpx
import pytest
from lxml import html
from site_support import ENV, SEED, build, build_live, submit
from stories_support import add_with_status, make_config
from test_intake import JSON_HEADERS, Served, make_settings, serve_site, write_site

from reader_stories.models import Status
from reader_stories.moderation import actions as moderation
from reader_stories.pages.republish import PageUpdate, Republisher
from reader_stories.store import Store, open_store
from reader_stories.web.intake import helpful
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.helpful import (
    MSG_ALREADY,
    MSG_COUNTED,
    MSG_NOT_PUBLISHED,
    MSG_WHICH,
    PageRefresher,
)


@pytest.fixture
def served(tmp_path: Path, db_url: str) -> Iterator[Served]:
    """The intake mounted at /stories beside a small static site, as in test_intake."""
    settings = make_settings(db_url)
    app = create_app(make_config(settings))
    with (
        serve_site(write_site(tmp_path / "site"), app) as base,
        httpx.Client(base_url=base, timeout=20) as client,
    ):
        yield Served(base, app, settings, client)


def published(store: Store) -> int:
    return add_with_status(store, Status.APPROVED).id


def test_a_press_is_counted_once_per_network(served: Served, db_url: str) -> None:
    with open_store(db_url) as store:
        story = published(store)
    page = served.client.post("/stories/helped", data={"story": str(story)})
    assert page.status_code == 200
    assert MSG_COUNTED in page.text
    assert "Back to the story" in page.text
    again = served.client.post("/stories/helped", json={"story": str(story)}, headers=JSON_HEADERS)
    assert again.json() == {"counted": False, "count": 1, "message": MSG_ALREADY}
    other = served.client.post(
        "/stories/helped",
        json={"story": str(story)},
        headers={**JSON_HEADERS, "X-Forwarded-For": "198.51.100.7"},
    )
    # A forwarded address from a peer that is not a trusted proxy makes no new network.
    assert other.json() == {"counted": False, "count": 1, "message": MSG_ALREADY}
    with open_store(db_url) as store:
        assert store.get(story).helpful == 1


@pytest.mark.parametrize(
    ("story", "status", "message"),
    [("999", 404, MSG_NOT_PUBLISHED), ("", 400, MSG_WHICH), ("x1", 400, MSG_WHICH),
     ("-3", 400, MSG_WHICH), ("0", 400, MSG_WHICH), ("1" * 40, 400, MSG_WHICH)],
)  # fmt: skip
def test_a_press_that_names_no_published_story_is_refused_in_words(
    served: Served, story: str, status: int, message: str
) -> None:
    page = served.client.post("/stories/helped", data={"story": story})
    assert page.status_code == status
    assert message in page.text
    assert "Traceback" not in page.text


def test_pending_and_rejected_stories_cannot_be_marked(served: Served, db_url: str) -> None:
    with open_store(db_url) as store:
        waiting = add_with_status(store, Status.PENDING).id
        rejected = add_with_status(store, Status.REJECTED).id
    for story in (waiting, rejected):
        answer = served.client.post("/stories/helped", json={"story": str(story)})
        assert answer.status_code == 404
        assert answer.json()["error"] == MSG_NOT_PUBLISHED
    with open_store(db_url) as store:
        assert [store.get(s).helpful for s in (waiting, rejected)] == [0, 0]


def test_presses_from_other_websites_are_refused(served: Served, db_url: str) -> None:
    with open_store(db_url) as store:
        story = published(store)
    answer = served.client.post(
        "/stories/helped", data={"story": str(story)}, headers={"Origin": "https://evil.example"}
    )
    assert answer.status_code == 403
    with open_store(db_url) as store:
        assert store.get(story).helpful == 0


def test_a_network_pressing_thousands_of_times_is_limited_and_counted_once(
    served: Served, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(helpful, "HELPFUL_LIMIT", 5)
    with open_store(db_url) as store:
        stories = [published(store) for _ in range(3)]
    codes = [
        served.client.post("/stories/helped", data={"story": str(stories[n % 3])}).status_code
        for n in range(8)
    ]
    assert codes == [200] * 5 + [429] * 3
    refused = served.client.post("/stories/helped", data={"story": str(stories[0])})
    assert "Please wait" in refused.text
    assert 1 <= int(refused.headers["retry-after"]) <= 3600
    with open_store(db_url) as store:
        assert [store.get(s).helpful for s in stories] == [1, 1, 1]
        # The presses have their own budget, apart from the network's stories.
        with store.reading() as tx:
            query = "SELECT count(DISTINCT network_hash) FROM rate_events"
            assert tx.conn.exec_driver_sql(query).scalar() == 1


class CountingRepublisher(Republisher):
    """The real republisher, counting how often it rewrites pages."""

    calls: list[list[str]]

    def articles(self, store: Store, slugs: Iterable[str]) -> list[PageUpdate]:
        slugs = list(slugs)
        self.calls.append(slugs)
        return super().articles(store, slugs)


def test_a_burst_of_presses_rewrites_the_page_once_as_a_build_would(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with open_store(db_url) as store:
        ids = [submit(store, name, f"HELPED-{name}: what worked for me.").id for name in "ABC"]
        moderation.approve(store, ids)
    site, live = build_live(tmp_path, db_url)
    republisher = CountingRepublisher(live.config, site)
    republisher.calls = []
    settings = make_settings(db_url, secret_key=ENV["COMMENTS_SECRET_KEY"])
    app = create_app(make_config(settings), republisher=republisher)
    refresher = app.state.intake.closing[0].__self__.refresher
    refresher.delay = 0.5
    page = site / SEED / "index.html"
    with serve_site(site, app) as base, httpx.Client(base_url=base) as client:
        for story in (ids[0], ids[0], ids[1]):
            assert client.post("/stories/helped", data={"story": str(story)}).status_code == 200
        for _ in range(200):  # the timer's rewrite, polled: no assertion on how long it takes
            if republisher.calls:
                break
            time.sleep(0.05)
    assert republisher.calls == [[SEED]]
    tree = html.fromstring(page.read_bytes())
    counts = [tree.findtext(f".//*[@id='story-{story}-helped']").strip() for story in ids]
    assert counts == ["1 reader found this helpful", "1 reader found this helpful", ""]
    rebuilt = build(tmp_path, db_url)
    assert (rebuilt / SEED / "index.html").read_bytes() == page.read_bytes()


def test_shutting_down_writes_the_counts_still_waiting(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with open_store(db_url) as store:
        story = submit(store, "Dee", "HELPED-D: a story someone found useful.").id
        moderation.approve(store, [story])
    site, republisher = build_live(tmp_path, db_url)
    with open_store(db_url) as store:
        refresher = PageRefresher(lambda: store, republisher, delay=3600)
        with store.writing() as tx:
            marked = tx.mark_helpful(story, "c" * 64)
        refresher.touch(marked.article)
        assert "1 reader found this helpful" not in (site / SEED / "index.html").read_text()
        refresher.flush()
    assert "1 reader found this helpful" in (site / SEED / "index.html").read_text()
