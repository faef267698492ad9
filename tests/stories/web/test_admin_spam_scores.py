"""The spam score in the admin over real HTTP, without JavaScript (SQLite and PostgreSQL): each
card says its score and reasons (or that the story was never scored), and a list can be read
highest score first, by a link or the filters' form, the order kept by paging and actions."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import store_calls as calls
import test_admin
from lxml import html
from stories_support import FakeClock, add
from test_admin import Served, act, log_in, tree
from test_admin_search import query, shown

from reader_stories.models import Hold, HoldKind, SpamScore, Status
from reader_stories.store import Store

served = test_admin.served
start = test_admin.start
LOW = SpamScore(1, ("a link (+1)",))
MIDDLE = SpamScore(3, ("a link (+1)", "2 codes of letters and digits (+2)"))
HIGH = SpamScore(7, ("a link shortener (bit.ly) (+3)", "spam phrasing: “earn $” (+4)"))


def words(element: html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def card_facts(page: httpx.Response, story_id: int) -> dict[str, str]:
    """A card's facts, term by term, as a screen reader reads the list."""
    card = tree(page).xpath(f"//article[@id='story-{story_id}']")[0]
    return {
        words(dt): words(dt.getnext())
        for dt in card.xpath(".//dl[@class='admin-facts']/div/dt")
        if dt.getnext() is not None
    }


def test_each_card_says_its_score_and_reasons_or_that_it_was_never_scored(
    served: Served, store: Store, clock: FakeClock
) -> None:
    scored = add(store, clock, spam=MIDDLE)
    clean = add(store, clock, spam=SpamScore(0), body_markdown="Nothing odd in this one.")
    older = add(store, clock, body_markdown="Sent before scores were kept.")
    log_in(served.client)
    queue = served.client.get("/admin/")
    assert card_facts(queue, scored.id)["Spam score"] == (
        "3: a link (+1); 2 codes of letters and digits (+2)"
    )
    assert card_facts(queue, clean.id)["Spam score"] == "0: nothing found"
    assert card_facts(queue, older.id)["Spam score"] == (
        "not scored (sent before scores were kept, or imported)"
    )
    assert "None" not in words(tree(queue).xpath(f"//article[@id='story-{older.id}']")[0])
    one = served.client.get(f"/admin/stories/{scored.id}")
    assert card_facts(one, scored.id)["Spam score"].startswith("3: a link (+1)")


def test_a_reply_by_the_author_has_no_score_and_a_suspected_story_says_it_once(
    served: Served, store: Store, clock: FakeClock
) -> None:
    story = add(store, clock, spam=LOW)
    calls.set_status(store, story.id, Status.APPROVED, actor="Sam")
    reply = calls.add_author_reply(store, story.id, "Thank you.", author_name="Ed", actor="Sam")
    suspected = Hold(HoldKind.SUSPECTED, ("spam score 7 (held from 5)", *HIGH.reasons))
    spam = add(store, clock, spam=HIGH, hold=suspected, body_markdown="Earn $ at bit.ly/x")
    blocked = add(
        store,
        clock,
        spam=LOW,
        hold=Hold(HoldKind.BLOCKED, ("its writer is blocked",)),
        body_markdown="A blocked writer's story with a link.",
    )
    log_in(served.client)
    approved = served.client.get("/admin/?status=approved")
    assert card_facts(approved, story.id)["Spam score"] == "1: a link (+1)"
    assert "Spam score" not in card_facts(approved, reply.id)
    bin_page = served.client.get("/admin/held")
    assert "Spam score" not in card_facts(bin_page, spam.id)  # its hold names it
    held_card = tree(bin_page).xpath(f"//article[@id='story-{spam.id}']")[0]
    assert "spam score 7 (held from 5)" in words(held_card)
    assert card_facts(bin_page, blocked.id)["Spam score"] == "1: a link (+1)"


def test_the_list_reads_highest_score_first_with_unscored_stories_last(
    served: Served, store: Store, clock: FakeClock
) -> None:
    never = add(store, clock, body_markdown="Sent before scores were kept.")
    low = add(store, clock, spam=LOW, body_markdown="One link in this one.")
    high = add(store, clock, spam=MIDDLE, body_markdown="Codes and a link.")
    negative = add(store, clock, spam=SpamScore(-2), body_markdown="Its proof was solved.")
    tied = add(store, clock, spam=LOW, body_markdown="Another story with a link.")
    log_in(served.client)
    assert shown(served.client.get("/admin/")) == [tied.id, negative.id, high.id, low.id, never.id]
    by_score = served.client.get("/admin/?order=score")
    assert shown(by_score) == [high.id, tied.id, low.id, negative.id, never.id]
    assert shown(served.client.get("/admin/?order=score&text=link")) == [high.id, tied.id, low.id]
    assert shown(served.client.get("/admin/?status=all&order=SCORE")) == shown(by_score)


def test_the_order_is_a_link_and_a_field_of_the_get_form(
    served: Served, store: Store, clock: FakeClock
) -> None:
    add(store, clock, spam=LOW)
    log_in(served.client)
    queue = served.client.get("/admin/?writer=ada")
    links = tree(queue).xpath("//nav[@aria-label='Order of this list']//a")
    assert [(words(a), a.get("aria-current")) for a in links] == [
        ("Newest first", "true"),
        ("Highest spam score first", None),
    ]
    assert query(links[1].get("href")) == {
        "status": ["pending"],
        "writer": ["ada"],
        "order": ["score"],
    }
    assert words(tree(queue).xpath("//p[@class='admin-order__note']")[0]) == (
        "A story scoring 5 or more is held as suspected spam."
    )
    by_score = served.client.get(links[1].get("href"))
    current = tree(by_score).xpath("//nav[@aria-label='Order of this list']//a[@aria-current]")
    assert [words(a) for a in current] == ["Highest spam score first"]
    form = tree(by_score).xpath("//form[@role='search']")[0]
    assert form.get("method") == "get"
    assert form.xpath(".//label[@for='filter-order']/text()") == ["Order"]
    assert form.xpath(".//select[@name='order']/option[@selected]/@value") == ["score"]
    approved = tree(served.client.get("/admin/?status=approved&order=score"))
    orders = approved.xpath("//select[@name='order']/option/text()")
    assert orders == ["Latest change first", "Highest spam score first"]


def test_paging_tabs_and_actions_keep_the_order(
    served: Served, store: Store, clock: FakeClock
) -> None:
    ids = [add(store, clock, spam=SpamScore(n), body_markdown=f"Story {n}.").id for n in range(27)]
    csrf = log_in(served.client)
    first = served.client.get("/admin/?order=score")
    assert shown(first)[:2] == [ids[26], ids[25]]
    lower = tree(first).xpath("//a[@rel='next']")[0]
    assert words(lower) == "Lower scores"
    assert query(lower.get("href")) == {"status": ["pending"], "order": ["score"], "page": ["2"]}
    second = served.client.get(lower.get("href"))
    assert shown(second) == [ids[1], ids[0]]
    assert words(tree(second).xpath("//a[@rel='prev']")[0]) == "Higher scores"
    tab_all = tree(second).xpath("//nav[@aria-label='Story lists']//a")[4].get("href")
    assert query(tab_all) == {"status": ["all"], "order": ["score"]}
    back = tree(second).xpath("//form[@id='bulk']/input[@name='back']/@value")[0]
    assert back == "/?status=pending&order=score&page=2"
    answer = act(served.client, csrf, "/bulk", action="spam", ids=[str(ids[0])], back=back)
    assert answer.headers["location"] == "/admin" + back


def test_an_unknown_order_is_said_and_the_usual_order_shown(
    start: Callable[..., Served], store: Store, clock: FakeClock
) -> None:
    served = start(spam_threshold=0)
    low = add(store, clock, spam=LOW)
    high = add(store, clock, spam=HIGH)
    log_in(served.client)
    page = served.client.get("/admin/", params={"order": "random"})
    assert page.status_code == 200
    assert words(tree(page).xpath("//div[@role='alert']")[0]).endswith(
        "There is no order 'random': use score (highest spam score first) or newest; showing "
        "the list in its usual order."
    )
    assert shown(page) == [high.id, low.id]
    assert words(tree(page).xpath("//p[@class='admin-order__note']")[0]) == (
        "No story is held for its spam score (spam_threshold is 0)."
    )
    assert shown(served.client.get("/admin/?order=newest")) == [high.id, low.id]
