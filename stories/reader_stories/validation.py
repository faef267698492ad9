"""Turn a raw story form into a Submission, or report every problem with it at once.

Messages are part of the API (the intake shows them as they are, tests pin them): each
names the field and the limit so a reader knows what to change.

Each field stops at its first failed check, cheapest first: a story over the length limit is
not scanned for characters or links, so no form costs more than its size allows.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from reader_stories.errors import FieldError, ValidationFailed
from reader_stories.models import Submission
from reader_stories.reserved_names import BADGE, borrows, ends_with_badge
from reader_stories.text import MARKS_MAX, Problem, Trouble, first_problem, normalise

NAME_MAX = 80
STORY_MIN = 20
STORY_MAX = 5000
EMAIL_MAX = 254
EMAIL_LOCAL_MAX = 64
SLUG_MAX = 200
DEFAULT_MAX_LINKS = 3
# Ids fit a signed 32-bit integer, the smallest column any supported database uses.
REPLY_TO_MAX = 2**31 - 1
HONEYPOT_FIELD = "website"
# What browsers and people send for a ticked checkbox.
TICKED_VALUES = frozenset({"on", "1", "true", "yes"})

MSG_ARTICLE = "Article is missing or not valid; reload the page and try again"
MSG_NAME_EMPTY = f"Enter your name (up to {NAME_MAX} characters)"
MSG_NAME_LONG = f"Name must be {NAME_MAX} characters or fewer; yours has {{count:,}}"
MSG_NAME_CONTROLS = "Name must not contain control characters"
MSG_NAME_UNUSABLE = (
    "Name must not contain {code}, which no page can show (character {position:,} of your "
    "name); delete it"
)
MSG_NAME_MARKS = (
    f"Name must not stack more than {MARKS_MAX} accents or other marks on one letter, or put one "
    "where there is no letter (see character {position:,} of your name)"
)
MSG_NAME_RESERVED = (
    "Name must not be or contain “{author}”, however it is written: that name is kept for the "
    "site's own replies. Choose another name"
)
MSG_NAME_BADGE = (
    f"Name must not end with the word “{BADGE}”, which marks the site's own replies. Choose "
    "another name"
)
MSG_STORY_EMPTY = f"Enter your story (between {STORY_MIN} and {STORY_MAX:,} characters)"
MSG_STORY_SHORT = f"Story must be at least {STORY_MIN} characters; yours has {{count:,}}"
MSG_STORY_LONG = f"Story must be {STORY_MAX:,} characters or fewer; yours has {{count:,}}"
MSG_STORY_CONTROLS = (
    "Story must not contain control characters (only line breaks and tabs are allowed)"
)
MSG_STORY_UNUSABLE = (
    "Story must not contain {code}, which no page can show (character {position:,} of your "
    "story); delete it"
)
MSG_STORY_MARKS = (
    f"Story must not stack more than {MARKS_MAX} accents or other marks on one letter, or put one "
    "where there is no letter (see character {position:,} of your story)"
)
MSG_STORY_BLANK = (
    "Story must have some text a page can show; yours is only character codes (such as "
    "&#x202E;) for characters no page shows"
)
MSG_STORY_NO_LINKS = "Story must not contain links"
MSG_STORY_LINKS = "Story can contain at most {limit} {noun}; yours has {count}"
MSG_EMAIL_FORMAT = (
    "Enter an email address in the correct format, like name@example.com, or leave it empty"
)
MSG_EMAIL_LONG = f"Email address must be {EMAIL_MAX} characters or fewer"
MSG_EMAIL_NEEDED = (
    "Enter your email address to be told when your story is published, or untick the box"
)
MSG_CONSENT = "Tick the box to let us publish your story"
MSG_REPLY_TO = "Reply to must be empty or a whole number greater than 0"
# Raised by the store, which alone can tell whether the story replied to is published.
MSG_REPLY_UNAVAILABLE = "The story you are replying to is no longer available"

# An article's slug as Pelican makes it or an author writes it: letters of any script
# ("entretien-d-été"), digits, "-" and "_"; never a dot or a slash, so it is one folder.
SLUG_RE = re.compile(rf"[^\W_][\w-]{{0,{SLUG_MAX - 1}}}")
_SPACE_RE = re.compile(r"\s+")
# The HTML email-input grammar, but with at least one dot in the domain.
_EMAIL_LOCAL_RE = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+")
_EMAIL_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL_DOMAIN_RE = re.compile(rf"{_EMAIL_LABEL}(?:\.{_EMAIL_LABEL})+")
_DIGITS_RE = re.compile(r"[0-9]+")


def _field(form: Mapping[str, object], name: str) -> str:
    """A field as canonical text; anything that is not text (a file upload) counts as empty."""
    value = form.get(name, "")
    return normalise(value).strip() if isinstance(value, str) else ""


def is_ticked(form: Mapping[str, object], name: str) -> bool:
    """Whether a checkbox was ticked (an unticked box is simply absent from a form post)."""
    return _field(form, name).lower() in TICKED_VALUES


def _domain_ascii(domain: str) -> str | None:
    """Internationalised domains are checked in their ASCII (punycode) form."""
    if domain.isascii():
        return domain
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        return None


def looks_like_email(address: str) -> bool:
    """Shape check only: whether the address exists is the mail server's business."""
    local, at, domain = address.rpartition("@")
    if not at or len(local) > EMAIL_LOCAL_MAX:
        return False
    ascii_domain = _domain_ascii(domain)
    return (
        ascii_domain is not None
        and _EMAIL_LOCAL_RE.fullmatch(local) is not None
        and _EMAIL_DOMAIN_RE.fullmatch(ascii_domain) is not None
    )


@dataclass(frozen=True)
class Wording:
    """The words of every name and story check, for whoever typed the text: the same rules
    speak to a reader at the intake and to a moderator editing a story."""

    name_empty: str
    name_long: str
    name_controls: str
    name_unusable: str
    name_marks: str
    name_reserved: str
    name_badge: str
    story_empty: str
    story_short: str
    story_long: str
    story_controls: str
    story_unusable: str
    story_marks: str
    story_blank: str
    story_no_links: str
    story_links: str


READER = Wording(
    name_empty=MSG_NAME_EMPTY,
    name_long=MSG_NAME_LONG,
    name_controls=MSG_NAME_CONTROLS,
    name_unusable=MSG_NAME_UNUSABLE,
    name_marks=MSG_NAME_MARKS,
    name_reserved=MSG_NAME_RESERVED,
    name_badge=MSG_NAME_BADGE,
    story_empty=MSG_STORY_EMPTY,
    story_short=MSG_STORY_SHORT,
    story_long=MSG_STORY_LONG,
    story_controls=MSG_STORY_CONTROLS,
    story_unusable=MSG_STORY_UNUSABLE,
    story_marks=MSG_STORY_MARKS,
    story_blank=MSG_STORY_BLANK,
    story_no_links=MSG_STORY_NO_LINKS,
    story_links=MSG_STORY_LINKS,
)


def _character_message(problem: Problem, controls: str, unusable: str, marks: str) -> str:
    """The words for what ``first_problem`` found, for the field's three messages."""
    if problem.trouble is Trouble.CONTROL:
        return controls
    if problem.trouble is Trouble.MARKS:
        return marks.format(position=problem.position)
    return unusable.format(code=problem.code, position=problem.position)


def collapse_spaces(raw: str) -> str:
    """A name as stored: every run of spaces, tabs or line breaks becomes one space."""
    return _SPACE_RE.sub(" ", raw)


def name_problem(raw: str, author_name: str, words: Wording = READER) -> str | None:
    """The first thing that keeps ``raw`` (normalised, stripped) from being a writer's name."""
    name = collapse_spaces(raw)
    if not name:
        return words.name_empty
    if len(name) > NAME_MAX:
        return words.name_long.format(count=len(name))
    # Characters are checked before spaces are collapsed: Python counts some controls as spaces.
    problem = first_problem(raw)
    if problem is not None:
        return _character_message(
            problem, words.name_controls, words.name_unusable, words.name_marks
        )
    if author_name and borrows(name, author_name):
        return words.name_reserved.format(author=author_name)
    if ends_with_badge(name):
        return words.name_badge
    return None


def _check_name(raw: str, author_name: str, errors: list[FieldError]) -> str:
    message = name_problem(raw, author_name)
    if message is not None:
        errors.append(FieldError("name", message))
    return collapse_spaces(raw)


def _links_message(limit: int, count: int, words: Wording) -> str:
    if limit == 0:
        return words.story_no_links
    noun = "link" if limit == 1 else "links"
    return words.story_links.format(limit=limit, noun=noun, count=count)


def story_problem(story: str, max_links: int, words: Wording = READER) -> str | None:
    """The first thing that keeps ``story`` (normalised, stripped) from being a reader's story."""
    if not story:
        return words.story_empty
    if len(story) < STORY_MIN:
        return words.story_short.format(count=len(story))
    if len(story) > STORY_MAX:
        return words.story_long.format(count=len(story))
    problem = first_problem(story)
    if problem is not None:
        return _character_message(
            problem, words.story_controls, words.story_unusable, words.story_marks
        )
    # Imported here: the store and moderation import this module for its messages, and
    # loading markdown-it would slow every `invoke comments.*` command that never parses.
    from reader_stories.story_html import count_links, shows_text

    # Character codes are read when the story is rendered: only they can make a story of 20
    # characters show nothing (each decoded to a character the renderer leaves out).
    if "&" in story and not shows_text(story):
        return words.story_blank
    links = count_links(story)
    if links > max_links:
        return _links_message(max_links, links, words)
    return None


def _check_story(story: str, max_links: int, errors: list[FieldError]) -> None:
    message = story_problem(story, max_links)
    if message is not None:
        errors.append(FieldError("story", message))


MSG_FOLLOW_EMAIL_NEEDED = "Enter your email address to be told of new stories here"
MSG_FOLLOW_EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"


def follow_email(form: Mapping[str, object]) -> tuple[str, str | None]:
    """The follow form's address, canonical, and its problem if any: the story form's rules
    (length, then shape), but the address is required here."""
    email = _field(form, "email")
    if not email:
        return email, MSG_FOLLOW_EMAIL_NEEDED
    if len(email) > EMAIL_MAX:
        return email, MSG_EMAIL_LONG
    if not looks_like_email(email):
        return email, MSG_FOLLOW_EMAIL_FORMAT
    return email, None


def _check_email(email: str, notify: bool, errors: list[FieldError]) -> None:
    if not email:
        if notify:
            errors.append(FieldError("email", MSG_EMAIL_NEEDED))
        return
    if len(email) > EMAIL_MAX:
        errors.append(FieldError("email", MSG_EMAIL_LONG))
    elif not looks_like_email(email):
        errors.append(FieldError("email", MSG_EMAIL_FORMAT))


def _check_reply_to(raw: str, errors: list[FieldError]) -> int | None:
    if not raw:
        return None
    if _DIGITS_RE.fullmatch(raw) is None or not 0 < int(raw) <= REPLY_TO_MAX:
        errors.append(FieldError("reply_to", MSG_REPLY_TO))
        return None
    return int(raw)


def validate_submission(
    form: Mapping[str, object],
    *,
    ip_hash: str | None,
    max_links: int = DEFAULT_MAX_LINKS,
    author_name: str = "",
) -> Submission:
    """Check a posted form (fields: article, name, email, notify, story, consent, reply_to).

    Raises ValidationFailed listing the first problem of every field. A filled honeypot field
    is not an error: the Submission comes back flagged, so the bot sees the same reply as a
    person. ``author_name``, the name on the site's own replies, is refused as a reader's.
    """
    if max_links < 0:
        raise ValueError("max_links must be 0 or more")
    errors: list[FieldError] = []
    article = _field(form, "article")
    if SLUG_RE.fullmatch(article) is None:
        errors.append(FieldError("article", MSG_ARTICLE))
    name = _check_name(_field(form, "name"), author_name, errors)
    email = _field(form, "email")
    notify = is_ticked(form, "notify")
    _check_email(email, notify, errors)
    story = _field(form, "story")
    _check_story(story, max_links, errors)
    reply_to = _check_reply_to(_field(form, "reply_to"), errors)
    if not is_ticked(form, "consent"):
        errors.append(FieldError("consent", MSG_CONSENT))
    if errors:
        raise ValidationFailed(errors)
    return Submission(
        article=article,
        name=name,
        email=email if notify else None,
        notify=notify,
        body_markdown=story,
        reply_to=reply_to,
        ip_hash=ip_hash,
        honeypot=bool(_field(form, HONEYPOT_FIELD)),
    )


def validate_change(
    form: Mapping[str, object], *, max_links: int = DEFAULT_MAX_LINKS, author_name: str = ""
) -> tuple[str, str]:
    """A writer's change to their own story, checked as the story form checks it: the name and
    the text as they will be stored, or ValidationFailed with every problem."""
    errors: list[FieldError] = []
    name = _check_name(_field(form, "name"), author_name, errors)
    story = _field(form, "story")
    _check_story(story, max_links, errors)
    if errors:
        raise ValidationFailed(errors)
    return name, story
