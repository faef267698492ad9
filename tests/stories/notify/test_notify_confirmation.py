"""No reader email goes to an address its owner has not confirmed (issue 14, finding 7).

End to end: the real intake over HTTP, a real SMTP server (aiosmtpd on loopback), the link from
the email that asks, clicked as a reader would (GET shows a page, its button POSTs), and the
purge that forgets an address nobody confirmed.
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
    MODERATOR,
    SECRET,
    SITE_URL,
    Collector,
    confirm_address,
    mail_settings,
    make_mailer,
    outbox,
    transport,
)
from stories_support import FakeClock, add, make_config

from reader_stories import archive, cli
from reader_stories.moderation import actions as moderation
from reader_stories.moderation import privacy
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
ASKING = "Please confirm your email address for Next Round"
PUBLISHED = "Your story is published on Next Round"


def story_form(text: str = STORY, **changes: str) -> dict[str, str]:
    form = {
        "article": SLUG,
        "token": make_article_token(SECRET, SLUG),
        "name": "Zoë",
        "email": READER,
        "notify": "yes",
        "story": text,
        "consent": "yes",
    }
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


def to_reader(smtp: Collector) -> list[str]:
    return [m.subject for m in smtp.messages if m.recipients == [READER]]


def confirm_link(smtp: Collector) -> str:
    """The link in the email that asks, as a path on the test server."""
    [asking] = [m for m in smtp.messages if m.subject == ASKING]
    line = next(line for line in asking.body.splitlines() if "/stories/confirm?token=" in line)
    parts = urlsplit(line.strip())
    assert f"{parts.scheme}://{parts.netloc}" == SITE_URL
    return f"{parts.path}?{parts.query}"


def test_no_reader_email_goes_to_an_unconfirmed_address(
    db_url: str, store: Store, smtp: Collector, intake
) -> None:
    settings = mail_settings(db_url, smtp.port)
    mailer = make_mailer(settings)
    client = intake(settings)
    assert client.post("/stories/", data=story_form()).status_code == 303
    assert send(store, mailer) == "Sent 2 emails."

    # The first email to the address asks to confirm it, says what for, and carries nothing
    # the writer typed: whoever typed a stranger's address cannot send them anything.
    [asking] = [m for m in smtp.messages if m.recipients == [READER]]
    assert asking.subject == ASKING
    assert f"{SITE_URL}/{SLUG}/" in asking.body
    assert "when the story is published or answered" in asking.body
    assert "we send nothing else to it" in asking.body
    assert "Zoë" not in asking.body and STORY[:20] not in asking.body
    assert "/stories/delete" not in asking.body
    assert asking.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    # Approved and answered meanwhile: the news waits for the address.
    moderation.approve(store, [1], mailer=mailer)
    assert send(store, mailer) == "No email was due."
    assert cli.mail_report(store) == ["1 email held until the writer confirms their address."]
    # Another story from the same address the same day asks nothing more.
    assert client.post("/stories/", data=story_form(STORY + " Again.")).status_code == 303
    send(store, mailer)
    assert to_reader(smtp) == [ASKING]

    # Opening the link changes nothing (mail scanners open links); its button confirms.
    link = confirm_link(smtp)
    page = client.get(link)
    assert page.status_code == 200 and "Confirm your email address?" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"
    send(store, mailer)
    assert to_reader(smtp) == [ASKING]
    token = link.split("token=", 1)[1]
    done = client.post("/stories/confirm", data={"token": token})
    assert done.status_code == 200 and "Your email address is confirmed" in done.text

    # Confirming lets the waiting news go, and what follows goes straight away.
    assert send(store, mailer) == "Sent 1 email."
    moderation.reply(store, 1, "Thank you, Zoë.", "Next Round editors", mailer=mailer)
    send(store, mailer)
    assert to_reader(smtp) == [
        ASKING,
        PUBLISHED,
        "Next Round editors replied to your story on Next Round",
    ]
    assert cli.mail_report(store) == []
    again = client.post("/stories/confirm", data={"token": token})
    assert "It was confirmed already." in again.text


def test_an_address_nobody_confirms_is_forgotten_with_its_waiting_email(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector, intake
) -> None:
    settings = mail_settings(db_url, smtp.port)
    mailer = make_mailer(settings)
    client = intake(settings)
    assert client.post("/stories/", data=story_form()).status_code == 303
    send(store, mailer)
    link = confirm_link(smtp)
    moderation.approve(store, [1], mailer=mailer)
    assert [row.kind for row in outbox(store) if row.sent_at is None] == ["published"]

    clock.advance(days=29)
    privacy.purge(store)
    assert store.get(1).email == READER
    clock.advance(days=2)
    privacy.purge(store)
    story = store.get(1)
    assert (story.email, story.notify, story.status.value) == (None, False, "approved")
    assert [row.kind for row in outbox(store) if row.sent_at is None] == []
    assert "There is nothing to confirm" in client.get(link).text
    assert [m.recipients for m in smtp.messages] == [[MODERATOR], [READER]]


def test_a_tampered_confirmation_link_is_refused(db_url: str, smtp: Collector, intake) -> None:
    client = intake(mail_settings(db_url, smtp.port))
    refused = client.get("/stories/confirm?token=eyJzdG9yeSI6MX0.forged")
    assert refused.status_code == 400
    assert "This confirmation link is not valid" in refused.text
    assert client.post("/stories/confirm", data={"token": "nonsense"}).status_code == 400


def test_an_export_keeps_confirmations_and_an_older_one_means_unconfirmed(
    db_url: str, store: Store, tmp_path: Path
) -> None:
    story = add(store, email=READER, notify=True)
    confirm_address(store, READER)
    lines = archive.export_lines(store)
    assert '"email_confirmed": true' in lines[1]
    older = [line.replace('"email_confirmed": true, ', "") for line in lines]
    older = [line.replace('"confirm_requested_at": null, ', "") for line in older]
    assert "confirm" not in older[1]
    for name, text in (("now", lines), ("before", older)):
        with open_store(f"sqlite:///{tmp_path / name / 'restored.sqlite3'}") as restored:
            archive.import_lines(restored, [line.encode() for line in text], name)
            with restored.reading() as tx:
                assert tx.address_confirmed(READER) is (name == "now")
                assert tx.find(story.id) is not None
