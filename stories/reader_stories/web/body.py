"""Read a story post into a dict of text fields, refusing anything we cannot read exactly.

Limits are enforced before and while reading (a chunked body has no Content-Length to trust),
and text must be real UTF-8: a mis-decoded story would be stored and published wrong. A body
that stops arriving, or trickles in, is refused with 408 once it passes its deadlines: without
them a slow client would hold its connection, and a slot of the server, for as long as it likes.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl

from python_multipart import parse_form
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import Field, File
from starlette.requests import ClientDisconnect, Request

from reader_stories.web.errors import Refused

FORM_TYPE = "application/x-www-form-urlencoded"
JSON_TYPE = "application/json"
MULTIPART_TYPE = "multipart/form-data"
ACCEPTED_TYPES = (FORM_TYPE, MULTIPART_TYPE, JSON_TYPE)
MAX_FIELDS = 50  # the form has ten; more is not a browser
UTF8_NAMES = frozenset({"", "utf-8", "utf8"})

MSG_TYPE = (
    "Stories must be sent from the form, as application/x-www-form-urlencoded or "
    "multipart/form-data, or as JSON (application/json). Reload the article page and "
    "send your story from its form."
)
MSG_TOO_LARGE = (
    "Your story is too long to send: the whole form may be at most {kib} KiB. "
    "Shorten it to 5,000 characters or fewer and send it again."
)
MSG_LENGTH = "The request's Content-Length header is not a number; send the form again."
MSG_NOT_UTF8 = (
    "The form was not sent as UTF-8 text, so we could not read it. Reload the article page "
    "and send your story again; if this keeps happening, try another browser."
)
MSG_JSON = (
    "The story could not be read: the request was not valid JSON. Reload the article page "
    "and send your story again."
)
MSG_JSON_SHAPE = (
    "The story could not be read: send the form fields as one JSON object whose values are "
    "all text."
)
MSG_FORM = "The form could not be read. Reload the article page and send your story again."
MSG_DISCONNECT = "The connection closed before the whole form arrived; send it again."
TITLE_SLOW = "The form took too long to arrive"
MSG_SLOW = (
    "Your form took too long to arrive, so we stopped waiting for it and nothing was saved. "
    "Send it again; if this keeps happening, try a steadier connection."
)


@dataclass(frozen=True)
class ReadTimeouts:
    """How long a body may take, in seconds: for each read (a client that stops sending), and
    in all (one that sends a byte now and then). The largest form the intake takes (64 KiB)
    needs a second or two on a slow mobile link."""

    per_read: float = 10.0
    total: float = 30.0


READ_TIMEOUTS = ReadTimeouts()


def media_type(request: Request) -> tuple[str, str]:
    """The media type and its charset parameter, both lower case ('' when absent)."""
    kind, _, params = request.headers.get("content-type", "").partition(";")
    charset = ""
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return kind.strip().lower(), charset


def check_media_type(request: Request) -> str:
    """415 for anything but the form encodings and JSON; 400 for a charset other than UTF-8."""
    kind, charset = media_type(request)
    if kind not in ACCEPTED_TYPES:
        raise Refused(415, MSG_TYPE)
    if charset not in UTF8_NAMES:
        raise Refused(400, MSG_NOT_UTF8)
    return kind


async def read_body(request: Request, limit: int, timeouts: ReadTimeouts = READ_TIMEOUTS) -> bytes:
    """The body, or 413 as soon as Content-Length or the bytes received pass ``limit``, or 408
    as soon as a read or the whole body passes its deadline (the connection then closes: the
    rest of the body may still be on its way)."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise Refused(400, MSG_LENGTH)
        if int(declared) > limit:
            raise Refused(413, MSG_TOO_LARGE.format(kib=limit // 1024))
    body = bytearray()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeouts.total
    chunks = request.stream()
    try:
        while True:
            wait = min(timeouts.per_read, deadline - loop.time())
            try:
                async with asyncio.timeout(max(wait, 0)):
                    chunk = await anext(chunks, None)
            except TimeoutError:
                raise Refused(
                    408, MSG_SLOW, title=TITLE_SLOW, headers={"Connection": "close"}
                ) from None
            if chunk is None:
                break
            body += chunk
            if len(body) > limit:
                raise Refused(413, MSG_TOO_LARGE.format(kib=limit // 1024))
    except ClientDisconnect:
        raise Refused(400, MSG_DISCONNECT) from None
    finally:
        await chunks.aclose()
    return bytes(body)


def _first_values(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """A field sent twice keeps its first value, as a browser's form would."""
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields


def _utf8_text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, MSG_NOT_UTF8) from None


def parse_urlencoded(body: bytes) -> dict[str, str]:
    """Percent-escapes must decode to UTF-8 too: '%FF' is refused, not turned into U+FFFD."""
    try:
        pairs = parse_qsl(
            _utf8_text(body),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except UnicodeDecodeError:
        raise Refused(400, MSG_NOT_UTF8) from None
    except ValueError:
        raise Refused(400, MSG_FORM) from None
    return _first_values(pairs)


def parse_json(body: bytes) -> dict[str, str]:
    """A JSON object of strings; lone surrogates ('\\ud800') are not text and are refused."""
    try:
        value = json.loads(_utf8_text(body))
    except (ValueError, RecursionError):
        raise Refused(400, MSG_JSON) from None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise Refused(400, MSG_JSON_SHAPE)
    if len(value) > MAX_FIELDS:
        raise Refused(400, MSG_FORM)
    for text in (*value.keys(), *value.values()):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise Refused(400, MSG_NOT_UTF8) from None
    return value


def parse_multipart(body: bytes, content_type: str) -> dict[str, str]:
    """Text parts only, decoded strictly; file parts are not part of the form and are dropped."""
    pairs: list[tuple[str, str]] = []

    def on_field(field: Field) -> None:
        name = (field.field_name or b"").decode("utf-8")
        pairs.append((name, (field.value or b"").decode("utf-8")))

    def on_file(upload: File) -> None:
        upload.close()

    headers = {"Content-Type": content_type.encode("latin-1"), "Content-Length": b"%d" % len(body)}
    try:
        parse_form(headers, io.BytesIO(body), on_field, on_file)
    except UnicodeDecodeError:
        raise Refused(400, MSG_NOT_UTF8) from None
    except (FormParserError, ValueError, UnicodeEncodeError):
        raise Refused(400, MSG_FORM) from None
    if len(pairs) > MAX_FIELDS:
        raise Refused(400, MSG_FORM)
    return _first_values(pairs)


async def read_form(
    request: Request, kind: str, limit: int, timeouts: ReadTimeouts = READ_TIMEOUTS
) -> dict[str, str]:
    """The posted fields as text, whichever of the accepted encodings was used."""
    body = await read_body(request, limit, timeouts)
    if kind == JSON_TYPE:
        return parse_json(body)
    if kind == MULTIPART_TYPE:
        return parse_multipart(body, request.headers.get("content-type", ""))
    return parse_urlencoded(body)
