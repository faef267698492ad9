"""Following an article, end to end: the intake over HTTP, a real SMTP server (aiosmtpd on
loopback), the links of the emails clicked as a reader would (GET shows a page, its button
POSTs), approvals, a bounce, one-click unsubscribe, `comments.forget` and the purge; and the
daily digest, one email a day on a fake clock listing the stories approved since the last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from notify_support import (
    SECRET,
    SITE_URL,
    Collector,
    mail_settings,
    make_mailer,
    outbox,
    start_smtp,
    transport,
)
from sqlalchemy import select
from stories_support import FakeClock, add, make_config

from reader_stories.moderation import actions as moderation
from reader_stories.moderation import privacy
from reader_stories.notify.follow import request_follow
from reader_stories.notify.messages import Mailer
from reader_stories.notify.sender import deliver
from reader_stories.settings import CommentsSettings
from reader_stories.store import Store, open_store, schema
from reader_stories.tokens import make_article_token
from reader_stories.web.intake.app import create_app
from reader_stories.web.intake.follow import FOLLOW_LIMIT, MSG_FREQUENCY
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running

SLUG = "handling-job-rejection"
FOLLOWER = "kit@example.org"
WRITER = "writer@example.net"
ASKING = "Please confirm: new stories on Next Round"
NEW_STORY = "A new story on Next Round"
ANSWER = "If this address already follows the article, nothing changes."
FIRST_TEXT = "I was turned down twice before the offer came."


def follow_form(email: str = FOLLOWER, **changes: str) -> dict[str, str]:
    form = {"article": SLUG, "token": make_article_token(SECRET, SLUG), "email": email}
    return form | changes


@pytest.fixture
def clock() -> FakeClock:
    """The sender's clock: the intake stamps rows with the real time, so it starts just after."""
    return FakeClock(datetime.now(UTC) + timedelta(seconds=30))


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    with open_store(db_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[Callable[[CommentsSettings], httpx.Client]]:
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>Home</title>", encoding="utf-8")
    with ExitStack() as stack:

        def _start(settings: CommentsSettings) -> httpx.Client:
            app = create_app(make_config(settings))
            stack.callback(app.state.close)
            base = stack.enter_context(running(create_site_app(site, mounts={"/stories": app})))
            return stack.enter_context(httpx.Client(base_url=base, timeout=20))

        yield _start


def send(store: Store, mailer: Mailer) -> str:
    return str(deliver(store, mailer, transport(mailer.settings)))


def subjects_to(smtp: Collector, address: str) -> list[str]:
    return [m.subject for m in smtp.messages if m.recipients == [address]]


def link(body: str, path: str) -> str:
    """The link to ``path`` in an email body, as a path on the test server."""
    line = next(line for line in body.splitlines() if f"{path}?token=" in line)
    parts = urlsplit(line.strip())
    assert f"{parts.scheme}://{parts.netloc}" == SITE_URL
    return f"{parts.path}?{parts.query}"


def follows(store: Store) -> list[tuple[str, str, bool]]:
    with store.reading() as tx:
        rows = tx.conn.execute(select(schema.follows).order_by(schema.follows.c.id))
        return [(row.article, row.email, bool(row.confirmed)) for row in rows]


def follow_and_confirm(client: httpx.Client, store: Store, mailer: Mailer, smtp: Collector) -> None:
    assert client.post("/stories/follow", data=follow_form()).status_code == 200
    send(store, mailer)
    [asking] = [m for m in smtp.messages if m.subject == ASKING]
    token = urlsplit(link(asking.body, "/stories/follow/confirm")).query.removeprefix("token=")
    assert client.post("/stories/follow/confirm", data={"token": token}).status_code == 200


def test_follow_confirm_new_story_and_one_click_unsubscribe(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port)
    mailer = make_mailer(settings)
    client = intake(settings)

    # The plain form: a page that answers in words, and a follow waiting for its confirmation.
    answered = client.post("/stories/follow", data=follow_form())
    assert answered.status_code == 200
    assert ANSWER in answered.text
    assert f'/{SLUG}/#stories">Back to the article</a>' in answered.text
    assert follows(store) == [(SLUG, FOLLOWER, False)]
    assert send(store, mailer) == "Sent 1 email."

    [asking] = smtp.messages
    assert asking.recipients == [FOLLOWER] and asking.subject == ASKING
    assert f"{SITE_URL}/{SLUG}/" in asking.body
    assert "we send nothing else to this address" in asking.body
    unsubscribe_header = asking.message["List-Unsubscribe"]
    assert "/stories/follow/unsubscribe?token=" in unsubscribe_header
    assert asking.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Before confirming, an approval on the article sends the follower nothing.
    first = add(store, clock)
    moderation.approve(store, [first.id], mailer=mailer)
    assert send(store, mailer) == "No email was due."
    assert subjects_to(smtp, FOLLOWER) == [ASKING]

    # Opening the link changes nothing (mail scanners open links); the button confirms.
    confirm = link(asking.body, "/stories/follow/confirm")
    page = client.get(confirm)
    assert page.status_code == 200
    assert "Yes, email me about new stories" in page.text
    assert follows(store) == [(SLUG, FOLLOWER, False)]
    token = urlsplit(confirm).query.removeprefix("token=")
    done = client.post("/stories/follow/confirm", data={"token": token})
    assert done.status_code == 200 and "You follow this article" in done.text
    assert follows(store) == [(SLUG, FOLLOWER, True)]
    again = client.post("/stories/follow/confirm", data={"token": token})
    assert "It was confirmed already." in again.text

    # Confirming does not announce what was published before it.
    assert send(store, mailer) == "No email was due."

    # A new story approved: one email to the follower, with the story and a one-click stop.
    second = add(store, clock, body_markdown="A second story, told after the first was out.")
    moderation.approve(store, [second.id], mailer=mailer)
    assert send(store, mailer) == "Sent 1 email."
    [news] = [m for m in smtp.messages if m.subject == NEW_STORY]
    assert news.recipients == [FOLLOWER]
    assert "> A second story, told after the first was out." in news.body
    assert f"{SITE_URL}/{SLUG}/#story-{second.id}" in news.body
    assert news.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = news.message["List-Unsubscribe"].strip("<>")
    assert one_click.startswith(f"{SITE_URL}/stories/follow/unsubscribe?token=")

    # RFC 8058: the provider posts to the link itself, no cookie, no page in between.
    parts = urlsplit(one_click)
    stopped = client.post(f"{parts.path}?{parts.query}", data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200 and "deleted the email address" in stopped.text
    assert follows(store) == []
    assert "no longer have this address" in client.get(f"{parts.path}?{parts.query}").text

    # The address is gone from the store, and no email goes to it any more.
    third = add(store, clock, body_markdown="A third story, after the follower stopped it.")
    moderation.approve(store, [third.id], mailer=mailer)
    assert send(store, mailer) == "No email was due."
    assert all(row.recipient != FOLLOWER for row in outbox(store))


def test_a_writer_following_the_article_gets_no_email_about_their_own_story(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port, moderator_email=None)
    mailer = make_mailer(settings)
    client = intake(settings)
    follow_and_confirm(client, store, mailer, smtp)
    writer_form = follow_form(WRITER)
    assert client.post("/stories/follow", data=writer_form).status_code == 200
    send(store, mailer)
    [asking_writer] = [m for m in smtp.messages if m.recipients == [WRITER]]
    token = urlsplit(link(asking_writer.body, "/stories/follow/confirm")).query[len("token=") :]
    client.post("/stories/follow/confirm", data={"token": token})
    smtp.messages.clear()

    # The writer's own story (their address in another case): the other follower alone hears.
    story = add(store, clock, email=WRITER.upper(), notify=False)
    moderation.approve(store, [story.id], mailer=mailer)
    assert send(store, mailer) == "Sent 1 email."
    assert [m.recipients for m in smtp.messages] == [[FOLLOWER]]

    # Approved again after going back to pending: nobody hears of the same story twice.
    moderation.return_to_pending(store, [story.id])
    moderation.approve(store, [story.id], mailer=mailer)
    assert send(store, mailer) == "No email was due."


def test_following_twice_answers_the_same_and_asks_once(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port)
    mailer = make_mailer(settings)
    client = intake(settings)
    first = client.post("/stories/follow", data=follow_form())
    second = client.post("/stories/follow", data=follow_form(FOLLOWER.upper()))
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    assert len(follows(store)) == 1
    assert send(store, mailer) == "Sent 1 email."

    # With JavaScript: JSON, the same words, whether or not the address follows already.
    json_headers = {"Accept": "application/json"}
    known = client.post("/stories/follow", json=follow_form(), headers=json_headers)
    unknown = client.post("/stories/follow", json=follow_form("new@example.org"))
    assert known.status_code == unknown.status_code == 200
    assert known.json() == unknown.json() == {"status": "asked", "message": known.json()["message"]}
    assert ANSWER in known.json()["message"]


def test_a_cancelled_approval_calls_off_the_followers_email(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port, moderator_email=None)
    mailer = make_mailer(settings)
    client = intake(settings)
    follow_and_confirm(client, store, mailer, smtp)
    story = add(store, clock)
    moderation.approve(store, [story.id], mailer=mailer)
    moderation.return_to_pending(store, [story.id])
    assert send(store, mailer) == "No email was due."
    assert subjects_to(smtp, FOLLOWER) == [ASKING]


@pytest.mark.parametrize(
    ("form", "code", "words"),
    [
        (follow_form(""), 422, "Enter your email address to be told of new stories here."),
        (follow_form("not an address"), 422, "in the correct format, like name@example.com"),
        (follow_form("a" * 250 + "@example.org"), 422, "254 characters or fewer"),
        (follow_form(token="forged"), 400, "Reload the article page and try again."),
        (follow_form(article="../etc"), 400, "Reload the article page and try again."),
    ],
)
def test_bad_follow_forms_are_refused_in_words_and_store_nothing(
    db_url: str, store: Store, smtp: Collector, intake, form: dict[str, str], code: int, words: str
) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    page = client.post("/stories/follow", data=form)
    assert page.status_code == code
    assert words in page.text
    assert "Traceback" not in page.text
    assert follows(store) == [] and outbox(store) == []


def test_another_website_cannot_post_the_follow_form(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    page = client.post(
        "/stories/follow", data=follow_form(), headers={"Origin": "https://elsewhere.example"}
    )
    assert page.status_code == 403
    assert "cannot be sent from another website" in page.text
    assert follows(store) == []
    allowed = client.post("/stories/follow", data=follow_form(), headers={"Origin": SITE_URL})
    assert allowed.status_code == 200


def test_follows_are_limited_per_network_apart_from_stories(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    for n in range(FOLLOW_LIMIT):
        assert client.post("/stories/follow", data=follow_form(f"r{n}@example.org")).is_success
    refused = client.post("/stories/follow", data=follow_form("one-more@example.org"))
    assert refused.status_code == 429
    assert "Please wait" in refused.text and refused.headers["Retry-After"].isdigit()
    assert len(follows(store)) == FOLLOW_LIMIT


def test_without_mail_the_form_says_so_and_keeps_no_address(
    db_url: str, store: Store, intake
) -> None:
    client = intake(mail_settings(db_url, 25, smtp_host=None))
    page = client.post("/stories/follow", data=follow_form())
    assert page.status_code == 503
    assert "does not send email at the moment" in page.text
    assert follows(store) == []


def test_tampered_links_get_a_page_in_words(db_url: str, store: Store, smtp: Collector, intake):
    client = intake(mail_settings(db_url, smtp.port))
    for path in ("/stories/follow/confirm", "/stories/follow/unsubscribe"):
        for answer in (client.get(f"{path}?token=nope"), client.post(f"{path}?token=nope")):
            assert answer.status_code == 400
            assert "Check that the whole link was copied" in answer.text


def test_a_bouncing_address_ends_its_follows(
    db_url: str, store: Store, intake, clock: FakeClock
) -> None:
    server, smtp = start_smtp(refuse={FOLLOWER})
    try:
        settings = mail_settings(db_url, smtp.port, moderator_email=None)
        mailer = make_mailer(settings)
        client = intake(settings)
        assert client.post("/stories/follow", data=follow_form()).status_code == 200
        other = follow_form(FOLLOWER, article="asking-for-a-raise")
        other["token"] = make_article_token(SECRET, "asking-for-a-raise")
        assert client.post("/stories/follow", data=other).status_code == 200
        assert len(follows(store)) == 2
        report = send(store, mailer)
        assert "given up" in report
        assert follows(store) == []
        assert all(row.recipient is None for row in outbox(store))
    finally:
        server.stop()


def test_forget_removes_the_follows_of_an_address(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    settings = mail_settings(db_url, smtp.port)
    client = intake(settings)
    assert client.post("/stories/follow", data=follow_form()).status_code == 200
    assert client.post("/stories/follow", data=follow_form("other@example.org")).is_success

    removed = privacy.forget_email(store, FOLLOWER.upper())
    assert removed.follows == 1
    assert [email for _, email, _ in follows(store)] == ["other@example.org"]
    assert all(row.recipient != FOLLOWER for row in outbox(store))


def test_purge_deletes_follows_nobody_confirmed_after_seven_days(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port, moderator_email=None)
    mailer = make_mailer(settings)
    client = intake(settings)
    follow_and_confirm(client, store, mailer, smtp)
    assert client.post("/stories/follow", data=follow_form("late@example.org")).is_success

    clock.advance(days=6)
    assert privacy.purge(store).follows == 0
    clock.advance(days=1, seconds=60)
    assert privacy.purge(store).follows == 1
    assert follows(store) == [(SLUG, FOLLOWER, True)]


def test_requests_to_confirm_are_spaced_per_follow_and_per_address(
    db_url: str, store: Store, clock: FakeClock
) -> None:
    mailer = make_mailer(mail_settings(db_url, 25))
    articles = ["a-one", "a-two", "a-three", "a-four"]

    def ask(article: str, email: str = FOLLOWER) -> bool:
        with store.writing() as tx:
            return request_follow(tx, mailer, article, email).asked

    assert ask("a-one") is True
    assert ask("a-one") is False  # following twice the same day asks once
    assert [ask(article) for article in articles[1:]] == [True, True, False]
    assert ask("a-four", "someone-else@example.org") is True  # the cap is per address
    clock.advance(days=1, seconds=1)
    assert ask("a-one") is True  # a day later, a waiting follow is asked again
    assert len(follows(store)) == 5


# The daily digest


def follow_daily(
    client: httpx.Client, store: Store, mailer: Mailer, smtp: Collector, email: str = FOLLOWER
) -> None:
    answer = client.post("/stories/follow", data=follow_form(email, frequency="daily"))
    assert answer.status_code == 200
    send(store, mailer)
    [asking] = [m for m in smtp.messages if m.subject == ASKING and m.recipients == [email]]
    token = urlsplit(link(asking.body, "/stories/follow/confirm")).query.removeprefix("token=")
    assert client.post("/stories/follow/confirm", data={"token": token}).status_code == 200
    smtp.messages.clear()


def approve(store: Store, clock: FakeClock, mailer: Mailer, text: str, **changes: object) -> int:
    story = add(store, clock, body_markdown=text, **changes)
    moderation.approve(store, [story.id], mailer=mailer)
    return story.id


def test_one_digest_a_day_with_the_new_stories_and_none_without(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port, moderator_email=None)
    mailer = make_mailer(settings)
    client = intake(settings)
    follow_daily(client, store, mailer, smtp)

    # Stories approved during the day: no email per story, and no digest before the day is out.
    first = approve(store, clock, mailer, "DIGEST-ONE: my first rejection taught me patience.")
    assert send(store, mailer) == "No email was due."
    clock.advance(hours=23)
    second = approve(store, clock, mailer, "DIGEST-TWO: a second story, later the same day.")
    mine = approve(
        store, clock, mailer, "DIGEST-OWN: the follower's own story.", email=FOLLOWER.upper()
    )
    reply = moderation.reply(store, first, "An answer from the editors.", "Next Round editors")
    assert send(store, mailer) == "No email was due."
    assert smtp.messages == []

    # A day after the follow was confirmed: one digest with both stories, oldest first.
    clock.advance(hours=1, seconds=31)
    assert send(store, mailer) == "Sent 1 email."
    [digest] = smtp.messages
    assert digest.recipients == [FOLLOWER]
    assert digest.subject == "2 new stories on Next Round"
    body = digest.body
    assert body.index("> DIGEST-ONE") < body.index("> DIGEST-TWO")
    assert f"{SITE_URL}/{SLUG}/#story-{first}" in body and f"#story-{second}" in body
    assert "DIGEST-OWN" not in body and f"#story-{mine}" not in body
    assert "An answer from the editors." not in body and f"#story-{reply.id}" not in body
    assert digest.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = digest.message["List-Unsubscribe"].strip("<>")
    assert one_click.startswith(f"{SITE_URL}/stories/follow/unsubscribe?token=")

    # The next day brings no new story: nothing is sent, and the day after lists only the new.
    smtp.messages.clear()
    clock.advance(days=1)
    assert send(store, mailer) == "No email was due."
    third = approve(store, clock, mailer, "DIGEST-THREE: a story two days later.")
    assert send(store, mailer) == "Sent 1 email."  # its last digest is over a day old
    [later] = smtp.messages
    assert later.subject == "1 new story on Next Round"
    assert "One new story was shared" in later.body and f"#story-{third}" in later.body
    assert "DIGEST-ONE" not in later.body and "DIGEST-TWO" not in later.body

    # One click ends it: the follow and its address go, and no digest follows.
    parts = urlsplit(one_click)
    stopped = client.post(f"{parts.path}?{parts.query}", data={"List-Unsubscribe": "One-Click"})
    assert stopped.status_code == 200 and follows(store) == []
    approve(store, clock, mailer, "DIGEST-FOUR: after the follower left.")
    clock.advance(days=2)
    assert send(store, mailer) == "No email was due."
    assert all(row.recipient != FOLLOWER for row in outbox(store))


def test_per_story_and_digest_followers_side_by_side(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port, moderator_email=None)
    mailer = make_mailer(settings)
    client = intake(settings)
    follow_daily(client, store, mailer, smtp)
    assert client.post("/stories/follow", data=follow_form(WRITER)).status_code == 200
    send(store, mailer)
    [asking] = [m for m in smtp.messages if m.recipients == [WRITER]]
    token = urlsplit(link(asking.body, "/stories/follow/confirm")).query.removeprefix("token=")
    client.post("/stories/follow/confirm", data={"token": token})
    smtp.messages.clear()

    approve(store, clock, mailer, "SIDE-ONE: told to both kinds of follower.")
    assert send(store, mailer) == "Sent 1 email."
    assert [(m.recipients, m.subject) for m in smtp.messages] == [
        ([WRITER], "A new story on Next Round")
    ]
    clock.advance(days=1)
    assert send(store, mailer) == "Sent 1 email."
    assert smtp.messages[-1].recipients == [FOLLOWER]
    assert smtp.messages[-1].subject == "1 new story on Next Round"


def test_following_again_changes_how_often_only_until_confirmed(
    db_url: str, store: Store, smtp: Collector, intake, clock: FakeClock
) -> None:
    settings = mail_settings(db_url, smtp.port, moderator_email=None)
    mailer = make_mailer(settings)
    client = intake(settings)
    client.post("/stories/follow", data=follow_form())
    client.post("/stories/follow", data=follow_form(frequency="daily"))
    with store.reading() as tx:
        [follow] = [tx.follow_of(SLUG, FOLLOWER)]
    assert follow is not None and follow.digest
    send(store, mailer)
    [asking] = smtp.messages
    token = urlsplit(link(asking.body, "/stories/follow/confirm")).query.removeprefix("token=")
    client.post("/stories/follow/confirm", data={"token": token})
    # Confirmed: someone typing the address again cannot change what it gets.
    client.post("/stories/follow", data=follow_form(frequency="each"))
    with store.reading() as tx:
        confirmed = tx.follow_of(SLUG, FOLLOWER)
    assert confirmed is not None and confirmed.digest


def test_a_choice_the_form_never_offers_is_refused_in_words(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    page = client.post("/stories/follow", data=follow_form(frequency="hourly"))
    assert page.status_code == 422 and MSG_FREQUENCY in page.text
    as_json = client.post("/stories/follow", json=follow_form(frequency="hourly"))
    assert as_json.status_code == 422
    assert as_json.json()["errors"] == {"frequency": f"{MSG_FREQUENCY}."}
    assert follows(store) == [] and outbox(store) == []
