"""The admin's safety pages over real HTTP without JavaScript (SQLite and PostgreSQL): a
writer's page and the block from it or from a story, the Blocks page with Unblock, the hold
list, and closing an article's stories."""

from __future__ import annotations

import test_admin
from stories_support import add, add_with_status, submission
from test_admin import SECRET, Served, act, flash_lines, log_in, tree

from reader_stories.models import Hold, HoldKind, Status
from reader_stories.moderation.blocks import email_hash
from reader_stories.moderation.holds import hold_for
from reader_stories.store import Store
from reader_stories.store.blocks import BlockKind, TermKind

served = test_admin.served  # the admin on a real port, as the other admin tests serve it
start = test_admin.start


def table_rows(page: object) -> list[list[str]]:
    return [
        [" ".join(cell.text_content().split()) for cell in row.xpath("./td")]
        for row in tree(page).xpath("//table//tbody/tr")  # type: ignore[arg-type]
    ]


def test_a_writers_page_lists_every_story_by_address_or_network_newest_first(
    served: Served, store: Store
) -> None:
    first = add(store, email="Ayo@example.com", notify=True, ip_hash="a" * 64)
    add(store, email=None, ip_hash="z" * 64, body_markdown="Someone else entirely wrote this.")
    by_network = add_with_status(
        store, Status.APPROVED, email=None, ip_hash="a" * 64, body_markdown="Same network, later."
    )
    by_email = add(
        store,
        email="ayo@EXAMPLE.com",
        notify=True,
        ip_hash="c" * 64,
        hold=Hold(HoldKind.LISTED, ('it contains "casino"',)),
        body_markdown="Another network, same address, casino.",
    )
    log_in(served.client)
    page = served.client.get(f"/admin/writers/{first.id}")
    assert page.status_code == 200
    h1 = tree(page).xpath("//h1")[0].text_content()
    assert h1 == f"Stories by the writer of story #{first.id}"
    rows = table_rows(page)
    assert [row[0] for row in rows] == [
        f"#{by_email.id}",
        f"#{by_network.id}",
        f"#{first.id} (this one)",
    ]
    assert rows[0][3] == 'pending, held (listed: it contains "casino")'
    assert rows[1][3] == "approved"
    assert "ayo@" not in page.text.lower() and "a" * 64 not in page.text
    summary = " ".join(tree(page).xpath("//main/p")[0].text_content().split())
    assert summary == "3 stories: 2 with the email address they gave, 2 from their network."


def test_every_story_card_and_story_page_links_to_its_writer(served: Served, store: Store) -> None:
    story = add(store)
    log_in(served.client)
    for path in ("/admin/", f"/admin/stories/{story.id}"):
        links = tree(served.client.get(path)).xpath(f"//a[@href='/admin/writers/{story.id}']")
        assert links, path


def test_blocking_from_the_writers_page_holds_their_next_story_and_can_mark_waiting_as_spam(
    served: Served, store: Store
) -> None:
    first = add(store, email="ben@example.com", notify=True, ip_hash="b" * 64)
    csrf = log_in(served.client)
    answer = act(
        served.client,
        csrf,
        f"/writers/{first.id}/block",
        way="email",
        duration="month",
        note="spam wave",
        spam_waiting="yes",
        back=f"/writers/{first.id}",
    )
    lines = flash_lines(served.client, answer)
    assert lines[0].startswith("Block #1: by email, until ")
    assert lines[2].startswith(f"#{first.id} marked as spam")
    assert store.get(first.id).status == Status.SPAM
    with store.reading() as tx:
        block = tx.active_block(BlockKind.EMAIL, email_hash(SECRET, "BEN@example.com"))
        assert block is not None and block.note == "spam wave" and block.story_id == first.id
        assert tx.active_block(BlockKind.NETWORK, "b" * 64) is None
        later = submission(email="ben@example.com", notify=True, ip_hash="q" * 64)
        assert hold_for(tx, later, SECRET) is not None


def test_a_block_from_a_story_page_takes_the_duration_chosen(served: Served, store: Store) -> None:
    story = add(store, ip_hash="d" * 64)
    csrf = log_in(served.client)
    page = served.client.get(f"/admin/stories/{story.id}")
    durations = tree(page).xpath("//input[@name='duration']/@value")
    assert durations == ["day", "week", "month", "forever"]
    answer = act(
        served.client,
        csrf,
        f"/writers/{story.id}/block",
        way="both",
        duration="forever",
        back=f"/stories/{story.id}",
    )
    assert answer.headers["location"] == f"/admin/stories/{story.id}"
    assert flash_lines(served.client, answer)[0] == "Block #1: by network, for good."


def test_a_block_without_a_duration_or_on_a_missing_story_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store)
    csrf = log_in(served.client)
    answer = act(served.client, csrf, f"/writers/{story.id}/block", duration="ages")
    assert flash_lines(served.client, answer) == [
        "Choose how long the block lasts: a day, a week, a month or for good.",
        "Nothing was changed.",
    ]
    missing = act(served.client, csrf, "/writers/999/block", duration="day")
    assert flash_lines(served.client, missing) == [
        "There is no story #999.",
        "Nothing was changed.",
    ]
    assert served.client.get("/admin/writers/999").status_code == 404
    with store.reading() as tx:
        assert tx.blocks() == []


def test_the_blocks_page_lists_active_and_ended_blocks_with_unblock(
    served: Served, store: Store
) -> None:
    with store.writing() as tx:
        tx.add_block(BlockKind.NETWORK, "n" * 64, until=None, note="bot", actor="moderator")
        tx.add_block(BlockKind.NETWORK, "m" * 64, until=None, note="", actor="moderator")
        tx.lift_block(2, actor="moderator")
    csrf = log_in(served.client)
    page = served.client.get("/admin/blocks")
    captions = [c.text_content() for c in tree(page).xpath("//caption")]
    assert captions == ["Active blocks (1)", "Expired and lifted blocks (1)"]
    rows = table_rows(page)
    assert rows[0][:3] == ["#1", "by network, for good", "bot"]
    assert rows[1][4].startswith("lifted by moderator")
    answer = act(served.client, csrf, "/blocks/1/lift", back="/blocks")
    assert flash_lines(served.client, answer) == ["Block #1 lifted (by network, for good)."]
    again = act(served.client, csrf, "/blocks/1/lift", back="/blocks")
    assert flash_lines(served.client, again) == [
        "Block #1 is not active any more; nothing was changed."
    ]


def test_the_hold_list_page_adds_and_removes_words_and_domains(
    served: Served, store: Store
) -> None:
    csrf = log_in(served.client)
    added = act(served.client, csrf, "/hold-list", action="add", kind="word", value=" Casino ")
    assert flash_lines(served.client, added) == ["Added the word “casino”."]
    domain = act(
        served.client, csrf, "/hold-list", action="add", kind="domain", value="https://bit.ly/x"
    )
    assert flash_lines(served.client, domain) == ["Added the domain “bit.ly”."]
    bad = act(served.client, csrf, "/hold-list", action="add", kind="domain", value="nope")
    assert flash_lines(served.client, bad)[0].startswith("'nope' is not a domain")
    with store.reading() as tx:
        assert tx.listed_values() == ((TermKind.WORD, "casino"), (TermKind.DOMAIN, "bit.ly"))
    page = served.client.get("/admin/hold-list")
    assert [
        li.xpath("./span")[0].text for li in tree(page).xpath("//ul[@class='admin-terms']/li")
    ] == [
        "casino",
        "bit.ly",
    ]
    removed = act(served.client, csrf, "/hold-list", action="remove", kind="word", value="casino")
    assert flash_lines(served.client, removed) == ["Removed the word “casino”."]


def test_closing_and_reopening_from_the_admin(served: Served, store: Store) -> None:
    story = add(store)
    csrf = log_in(served.client)
    closed = act(served.client, csrf, "/closed", slug=story.article, back=f"/stories/{story.id}")
    assert closed.headers["location"] == f"/admin/stories/{story.id}"
    lines = flash_lines(served.client, closed)
    assert lines[0] == (
        f"Stories on {story.article} are closed: its page shows a note instead of the form."
    )
    page = served.client.get("/admin/closed")
    assert story.article in page.text
    reopened = act(served.client, csrf, "/closed", slug=story.article, action="reopen")
    assert flash_lines(served.client, reopened)[0].endswith("are open again: its form is back.")
    with store.reading() as tx:
        assert not tx.article_closed(story.article)
    bad = act(served.client, csrf, "/closed", slug="../../etc")
    assert "is not an article's slug" in flash_lines(served.client, bad)[0]


def test_safety_pages_need_a_session_and_their_forms_the_token(served: Served) -> None:
    for path in ("/admin/blocks", "/admin/hold-list", "/admin/closed", "/admin/writers/1"):
        assert served.client.get(path).status_code == 303
    log_in(served.client)
    refused = served.client.post("/admin/hold-list", data={"kind": "word", "value": "x"})
    assert refused.status_code == 403
