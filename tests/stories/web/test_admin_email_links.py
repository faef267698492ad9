"""The pages the one-click links of the moderator's email open, over HTTP, on both databases.

A link is a signed token for one story and one action, made when the email was sent. Opening it
shows the story and one button and changes nothing; the button's POST, carrying the token
again, acts through the moderation service. Changed, expired, wrong-action and spent links get
a page that says so, and change nothing.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from lxml import html
from stories_support import FakeClock, add, make_config
from test_admin import SECRET, history, make_settings, serve_admin

from reader_stories.models import Status, Story
from reader_stories.moderation import actions as moderation
from reader_stories.notify.action_links import LinkAction, make_action_token
from reader_stories.notify.confirm import make_confirm_token
from reader_stories.notify.unsubscribe import make_unsubscribe_token
from reader_stories.store import Store
from reader_stories.tokens import make_receipt_token
from reader_stories.web.admin.app import create_app

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ACTOR = "moderator (email link)"


class Served:
    """The admin on a real port, its clock (seconds, as time.time) set by the test."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.now = NOW
        self.client = httpx.Client(base_url=base, timeout=20)

    def clock(self) -> float:
        return self.now.timestamp()

    def open(self, url: str) -> httpx.Response:
        return self.client.get(url)

    def press(self, url: str, token: str | None = None) -> httpx.Response:
        """The page's button: a POST of the token, read off the page unless given."""
        path = urlsplit(url).path
        if token is None:
            token = parse_qs(urlsplit(url).query)["token"][0]
        return self.client.post(path, data={"token": token})


@pytest.fixture
def served(tmp_path, db_url: str):
    holder: dict[str, Served] = {}
    app = create_app(make_config(make_settings(db_url)), clock=lambda: holder["served"].clock())
    with serve_admin(tmp_path / "site", app) as base:
        holder["served"] = Served(base)
        yield holder["served"]
        holder["served"].client.close()


def link(story: Story, action: LinkAction, issued: datetime = NOW, secret: str = SECRET) -> str:
    token = make_action_token(secret, story.id, action, issued)
    return f"/admin/email/{action.value}?token={token}"


def page_text(response: httpx.Response) -> str:
    return " ".join(html.fromstring(response.text).text_content().split())


def forms(response: httpx.Response) -> list[Any]:
    return html.fromstring(response.text).xpath("//main//form")


def test_opening_a_link_shows_the_story_and_one_button_and_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store, name="Ivo", body_markdown="Opened by a mail scanner, decided by nobody.")
    before = history(store, story.id)
    for _ in range(3):  # a scanner may fetch it more than once
        page = served.open(link(story, LinkAction.APPROVE))
        assert page.status_code == 200
    assert store.get(story.id).status is Status.PENDING
    assert history(store, story.id) == before
    [form] = forms(page)
    assert (form.get("method"), form.get("action")) == ("post", "/admin/email/approve")
    assert [b.text_content() for b in form.xpath(".//button")] == [f"Approve story #{story.id}"]
    assert form.xpath(".//input[@name='token']/@value")
    text = page_text(page)
    assert "Opened by a mail scanner, decided by nobody." in text
    assert "This link works until 4 June 2026, 12:00 UTC" in text  # 72 hours after NOW
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.headers["Cache-Control"] == "no-store"


def test_the_page_shows_no_more_personal_data_than_the_email(served: Served, store: Store) -> None:
    story = add(store, body_markdown="The recruiter, Sarah Jones, rang me on 07911 123456 at 9.")
    text = page_text(served.open(link(story, LinkAction.APPROVE)))
    assert "Sarah Jones" not in text and "07911" not in text
    assert "The recruiter, [name removed], rang me on [phone number removed] at 9." in text
    assert "Probable personal name, phone number: left out here as in the email" in text


def test_the_button_approves_through_the_service_and_the_history_says_how(
    served: Served, store: Store
) -> None:
    story = add(store, name="Jo", body_markdown="Approved from the moderator's email.")
    done = served.press(link(story, LinkAction.APPROVE))
    assert done.status_code == 200
    assert f"Story #{story.id} approved" in page_text(done)
    assert store.get(story.id).status is Status.APPROVED
    assert history(store, story.id)[-1][:2] == ("approved", ACTOR)


def test_the_reject_link_rejects(served: Served, store: Store) -> None:
    story = add(store, body_markdown="Rejected from the moderator's email.")
    page = served.open(link(story, LinkAction.REJECT))
    assert f"Reject story #{story.id}" in page_text(page)
    assert served.press(link(story, LinkAction.REJECT)).status_code == 200
    assert store.get(story.id).status is Status.REJECTED


def test_a_link_used_again_or_after_another_decision_says_who_handled_it_and_when(
    served: Served, store: Store, clock: FakeClock
) -> None:
    story = add(store, body_markdown="Handled once, and that is enough.")
    approve = link(story, LinkAction.APPROVE)
    reject = link(story, LinkAction.REJECT)
    served.press(approve)
    for answer in (served.open(approve), served.press(approve), served.press(reject)):
        assert answer.status_code == 409
        text = page_text(answer)
        assert f"Story #{story.id} was already approved by {ACTOR} on" in text
        assert "Nothing was changed." in text and "Traceback" not in answer.text
    assert store.get(story.id).status is Status.APPROVED


def test_a_story_decided_and_sent_back_to_pending_after_the_email_is_not_the_links_to_act_on(
    served: Served, store: Store, clock: FakeClock
) -> None:
    clock.now = NOW - timedelta(hours=1)
    story = add(store, body_markdown="Approved, then back to pending, then the old link.")
    clock.now = NOW + timedelta(minutes=5)
    moderation.approve(store, [story.id])
    moderation.return_to_pending(store, [story.id])
    answer = served.press(link(story, LinkAction.APPROVE))
    assert answer.status_code == 409
    assert "was approved by moderator on" in page_text(answer)
    assert "after this email was sent" in page_text(answer)
    assert store.get(story.id).status is Status.PENDING


def test_a_deleted_story_s_link_says_it_was_deleted(served: Served, store: Store) -> None:
    story = add(store, body_markdown="Deleted before the email was read.")
    moderation.delete(store, [story.id])
    answer = served.open(link(story, LinkAction.APPROVE))
    assert answer.status_code == 409
    assert f"Story #{story.id} was deleted by moderator on" in page_text(answer)


def test_an_expired_link_says_until_when_it_worked_and_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store, body_markdown="Read too late for the link to work.")
    issued = NOW - timedelta(hours=72)
    url = link(story, LinkAction.APPROVE, issued=issued)
    for answer in (served.open(url), served.press(url)):
        assert answer.status_code == 410
        text = page_text(answer)
        assert f"worked until {NOW:%Y-%m-%d %H:%M} UTC" in text
        assert f"Open story #{story.id} in the admin" in text
    assert store.get(story.id).status is Status.PENDING
    # A minute younger, it still works.
    fresh = link(story, LinkAction.APPROVE, issued=issued + timedelta(minutes=1))
    assert served.open(fresh).status_code == 200


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda s: link(s, LinkAction.APPROVE)[:-3] + "abc", id="changed"),
        pytest.param(lambda s: link(s, LinkAction.APPROVE)[:-12], id="cut short"),
        pytest.param(
            lambda s: link(s, LinkAction.APPROVE).replace("/approve?", "/reject?"),
            id="approve token on the reject page",
        ),
        pytest.param(
            lambda s: link(s, LinkAction.APPROVE, secret="another-site-secret-" + "z" * 32),
            id="another secret",
        ),
        pytest.param(
            lambda s: "/admin/email/approve?token=" + make_receipt_token(SECRET, s.id),
            id="a reader's receipt",
        ),
        pytest.param(
            lambda s: "/admin/email/approve?token=" + make_unsubscribe_token(SECRET, s.id),
            id="an unsubscribe token",
        ),
        pytest.param(
            lambda s: "/admin/email/approve?token=" + make_confirm_token(SECRET, s.id),
            id="a confirmation token",
        ),
        pytest.param(lambda s: "/admin/email/approve", id="no token"),
    ],
)
def test_a_link_that_is_not_ours_as_made_is_refused_in_words(
    served: Served, store: Store, make
) -> None:
    story = add(store, body_markdown="Nobody may act on this with a forged link.")
    url = make(story)
    token = parse_qs(urlsplit(url).query).get("token", [""])[0]
    for answer in (served.open(url), served.press(url, token)):
        assert answer.status_code == 400
        text = page_text(answer)
        assert "This link is not valid" in text and "Copy the whole link" in text
        assert "Traceback" not in answer.text
    assert store.get(story.id).status is Status.PENDING


def test_a_link_signed_before_the_site_changed_its_secret_still_works(
    tmp_path, db_url: str, store: Store
) -> None:
    old = "the-secret-before-the-change-" + "o" * 32
    story = add(store, body_markdown="Emailed before the secret was changed.")
    settings = make_settings(db_url, previous_secret_keys=(old,))
    app = create_app(make_config(settings), clock=NOW.timestamp)
    with serve_admin(tmp_path / "site", app) as base, httpx.Client(base_url=base) as client:
        url = link(story, LinkAction.APPROVE, secret=old)
        answer = client.post("/admin/email/approve", data={"token": url.split("token=")[1]})
    assert answer.status_code == 200
    assert store.get(story.id).status is Status.APPROVED


def test_a_link_for_one_story_never_acts_on_another(served: Served, store: Store) -> None:
    mine = add(store, body_markdown="The story the link was made for.")
    other = add(store, body_markdown="Another story waiting beside it.")
    served.press(link(mine, LinkAction.APPROVE))
    assert store.get(other.id).status is Status.PENDING
    assert store.get(mine.id).status is Status.APPROVED
