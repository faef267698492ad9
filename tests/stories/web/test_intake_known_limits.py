"""A network the intake saw refused is refused again at once, without checking its form or
taking the write lock, until the wait the store gave it is over: over real HTTP, on SQLite and
PostgreSQL, with a clock the test moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest
from stories_support import FakeClock, make_config
from test_intake import (
    JSON_HEADERS,
    STORY,
    Served,
    make_settings,
    serve_site,
    story_form,
    write_site,
)

from reader_stories.settings import RateLimit
from reader_stories.store import open_store
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.closed import MSG_CLOSED


@pytest.fixture
def start(tmp_path: Path, db_url: str, clock: FakeClock) -> Iterator[Callable[..., Served]]:
    """The intake beside a static site, on the test's clock, one story per 10 minutes."""
    site = write_site(tmp_path / "site")
    with ExitStack() as stack:

        def _start(**changes: Any) -> Served:
            settings = make_settings(db_url, rate_limit=RateLimit(1, 600), **changes)
            app = create_app(make_config(settings), clock=clock)
            base = stack.enter_context(serve_site(site, app))
            client = stack.enter_context(httpx.Client(base_url=base, timeout=20))
            return Served(base, app, settings, client)

        yield _start


def stored(db_url: str) -> int:
    with open_store(db_url) as store, store.reading() as tx:
        return len(tx.pending()) + len(tx.pending(held=True))


def test_a_known_limit_refuses_before_the_form_is_checked_with_the_stores_wait(
    start: Callable[..., Served], db_url: str, clock: FakeClock
) -> None:
    served = start()
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    clock.advance(seconds=100)
    by_store = served.client.post("/stories/", json=story_form(story=STORY + " Two."))
    assert (by_store.status_code, by_store.json()["retry_after"]) == (429, 500)
    clock.advance(seconds=99.5)
    # An empty story would be named as such; the known wait answers first, as the store would.
    known = served.client.post("/stories/", json=story_form(story=""))
    assert (known.status_code, known.json()["retry_after"]) == (429, 401)
    assert known.headers["retry-after"] == "401"
    page = served.client.post("/stories/", data=story_form(story=STORY + " Three."))
    assert page.status_code == 429
    assert "Please wait 7 minutes" in page.text
    assert stored(db_url) == 1


def test_a_known_limit_ends_when_the_stores_would(
    start: Callable[..., Served], db_url: str, clock: FakeClock
) -> None:
    served = start()
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    assert (
        served.client.post("/stories/", data=story_form(story=STORY + " Two.")).status_code == 429
    )
    clock.advance(seconds=599)
    assert (
        served.client.post("/stories/", data=story_form(story=STORY + " Two.")).status_code == 429
    )
    clock.advance(seconds=1)
    assert (
        served.client.post("/stories/", data=story_form(story=STORY + " Two.")).status_code == 303
    )
    assert stored(db_url) == 2


def test_previews_are_never_refused_by_a_known_limit(
    start: Callable[..., Served], clock: FakeClock
) -> None:
    served = start()
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    assert (
        served.client.post("/stories/", data=story_form(story=STORY + " Two.")).status_code == 429
    )
    preview = served.client.post("/stories/", data=story_form(intent="preview"))
    assert preview.status_code == 200


def test_a_closed_article_still_answers_before_a_known_limit(
    start: Callable[..., Served], db_url: str
) -> None:
    served = start()
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    assert (
        served.client.post("/stories/", data=story_form(story=STORY + " Two.")).status_code == 429
    )
    with open_store(db_url) as store, store.writing() as tx:
        tx.close_article(story_form()["article"], actor="m")
    closed = served.client.post(
        "/stories/", json=story_form(story=STORY + " Three."), headers=JSON_HEADERS
    )
    assert (closed.status_code, closed.json()) == (409, {"error": MSG_CLOSED, "closed": True})


def test_other_networks_are_not_refused_by_one_networks_known_limit(
    start: Callable[..., Served], db_url: str
) -> None:
    served = start(trusted_proxies=("127.0.0.0/8",))

    def send(client: str, story: str) -> int:
        headers = {"X-Forwarded-For": client}
        form = story_form(story=story)
        return served.client.post("/stories/", data=form, headers=headers).status_code

    assert send("203.0.113.1", STORY) == 303
    assert send("203.0.113.1", STORY + " Two.") == 429
    assert send("203.0.113.1", STORY + " Three.") == 429
    assert send("203.0.113.2", STORY + " Four.") == 303
    assert stored(db_url) == 2
