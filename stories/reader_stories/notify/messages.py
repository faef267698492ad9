"""Compose notification emails from the plain-text templates in templates/stories/mail/.

The templates are text/plain, so their environment does no HTML escaping (escaping would put
``&amp;`` into a reader's name); nothing rendered here ever becomes HTML. Each template starts
with a ``Subject:`` line and a blank line, so subject and body are edited together.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from jinja2 import Environment, StrictUndefined

from reader_stories.config import Config
from reader_stories.models import Story
from reader_stories.notify.action_links import LinkAction, make_action_token
from reader_stories.notify.confirm import make_confirm_token
from reader_stories.notify.follow_links import CONFIRM_SALT, UNSUBSCRIBE_SALT, make_follow_token
from reader_stories.notify.records import Draft, MailKind
from reader_stories.notify.unsubscribe import make_unsubscribe_token
from reader_stories.pages.built import ArticleTitles
from reader_stories.pages.templates import loader
from reader_stories.settings import CommentsSettings
from reader_stories.store.follows import Follow
from reader_stories.tokens import make_receipt_token

if TYPE_CHECKING:
    from email.message import EmailMessage

MAIL_FOLDER = "stories/mail"
SUBJECT_PREFIX = "Subject: "
# The outbox's record of a moderator message until it is sent; the email itself, subject
# included, is composed from mail/moderator.txt when it goes (notify/moderator.py).
NEW_STORY_SUBJECT = "New story #{story_id} waiting for moderation on {sitename}"
ONE_CLICK = "List-Unsubscribe=One-Click"
# Characters a mail client may show as a line break (controls, line and paragraph separators),
# lone surrogates, and the bidirectional controls that make text read in another order than it
# is written. Joiners stay: emoji and several scripts need them.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_BIDI_CONTROLS = frozenset(
    map(chr, (0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)))
)


def utc(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M} UTC"


def visible(text: str) -> str:
    """Reader text with what could break its line or reorder it shown as escapes (\\u2028,
    \\u202e, \\u000a), and tabs as spaces."""
    return "".join(
        " " if char == "\t" else f"\\u{ord(char):04x}" if _hidden(char) else char for char in text
    )


def _hidden(char: str) -> bool:
    return char in _BIDI_CONTROLS or unicodedata.category(char) in _HIDDEN_CATEGORIES


def field(text: str) -> str:
    """A short reader field (a name) inline, in double quotes: escaped as above, with its own
    quotes and backslashes escaped too, so it can neither end early nor start a line."""
    return '"' + visible(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def quoted(text: str) -> str:
    """Reader text quoted line by line, so it cannot pass for the email's own words."""
    return "\n".join(f"> {visible(line)}".rstrip() for line in text.splitlines())


@cache
def mail_environment(templates: Path | None) -> Environment:
    """Autoescape off: text/plain mail. Undefined names are errors, as on the site."""
    env = Environment(
        loader=loader(templates, MAIL_FOLDER),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["utc"] = utc
    env.filters["quoted"] = quoted
    env.filters["field"] = field
    env.filters["visible"] = visible
    return env


def split_subject(rendered: str, name: str) -> tuple[str, str]:
    """('subject', 'body\\n') from a rendered template; a malformed one is a template bug."""
    head, blank, body = rendered.lstrip("\n").partition("\n\n")
    if not blank or not head.startswith(SUBJECT_PREFIX) or "\n" in head:
        raise ValueError(f"mail/{name} must start with a 'Subject: ...' line and a blank line")
    return head.removeprefix(SUBJECT_PREFIX).strip(), body.strip("\n") + "\n"


def ascii_address(address: str) -> str:
    """International domains in their ASCII form, which every SMTP server accepts."""
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.encode('idna').decode('ascii')}" if not domain.isascii() else address


@dataclass(frozen=True)
class Mailer:
    """Everything a notification needs: settings, the theme's templates and the site's name."""

    settings: CommentsSettings
    templates: Path | None  # the theme's templates folder, whose files override the package's
    sitename: str
    titles: ArticleTitles | None = None  # the built site's article titles; None: slugs only

    @classmethod
    def for_config(cls, config: Config) -> Mailer:
        titles = ArticleTitles.for_config(config)
        return cls(config.comments, config.site.templates, config.site.sitename, titles)

    @property
    def enabled(self) -> bool:
        return self.settings.mail_enabled

    # Links

    def article_url(self, slug: str) -> str:
        return f"{self.settings.site_url}/{slug}/"

    def story_url(self, story: Story) -> str:
        return f"{self.article_url(story.article)}#story-{story.id}"

    def unsubscribe_url(self, story_id: int) -> str:
        token = make_unsubscribe_token(self.settings.secret_key, story_id)
        return f"{self._intake_base()}/stories/unsubscribe?token={quote(token)}"

    def confirm_url(self, story_id: int) -> str:
        token = make_confirm_token(self.settings.secret_key, story_id)
        return f"{self._intake_base()}/stories/confirm?token={quote(token)}"

    def follow_confirm_url(self, follow_id: int) -> str:
        token = make_follow_token(self.settings.secret_key, follow_id, CONFIRM_SALT)
        return f"{self._intake_base()}/stories/follow/confirm?token={quote(token)}"

    def follow_unsubscribe_url(self, follow_id: int) -> str:
        token = make_follow_token(self.settings.secret_key, follow_id, UNSUBSCRIBE_SALT)
        return f"{self._intake_base()}/stories/follow/unsubscribe?token={quote(token)}"

    def delete_url(self, story_id: int) -> str:
        """The story's receipt link, so a writer can always delete it from any of our emails."""
        receipt = make_receipt_token(self.settings.secret_key, story_id)
        return f"{self._intake_base()}/stories/delete?receipt={quote(receipt)}"

    def _intake_base(self) -> str:
        return (self.settings.intake_url or self.settings.site_url).rstrip("/")

    def article_title(self, slug: str) -> str | None:
        """The article's title from the built site; None when the site is not built."""
        return self.titles.title(slug) if self.titles else None

    @property
    def admin_enabled(self) -> bool:
        """The web admin runs beside the intake once a password hash is set (or a moderator
        account exists, which only the store knows: the callers that read it say so)."""
        return bool(self.settings.admin_password_hash)

    def admin_story_url(self, story_id: int, admin_on: bool | None = None) -> str | None:
        """The story's page in the admin (served with the intake), or None without an admin."""
        if not (self.admin_enabled if admin_on is None else admin_on):
            return None
        return f"{self._intake_base()}/admin/stories/{story_id}"

    def action_url(
        self, story_id: int, action: LinkAction, issued: datetime, admin_on: bool | None = None
    ) -> str | None:
        """A signed one-click link for the moderator, or None when there are none to give."""
        admin = self.admin_enabled if admin_on is None else admin_on
        if not (admin and self.settings.moderator_link_hours > 0):
            return None
        token = make_action_token(self.settings.secret_key, story_id, action, issued)
        return f"{self._intake_base()}/admin/email/{action.value}?token={quote(token)}"

    # Drafts: None when there is nobody to write to

    def render(self, name: str, **context: Any) -> tuple[str, str]:
        template = mail_environment(self.templates).get_template(name)
        return split_subject(template.render(sitename=self.sitename, **context), name)

    def moderator_due(self, now: datetime) -> datetime:
        """Per submission: now. Digest: the message waits, and the ones after it join it."""
        return now + timedelta(minutes=self.settings.digest_minutes)

    def new_story(self, story: Story) -> Draft | None:
        """For the moderator: queued with the story, written when it is sent (moderator.py),
        so it says what is true then and is not sent about a story already handled."""
        if not (self.enabled and self.settings.moderator_email):
            return None
        return Draft(
            kind=MailKind.MODERATOR,
            recipient=self.settings.moderator_email,
            subject=NEW_STORY_SUBJECT.format(story_id=story.id, sitename=self.sitename),
            body="",
            story_id=story.id,
        )

    def _for_reader(self, kind: MailKind, story: Story, name: str, **context: Any) -> Draft | None:
        if not (self.enabled and story.notify and story.email):
            return None
        unsubscribe = self.unsubscribe_url(story.id)
        subject, body = self.render(
            name,
            story=story,
            story_url=self.story_url(story),
            unsubscribe_url=unsubscribe,
            delete_url=self.delete_url(story.id),
            **context,
        )
        return Draft(
            kind=kind,
            recipient=story.email,
            subject=subject,
            body=body,
            story_id=story.id,
            unsubscribe_url=unsubscribe,
        )

    def confirmation(self, story: Story) -> Draft | None:
        """For an address not confirmed yet, the one email it gets until it is: what it is for
        and the link to confirm. Nothing the writer typed, and no deletion link: whoever types
        a stranger's address must not be able to send them anything of their own."""
        if not (self.enabled and story.notify and story.email):
            return None
        unsubscribe = self.unsubscribe_url(story.id)
        subject, body = self.render(
            "confirm.txt",
            article_url=self.article_url(story.article),
            confirm_url=self.confirm_url(story.id),
            unsubscribe_url=unsubscribe,
        )
        return Draft(
            kind=MailKind.CONFIRM,
            recipient=story.email,
            subject=subject,
            body=body,
            story_id=story.id,
            unsubscribe_url=unsubscribe,
        )

    def published(self, story: Story) -> Draft | None:
        """For the writer, if they asked: the story is on the site, here is the link."""
        return self._for_reader(MailKind.PUBLISHED, story, "published.txt")

    def replied(self, story: Story, reply: Story) -> Draft | None:
        """For the writer, if they asked: the site's author answered, with the answer."""
        return self._for_reader(
            MailKind.REPLY, story, "reply.txt", reply=reply, reply_url=self.story_url(reply)
        )

    def follow_confirmation(self, follow: Follow) -> Draft:
        """The one email a follow gets before it is confirmed: which article, and the link."""
        return self._for_follower(
            MailKind.FOLLOW_CONFIRM,
            follow,
            "follow-confirm.txt",
            None,
            article_url=self.article_url(follow.article),
            confirm_url=self.follow_confirm_url(follow.id),
        )

    def follow_story(self, follow: Follow, story: Story) -> Draft:
        """For a confirmed follower: a new story is published on the article they follow."""
        return self._for_follower(
            MailKind.FOLLOW_STORY,
            follow,
            "follow-story.txt",
            story.id,
            story=story,
            story_url=self.story_url(story),
            article_url=self.article_url(story.article),
        )

    def _for_follower(
        self, kind: MailKind, follow: Follow, template: str, story_id: int | None, **context: Any
    ) -> Draft:
        """A follower's email: every one carries the link that ends that follow."""
        unsubscribe = self.follow_unsubscribe_url(follow.id)
        subject, body = self.render(template, unsubscribe_url=unsubscribe, **context)
        return Draft(
            kind=kind,
            recipient=follow.email,
            subject=subject,
            body=body,
            story_id=story_id,
            unsubscribe_url=unsubscribe,
            follow_id=follow.id,
        )

    def digest(self, bodies: Sequence[str], ids: Sequence[int]) -> tuple[str, str]:
        """Several new stories as one email: a count, every story id, each story in turn."""
        return self.render("digest.txt", bodies=bodies, ids=ids)

    # The email itself, built when it is sent

    def email(
        self,
        recipient: str,
        subject: str,
        body: str,
        unsubscribe_url: str | None,
        now: datetime,
    ) -> EmailMessage:
        """A text/plain UTF-8 email; reader mail carries the RFC 8058 one-click headers."""
        # Imported here: the email package weighs on the start-up of `comments.approve`, which
        # only queues mail; messages are built by whatever sends them.
        from email import policy
        from email.headerregistry import Address
        from email.message import EmailMessage
        from email.utils import format_datetime, make_msgid

        sender = ascii_address(self.settings.mail_from)
        message = EmailMessage()
        message.set_content(body, charset="utf-8")
        # Headers up to RFC 5322's hard limit: a folded or RFC 2047-encoded List-Unsubscribe URL
        # is one that mail providers cannot use. Bodies are still encoded with 78-char lines.
        message.policy = policy.SMTP.clone(max_line_length=998)
        message["From"] = Address(self.sitename, addr_spec=sender)
        message["To"] = ascii_address(recipient)
        message["Subject"] = subject
        message["Date"] = format_datetime(now)
        message["Message-ID"] = make_msgid("nextround", domain=sender.rpartition("@")[2])
        message["Auto-Submitted"] = "auto-generated"
        if unsubscribe_url:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = ONE_CLICK
        return message
