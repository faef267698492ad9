"""Read a Disqus XML export (plain or .gz) into imported comments.

The export is ``<disqus xmlns="http://disqus.com">`` with ``<category>``s, ``<thread dsq:id>``
elements (``<link>``, ``<title>``) and ``<post dsq:id>`` elements: ``<message>`` (HTML in
CDATA), ``<createdAt>``, ``<isDeleted>``, ``<isSpam>``, ``<author><name>`` (and sometimes
``<email>``), ``<ipAddress>``, ``<thread dsq:id>`` and, on replies, ``<parent dsq:id>``.
Messages are HTML, so they go through the sanitiser, and a plain-text copy becomes the
story's Markdown (what previews, feeds and moderators' edits start from). A thread's
``<isDeleted>`` hides its posts as Disqus did.
"""

from __future__ import annotations

import gzip
from datetime import datetime
from pathlib import Path

from lxml import etree

from reader_stories.archive import ArchiveError
from reader_stories.importers.bodies import foreign_html, text_of_html
from reader_stories.importers.records import (
    NOTE_NO_IPS,
    Harvest,
    ImportedComment,
    Skipped,
    as_utc,
    clean_email,
    clean_name,
)
from reader_stories.models import Status

SOURCE = "disqus"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
_FLAGS = {"true": True, "false": False, "1": True, "0": False}


def _parse(path: Path) -> etree._Element:
    """The document root; a file that is not well-formed XML is reported with lxml's line."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as handle:
                return etree.parse(handle, parser).getroot()
        return etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as problem:
        raise ArchiveError(
            f"{path.name}, line {problem.lineno}: not well-formed XML ({problem.msg}); "
            "the export may be cut short. Download it from Disqus again."
        ) from None
    except (OSError, EOFError) as problem:
        raise ArchiveError(f"{path}: cannot read it ({problem}).") from None


class _Reader:
    """Reads elements in the export's namespace and reports problems with their line."""

    def __init__(self, path: Path, root: etree._Element) -> None:
        self.path = path
        self.ns = etree.QName(root).namespace
        if etree.QName(root).localname != "disqus":
            raise ArchiveError(
                f"{path.name}, line {root.sourceline}: not a Disqus export; its root element "
                f"is <{etree.QName(root).localname}>, not <disqus>."
            )

    def tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}" if self.ns else name

    def where(self, element: etree._Element) -> str:
        return f"{self.path.name}, line {element.sourceline}"

    def text(self, element: etree._Element, path: str) -> str:
        found = element.find("/".join(self.tag(part) for part in path.split("/")))
        return (found.text or "").strip() if found is not None else ""

    def dsq_id(self, element: etree._Element, child: str | None = None) -> str | None:
        if child is not None:
            element = element.find(self.tag(child))
            if element is None:
                return None
        return element.get(DSQ_ID)

    def flag(self, post: etree._Element, name: str) -> bool:
        value = self.text(post, name).lower()
        if value and value not in _FLAGS:
            raise ArchiveError(f"<{name}> is {value!r} ({self.where(post)}), not true or false")
        return _FLAGS.get(value, False)

    def created(self, post: etree._Element) -> datetime:
        found = post.find(self.tag("createdAt"))
        value = (found.text or "").strip() if found is not None else ""
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            where = self.where(post if found is None else found)
            raise ArchiveError(
                f"<createdAt> is {value!r} ({where}), not a time like 2024-05-01T09:30:00Z"
            ) from None


# Post fields the store has no place for, named in the report when a post has one.
_AUTHOR_DROPPED = {"username": "Disqus user names"}
_POST_FIELDS = frozenset(
    {
        "id",
        "message",
        "createdAt",
        "isDeleted",
        "isSpam",
        "author",
        "ipAddress",
        "thread",
        "parent",
        "forum",
        "isClosed",
    }
)
_AUTHOR_FIELDS = frozenset({"name", "email", "isAnonymous", "username"})


class _Odd(Exception):
    """One record that cannot be read; it is reported and skipped, the rest imported."""


def _threads(reader: _Reader, root: etree._Element) -> dict[str, tuple[str, bool]]:
    """Each thread's link and whether Disqus marks it deleted; a thread without an id is
    left out (its posts are then reported as having no thread)."""
    threads: dict[str, tuple[str, bool]] = {}
    for thread in root.iterfind(reader.tag("thread")):
        thread_id = reader.dsq_id(thread)
        if thread_id is not None:
            deleted = reader.text(thread, "isDeleted").lower() in {"true", "1"}
            threads[thread_id] = (reader.text(thread, "link"), deleted)
    return threads


def _note_dropped(reader: _Reader, post: etree._Element, harvest: Harvest) -> None:
    for child in post:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "id" and (child.text or "").strip():
            harvest.drop("Disqus's own post ids (<id>, such as wp_id=)")
        elif name == "author":
            for part in child:
                if not isinstance(part.tag, str) or not (part.text or "").strip():
                    continue
                field = etree.QName(part).localname
                if field in _AUTHOR_DROPPED:
                    harvest.drop(_AUTHOR_DROPPED[field])
                elif field not in _AUTHOR_FIELDS:
                    harvest.drop(f"<author><{field}>")
        elif name not in _POST_FIELDS and ((child.text or "").strip() or len(child)):
            harvest.drop(f"<{name}>")


def read_disqus(path: Path) -> Harvest:
    """Every post of the export. Spam stays spam; deleted posts, posts of deleted threads and
    records that cannot be read are reported and left out, never stopping the rest."""
    path = Path(path)
    root = _parse(path)
    reader = _Reader(path, root)
    harvest = Harvest(SOURCE, notes=[NOTE_NO_IPS])
    threads = _threads(reader, root)
    for post in root.iterfind(reader.tag("post")):
        post_id = reader.dsq_id(post)
        if post_id is None:
            where = f"line {post.sourceline}"
            harvest.skipped.append(Skipped(f"post at {where}", "", "a post without dsq:id"))
            continue
        ref = f"post {post_id}"
        thread_id = reader.dsq_id(post, "thread")
        if thread_id is None or thread_id not in threads:
            reason = (
                "a post without a thread"
                if thread_id is None
                else f"its thread {thread_id} is not in the export"
            )
            harvest.skipped.append(Skipped(ref, "", reason))
            continue
        link, thread_deleted = threads[thread_id]
        try:
            deleted = reader.flag(post, "isDeleted")
            if deleted:
                harvest.skipped.append(Skipped(ref, link, "deleted in Disqus"))
            elif thread_deleted:
                harvest.skipped.append(Skipped(ref, link, "its thread is deleted in Disqus"))
            else:
                comment = _comment(reader, post, ref, link)
                if not comment.body_markdown:
                    harvest.skipped.append(Skipped(ref, link, "an empty message"))
                else:
                    _note_dropped(reader, post, harvest)
                    harvest.comments.append(comment)
        except ArchiveError as problem:
            harvest.skipped.append(Skipped(ref, link, str(problem)))
    return harvest


def _comment(reader: _Reader, post: etree._Element, ref: str, link: str) -> ImportedComment:
    created = reader.created(post)
    parent_id = reader.dsq_id(post, "parent")
    body_html = foreign_html(reader.text(post, "message"))
    return ImportedComment(
        ref=ref,
        parent_ref=None if parent_id is None else f"post {parent_id}",
        source_url=link,
        name=clean_name(reader.text(post, "author/name")),
        email=clean_email(reader.text(post, "author/email")),
        body_markdown=text_of_html(body_html),
        body_html=body_html,
        status=Status.SPAM if reader.flag(post, "isSpam") else Status.APPROVED,
        created=created,
        updated=created,
    )
