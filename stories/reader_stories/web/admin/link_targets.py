"""Link targets in full, beside their text, in the admin's previews of stories.

A reader's link can say one thing and go elsewhere ("[my bank](https://phish.example)", or an
address as its text that is not its target). A moderator judges where it goes, so every link
whose text is not its own address is followed by its target, written out.

The input is nh3's output (``story_html.sanitise``), whose links always read
``<a href="..." rel="...">``, attributes in double quotes with their quotes escaped, and never
nest; the target inserted is that attribute, already escaped, so no markup is ever made of a
reader's text.
"""

from __future__ import annotations

import html
import re
from urllib.parse import unquote

_LINK_RE = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)
_TAG_RE = re.compile(r"<[^>]*>")


def _with_target(match: re.Match[str]) -> str:
    href, inner = match.group(1), match.group(2)
    shown = html.unescape(_TAG_RE.sub("", inner)).strip()
    if unquote(shown) == unquote(html.unescape(href)):  # "Ü" in the text, "%C3%9C" in the href
        return match.group()
    return f'{match.group()} <span class="admin-link-target">(links to {href})</span>'


def show_link_targets(sanitised: str) -> str:
    """``sanitised`` with each link's target after it, unless the link's text is its target."""
    return _LINK_RE.sub(_with_target, sanitised)
