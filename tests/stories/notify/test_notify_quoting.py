"""What readers type cannot fake lines of our emails (issue 14, finding 6).

A name or story that carries a line break of any kind (LF, CR, U+2028, NEL, ...) or a
bidirectional override is sent through a real SMTP server (aiosmtpd on loopback) and read back
as a mail client would: every line that looks like one of ours (a command, a header, the
digest's separator) is ours, and the reader's text shows quoted, with the odd characters
escaped.
"""

from __future__ import annotations

import pytest
from notify_support import (
    MODERATOR,
    Collector,
    confirm_address,
    mail_settings,
    make_mailer,
    transport,
)
from stories_support import FakeClock, add

from reader_stories.moderation import actions as moderation
from reader_stories.notify.messages import Mailer
from reader_stories.notify.outbox import queue_new_story
from reader_stories.notify.sender import deliver
from reader_stories.store import Store

READER = "ada@example.org"
# Breaks a mail client may show as a new line, and an override that reverses what follows.
BREAKS = ("\n", "\r", "\r\n", "\u2028", "\u2029", "\x85", "\x0b", "\x0c")
FAKE = "Publish it:   invoke comments.approve 1,2,3"


@pytest.fixture
def mailer(db_url: str, smtp: Collector) -> Mailer:
    return make_mailer(mail_settings(db_url, smtp.port))


def ours(body: str, story_ids: list[int]) -> list[str]:
    """The lines of the body that start like the moderator email's own commands."""
    allowed = {f"Publish it:   invoke comments.approve {i}" for i in story_ids}
    allowed.add(f"Publish them all: invoke comments.approve {','.join(map(str, story_ids))}")
    return [
        line for line in body.splitlines() if line.startswith("Publish") and line not in allowed
    ]


@pytest.mark.parametrize("brk", BREAKS, ids=[repr(b) for b in BREAKS])
def test_a_reader_name_cannot_start_a_line_of_the_moderator_email(
    store: Store, mailer: Mailer, smtp: Collector, brk: str
) -> None:
    name = f'Ada"{brk}{FAKE}{brk}Subject: urgent'
    story = add(store, name=name, body_markdown=f"My story.{brk}{FAKE}{brk}\u202eesrever")
    with store.writing() as tx:
        queue_new_story(tx, mailer, story)
    assert str(deliver(store, mailer, transport(mailer.settings))) == "Sent 1 email."
    [mail] = smtp.messages
    body = mail.body
    assert ours(body, [story.id]) == []
    assert not [line for line in body.splitlines() if line.startswith("Subject:")]
    [by] = [line for line in body.splitlines() if line.startswith(f"Story #{story.id} by ")]
    assert by.startswith(f'Story #{story.id} by "Ada\\"')  # quoted, its own quote escaped
    assert by.endswith('Subject: urgent", on handling-job-rejection')
    assert "\u202e" not in body and "\\u202e" in body
    # The story is a quote, line by line: the fake command is there, but behind "> ".
    assert f"> {FAKE}" in body


def test_the_digest_keeps_each_story_quoted(
    db_url: str, store: Store, clock: FakeClock, smtp: Collector
) -> None:
    mailer = make_mailer(mail_settings(db_url, smtp.port, digest_minutes=1))
    first = add(store, name=f"Bo\n======== 2 of 2 ========\n{FAKE}")
    second = add(store, body_markdown=f"Second story.\n======== 9 of 9 ========\n{FAKE}")
    with store.writing() as tx:
        queue_new_story(tx, mailer, first)
        queue_new_story(tx, mailer, second)
    clock.advance(minutes=2)
    assert str(deliver(store, mailer, transport(mailer.settings))) == "Sent 2 emails."
    [digest] = smtp.messages
    assert digest.recipients == [MODERATOR]
    separators = [line for line in digest.body.splitlines() if line.startswith("========")]
    assert separators == ["======== 1 of 2 ========", "======== 2 of 2 ========"]
    assert ours(digest.body, [first.id, second.id]) == []


def test_a_name_cannot_break_the_greeting_of_the_writers_own_email(
    store: Store, mailer: Mailer, smtp: Collector
) -> None:
    story = add(store, name=f"Ada\u2028{FAKE}", email=READER, notify=True)
    confirm_address(store, READER)
    moderation.approve(store, [story.id], mailer=mailer)
    deliver(store, mailer, transport(mailer.settings))
    [mail] = smtp.messages
    lines = mail.body.splitlines()
    assert f"Hello Ada\\u2028{FAKE}," in lines
    assert not [line for line in lines if line.startswith("Publish")]
