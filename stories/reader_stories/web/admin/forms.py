"""Reading what a moderator posted: the raw fields, then each value checked for what it claims.

Only the plain HTML form encoding is accepted (what every browser sends for these forms). Values
that steer the answer (the page to go back to, story ids) are matched against strict patterns,
so a crafted form cannot redirect off the admin or act on anything odd.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.requests import Request

from reader_stories.models import Status
from reader_stories.text import normalise, strip_controls
from reader_stories.web.admin.queue_view import list_back
from reader_stories.web.body import FORM_TYPE, media_type, read_body
from reader_stories.web.errors import Refused

MAX_BYTES = 256 * 1024  # a full page of ticked stories, or an edit of the longest story
MAX_FIELDS = 300
REASON_MAX = 500
# Where a form may send the moderator back to: a list page (queue_view.list_back reads and
# rewrites its filters), the held bin or a story page, nothing else.
_STORY_BACK_RE = re.compile(r"/stories/[1-9][0-9]{0,9}")
_HELD_BACK_RE = re.compile(r"/held(\?(kind=(suspected|blocked|listed))?&?(page=[1-9][0-9]{0,5})?)?")
_ID_RE = re.compile(r"[1-9][0-9]{0,9}")

TITLE_FORM = "The form could not be read"
MSG_FORM = "The form could not be read. Go back, reload the page and try again."
MSG_TOO_LARGE = "The form is too large to read. Shorten the text and send it again."
MSG_BAD_ID = "{value!r} is not a story id; nothing was changed. Reload the page and try again."
MSG_REASON_LONG = (
    f"Keep the reason to {REASON_MAX} characters or fewer (it had {{count}}); nothing was changed."
)


@dataclass(frozen=True)
class Form:
    pairs: tuple[tuple[str, str], ...]

    def get(self, name: str) -> str:
        """The first value sent under ``name``, or ""."""
        return next((value for key, value in self.pairs if key == name), "")

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self.pairs if key == name]


async def read_form(request: Request) -> Form:
    """The posted fields; 400, 413 or 415 pages for anything a browser form would not send."""
    kind, charset = media_type(request)
    if kind != FORM_TYPE or charset not in {"", "utf-8", "utf8"}:
        raise Refused(415, MSG_FORM, title=TITLE_FORM)
    try:
        body = await read_body(request, MAX_BYTES)
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except Refused as refused:
        message = MSG_TOO_LARGE if refused.status == 413 else MSG_FORM
        raise Refused(refused.status, message, title=TITLE_FORM) from None
    except (UnicodeDecodeError, ValueError):
        raise Refused(400, MSG_FORM, title=TITLE_FORM) from None
    return Form(tuple(pairs))


def back_path(value: str, default: str = "/") -> str:
    """A list or story page inside the admin to return to, or ``default``."""
    if value == "/" or _STORY_BACK_RE.fullmatch(value) or _HELD_BACK_RE.fullmatch(value):
        return value
    listed = list_back(value)
    return default if listed is None else listed


def list_path(status: Status) -> str:
    return f"/?status={status.value}"


def story_ids(values: list[str]) -> list[int]:
    """Ticked ids in page order, each once; anything but an id is a 400, not a guess."""
    ids: list[int] = []
    for value in values:
        if not _ID_RE.fullmatch(value):
            raise Refused(400, MSG_BAD_ID.format(value=value[:20]), title=TITLE_FORM)
        if int(value) not in ids:
            ids.append(int(value))
    return ids


def shown_status(value: str) -> Status | None:
    """The status the page showed the story in (to spot one that moved meanwhile)."""
    try:
        return Status(value)
    except ValueError:
        return None


def reason(values: list[str]) -> str | None:
    """An optional rejection reason: cleaned like reader text; empty means none. A list page has
    a reason field above and below its stories: the first one filled in is the reason."""
    texts = [strip_controls(normalise(value)).strip() for value in values]
    text = next((text for text in texts if text), "")
    if len(text) > REASON_MAX:
        raise ValueError(MSG_REASON_LONG.format(count=len(text)))
    return text or None
