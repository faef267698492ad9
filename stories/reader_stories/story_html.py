"""Reader Markdown to safe HTML: a small Markdown subset, then an allowlist sanitiser.

Reader text is hostile. Markdown never passes raw HTML through and only links to
http(s)/mailto; nh3 then keeps only the tags and attributes listed here, so a bug in one
layer is still caught by the other.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

from reader_stories import bare_links
from reader_stories.text import clean

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}
)
ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Headings, images, tables, rules and raw HTML stay off: "# x" renders as a paragraph.
_ENABLED_RULES = [
    "emphasis",
    "blockquote",
    "list",
    "code",
    "fence",
    "backticks",
    "link",
    "reference",
    "autolink",
    "newline",
    "escape",
    "entity",
]
# A host (or address) must follow the scheme: "http://" alone would become an empty link.
_SAFE_LINK_RE = re.compile(r"^(?:https?://[^/?#\s]|mailto:[^\s])", re.IGNORECASE)
# Bare addresses count as links for spam limits: http(s) ones are made links (bare_links.py),
# and the rest (www.example.com, ftp://...) are counted here.
# The scheme's length is bounded (the longest registered one has 36 characters): unbounded,
# every letter of a long run like "a.a.a.a..." started a scan to the run's end, which made the
# search quadratic. Bounded, each start costs at most SCHEME_MAX steps: linear in the text.
SCHEME_MAX = 64
_BARE_URL_RE = re.compile(
    rf"(?:\b[a-z][a-z0-9+.-]{{0,{SCHEME_MAX - 1}}}://|\bwww\.)[^\s<>]+", re.IGNORECASE
)
_BLANK_LINES_RE = re.compile(r"\n{3,}")
_ELLIPSIS = "…"


def _validate_link(url: str) -> bool:
    """Only absolute http(s) and mailto links become links; anything else stays as text."""
    return bool(_SAFE_LINK_RE.match(url))


def _build_markdown() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "linkify": False, "breaks": True})
    md.enable(_ENABLED_RULES)
    md.validateLink = _validate_link  # type: ignore[method-assign]
    bare_links.enable(md)
    return md


_MARKDOWN = _build_markdown()
_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    # "*" replaces nh3's generic allowlist (title, lang) with nothing.
    attributes={"*": set(), "a": {"href"}},
    url_schemes=set(ALLOWED_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def _prepare(markdown: str) -> str:
    """Accepted text (text.py), even from old rows or unvalidated moderator edits."""
    return clean(markdown).strip()


@lru_cache(maxsize=32)
def _parsed(prepared: str) -> tuple[list[Token], dict[str, Any]]:
    """Tokens (and the parse's env) of a prepared text, read-only, parsed once: the intake counts
    a story's links and then renders it, and parsing is the costly part (markdown-it scans from
    each unclosed "[" to the end of the text)."""
    env: dict[str, Any] = {}
    return _MARKDOWN.parse(prepared, env), env


def sanitise(html: str) -> str:
    """The allowlist layer on its own: also fit for re-checking stored HTML at build time."""
    return _CLEANER.clean(html).strip()


def render_story(markdown: str) -> str:
    """Safe HTML for a story body, ready to drop into a page without escaping.

    Cleaned again after rendering: a character reference (&#xFFFF; or &#x202E;) becomes its
    character only there, and the HTML must hold accepted text as much as the Markdown does.
    """
    tokens, env = _parsed(_prepare(markdown))
    return clean(sanitise(_MARKDOWN.renderer.render(tokens, _MARKDOWN.options, env)))


def _inline_children(tokens: Iterable[Token]) -> Iterable[Token]:
    for token in tokens:
        if token.type == "inline" and token.children:
            yield from token.children
        else:
            yield token


def count_links(markdown: str) -> int:
    """Links a reader wrote: Markdown links and autolinks, plus bare web addresses in text."""
    count = 0
    inside_link = False
    for token in _inline_children(_parsed(_prepare(markdown))[0]):
        if token.type == "link_open":
            count += 1
            inside_link = True
        elif token.type == "link_close":
            inside_link = False
        elif not inside_link and token.type in {"text", "code_inline", "code_block", "fence"}:
            count += len(_BARE_URL_RE.findall(token.content))
    return count


def _host(address: str) -> str | None:
    """The host of a link's target or of a bare address ("www.example.com/x" has one too)."""
    if address.lower().startswith("mailto:"):
        return None
    parts = urlsplit(address if "://" in address else f"//{address}")
    try:
        return parts.hostname
    except ValueError:  # a malformed port or bracket: no host to name
        return None


def link_hosts(markdown: str) -> tuple[str, ...]:
    """The hosts of every link a reader wrote, in order: the links count_links counts."""
    hosts: list[str] = []
    inside_link = False
    for token in _inline_children(_parsed(_prepare(markdown))[0]):
        if token.type == "link_open":
            inside_link = True
            hosts.append(_host(str(token.attrs.get("href", ""))) or "")
        elif token.type == "link_close":
            inside_link = False
        elif not inside_link and token.type in {"text", "code_inline", "code_block", "fence"}:
            hosts.extend(_host(found) or "" for found in _BARE_URL_RE.findall(token.content))
    return tuple(host for host in hosts if host)


def shows_text(markdown: str) -> bool:
    """Whether the story, rendered, has any text a reader sees."""
    visible = re.sub(r"<[^>]*>", "", render_story(markdown))
    return bool(html.unescape(visible).strip())


def plain_text(markdown: str, limit: int | None = None) -> str:
    """Unescaped text for previews and feeds (escape it where it is output).

    Paragraphs are separated by a blank line; link targets are dropped. With ``limit``,
    the text is cut at a word boundary and ends with an ellipsis.
    """
    parts: list[str] = []
    for token in _inline_children(_parsed(_prepare(markdown))[0]):
        if token.type in {"text", "code_inline"}:
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append("\n")  # single newlines are line breaks here, as in render_story
        elif token.type in {"code_block", "fence"}:
            parts.append(token.content.rstrip("\n") + "\n\n")
        elif token.type == "paragraph_close":
            # Paragraphs in tight lists are hidden: one item per line, not a blank line.
            parts.append("\n" if token.hidden else "\n\n")
        elif token.type in {"bullet_list_close", "ordered_list_close"}:
            parts.append("\n")
    # Cleaned: character references are decoded here too (see render_story).
    text = clean(_BLANK_LINES_RE.sub("\n\n", "".join(parts))).strip()
    if limit is not None and len(text) > limit:
        keep = max(limit - len(_ELLIPSIS), 0)
        cut = text[:keep]
        mid_word = not text[keep].isspace()
        if mid_word and re.search(r"\s", cut):
            cut = re.split(r"\s(?=\S*$)", cut)[0]
        text = cut.rstrip(" \n.,;:") + _ELLIPSIS
    return text
