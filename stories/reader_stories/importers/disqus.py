"""Read a Disqus XML export (plain or .gz) into imported comments.

The export is ``<disqus xmlns="http://disqus.com">`` with ``<category>``s, ``<thread dsq:id>``
elements (``<link>``, ``<title>``) and ``<post dsq:id>`` elements: ``<message>`` (HTML in
CDATA), ``<createdAt>``, ``<isDeleted>``, ``<isSpam>``, ``<author><name>`` (and sometimes
``<email>``), ``<ipAddress>``, ``<thread dsq:id>`` and, on replies, ``<parent dsq:id>``.
Messages are HTML, so they go through the sanitiser, and a plain-text copy becomes the
story's Markdown (what previews, feeds and moderators' edits start from).
"""

from __future__ import annotations

import gzip
import re
from datetime import datetime
from pathlib import Path

from lxml import etree, html

from reader_stories.archive import ArchiveError
from reader_stories.importers.records import (
    NO_SLUG,
    NOTE_NO_IPS,
    Harvest,
    ImportedComment,
    Skipped,
    as_utc,
    clean_email,
    clean_name,
    clean_text,
    slug_from_uri,
)
from reader_stories.models import Status
from reader_stories.story_html import sanitise

SOURCE = "disqus"
DSQ_ID = "{http://disqus.com/disqus-internals}id"
_PARAGRAPHS = frozenset({"p", "blockquote", "pre", "ul", "ol"})
_BLANK_LINES_RE = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")
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
            raise ArchiveError(f"{self.where(post)}: <{name}> is {value!r}, not true or false.")
        return _FLAGS.get(value, False)

    def created(self, post: etree._Element) -> datetime:
        found = post.find(self.tag("createdAt"))
        value = (found.text or "").strip() if found is not None else ""
        try:
            return as_utc(datetime.fromisoformat(value))
        except ValueError:
            where = self.where(post if found is None else found)
            raise ArchiveError(
                f"{where}: <createdAt> is {value!r}, not a time like 2024-05-01T09:30:00Z."
            ) from None


def text_of_html(fragment: str) -> str:
    """Readable text of sanitised HTML: paragraphs, line breaks, list items, link targets."""
    if not fragment.strip():
        return ""
    parts: list[str] = []

    def walk(node: html.HtmlElement) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            parts.append("\n")
        elif tag in _PARAGRAPHS:
            parts.append("\n\n")
        elif tag == "li":
            parts.append("\n- ")
        parts.append(node.text or "")
        for child in node:
            walk(child)
            parts.append(child.tail or "")
        href = node.get("href") if tag == "a" else None
        if href and href != node.text_content().strip():
            parts.append(f" ({href})")
        if tag in _PARAGRAPHS:
            parts.append("\n\n")

    walk(html.fragment_fromstring(fragment, create_parent="div"))
    text = "\n".join(line.rstrip() for line in "".join(parts).split("\n"))
    return clean_text(_BLANK_LINES_RE.sub("\n\n", text))


def read_disqus(path: Path) -> Harvest:
    """Every post of the export: spam kept as spam, deleted posts skipped."""
    path = Path(path)
    root = _parse(path)
    reader = _Reader(path, root)
    harvest = Harvest(SOURCE, notes=[NOTE_NO_IPS])
    links: dict[str, str] = {}
    for thread in root.iterfind(reader.tag("thread")):
        thread_id = reader.dsq_id(thread)
        if thread_id is None:
            raise ArchiveError(f"{reader.where(thread)}: a <thread> without dsq:id.")
        links[thread_id] = reader.text(thread, "link")
    for post in root.iterfind(reader.tag("post")):
        post_id = reader.dsq_id(post)
        if post_id is None:
            raise ArchiveError(f"{reader.where(post)}: a <post> without dsq:id.")
        ref = f"post {post_id}"
        thread_id = reader.dsq_id(post, "thread")
        if thread_id is None:
            raise ArchiveError(f"{reader.where(post)}: post {post_id} has no <thread dsq:id>.")
        if thread_id not in links:
            raise ArchiveError(
                f"{reader.where(post)}: post {post_id} belongs to thread {thread_id}, "
                "which the export does not contain; the file is incomplete."
            )
        link = links[thread_id]
        slug = slug_from_uri(link)
        body_html = sanitise(reader.text(post, "message"))
        body = text_of_html(body_html)
        if reader.flag(post, "isDeleted"):
            harvest.skipped.append(Skipped(ref, slug or link, "deleted"))
        elif slug is None:
            harvest.skipped.append(Skipped(ref, link, NO_SLUG))
        elif not body:
            harvest.skipped.append(Skipped(ref, slug, "empty message"))
        else:
            harvest.comments.append(_comment(reader, post, ref, slug, body, body_html))
    return harvest


def _comment(
    reader: _Reader, post: etree._Element, ref: str, slug: str, body: str, body_html: str
) -> ImportedComment:
    created = reader.created(post)
    parent_id = reader.dsq_id(post, "parent")
    return ImportedComment(
        ref=ref,
        parent_ref=None if parent_id is None else f"post {parent_id}",
        article=slug,
        name=clean_name(reader.text(post, "author/name")),
        email=clean_email(reader.text(post, "author/email")),
        body_markdown=body,
        body_html=body_html,
        status=Status.SPAM if reader.flag(post, "isSpam") else Status.APPROVED,
        created=created,
        updated=created,
    )
