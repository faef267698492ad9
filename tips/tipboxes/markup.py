"""HTML the tip boxes write themselves, around the author's Markdown: escaped, and ASCII."""

from __future__ import annotations

from xml.sax.saxutils import escape


def ascii_html(html: str) -> str:
    """Our own markup, with every other character as a reference (&#9733; for the star): an
    article written in ASCII stays ASCII, which Python holds in one byte a character rather
    than two, and a build holds every article's HTML until its page is written."""
    return html.encode("ascii", "xmlcharrefreplace").decode("ascii")


def escape_html(text: str) -> str:
    """Text for HTML we write ourselves, safe in content and in double-quoted attributes."""
    if "&" not in text and "<" not in text and ">" not in text and '"' not in text:
        return text
    return escape(text, {'"': "&quot;"})
