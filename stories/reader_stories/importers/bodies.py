"""Comment text as its source showed it, made safe: foreign HTML and Pelican-style Markdown.

Disqus stores HTML; pelican-comment-system's files are read by Pelican's Markdown, where a
single line break is a space and inline HTML is HTML. Both end in the stories' own sanitiser
(story_html.sanitise), so an imported comment can hold nothing a reader's story could not.
Italic and bold tags become em and strong first, so the emphasis survives the allowlist.
Isso's text is reader Markdown with HTML escaped and line breaks kept, which is exactly the
stories' own Markdown (story_html.render_story), so it needs nothing here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from lxml import html
from markdown_it import MarkdownIt

from reader_stories.story_html import sanitise
from reader_stories.text import clean

_RENAMED = {"i": "em", "b": "strong"}
_RENAME_RE = re.compile(r"<(/?)(i|b)(?=[\s>/])", re.IGNORECASE)
_SAFE_LINK_RE = re.compile(r"^(?:https?://[^/?#\s]|mailto:[^\s])", re.IGNORECASE)
_PARAGRAPHS = frozenset({"p", "blockquote", "pre", "ul", "ol"})
_BLANK_LINES_RE = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def foreign_html(fragment: str) -> str:
    """Sanitised HTML of a comment stored as HTML, emphasis kept."""
    renamed = _RENAME_RE.sub(lambda m: f"<{m[1]}{_RENAMED[m[2].lower()]}", fragment)
    return clean(sanitise(renamed))


@lru_cache(maxsize=1)
def _pelican_markdown() -> MarkdownIt:
    """CommonMark with inline HTML on and soft line breaks as spaces, as Python-Markdown reads
    a comment file (the command line does not load Python-Markdown itself)."""
    md = MarkdownIt("commonmark", {"html": True, "breaks": False, "linkify": False})
    md.validateLink = lambda url: bool(_SAFE_LINK_RE.match(url))  # type: ignore[method-assign]
    return md


def pelican_markdown_html(text: str) -> str:
    """Sanitised HTML of a pelican-comment-system Markdown comment."""
    return foreign_html(_pelican_markdown().render(clean(text)))


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
    return clean(_BLANK_LINES_RE.sub("\n\n", text)).strip()
