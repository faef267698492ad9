"""The queue as a workbench, over real HTTP without JavaScript (SQLite and PostgreSQL): bulk
buttons above and below the list for every action, ticks that survive a post that does not
act, tick all, delete after a confirmation, Undo in the result, the pending count in the title,
edits under the form's rules with the name editable, and link targets written out."""

from __future__ import annotations

import httpx
import store_calls as calls
import test_admin
from stories_support import FakeClock, add, add_with_status
from test_admin import Served, act, flash_lines, history, log_in, tree

from reader_stories.models import Status
from reader_stories.store import Store

served = test_admin.served  # the admin on a real port, as the other admin tests serve it
start = test_admin.start


def ticked_on(page: httpx.Response) -> list[int]:
    return [int(v) for v in tree(page).xpath("//input[@name='ids' and @checked]/@value")]


def follow(client: httpx.Client, answer: httpx.Response) -> httpx.Response:
    assert answer.status_code == 303, answer.text
    return client.get(answer.headers["location"])


def bulk_buttons(page: httpx.Response) -> list[tuple[str, str]]:
    """(bar, action) of every bulk button, in page order."""
    found = []
    for bar in tree(page).xpath("//div[contains(@class, 'admin-bulk ')]"):
        position = bar.get("class").split("--")[-1]
        found += [(position, value) for value in bar.xpath(".//button[@form='bulk']/@value")]
    return found


def test_every_bulk_action_is_above_and_below_the_list(served: Served, store: Store) -> None:
    add(store), add(store)
    log_in(served.client)
    actions = ["tick-all", "approve", "spam", "delete", "reject"]
    page = served.client.get("/admin/")
    assert bulk_buttons(page) == [("top", a) for a in actions] + [("bottom", a) for a in actions]
    calls.set_status(store, 1, Status.APPROVED, actor="m")
    approved = served.client.get("/admin/?status=approved")
    assert [a for bar, a in bulk_buttons(approved) if bar == "top"] == [
        "tick-all",
        "spam",
        "delete",
        "reject",
    ]


def test_the_pending_count_is_in_the_title_of_every_list(served: Served, store: Store) -> None:
    add(store), add(store), add_with_status(store, Status.SPAM)
    log_in(served.client)
    for path, title in (
        ("/admin/", "Waiting for moderation"),
        ("/admin/?status=spam", "Recently marked as spam"),
    ):
        page = tree(served.client.get(path))
        assert page.findtext(".//title") == f"(2 pending) {title} — Next Round moderation"


def test_enter_in_the_bulk_form_keeps_the_ticks(served: Served, store: Store) -> None:
    stories = [add(store) for _ in range(3)]
    csrf = log_in(served.client)
    ids = [str(stories[0].id), str(stories[2].id)]
    answer = act(served.client, csrf, "/bulk", action="none", ids=ids, back="/?status=pending")
    page = follow(served.client, answer)
    assert sorted(ticked_on(page)) == sorted(int(i) for i in ids)
    assert [
        " ".join(li.text_content().split())
        for li in tree(page).xpath("//div[contains(@class,'admin-flash')]//li")
    ] == [
        "Nothing was changed: choose what to do with the 2 ticked stories, with the buttons above "
        "or below the list. They are still ticked."
    ]
    assert all(store.get(s.id).status is Status.PENDING for s in stories)
    assert ticked_on(served.client.get("/admin/")) == []  # the message, and the ticks, were once


def test_ticks_survive_a_conflict(served: Served, store: Store) -> None:
    waiting, moved = add(store), add(store)
    csrf = log_in(served.client)
    calls.set_status(store, moved.id, Status.REJECTED, actor="another moderator")
    ids = [str(waiting.id), str(moved.id)]
    page = follow(served.client, act(served.client, csrf, "/bulk", action="approve", ids=ids))
    assert "Nothing was changed." in page.text
    assert ticked_on(page) == [waiting.id]  # the one still on this list keeps its tick
    assert store.get(waiting.id).status is Status.PENDING


def test_tick_all_and_untick_all_without_javascript(served: Served, store: Store) -> None:
    stories = [add(store) for _ in range(3)]
    csrf = log_in(served.client)
    shown = [str(s.id) for s in stories]
    page = follow(served.client, act(served.client, csrf, "/bulk", action="tick-all", shown=shown))
    assert sorted(ticked_on(page)) == sorted(s.id for s in stories)
    assert tree(page).xpath("//button[@data-tick-toggle]/text()") == ["Untick all", "Untick all"]
    again = follow(served.client, act(served.client, csrf, "/bulk", action="tick-none"))
    assert ticked_on(again) == []
    assert (
        tree(again).xpath("//button[@data-tick-toggle]/text()") == ["Tick all 3 on this page"] * 2
    )


def test_bulk_spam_then_undo_puts_them_back_in_the_queue(served: Served, store: Store) -> None:
    first, second = add(store, name="Ada"), add(store, name="Bo")
    csrf = log_in(served.client)
    ids = [str(first.id), str(second.id)]
    page = follow(served.client, act(served.client, csrf, "/bulk", action="spam", ids=ids))
    assert all(store.get(s.id).status is Status.SPAM for s in (first, second))
    undo = tree(page).xpath("//form[contains(@class, 'admin-undo')]")[0]
    fields = {
        name: undo.xpath(f".//input[@name='{name}']/@value") for name in ("status", "ids", "back")
    }
    assert fields == {"status": ["spam"], "ids": ids, "back": ["/?status=pending"]}
    assert undo.get("action") == "/admin/undo" and undo.get("method") == "post"
    lines = flash_lines(served.client, act(served.client, csrf, "/undo", status="spam", ids=ids))
    assert lines == [
        f"#{first.id} back to pending (handling-job-rejection, by Ada)",
        f"#{second.id} back to pending (handling-job-rejection, by Bo)",
    ]
    assert history(store, first.id)[-1] == ("returned", "owner", None)
    assert all(store.get(s.id).status is Status.PENDING for s in (first, second))


def test_undo_of_an_approval_takes_the_story_off_and_not_one_moved_since(
    served: Served, store: Store
) -> None:
    story, other = add(store), add(store)
    csrf = log_in(served.client)
    page = follow(served.client, act(served.client, csrf, f"/stories/{story.id}/approve"))
    assert tree(page).xpath("//form[contains(@class,'admin-undo')]//input[@name='ids']/@value") == [
        str(story.id)
    ]
    assert flash_lines(
        served.client, act(served.client, csrf, "/undo", status="approved", ids=[str(story.id)])
    )[0].startswith(f"#{story.id} back to pending")
    assert store.get(story.id).approved_at is None
    # Someone else decided meanwhile: the Undo does not undo their decision.
    act(served.client, csrf, f"/stories/{other.id}/approve")
    calls.set_status(store, other.id, Status.REJECTED, actor="another moderator")
    lines = flash_lines(
        served.client, act(served.client, csrf, "/undo", status="approved", ids=[str(other.id)])
    )
    assert lines == [
        f"Story #{other.id} is now rejected, not approved as on your page: it was moderated "
        "meanwhile. Look at it again before deciding.",
        "Nothing was changed.",
    ]
    assert store.get(other.id).status is Status.REJECTED


def test_bulk_delete_asks_first_then_deletes_or_keeps_the_ticks(
    served: Served, store: Store
) -> None:
    published = add_with_status(store, Status.APPROVED)
    with store.writing() as tx:
        tx.add_author_reply(published.id, "Thank you.", author_name="Ed", actor="Ed")
    waiting = add(store, body_markdown="Line one of it.\n\nLine two of it.")
    csrf = log_in(served.client)
    ids = [str(published.id), str(waiting.id)]
    ask = act(
        served.client, csrf, "/bulk", action="delete", ids=ids, status="", back="/?status=approved"
    )
    assert ask.status_code == 200
    page = tree(ask)
    assert page.findtext(".//h1") == "Delete 2 stories?"
    assert "and the 1 reply under them" in page.xpath("string(//p[@class='note'])")
    assert f"Story #{waiting.id}" in page.xpath("string(//ul[@class='admin-doomed'])")
    assert "“Line one of it. Line two of it.”" in page.xpath("string(//ul[@class='admin-doomed'])")
    assert store.get(waiting.id).status is Status.PENDING  # asking deletes nothing

    kept = follow(
        served.client,
        act(served.client, csrf, "/bulk", action="keep", ids=ids, back="/?status=pending"),
    )
    assert ticked_on(kept) == [waiting.id]  # the published one is on another list
    done = act(served.client, csrf, "/bulk", action="delete-confirmed", ids=ids, status="")
    assert flash_lines(served.client, done)[0].startswith(f"Deleted #{published.id}, #")
    assert calls.pending_count(store) == 0


def test_bulk_reject_takes_the_reason_from_either_field(served: Served, store: Store) -> None:
    story = add(store)
    csrf = log_in(served.client)
    answer = act(
        served.client, csrf, "/bulk", action="reject", ids=[str(story.id)], reason=["", "off topic"]
    )
    assert answer.status_code == 303
    assert store.get(story.id).reject_reason == "off topic"


def test_the_edit_page_edits_the_name_under_the_forms_rules(served: Served, store: Store) -> None:
    story = add_with_status(store, Status.APPROVED, name="Ada Fullsurname")
    csrf = log_in(served.client)
    form = tree(served.client.get(f"/admin/stories/{story.id}/edit"))
    assert form.xpath("//input[@id='name']/@value") == ["Ada Fullsurname"]
    assert form.xpath("//label[@for='name']")
    short = act(
        served.client,
        csrf,
        f"/stories/{story.id}/edit",
        status="approved",
        text="Too short.",
        name="Next Round editors",
    )
    assert short.status_code == 422
    page = tree(short)
    assert page.xpath("//div[@id='error-summary']//a/@href") == ["#name", "#text"]
    assert page.xpath("//input[@id='name']/@aria-invalid") == ["true"]
    assert page.xpath("//input[@id='name']/@value") == ["Next Round editors"]  # kept as typed
    assert "a story needs at least 20" in page.xpath("string(//p[@id='text-error'])")
    assert store.get(story.id) == story

    done = act(
        served.client,
        csrf,
        f"/stories/{story.id}/edit",
        status="approved",
        text=story.body_markdown,
        name="Ada F.",
    )
    assert (
        flash_lines(served.client, done)[0]
        == f"#{story.id} edited; it shows as edited by a moderator."
    )
    assert store.get(story.id).name == "Ada F."
    assert history(store, story.id)[-1] == ("edited", "owner", "name changed")


def test_previews_write_out_where_links_go(served: Served, store: Store, clock: FakeClock) -> None:
    story = add(
        store,
        clock,
        body_markdown="See [my bank](https://phish.example/login) or https://ok.example now.",
    )
    log_in(served.client)
    card = tree(served.client.get("/admin/")).xpath(f"//article[@id='story-{story.id}']")[0]
    targets = card.xpath(".//span[@class='admin-link-target']/text()")
    assert targets == ["(links to https://phish.example/login)"]
    assert card.xpath(".//a[@href='https://ok.example']/@rel") == ["nofollow ugc noopener"]


def test_the_script_is_served_from_the_admin_itself(served: Served) -> None:
    script = served.client.get("/admin/static/admin.js")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "data-ticked-count" in script.text
    assert served.client.get("/admin/static/secret.py").status_code == 404


def test_a_decided_story_can_go_back_to_pending_later(served: Served, store: Store) -> None:
    story = add_with_status(store, Status.REJECTED, name="Ada")
    csrf = log_in(served.client)
    card = tree(served.client.get("/admin/?status=rejected")).xpath(
        f"//article[@id='story-{story.id}']"
    )[0]
    assert card.xpath(f".//form[@action='/admin/stories/{story.id}/requeue']//button")
    answer = act(
        served.client,
        csrf,
        f"/stories/{story.id}/requeue",
        status="rejected",
        back="/?status=rejected",
    )
    page = follow(served.client, answer)
    assert "back to pending (handling-job-rejection, by Ada)" in page.text
    assert tree(page).xpath("//form[contains(@class,'admin-undo')]") == []  # an undo is not undone
    assert store.get(story.id).status is Status.PENDING
    again = act(served.client, csrf, f"/stories/{story.id}/requeue", status="pending")
    assert flash_lines(served.client, again) == [
        f"Story #{story.id} is already pending.",
        "Nothing was changed.",
    ]
    pending = tree(served.client.get("/admin/")).xpath(f"//article[@id='story-{story.id}']")[0]
    assert not pending.xpath(".//form[contains(@action, '/requeue')]")
