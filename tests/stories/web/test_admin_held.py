"""The held bin in the admin over real HTTP, as a browser without JavaScript uses it: the Held
tab with each story's kind and reasons, releasing one or every ticked story with its Undo, and
the queue's own actions on held stories."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import store_calls as calls
from argon2 import PasswordHasher
from lxml import html
from stories_support import FakeClock, add, make_config

from reader_stories.models import Hold, HoldKind, Status
from reader_stories.moderation.spam.score import Score, arrived
from reader_stories.moderation.spam.signals import Signal
from reader_stories.settings import CommentsSettings
from reader_stories.store import Store, utc_now
from reader_stories.web.admin.app import create_app
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running

SECRET = "held-admin-tests-" + "k" * 32
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
SUSPECTED = Hold(
    HoldKind.SUSPECTED, ("spam score 7 (held from 5)", "a link shortener (bit.ly) (+3)")
)
BLOCKED = Hold(HoldKind.BLOCKED, ("its writer is blocked",))


@pytest.fixture
def client(tmp_path: Path, db_url: str) -> Iterator[httpx.Client]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>Home</title>", encoding="utf-8")
    settings = CommentsSettings(
        database_url=db_url, secret_key=SECRET, admin_password_hash=PASSWORD_HASH
    )
    app = create_app(make_config(replace(settings)))
    with ExitStack() as stack:
        stack.callback(app.state.close)
        base = stack.enter_context(running(create_site_app(site, mounts={"/admin": app})))
        yield stack.enter_context(httpx.Client(base_url=base, timeout=20))


def page(response: httpx.Response) -> html.HtmlElement:
    return html.fromstring(response.text)


def words(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def log_in(client: httpx.Client) -> str:
    login = client.get("/admin/login")
    csrf = page(login).xpath("//input[@name='csrf']/@value")[0]
    answer = client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303
    return str(page(client.get("/admin/held")).xpath("//input[@name='csrf']/@value")[0])


def flash(client: httpx.Client, response: httpx.Response) -> tuple[list[str], html.HtmlElement]:
    assert response.status_code == 303, response.text
    shown = page(client.get(response.headers["location"]))
    return [words(li) for li in shown.xpath("//div[contains(@class,'admin-flash')]//li")], shown


def hold(store: Store, clock: FakeClock, the_hold: Hold = SUSPECTED, **changes: Any) -> int:
    story = add(store, clock, hold=the_hold, **changes)
    score = Score((Signal("shortener", 3, "a link shortener (bit.ly)"),))
    with store.writing() as tx:
        arrived(tx, story, score)
    return story.id


def test_the_held_tab_lists_each_story_with_its_kind_and_reasons(
    client: httpx.Client, store: Store, clock: FakeClock
) -> None:
    clock.now = utc_now()  # the admin counts the last day on the server's own clock
    queued = add(store, clock, body_markdown="A reader's story waiting in the queue.")
    suspect = hold(store, clock, body_markdown="Cheap followers at bit.ly, buy them now.")
    blocked = hold(store, clock, BLOCKED, body_markdown="A story by a blocked writer here.")
    log_in(client)
    tabs = page(client.get("/admin/")).xpath("//nav[@aria-label='Story lists']//a")
    assert words(tabs[-1]) == "Held 2"
    shown = page(client.get("/admin/held"))
    assert words(shown.xpath("//h1")[0]) == "Held apart from the queue (2)"
    cards = shown.xpath("//article[contains(@class,'admin-story')]")
    assert [c.get("id") for c in cards] == [f"story-{blocked}", f"story-{suspect}"]
    reasons = [words(li) for li in cards[1].xpath(".//ul[@class='admin-hold__reasons']/li")]
    assert reasons == list(SUSPECTED.reasons)
    assert words(cards[0].xpath(".//p[@class='admin-hold__title']")[0]) == (
        "Held apart from the queue: blocked writer"
    )
    summary = words(shown.xpath("//p[@class='admin-held-summary']")[0])
    assert summary == (
        "Held over the last day: 2 (1 blocked, 1 suspected); found: link shorteners 2, "
        "a blocked writer 1."
    )
    only = page(client.get("/admin/held?kind=suspected")).xpath("//article")
    assert [c.get("id") for c in only] == [f"story-{suspect}"]
    assert f"story-{queued.id}" not in client.get("/admin/held").text


def test_releasing_puts_a_story_in_the_queue_and_undo_puts_it_back(
    client: httpx.Client, store: Store, clock: FakeClock
) -> None:
    suspect = hold(store, clock)
    csrf = log_in(client)
    answer = client.post(
        "/admin/held/release", data={"csrf": csrf, "ids": str(suspect), "back": "/held"}
    )
    lines, shown = flash(client, answer)
    assert lines == [f"#{suspect} put in the queue (handling-job-rejection, by Ada)"]
    assert store.get(suspect).hold is None
    [undo] = shown.xpath("//form[@class='admin-undo']")
    assert undo.get("action") == "/admin/held/undo"
    fields = {i.get("name"): i.get("value") for i in undo.xpath(".//input")}
    lines, _ = flash(client, client.post("/admin/held/undo", data=fields))
    assert lines == [f"#{suspect} back in the held bin."]
    assert store.get(suspect).hold == SUSPECTED


def test_ticked_stories_are_released_or_confirmed_as_spam_in_bulk(
    client: httpx.Client, store: Store, clock: FakeClock
) -> None:
    first, second, third = (
        hold(store, clock, body_markdown=f"Suspected story number {n}, long enough.") for n in "123"
    )
    csrf = log_in(client)
    released = client.post(
        "/admin/held/release",
        data={"csrf": csrf, "ids": [str(first), str(second)], "back": "/held?kind=suspected"},
    )
    assert released.headers["location"] == "/admin/held?kind=suspected"
    assert [store.get(i).hold for i in (first, second)] == [None, None]
    confirmed = client.post(
        "/admin/bulk",
        data={
            "csrf": csrf,
            "action": "spam",
            "status": "pending",
            "ids": str(third),
            "back": "/held",
        },
    )
    lines, _ = flash(client, confirmed)
    assert lines == [f"#{third} marked as spam (handling-job-rejection, by Ada)"]
    assert store.get(third).status == Status.SPAM and store.get(third).hold is None


def test_a_story_released_meanwhile_is_named_and_nothing_changes(
    client: httpx.Client, store: Store, clock: FakeClock
) -> None:
    suspect = hold(store, clock)
    other = hold(store, clock, body_markdown="Another suspected story, long enough.")
    csrf = log_in(client)
    calls.set_status(store, other, Status.APPROVED, actor="another moderator")
    answer = client.post(
        "/admin/held/release", data={"csrf": csrf, "ids": [str(suspect), str(other)]}
    )
    lines, shown = flash(client, answer)
    assert lines[0].startswith(f"Story #{other} is now approved, not held as on your page")
    assert store.get(suspect).hold == SUSPECTED
    assert shown.xpath(f"//input[@id='pick-{suspect}']/@checked")  # the ticks are kept
    nothing = client.post("/admin/held/release", data={"csrf": csrf})
    lines, _ = flash(client, nothing)
    assert lines[0].startswith("Nothing was ticked")


def test_releasing_needs_the_sessions_token(
    client: httpx.Client, store: Store, clock: FakeClock
) -> None:
    suspect = hold(store, clock)
    log_in(client)
    answer = client.post("/admin/held/release", data={"csrf": "forged", "ids": str(suspect)})
    assert answer.status_code == 403
    assert store.get(suspect).hold == SUSPECTED


def test_a_held_story_takes_the_queues_actions_from_its_card(
    client: httpx.Client, store: Store, clock: FakeClock
) -> None:
    suspect = hold(store, clock)
    csrf = log_in(client)
    card = page(client.get(f"/admin/stories/{suspect}"))
    actions = card.xpath("//form/@action")
    assert "/admin/held/release" in actions and f"/admin/stories/{suspect}/approve" in actions
    approved = client.post(
        f"/admin/stories/{suspect}/approve",
        data={"csrf": csrf, "status": "pending", "back": "/held"},
    )
    assert approved.status_code == 303
    assert store.get(suspect).status == Status.APPROVED and store.get(suspect).hold is None


@pytest.mark.parametrize("address", ["/admin/held?kind=nonsense", "/admin/held?page=zz"])
def test_odd_addresses_show_the_whole_bin(client: httpx.Client, address: str) -> None:
    log_in(client)
    shown = client.get(address)
    assert shown.status_code == 200
    assert "No stories are held." in shown.text
