"""Read pelican-comment-system comment folders into imported comments.

The plugin keeps comments under PELICAN_COMMENT_SYSTEM_DIR (``comments`` in the content
folder): one folder per article slug, one file per comment. A Markdown file starts with Pelican
metadata lines (``author:``, ``date:``, optional ``replyto:`` and ``email:``), a blank line,
then the comment; a reST file has the same fields as ``:date:`` lines. ``replyto`` names the
parent comment by file name (with or without extension, depending on the plugin version) or
by its slug. Every file was published, so every comment is imported as approved.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from reader_stories.archive import ArchiveError
from reader_stories.importers.records import (
    Harvest,
    ImportedComment,
    Skipped,
    as_utc,
    clean_email,
    clean_name,
    clean_text,
    is_slug,
)
from reader_stories.models import Status
from reader_stories.story_html import render_story

SOURCE = "pelican-comment-system"
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mkd", ".mdown"})
RST_SUFFIXES = frozenset({".rst"})
NOTE_NAIVE_DATES = "Dates without a time zone were taken as UTC."
NOTE_RST = "reST comments were imported as plain text with the story Markdown subset."
NOTE_WEBSITES = "Websites were not imported: the store has no place for them."

_META_RE = re.compile(r"^ {0,3}([A-Za-z0-9_-]+):\s*(.*)$")
_CONTINUED_RE = re.compile(r"^ {4,}(\S.*)$")
_FIELD_RE = re.compile(r"^:([A-Za-z0-9_ -]+):\s*(.*)$")
_ADORNMENT_RE = re.compile(r"^([=\-`:'\"~^_*+#<>.])\1{2,}\s*$")
_DATE_RE = re.compile(
    r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)


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


def _date(value: str, where: str, harvest: Harvest) -> datetime:
    match = _DATE_RE.fullmatch(value.strip())
    try:
        if match is None:
            raise ValueError
        year, month, day, hour, minute, second, fraction, zone = match.groups()
        moment = datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        raise ArchiveError(
            f"{where}: date {value!r} is not a date; write it like 2014-03-21 15:02."
        ) from None
    if zone is None:
        harvest.note(NOTE_NAIVE_DATES)
        return as_utc(moment)
    if zone == "Z":
        return moment.replace(tzinfo=UTC)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return as_utc(moment.replace(tzinfo=timezone(sign * offset)))


def _read(file: Path) -> tuple[dict[str, str], str]:
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ArchiveError(f"{file}: not UTF-8 text; save it as UTF-8 and import again.") from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _rst_meta(text) if file.suffix.lower() in RST_SUFFIXES else _markdown_meta(text)


def _is_comment(path: Path) -> bool:
    suffix = path.suffix.lower()
    return path.is_file() and (suffix in MARKDOWN_SUFFIXES or suffix in RST_SUFFIXES)


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


def _read_article(folder: Path, harvest: Harvest) -> None:
    slug = folder.name
    files = [path for path in _visible(folder) if path.is_file()]
    comments = [file for file in files if _is_comment(file)]
    for file in files:
        if file not in comments:
            harvest.skipped.append(Skipped(f"{slug}/{file.name}", slug, "not a comment file"))
    if not is_slug(slug):
        for file in comments:
            harvest.skipped.append(Skipped(f"{slug}/{file.name}", slug, "folder is not a slug"))
        return
    parsed = {file: _read(file) for file in comments}
    names = _names(comments, {file: meta for file, (meta, _) in parsed.items()}, slug)
    for file, (meta, body) in parsed.items():
        ref = f"{slug}/{file.name}"
        if "date" not in meta:
            raise ArchiveError(
                f"{file}: no date: line in its metadata; add one like date: 2014-03-21 15:02."
            )
        created = _date(meta["date"], str(file), harvest)
        text = clean_text(body)
        if file.suffix.lower() in RST_SUFFIXES:
            harvest.note(NOTE_RST)
        if meta.get("website"):
            harvest.note(NOTE_WEBSITES)
        if not text:
            harvest.skipped.append(Skipped(ref, slug, "empty text"))
            continue
        reply_to = meta.get("replyto", "").strip()
        parent_ref = None
        if reply_to:
            parent_ref = (
                names.get(reply_to) or names.get(_slugify(reply_to)) or f"{slug}/{reply_to}"
            )
        harvest.comments.append(
            ImportedComment(
                ref=ref,
                parent_ref=parent_ref,
                article=slug,
                name=clean_name(meta.get("author")),
                email=clean_email(meta.get("email")),
                body_markdown=text,
                body_html=render_story(text),
                status=Status.APPROVED,
                created=created,
                updated=created,
            )
        )


def read_pelican_comment_system(folder: Path) -> Harvest:
    """Every comment file under the comments folder, one folder per article slug."""
    harvest = Harvest(SOURCE)
    for article in _article_folders(Path(folder)):
        _read_article(article, harvest)
    return harvest
