"""Finding stories in the admin over real HTTP, without JavaScript (SQLite and PostgreSQL): the
filters in the address, combined, paged, kept by bulk actions and Undo, links from each card,
and bad values said in words, never a server error."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import test_admin
from stories_support import FakeClock, add, add_with_status, make_config
from test_admin import Served, act, log_in, make_settings, serve_admin, tree

from reader_stories.models import Status
from reader_stories.pages.section import SECTION_BEGIN, SECTION_END
from reader_stories.store import Store
from reader_stories.web.admin.app import create_app

served = test_admin.served
start = test_admin.start
NET_A = "ab12" * 16
NET_B = "cd34" * 16


def shown(page: httpx.Response) -> list[int]:
    """The ids of the story cards on a list page, in order."""
    ids = tree(page).xpath("//ol[@class='admin-list']/li/article/@id")
    return [int(value.removeprefix("story-")) for value in ids]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def words(page: httpx.Response, xpath: str) -> list[str]:
    return [" ".join(node.text_content().split()) for node in tree(page).xpath(xpath)]


def test_each_filter_narrows_the_list_and_they_combine(
    served: Served, store: Store, clock: FakeClock
) -> None:
    ada = add(store, clock, name="Ada", email="ada@example.org", ip_hash=NET_A)
    bo = add(store, clock, name="Bo", article="salary-talk", body_markdown="Ask for 20% more.")
    cy = add(store, clock, name="Cy", article="salary-talk", ip_hash=NET_B)
    spam = add_with_status(store, Status.SPAM, name="Ada", body_markdown="Buy now, cheap.")
    log_in(served.client)
    get = served.client.get
    assert shown(get("/admin/")) == [cy.id, bo.id, ada.id]
    assert shown(get("/admin/?writer=ADA")) == [ada.id]
    assert shown(get("/admin/?status=all&writer=ada")) == [spam.id, ada.id]
    assert shown(get("/admin/?writer=ada%40example.org&match=exact")) == [ada.id]
    assert shown(get("/admin/?article=salary-talk")) == [cy.id, bo.id]
    assert shown(get("/admin/?text=20%25+MORE")) == [bo.id]
    assert shown(get(f"/admin/?network={NET_B[:8]}")) == [cy.id]
    assert shown(get("/admin/?article=salary-talk&network=" + NET_B)) == [cy.id]
    assert shown(get("/admin/?status=spam&text=cheap")) == [spam.id]
    page = get("/admin/?article=salary-talk&text=more")
    assert words(page, "//p[@class='admin-filtered']") == [
        "Filtered: on salary-talk; text contains “more”."
    ]
    assert tree(page).findtext(".//title") == (
        "(3 pending) Waiting for moderation, filtered — Next Round moderation"
    )
    # The tabs keep the other filters and count what they would show; the held bin's tab
    # counts the whole bin.
    assert words(page, "//nav[@aria-label='Story lists']//a") == [
        "Pending 1",
        "Approved 0",
        "Rejected 0",
        "Spam 0",
        "All 1",
        "Held 0",
    ]
    tab_all = tree(page).xpath("//nav[@aria-label='Story lists']//a")[-2].get("href")
    assert query(tab_all) == {"status": ["all"], "article": ["salary-talk"], "text": ["more"]}


def test_the_form_is_a_labelled_get_form_showing_the_filters(served: Served, store: Store) -> None:
    add(store, article="salary-talk")
    log_in(served.client)
    page = tree(served.client.get("/admin/?status=all&writer=Bo&match=exact&text=offer"))
    form = page.xpath("//form[@role='search']")[0]
    assert form.get("method") == "get" and form.get("action") == "/admin/"
    for control in form.xpath(".//input[not(@type='hidden')] | .//select"):
        assert form.xpath(f".//label[@for='{control.get('id')}']"), control.get("name")
    assert form.xpath(".//select[@name='status']/option[@selected]/@value") == ["all"]
    assert form.xpath(".//select[@name='match']/option[@selected]/@value") == ["exact"]
    assert form.xpath(".//input[@name='writer']/@value") == ["Bo"]
    assert form.xpath(".//input[@name='text']/@value") == ["offer"]
    assert form.xpath(".//a[text()='Clear filters']/@href") == ["/admin/"]


def test_articles_are_offered_by_title_where_the_built_site_knows_it(
    tmp_path: Path, db_url: str, store: Store
) -> None:
    add(store, article="salary-talk"), add(store, article="salary-talk")
    add(store, article="no-page-built")
    built = tmp_path / "out" / "salary-talk" / "index.html"
    built.parent.mkdir(parents=True)
    built.write_text(
        f'<main>{SECTION_BEGIN}<section class="stories" data-article-title="Salary talk, a '
        f'script">…</section>{SECTION_END}</main>',
        encoding="utf-8",
    )
    app = create_app(make_config(make_settings(db_url), output=tmp_path / "out"))
    with serve_admin(tmp_path / "site", app) as base, httpx.Client(base_url=base) as client:
        log_in(client)
        page = tree(client.get("/admin/?article=salary-talk"))
    options = page.xpath("//select[@name='article']/option")
    assert [(o.get("value"), o.text) for o in options] == [
        ("", "Any article"),
        ("no-page-built", "no-page-built (1)"),
        ("salary-talk", "Salary talk, a script (2)"),
    ]
    assert page.xpath("//select[@name='article']/option[@selected]/@value") == ["salary-talk"]
    assert page.xpath("string(//p[@class='admin-filtered'])") == (
        "Filtered: on “Salary talk, a script”."
    )


def test_paging_keeps_the_filters(served: Served, store: Store, clock: FakeClock) -> None:
    ids = [add(store, clock, name="Ada", body_markdown=f"Offer {n} came.").id for n in range(27)]
    add(store, clock, name="Bo")
    log_in(served.client)
    first = served.client.get("/admin/?writer=ada")
    older = tree(first).xpath("//a[@rel='next']/@href")[0]
    assert query(older) == {"status": ["pending"], "writer": ["ada"], "page": ["2"]}
    second = served.client.get(older)
    assert shown(second) == [ids[1], ids[0]]
    assert words(second, "//nav[@aria-label='Pages of this list']/span") == ["Page 2 of 2"]
    newer = tree(second).xpath("//a[@rel='prev']/@href")[0]
    assert query(newer) == {"status": ["pending"], "writer": ["ada"]}


def test_a_bulk_action_and_its_undo_come_back_to_the_same_filtered_page(
    served: Served, store: Store, clock: FakeClock
) -> None:
    for n in range(26):
        add(store, clock, name="Ada", body_markdown=f"Offer {n} came.")
    csrf = log_in(served.client)
    page = served.client.get("/admin/?writer=ada&text=offer&page=2")
    back = tree(page).xpath("//form[@id='bulk']/input[@name='back']/@value")[0]
    assert back == "/?status=pending&writer=ada&text=offer&page=2"
    story_id = str(shown(page)[0])
    answer = act(served.client, csrf, "/bulk", action="spam", ids=[story_id], back=back)
    assert answer.headers["location"] == "/admin" + back
    after = served.client.get(answer.headers["location"])
    assert store.get(int(story_id)).status is Status.SPAM
    undo = tree(after).xpath("//form[contains(@class, 'admin-undo')]")[0]
    assert undo.xpath(".//input[@name='back']/@value") == [back]
    undone = served.client.post(
        "/admin/undo",
        data={"csrf": csrf, "status": "spam", "ids": [story_id], "back": back},
    )
    assert undone.headers["location"] == "/admin" + back
    assert store.get(int(story_id)).status is Status.PENDING


def test_a_back_address_is_rewritten_from_what_it_means(served: Served, store: Store) -> None:
    story = add(store)
    csrf = log_in(served.client)
    for sent, lands in (
        ("/?writer=a%0d%0aSet-Cookie:x&status=pending", "/?status=pending&writer=a+Set-Cookie%3Ax"),
        ("/?status=nope&evil=1&page=x", "/?status=pending"),
        ("//evil.example/?status=pending", "/?status=pending"),
        ("/?status=all&network=" + NET_A, "/?status=all&network=" + NET_A),
    ):
        answer = act(served.client, csrf, "/bulk", action="none", ids=[str(story.id)], back=sent)
        assert answer.headers["location"] == "/admin" + lands, sent


def test_each_card_links_to_its_writer_and_network(served: Served, store: Store) -> None:
    with_email = add(store, name="Ada", email="ada+jobs@example.org", ip_hash=NET_A)
    without = add(store, name="Bo Ng", email=None, ip_hash=None)
    log_in(served.client)
    page = tree(served.client.get("/admin/"))
    card = page.xpath(f"//article[@id='story-{with_email.id}']")[0]
    writer = card.xpath(".//a[starts-with(., 'All stories by this writer')]/@href")[0]
    assert query(writer) == {
        "status": ["all"],
        "writer": ["ada+jobs@example.org"],
        "match": ["exact"],
    }
    network = card.xpath(".//a[starts-with(., 'All from network')]")[0]
    assert " ".join(network.text_content().split()) == f"All from network {NET_A[:8]}"
    assert query(network.get("href")) == {"status": ["all"], "network": [NET_A]}
    other = page.xpath(f"//article[@id='story-{without.id}']")[0]
    by_name = other.xpath(".//a[starts-with(., 'All stories by this writer')]/@href")[0]
    assert query(by_name)["writer"] == ["Bo Ng"]
    assert not other.xpath(".//a[starts-with(., 'All from network')]")
    assert shown(served.client.get(writer)) == [with_email.id]
    assert shown(served.client.get(by_name)) == [without.id]
    assert shown(served.client.get(network.get("href"))) == [with_email.id]


def test_no_match_says_so_and_offers_to_clear(served: Served, store: Store) -> None:
    add(store)
    log_in(served.client)
    page = served.client.get("/admin/?text=nothing+like+this")
    assert words(page, "//p[@id='no-stories']") == ["No stories match these filters. Clear filters"]
    assert tree(page).xpath("//p[@id='no-stories']/a/@href") == ["/admin/"]
    assert not tree(page).xpath("//form[@id='bulk']")


def test_bad_values_are_said_and_left_out_never_a_server_error(
    served: Served, store: Store
) -> None:
    story = add(store)
    log_in(served.client)
    for params, message in (
        ({"status": "deleted"}, "There is no status 'deleted'"),
        ({"page": "two"}, "There is no page 'two'"),
        ({"page": "99999999999"}, "There is no page"),
        ({"page": "0"}, "There is no page '0'"),
        ({"text": "x" * 10_000}, "The text to look for is 10000 characters long"),
        ({"writer": "w" * 300}, "The writer to look for is 300 characters long"),
        ({"network": "not-hex!"}, "'not-hex!' is not a network hash"),
        ({"match": "regex"}, "The writer is matched “exact” or “contains”"),
    ):
        page = served.client.get("/admin/", params=params)
        assert page.status_code == 200, params
        problems = words(page, "//div[@role='alert']//li")
        assert len(problems) == 1 and problems[0].startswith(message), problems
        assert shown(page) == [story.id], params  # the bad filter is left out
    past_end = served.client.get("/admin/", params={"page": "40"})
    assert shown(past_end) == [] and "Go to the first page" in past_end.text
    odd = served.client.get("/admin/?text=a%00b&writer=%ED%A0%80&article=%FF")
    assert odd.status_code == 200 and shown(odd) == []


def test_after_logging_in_the_filtered_page_asked_for_opens(served: Served, store: Store) -> None:
    ada = add(store, name="Ada")
    add(store, name="Bo")
    asked = served.client.get("/admin/?writer=ada&text=turned")
    login = asked.headers["location"]
    assert asked.status_code == 303 and login.startswith("/admin/login?next=")
    form = served.client.get(login)
    answer = served.client.post(
        "/admin/login",
        data={
            "csrf": tree(form).xpath("//input[@name='csrf']/@value")[0],
            "password": test_admin.PASSWORD,
            "next": tree(form).xpath("//input[@name='next']/@value")[0],
        },
    )
    assert answer.headers["location"] == "/admin/?status=pending&writer=ada&text=turned"
    assert shown(served.client.get(answer.headers["location"])) == [ada.id]


def test_the_all_list_acts_on_stories_of_any_status(served: Served, store: Store) -> None:
    waiting = add(store, name="Ada")
    published = add_with_status(store, Status.APPROVED, name="Ada")
    csrf = log_in(served.client)
    page = served.client.get("/admin/?status=all&writer=ada")
    assert shown(page) == [published.id, waiting.id]
    assert tree(page).xpath("//form[@id='bulk']/input[@name='status']/@value") == [""]
    back = "/?status=all&writer=ada"
    ids = [str(waiting.id), str(published.id)]
    answer = act(served.client, csrf, "/bulk", status="", action="spam", ids=ids, back=back)
    assert answer.headers["location"] == "/admin" + back
    assert {store.get(i).status for i in (waiting.id, published.id)} == {Status.SPAM}
