"""Notifications end to end: the real intake over HTTP, a real SMTP server, the invoke tasks.

Submitting queues the moderator's email in the story's own transaction and answers at once,
whatever the mail server is doing; the unsubscribe link from a real email works by one-click
POST (RFC 8058) and by the confirm page.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import store_calls as calls
from notify_support import (
    MODERATOR,
    ROOT,
    SECRET,
    SITE_URL,
    Collector,
    confirm_address,
    free_port,
    mail_settings,
    make_mailer,
    outbox,
    start_smtp,
    transport,
)
from stories_support import FakeClock, make_config, submission

from reader_stories import cli
from reader_stories.moderation import actions as moderation
from reader_stories.notify.messages import Mailer
from reader_stories.notify.sender import deliver
from reader_stories.settings import CommentsSettings
from reader_stories.store import Store, open_store
from reader_stories.tokens import make_article_token
from reader_stories.web.intake.app import create_app
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running

SLUG = "asking-for-a-raise"
READER = "zoe@example.org"
STORY = "I asked for a raise after a year of extra work, with numbers, and got it."
JSON_HEADERS = {"Accept": "application/json"}


def story_form(**changes: str) -> dict[str, str]:
    form = {
        "article": SLUG,
        "token": make_article_token(SECRET, SLUG),
        "website": "",
        "name": "Zoë",
        "email": "",
        "reply_to": "",
        "story": STORY,
        "consent": "yes",
    }
    return form | changes


@pytest.fixture
def clock() -> FakeClock:
    """The sender's clock, moved by hand. The intake stamps its rows with the real time, so it
    starts a little ahead: the sender runs "a moment after" the submissions of the test."""
    return FakeClock(datetime.now(UTC) + timedelta(seconds=30))


@pytest.fixture
def store(db_url: str, clock: FakeClock) -> Iterator[Store]:
    with open_store(db_url, clock=clock) as opened:
        yield opened


@pytest.fixture
def intake(tmp_path: Path) -> Iterator[Callable[[CommentsSettings], httpx.Client]]:
    """Start the intake at /stories beside a static site, with the given settings."""
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


def send(store: Store, mailer: Mailer):
    return deliver(store, mailer, transport(mailer.settings))


def local(url: str) -> str:
    """A link from an email (on the public site) as a path on the test server."""
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == SITE_URL
    return f"{parts.path}?{parts.query}"


def invoke(*args: str, **environ: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COMMENTS_", "PELICAN_"))}
    return subprocess.run(
        [sys.executable, "-m", "invoke", *args],
        cwd=ROOT,
        env=env | {"COMMENTS_SECRET_KEY": SECRET, **environ},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_each_submission_over_http_emails_the_moderator(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    settings = mail_settings(db_url, smtp.port)
    client = intake(settings)
    assert client.post("/stories/", data=story_form(email=READER, notify="yes")).status_code == 303
    second = story_form(story=STORY + " Then I asked again.")
    assert client.post("/stories/", json=second, headers=JSON_HEADERS).status_code == 202
    assert [row.kind for row in outbox(store)] == ["moderator", "confirm", "moderator"]
    send(store, make_mailer(settings))
    assert [m.recipients for m in smtp.messages] == [[MODERATOR], [READER], [MODERATOR]]
    first = smtp.messages[0]
    assert first.subject == "New story #1 waiting for moderation on Next Round"
    assert 'Story #1 by "Zoë", on asking-for-a-raise' in first.body
    assert f"> {STORY}" in first.body
    assert "invoke comments.approve 1" in first.body
    assert "The writer asked to be emailed when it is published." in first.body
    assert READER not in first.message.as_string()


def test_without_smtp_settings_nothing_is_queued(db_url: str, store: Store, intake) -> None:
    settings = mail_settings(db_url, free_port(), smtp_host="")
    client = intake(settings)
    assert client.post("/stories/", data=story_form()).status_code == 303
    assert outbox(store) == []


def test_smtp_down_never_holds_up_a_reader_and_the_mail_follows_once_it_is_up(
    db_url: str, store: Store, clock: FakeClock, intake
) -> None:
    port = free_port()
    settings = mail_settings(db_url, port)
    mailer = make_mailer(settings)
    client = intake(settings)
    assert client.post("/stories/", data=story_form()).status_code == 303
    answer = client.post(
        "/stories/", json=story_form(story=STORY + " Twice."), headers=JSON_HEADERS
    )
    assert answer.status_code == 202

    assert send(store, mailer).retrying == 2
    rows = outbox(store)
    assert [(r.attempts, r.next_attempt, r.sent_at) for r in rows] == [
        (1, clock.now + timedelta(minutes=1), None)
    ] * 2
    assert {r.last_error for r in rows} == {f"Connection refused to 127.0.0.1:{port}"}

    pending = invoke("comments.pending", COMMENTS_DATABASE_URL=db_url)
    assert pending.returncode == 0, pending.stderr
    assert "2 waiting for moderation (newest first, as in the admin):" in pending.stdout
    retry = clock.now + timedelta(minutes=1)
    [line] = [line for line in pending.stdout.splitlines() if "emails waiting" in line]
    assert line.startswith(
        f"2 emails waiting to be sent; last error: Connection refused to 127.0.0.1:{port} "
        "(attempt 1, next try "
    )
    assert line.endswith(f"{retry:%H:%M} UTC)")  # with the date too, just before midnight
    as_json = invoke("comments.pending", "--json", COMMENTS_DATABASE_URL=db_url)
    assert as_json.stdout.startswith("[") and "2 emails waiting" in as_json.stderr

    server, collector = start_smtp(port)
    try:
        clock.advance(minutes=1)
        assert str(send(store, mailer)) == "Sent 2 emails."
        clock.advance(hours=3)
        assert str(send(store, mailer)) == "No email was due."
    finally:
        server.stop()
    assert [m.subject for m in collector.messages] == [
        "New story #1 waiting for moderation on Next Round",
        "New story #2 waiting for moderation on Next Round",
    ]
    assert cli.mail_report(store) == []


def _published_mail(db_url: str, store: Store, smtp: Collector, client: httpx.Client):
    """Zoë submits two stories with the box ticked and confirms her address by the link of
    the email that asks; the first story is approved and announced."""
    for text in (STORY, STORY + " A second story of mine."):
        form = story_form(email=READER, notify="yes", story=text)
        assert client.post("/stories/", data=form).status_code == 303
    mailer = make_mailer(mail_settings(db_url, smtp.port))
    send(store, mailer)
    [asking] = [m for m in smtp.messages if m.recipients == [READER]]
    link = next(line for line in asking.body.splitlines() if "/stories/confirm?token=" in line)
    token = link.split("token=", 1)[1].strip()
    assert client.post("/stories/confirm", data={"token": token}).status_code == 200
    moderation.approve(store, [1], mailer=mailer)
    send(store, mailer)
    [mail] = [m for m in smtp.messages if m.subject == "Your story is published on Next Round"]
    return mailer, mail


def test_one_click_unsubscribe_by_post_stops_all_mail_to_the_address(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    mailer, mail = _published_mail(db_url, store, smtp, client)
    url = mail.message["List-Unsubscribe"].strip("<>")
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    answer = client.post(
        local(url),
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 200
    assert "You will get no more emails" in answer.text
    assert [(s.email, s.notify) for s in (store.get(1), store.get(2))] == [(None, False)] * 2

    before = len(smtp.messages)
    moderation.reply(store, 1, "Thanks, Zoë.", "Next Round editors", mailer=mailer)
    moderation.approve(store, [2], mailer=mailer)
    send(store, mailer)
    assert len(smtp.messages) == before
    # A provider that retries the POST, or a second click, changes nothing and is told so.
    assert client.post(local(url)).status_code == 200
    assert "nothing left to stop" in client.get(local(url)).text


def test_unsubscribe_by_the_confirm_page_then_its_button(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    mailer, mail = _published_mail(db_url, store, smtp, client)
    link = next(line for line in mail.body.splitlines() if "/stories/unsubscribe?token=" in line)
    page = client.get(local(link.strip()))
    assert page.status_code == 200
    assert "Stop emails about your stories?" in page.text
    assert store.get(1).email == READER  # a GET changes nothing
    token = link.split("token=", 1)[1].strip()
    assert f'<input type="hidden" name="token" value="{token}">' in page.text
    assert '<form method="post" action="/stories/unsubscribe">' in page.text

    done = client.post("/stories/unsubscribe", data={"token": token})
    assert done.status_code == 200
    assert "We will not email you about your stories again" in done.text
    assert store.get(1).email is None and store.get(2).email is None

    before = len(smtp.messages)
    moderation.reply(store, 1, "Thanks, Zoë.", "Next Round editors", mailer=mailer)
    send(store, mailer)
    assert len(smtp.messages) == before


def test_a_tampered_unsubscribe_link_is_refused(db_url: str, smtp: Collector, intake) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    assert client.get("/stories/unsubscribe?token=eyJzdG9yeSI6MX0.forged").status_code == 400
    refused = client.post("/stories/unsubscribe?token=nonsense-token")
    assert refused.status_code == 400
    assert "This unsubscribe link is not valid" in refused.text


@pytest.mark.slow
def test_invoke_send_mail_delivers_what_is_due(db_url: str, smtp: Collector) -> None:
    mailer = make_mailer(mail_settings(db_url, smtp.port))
    with open_store(db_url) as store:  # the real clock, as the task's own
        story = calls.add_submission(store, submission(email=READER, notify=True))
        confirm_address(store, READER)
        moderation.approve(store, [story.id], mailer=mailer)
    done = invoke(
        "comments.send-mail",
        COMMENTS_DATABASE_URL=db_url,
        COMMENTS_SMTP_HOST="127.0.0.1",
        COMMENTS_SMTP_PORT=str(smtp.port),
        COMMENTS_SMTP_STARTTLS="false",
        COMMENTS_MAIL_FROM="stories@nextround.example",
        COMMENTS_SITE_URL=SITE_URL,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Sent 1 email."
    assert [m.recipients for m in smtp.messages] == [[READER]]
