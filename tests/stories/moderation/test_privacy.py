"""Readers' rights: delete by receipt, forget an address, purge old unpublished stories."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import store_calls as calls
from site_support import build_live
from stories_support import FakeClock, make_config, submission

from reader_stories.errors import InvalidToken
from reader_stories.models import Status
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import privacy, service
from reader_stories.moderation.report import describe
from reader_stories.settings import CommentsSettings, RateLimit
from reader_stories.store import Store, open_store
from reader_stories.tokens import (
    check_receipt_token,
    make_article_token,
    make_receipt_token,
)
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.receipts import MSG_GONE, MSG_RECEIPT
from sitetools.serve import INTAKE_PATH, running
from sitetools.serve import create_app as create_site_app

ROOT = Path(__file__).resolve().parents[3]
SECRET = "privacy-tests-secret-0123456789-abcdefgh"
SEED = "handling-job-rejection"


def add(store: Store, **changes):
    return calls.add_submission(store, submission(**changes))


def test_receipt_tokens_name_their_story_and_refuse_tampering() -> None:
    token = make_receipt_token(SECRET, 42)
    assert check_receipt_token(SECRET, token) == 42
    for bad in (token[:-2] + "xx", "garbage", make_article_token(SECRET, "42")):
        with pytest.raises(InvalidToken):
            check_receipt_token(SECRET, bad)
    with pytest.raises(InvalidToken):
        check_receipt_token("another-secret-0123456789-abcdefghijk", token)


def test_delete_by_receipt_takes_replies_and_reports_published_articles(store: Store) -> None:
    story = add(store)
    moderation.approve(store, [story.id])
    answer = moderation.reply(store, story.id, "Thanks for sharing this with us.", "Editors")
    removed = privacy.delete_by_receipt(store, story.id)
    assert removed.ids == (story.id, answer.id)
    assert removed.published_articles == {story.article}
    assert store.approved_for_article(story.article) == []
    assert [e.action.value for e in calls.events(store, story.id)][-1] == "deleted"


def test_forget_removes_every_story_with_the_address_whatever_its_case(store: Store) -> None:
    kept = add(store, body_markdown="A story from someone else entirely, kept.")
    first = add(store, email="Reader@Mail.example", notify=True)
    second = add(
        store, email="reader@mail.example", notify=True, body_markdown="Another one of mine here."
    )
    moderation.approve(store, [second.id])
    removed = privacy.forget_email(store, "READER@mail.example")
    assert set(removed.ids) == {first.id, second.id}
    assert removed.published_articles == {second.article}
    assert [s.id for s in store.pending()] == [kept.id]
    with pytest.raises(ValueError, match="not an email address"):
        privacy.forget_email(store, "nobody")


def test_purge_drops_old_unpublished_stories_and_rate_records(
    store: Store, clock: FakeClock
) -> None:
    old_rejected = add(store, body_markdown="Old and rejected story text here.")
    old_spam = add(store, body_markdown="Old spam story text, buy things now.")
    old_pending = add(store, body_markdown="Old story nobody ever moderated, sadly.")
    old_approved = add(store, body_markdown="Old but published story stays forever.")
    moderation.reject(store, [old_rejected.id], "off topic")
    moderation.mark_spam(store, [old_spam.id])
    moderation.approve(store, [old_approved.id])
    with store.writing() as tx:
        tx.record_rate_event("network")
    clock.advance(days=31)
    recent = add(store, body_markdown="A recent pending story is kept for now.")
    removed = privacy.purge(store, days=30)
    assert set(removed.ids) == {old_rejected.id, old_spam.id, old_pending.id}
    assert removed.published_articles == frozenset()
    assert [s.id for s in store.pending()] == [recent.id]
    assert store.get(old_approved.id).status == Status.APPROVED
    with store.reading() as tx:
        assert tx.count_rate_events("network", clock() - timedelta(days=365)) == 0
    with pytest.raises(ValueError, match="at least 1 day"):
        privacy.purge(store, days=0)


def test_forget_updates_the_built_site(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    with open_store(db_url) as store:
        story = add(
            store,
            article=SEED,
            email="gone@mail.example",
            notify=True,
            body_markdown="FORGET-MARK: please remove me later on.",
        )
        moderation.approve(store, [story.id])
    site, republisher = build_live(tmp_path, db_url, SECRET)
    page = site / SEED / "index.html"
    assert "FORGET-MARK" in page.read_text()
    with open_store(db_url) as store:
        outcome = service.forget(store, republisher, "GONE@mail.example")
        assert "Removed 1 story tied" in describe(outcome)[0]
        again = service.forget(store, republisher, "gone@mail.example")
        assert "No story was written" in describe(again)[0]
    assert "FORGET-MARK" not in page.read_text()


@pytest.fixture
def receipt_site(tmp_path: Path):
    """The intake with a built page it can update, as `invoke serve` runs it."""
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    site, republisher = build_live(tmp_path, db_url, SECRET)
    settings = CommentsSettings(
        database_url=db_url, secret_key=SECRET, rate_limit=RateLimit(100, 600)
    )
    intake = create_app(make_config(settings), republisher=republisher)
    app = create_site_app(site, mounts={INTAKE_PATH: intake})
    with running(app) as base, httpx.Client(base_url=base) as client:
        yield client, db_url, republisher, site
    intake.state.close()


def form(**changes: str) -> dict[str, str]:
    return {
        "article": SEED,
        "token": make_article_token(SECRET, SEED),
        "name": "Rae",
        "story": "RECEIPT-MARK: I changed my mind about sharing this.",
        "consent": "yes",
        "reply_to": "",
        **changes,
    }


def test_receipt_link_confirms_then_deletes_a_published_story(receipt_site) -> None:
    client, db_url, files, site = receipt_site
    sent = client.post("/stories/", data=form())
    assert "receipt" not in sent.headers["location"]  # the cookie brings it to the next page
    received = client.get(sent.headers["location"])
    assert "Delete my story" in received.text
    delete_url = received.text.split('href="/stories/delete?receipt=', 1)[1].split('"', 1)[0]
    with open_store(db_url) as store:
        story = store.pending()[0]
        service.approve(store, files, [story.id])
    assert "RECEIPT-MARK" in (site / SEED / "index.html").read_text()

    confirm = client.get(f"/stories/delete?receipt={delete_url}")
    assert confirm.status_code == 200
    # Just published, so within the time its writer may still change it: both are offered.
    assert "Change your published story" in confirm.text and "RECEIPT-MARK" in confirm.text
    assert "Delete my story" in confirm.text
    with open_store(db_url) as store:
        assert store.get(story.id).status == Status.APPROVED  # a GET deletes nothing

    done = client.post("/stories/delete", data={"receipt": delete_url})
    assert done.status_code == 200 and "Your story was deleted" in done.text
    assert "RECEIPT-MARK" not in (site / SEED / "index.html").read_text()
    with open_store(db_url) as store:
        assert store.pending() == [] and store.approved_for_article(SEED) == []

    again = client.post("/stories/delete", data={"receipt": delete_url})
    assert again.status_code == 410 and MSG_GONE in again.text


def test_json_submission_gets_the_receipt_and_bad_receipts_are_400(receipt_site) -> None:
    client = receipt_site[0]
    answer = client.post("/stories/", json=form(), headers={"Accept": "application/json"})
    assert answer.json()["delete_url"] == "http://127.0.0.1:8000/stories/delete"  # SITEURL's
    receipt = answer.json()["receipt"]
    assert client.get("/stories/delete", params={"receipt": receipt}).status_code == 200
    for bad in ("/stories/delete?receipt=nonsense", "/stories/delete"):
        refused = client.get(bad)
        assert refused.status_code == 400 and MSG_RECEIPT in refused.text
    assert client.post("/stories/delete", data={"receipt": "x" * 20}).status_code == 400
