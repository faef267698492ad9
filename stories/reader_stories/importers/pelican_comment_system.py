"""Read pelican-comment-system comment folders into imported comments.

The plugin keeps comments under PELICAN_COMMENT_SYSTEM_DIR (``comments`` in the content
folder): one folder per article slug, one file per comment. A Markdown file starts with Pelican
metadata lines (``author:``, ``date:``, optional ``replyto:`` and ``email:``), a blank line,
then the comment, which Pelican's Markdown renders (soft line breaks are spaces, inline HTML
is HTML); an HTML file has them as <meta> tags; a reST file has them as ``:date:`` lines.
``replyto`` names the parent comment by file name (with or without extension, depending on
the plugin version) or by its slug. Dates are read as Pelican reads them, in the site's
TIMEZONE when they name no zone. Every file was published, so every comment is imported as
approved; the folder's name is the comment's address, mapped to an article like any other.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reader_stories.archive import ArchiveError
from reader_stories.importers.bodies import foreign_html, pelican_markdown_html, text_of_html
from reader_stories.importers.records import (
    Harvest,
    ImportedComment,
    Skipped,
    as_utc,
    clean_email,
    clean_name,
    clean_text,
)
from reader_stories.models import Status
from reader_stories.story_html import render_story

SOURCE = "pelican-comment-system"
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mkd", ".mdown"})
RST_SUFFIXES = frozenset({".rst"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
COMMENT_SUFFIXES = MARKDOWN_SUFFIXES | RST_SUFFIXES | HTML_SUFFIXES
KNOWN_KEYS = frozenset({"author", "date", "replyto", "email", "slug", "website", "link"})
NOTE_RST = "reST comments were imported as plain text with the story Markdown subset."

_META_RE = re.compile(r"^ {0,3}([A-Za-z0-9_-]+):\s*(.*)$")
_CONTINUED_RE = re.compile(r"^ {4,}(\S.*)$")
_FIELD_RE = re.compile(r"^:([A-Za-z0-9_ -]+):\s*(.*)$")
_ADORNMENT_RE = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")


def _slugify(text: str) -> str:
    """Pelican's slug of a file name ('1.md' -> '1md'), to match replyto by slug."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[-\s]+", "-", re.sub(r"[^\w\s-]", "", ascii_text).strip().lower())


def _markdown_meta(text: str) -> tuple[dict[str, str], str]:
    """Python-Markdown's meta block: key: value lines, indented continuations, a blank line."""
    lines = text.split("\n")
    meta: dict[str, str] = {}
    key = None
    index = 1 if lines and lines[0].strip() == "---" else 0
    while index < len(lines):
        line = lines[index]
        if not line.strip() or (index > 0 and line.strip() in {"---", "..."}):
            index += 1
            break
        if match := _META_RE.match(line):
            key = match[1].lower()
            meta[key] = match[2].strip()
        elif (match := _CONTINUED_RE.match(line)) and key is not None:
            meta[key] = f"{meta[key]} {match[1].strip()}".strip()
        else:
            break
        index += 1
    return meta, "\n".join(lines[index:])


def _rst_meta(text: str) -> tuple[dict[str, str], str]:
    """An optional title, then a field list of :key: value lines."""
    lines = text.split("\n")
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    if index + 2 < len(lines) and _ADORNMENT_RE.match(lines[index]):
        index += 3  # overline, title, underline
    elif index + 1 < len(lines) and _ADORNMENT_RE.match(lines[index + 1]):
        index += 2  # title, underline
    while index < len(lines) and not lines[index].strip():
        index += 1
    meta: dict[str, str] = {}
    while index < len(lines) and (match := _FIELD_RE.match(lines[index])):
        meta[match[1].strip().lower()] = match[2].strip()
        index += 1
    return meta, "\n".join(lines[index:])


def _date(value: str, zone: ZoneInfo) -> datetime:
    """Read as Pelican reads a date (pelican.utils.get_date: dateutil, missing parts from
    today's midnight), a date without a zone in the site's TIMEZONE as Pelican sets it."""
    from dateutil import parser  # only this importer needs it

    text = re.sub(" +", " ", value.strip())
    default = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    try:
        moment = parser.parse(text, default=default)
    except (ValueError, OverflowError, TypeError):
        raise ArchiveError(
            f"its date {value!r} is not a date; write it like 2014-03-21 15:02"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return as_utc(moment)


def _html_meta(text: str) -> tuple[dict[str, str], str]:
    """Pelican's HTML reader: <meta name="key" content="value"> in the head, the body's HTML."""
    from lxml import etree, html

    try:
        document = html.document_fromstring(text)
    except (etree.ParserError, ValueError) as problem:
        raise ArchiveError(f"not an HTML comment ({problem})") from None
    meta = {
        str(tag.get("name")).lower(): str(tag.get("content") or "").strip()
        for tag in document.iterfind(".//head/meta")
        if tag.get("name")
    }
    body = document.find("body")
    inner = "" if body is None else (body.text or "")
    if body is not None:
        inner += "".join(html.tostring(child, encoding="unicode") for child in body)
    return meta, inner


def _read(file: Path) -> tuple[dict[str, str], str]:
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchiveError("not UTF-8 text; save it as UTF-8 and import again") from None
    except OSError as problem:
        raise ArchiveError(f"cannot be read ({problem.strerror or problem})") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    suffix = file.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return _html_meta(text)
    return _rst_meta(text) if suffix in RST_SUFFIXES else _markdown_meta(text)


def _is_comment(path: Path) -> bool:
    suffix = path.suffix.lower()
    return path.is_file() and suffix in COMMENT_SUFFIXES


def _visible(folder: Path) -> list[Path]:
    return sorted(path for path in folder.iterdir() if not path.name.startswith("."))


def _article_folders(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ArchiveError(
            f"{folder}: no such folder; give the comments folder (PELICAN_COMMENT_SYSTEM_DIR, "
            "e.g. content/comments) that holds one folder per article."
        )
    folders = [path for path in _visible(folder) if path.is_dir()]
    if not folders and any(_is_comment(path) for path in _visible(folder)):
        return [folder]  # one article's folder, given directly
    return folders


def _names(files: list[Path], metas: dict[Path, dict[str, str]], slug: str) -> dict[str, str]:
    """Every way replyto may name a comment of this article -> that comment's ref."""
    names: dict[str, str] = {}
    for file in files:
        ref = f"{slug}/{file.name}"
        keys = [file.name, file.stem, _slugify(file.name), _slugify(file.stem)]
        keys += [metas[file]["slug"]] if "slug" in metas[file] else []
        for key in keys:
            names.setdefault(key, ref)
    return names


def _body(file: Path, body: str, harvest: Harvest) -> tuple[str, str]:
    """(plain-text Markdown, sanitised HTML) of one comment, as the plugin showed it."""
    suffix = file.suffix.lower()
    if suffix in RST_SUFFIXES:
        harvest.note(NOTE_RST)
        text = clean_text(body)
        return text, render_story(text)
    body_html = foreign_html(body) if suffix in HTML_SUFFIXES else pelican_markdown_html(body)
    return text_of_html(body_html), body_html


def _note_dropped(meta: dict[str, str], harvest: Harvest) -> None:
    if meta.get("website") or meta.get("link"):
        harvest.drop("website links (website:, link:)")
    if meta.get("email") and clean_email(meta["email"]) is None:
        harvest.drop("email: values that are not addresses (hashed or masked)")
    for key, value in meta.items():
        if value and key not in KNOWN_KEYS:
            harvest.drop(f"{key}:")


def _comment(
    file: Path,
    ref: str,
    folder: str,
    names: dict[str, str],
    parsed: tuple[dict[str, str], str],
    zone: ZoneInfo,
    harvest: Harvest,
) -> ImportedComment | None:
    meta, body = parsed
    if "date" not in meta:
        raise ArchiveError("no date: line in its metadata; add one like date: 2014-03-21 15:02")
    created = _date(meta["date"], zone)
    text, body_html = _body(file, body, harvest)
    if not text:
        harvest.skipped.append(Skipped(ref, folder, "an empty text"))
        return None
    _note_dropped(meta, harvest)
    reply_to = meta.get("replyto", "").strip()
    parent_ref = None
    if reply_to:
        parent_ref = names.get(reply_to) or names.get(_slugify(reply_to)) or f"{folder}/{reply_to}"
    return ImportedComment(
        ref=ref,
        parent_ref=parent_ref,
        source_url=folder,
        name=clean_name(meta.get("author")),
        email=clean_email(meta.get("email")),
        body_markdown=text,
        body_html=body_html,
        status=Status.APPROVED,
        created=created,
        updated=created,
    )


def _read_article(folder: Path, zone: ZoneInfo, harvest: Harvest) -> None:
    """One article's folder: every comment file, each read on its own so one bad file is
    reported and skipped while the others are imported."""
    slug = folder.name
    files = [path for path in _visible(folder) if path.is_file()]
    comments = [file for file in files if _is_comment(file)]
    for file in files:
        if file not in comments:
            harvest.skipped.append(Skipped(f"{slug}/{file.name}", slug, "not a comment file"))
    parsed: dict[Path, tuple[dict[str, str], str]] = {}
    for file in comments:
        try:
            parsed[file] = _read(file)
        except ArchiveError as problem:
            harvest.skipped.append(Skipped(f"{slug}/{file.name}", slug, str(problem)))
    names = _names(list(parsed), {file: meta for file, (meta, _) in parsed.items()}, slug)
    for file, content in parsed.items():
        ref = f"{slug}/{file.name}"
        try:
            comment = _comment(file, ref, slug, names, content, zone, harvest)
        except ArchiveError as problem:
            harvest.skipped.append(Skipped(ref, slug, str(problem)))
            continue
        if comment is not None:
            harvest.comments.append(comment)


def read_pelican_comment_system(folder: Path, timezone: str = "UTC") -> Harvest:
    """Every comment file under the comments folder, one folder per article slug; dates
    without a zone are in ``timezone`` (the site's TIMEZONE, as the plugin read them)."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ArchiveError(f"TIMEZONE {timezone!r} is not a time zone name.") from None
    harvest = Harvest(SOURCE)
    for article in _article_folders(Path(folder)):
        _read_article(article, zone, harvest)
    return harvest
