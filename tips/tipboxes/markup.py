"""HTML the tip boxes write themselves: escaped, and ASCII. Two ways to escape, one per place
the HTML goes: the Markdown extension's own markup (escape_html), and what the page features
write in place of a Jinja loop, byte for byte as Jinja's autoescape would (escape_as_jinja)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from markupsafe import escape as markupsafe_escape


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


def escape_as_jinja(text: str) -> str:
    """Text as Jinja's autoescape writes it (markupsafe's escape, "'" included), quickly when it
    has nothing to escape."""
    if "&" in text or "<" in text or ">" in text or '"' in text or "'" in text:
        return str(markupsafe_escape(text))
    return text
