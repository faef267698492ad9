"""Mail settings and composition, without a database: what the texts say and what they leave out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from notify_support import (
    MODERATOR,
    SECRET,
    SITE_URL,
    TEMPLATES,
    free_port,
    mail_settings,
    make_mailer,
)
from stories_support import START

from reader_stories.errors import InvalidToken
from reader_stories.models import Status, Story
from reader_stories.moderation.flags import Flags
from reader_stories.notify.messages import Mailer, mail_environment, split_subject
from reader_stories.notify.moderator import new_story, render_new_story
from reader_stories.notify.smtp import DeliveryError, SmtpTransport
from reader_stories.notify.unsubscribe import (
    check_unsubscribe_token,
    make_unsubscribe_token,
)
from reader_stories.settings import ENVIRONMENT, SettingsError, build_settings
from reader_stories.tokens import check_receipt_token


def story(**changes: object) -> Story:
    values: dict[str, object] = {
        "id": 12,
        "article": "asking-for-a-raise",
        "parent_id": None,
        "name": "Ada & <Bob>",
        "body_markdown": 'I said "no" & <b>meant</b> it.\n\nThen [they](https://x.example) called.',
        "body_html": "<p>unused</p>",
        "status": Status.PENDING,
        "created": START,
        "updated": START,
        "approved_at": None,
        "edited": False,
        "author_reply": False,
        "reject_reason": None,
        "email": "ada@example.org",
        "notify": True,
    }
    return Story(**(values | changes))  # type: ignore[arg-type]


MAILER = make_mailer(mail_settings("sqlite://", 25))
NOW = START


# Settings


def test_mail_settings_come_from_the_dict_and_the_environment(tmp_path: Path) -> None:
    settings = build_settings(
        {"secret_key": SECRET, "smtp_host": "smtp.example", "mail_from": "s@careers.example"},
        {
            "COMMENTS_SMTP_PORT": "2525",
            "COMMENTS_SMTP_STARTTLS": "no",
            "COMMENTS_MODERATOR_EMAIL": "mod@careers.example",
            "COMMENTS_DIGEST_MINUTES": "60",
            "COMMENTS_MAIL_INTERVAL": "30",
            "COMMENTS_SMTP_PASSWORD": "hunter2",
        },
        tmp_path,
        "https://careers.example/blog/",
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_starttls) == (
        "smtp.example",
        2525,
        False,
    )
    assert (settings.moderator_email, settings.digest_minutes, settings.mail_interval) == (
        "mod@careers.example",
        60,
        30,
    )
    assert settings.site_url == "https://careers.example/blog"  # from SITEURL
    assert settings.mail_enabled
    assert "hunter2" not in repr(settings)
    assert ENVIRONMENT["smtp_host"] == "COMMENTS_SMTP_HOST"


def test_mail_is_off_by_default(tmp_path: Path) -> None:
    settings = build_settings({"secret_key": SECRET}, {}, tmp_path)
    assert not settings.mail_enabled
    assert (settings.smtp_port, settings.smtp_starttls, settings.digest_minutes) == (587, True, 0)


@pytest.mark.parametrize(
    ("configured", "message"),
    [
        ({"smtp_host": "smtp.example"}, "COMMENTS_MAIL_FROM is not set"),
        ({"smtp_host": "smtp.example", "mail_from": "nobody"}, "not an email address"),
        ({"moderator_email": "mod at example"}, "COMMENTS_MODERATOR_EMAIL is 'mod at example'"),
        ({"smtp_port": "70000"}, "use a port 1-65535"),
        ({"digest_minutes": "-5"}, "cannot be negative"),
        ({"smtp_starttls": "maybe"}, "use true or false"),
        (
            {"smtp_host": "smtp.example", "mail_from": "s@x.example", "site_url": "/relative"},
            "links in emails need the site's absolute address",
        ),
        (
            {
                "smtp_host": "smtp.example",
                "mail_from": "s@x.example",
                "site_url": SITE_URL,
                "smtp_username": "me",
                "smtp_starttls": "false",
            },
            "unencrypted",
        ),
    ],
)
def test_bad_mail_settings_are_named(tmp_path: Path, configured, message) -> None:
    with pytest.raises(SettingsError, match=message):
        build_settings({"secret_key": SECRET, **configured}, {}, tmp_path)


# Texts


def moderator_text(about: Story, mailer: Mailer = MAILER) -> tuple[str, str]:
    """The moderator's email about one story, as the sender writes it (no flags raised)."""
    flags = Flags(links=0, first_time=False, duplicates=())
    return render_new_story(mailer, new_story(mailer, about, flags, NOW), NOW)


def test_templates_render_reader_text_as_typed_never_html_escaped() -> None:
    assert mail_environment(TEMPLATES).autoescape is False
    _subject, body = moderator_text(story())
    assert 'Story #12 by "Ada & <Bob>", on asking-for-a-raise' in body
    assert '> I said "no" & <b>meant</b> it.\n>\n> Then [they](https://x.example) called.' in (body)
    assert "&amp;" not in body and "&lt;" not in body


def test_the_moderator_text_names_the_reply_and_the_wish_but_never_the_address() -> None:
    draft = MAILER.new_story(story(parent_id=7))
    assert draft is not None and draft.recipient == MODERATOR
    subject, body = moderator_text(story(parent_id=7))
    assert "Reply to: story #7" in body
    assert "The writer asked to be emailed when it is published." in body
    assert "ada@example.org" not in body + subject + draft.subject
    _subject, quiet = moderator_text(story(notify=False, email=None))
    assert "asked to be emailed" not in quiet


def test_production_moderator_mail_says_which_settings_to_use() -> None:
    mailer = replace(MAILER, settings=replace(MAILER.settings, production=True))
    _subject, body = moderator_text(story(), mailer)
    assert "PELICAN_SETTINGS=publishconf.py" in body


def test_no_moderator_address_means_no_moderator_mail() -> None:
    mailer = replace(MAILER, settings=replace(MAILER.settings, moderator_email=""))
    assert mailer.new_story(story()) is None


def test_reader_mail_only_with_the_box_ticked_and_an_address() -> None:
    assert MAILER.published(story(notify=False, email=None)) is None
    draft = MAILER.published(story(status=Status.APPROVED))
    assert draft is not None and draft.recipient == "ada@example.org"
    assert f"{SITE_URL}/asking-for-a-raise/#story-12" in draft.body
    assert draft.unsubscribe_url is not None and draft.unsubscribe_url in draft.body
    assert draft.unsubscribe_url.startswith(f"{SITE_URL}/stories/unsubscribe?token=")


@pytest.mark.parametrize("kind", ["published", "replied"])
def test_reader_mail_carries_the_storys_deletion_link(kind: str) -> None:
    """A writer who gave an address can delete the story from any email about it."""
    written = story(status=Status.APPROVED)
    if kind == "published":
        draft = MAILER.published(written)
    else:
        answer = story(id=13, name="Editor", parent_id=12, author_reply=True)
        draft = MAILER.replied(written, answer)
    assert draft is not None
    link = next(line for line in draft.body.splitlines() if "/stories/delete?receipt=" in line)
    assert link.startswith(f"{SITE_URL}/stories/delete?receipt=")
    receipt = parse_qs(urlsplit(link).query)["receipt"][0]
    assert check_receipt_token(SECRET, receipt) == 12


def test_the_unsubscribe_link_goes_to_the_intake_when_it_runs_elsewhere() -> None:
    mailer = replace(MAILER, settings=replace(MAILER.settings, intake_url="https://intake.example"))
    assert mailer.unsubscribe_url(3).startswith("https://intake.example/stories/unsubscribe?")


def test_unsubscribe_tokens_name_their_story_and_refuse_tampering() -> None:
    token = make_unsubscribe_token(SECRET, 12)
    assert check_unsubscribe_token(SECRET, token) == 12
    with pytest.raises(InvalidToken):
        check_unsubscribe_token(SECRET, token[:-2] + "xx")
    with pytest.raises(InvalidToken):
        check_unsubscribe_token("another-secret-" + "z" * 30, token)


def test_the_email_is_utf8_text_with_unfolded_one_click_headers() -> None:
    draft = MAILER.published(story(name="Zoë"))
    assert draft is not None
    email = MAILER.email(
        "zoe@exämple.org",
        draft.subject,
        draft.body,
        draft.unsubscribe_url,
        datetime.now(UTC),
    )
    text = email.as_string()
    assert email.get_content_type() == "text/plain"
    assert email.get_content_charset() == "utf-8"
    assert email["To"] == "zoe@xn--exmple-cua.org"
    assert f"\r\nList-Unsubscribe: <{draft.unsubscribe_url}>\r\n" in text
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in text
    assert "Hello Zoë," in email.get_content()


def test_a_template_without_its_subject_line_is_a_template_bug() -> None:
    assert split_subject("Subject: Hi\n\nBody", "x.txt") == ("Hi", "Body\n")
    with pytest.raises(ValueError, match=r"must start with a 'Subject: \.\.\.' line"):
        split_subject("Hi\n\nBody", "x.txt")


def test_a_refused_connection_is_worded_for_the_report() -> None:
    port = free_port()
    with pytest.raises(DeliveryError) as failure, SmtpTransport("127.0.0.1", port).session():
        pass
    assert str(failure.value) == f"Connection refused to 127.0.0.1:{port}"
    assert failure.value.connection and not failure.value.permanent
