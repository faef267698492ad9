"""The intake holds a blocked writer's story and one with a listed word, and refuses a story to
an article whose stories are closed: over real HTTP, on SQLite and PostgreSQL.

A held story gets exactly the answer any story gets (the writer is not told); a closed
article's refusal gives the reader their text back, as a page or as JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from stories_support import make_config
from test_intake import (
    JSON_HEADERS,
    SECRET,
    SLUG,
    STORY,
    Served,
    make_settings,
    serve_site,
    story_form,
    write_site,
)

from reader_stories.models import Hold, HoldKind, Status
from reader_stories.moderation.blocks import email_hash
from reader_stories.ratelimit import hash_network
from reader_stories.store import Store, open_store
from reader_stories.store.blocks import BlockKind, TermKind
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.closed import MSG_CLOSED


@pytest.fixture
def start(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Served]]:
    """The intake mounted at /stories beside a static site, as in test_intake.py."""
    site = write_site(tmp_path / "site")
    with ExitStack() as stack:

        def _start(**changes: Any) -> Served:
            settings = make_settings(db_url, **changes)
            app = create_app(make_config(settings))
            base = stack.enter_context(serve_site(site, app))
            client = stack.enter_context(httpx.Client(base_url=base, timeout=20))
            return Served(base, app, settings, client)

        yield _start


def stories(db_url: str) -> list[tuple[str, Hold | None]]:
    with open_store(db_url) as store, store.reading() as tx:
        every = sorted(tx.pending() + tx.pending(held=True), key=lambda story: story.id)
    return [(story.body_markdown, story.hold) for story in every]


def change(db_url: str, act: Callable[[Any], object]) -> None:
    with open_store(db_url) as store, store.writing() as tx:
        act(tx)


def answer_shape(response: httpx.Response) -> tuple[int, str | None, object]:
    """What a reader can see of an answer, the receipt aside (each story has its own)."""
    body: object = None
    if response.headers.get("content-type", "").startswith("application/json"):
        body = {k: v for k, v in response.json().items() if k != "receipt"}
    return response.status_code, response.headers.get("location"), body


def send_both_ways(served: Served, **fields: str) -> list[tuple[int, str | None, object]]:
    plain = served.client.post("/stories/", data=story_form(**fields))
    script = served.client.post(
        "/stories/",
        json=story_form(**{**fields, "story": fields["story"] + " Again."}),
        headers=JSON_HEADERS,
    )
    return [answer_shape(plain), answer_shape(script)]


def test_a_blocked_writer_is_answered_as_anyone_and_their_story_is_held(
    start: Callable[..., Served], db_url: str
) -> None:
    served = start()
    until = datetime.now(UTC) + timedelta(days=7)
    key = email_hash(SECRET, "blocked@example.org")
    change(db_url, lambda tx: tx.add_block(BlockKind.EMAIL, key, until=until, note="", actor="m"))
    normal = send_both_ways(served, email="reader@example.org", notify="yes", story=STORY)
    blocked = send_both_ways(
        served, email="Blocked@Example.org", notify="yes", story=STORY + " Blocked."
    )
    assert blocked == normal
    held = [hold for _, hold in stories(db_url)]
    assert held[:2] == [None, None]
    assert [hold.kind if hold else None for hold in held[2:]] == [HoldKind.BLOCKED] * 2
    assert held[2] is not None and held[2].reasons[0].startswith(
        "its writer is blocked (by email, until"
    )


def test_a_writer_blocked_by_network_is_held_too(start: Callable[..., Served], db_url: str) -> None:
    served = start()
    network = hash_network("127.0.0.1", SECRET)
    change(
        db_url, lambda tx: tx.add_block(BlockKind.NETWORK, network, until=None, note="", actor="m")
    )
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    [(_, hold)] = stories(db_url)
    assert hold == Hold(HoldKind.BLOCKED, ("its writer is blocked (by network, for good)",))


def test_a_listed_word_holds_the_story_with_the_same_answer(
    start: Callable[..., Served], db_url: str
) -> None:
    served = start()
    change(db_url, lambda tx: tx.add_listed_term(TermKind.WORD, "casino", actor="m"))
    change(db_url, lambda tx: tx.add_listed_term(TermKind.DOMAIN, "bit.ly", actor="m"))
    normal = send_both_ways(served, story=STORY)
    listed = send_both_ways(served, story=STORY + " Casino wins at https://bit.ly/x")
    assert listed == normal
    holds = [hold for _, hold in stories(db_url)]
    expected = Hold(HoldKind.LISTED, ('it contains "casino"', "it links to bit.ly"))
    assert holds == [None, None, expected, expected]


def test_a_closed_article_refuses_the_plain_form_politely_with_the_text_shown_back(
    start: Callable[..., Served], db_url: str
) -> None:
    served = start()
    change(db_url, lambda tx: tx.close_article(SLUG, actor="m"))
    typed = STORY + " <b>and</b> a second thought."
    response = served.client.post("/stories/", data=story_form(story=typed, name="Zoë"))
    assert response.status_code == 409
    assert "<h1>Stories are closed on this article</h1>" in response.text
    assert MSG_CLOSED in response.text.replace("&#39;", "'")
    assert STORY + " &lt;b&gt;and&lt;/b&gt; a second thought.</textarea>" in response.text
    assert "signed Zoë" in response.text
    assert f'href="/{SLUG}/#stories"' in response.text
    assert stories(db_url) == []


def test_a_closed_article_answers_the_script_in_json_and_takes_no_rate_limit_slot(
    start: Callable[..., Served], db_url: str
) -> None:
    from reader_stories.settings import RateLimit

    served = start(rate_limit=RateLimit(1, 600))
    change(db_url, lambda tx: tx.close_article(SLUG, actor="m"))
    for _ in range(3):
        response = served.client.post("/stories/", json=story_form(), headers=JSON_HEADERS)
        assert (response.status_code, response.json()) == (
            409,
            {"error": MSG_CLOSED, "closed": True},
        )
    change(db_url, lambda tx: tx.reopen_article(SLUG))
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    assert stories(db_url) == [(STORY, None)]


def test_helped_still_works_on_a_closed_article(
    start: Callable[..., Served], db_url: str, store: Store
) -> None:
    served = start()
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    with store.writing() as tx:
        [story] = tx.pending()
        tx.set_status(story.id, Status.APPROVED, actor="m")
        tx.close_article(SLUG, actor="m")
    response = served.client.post("/stories/helped", data={"story": str(story.id)})
    assert response.status_code == 200, response.text
    assert store.get(story.id).helpful == 1
