"""What tips add to an article's pages: the "4 tips" label, the HowTo structured data, and the
links of the "Key takeaways" list and of the /tips/ page.

Made in plain Python. As Jinja includes they were rebuilt on every list page the article appears
on (the label) and assembled dict by dict in template code (the HowTo): together most of what
tip boxes added to a build's template time. All hang from ``article.tips`` itself rather than
from attributes of their own: past 29 attribute names in all, CPython 3.11 stops sharing them
and each article's attributes take 1.6 KB instead of about 300 bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from markupsafe import Markup, escape

from tipboxes.markup import escape_as_jinja
from tipboxes.syntax import KINDS
from tipboxes.tip import ACTION_LABEL, Tip

# How the /tips/ page names a kind before a title; a plain tip goes unnamed.
_KIND_NAMES = {
    name: f'<span class="kind">{escape(kind.label)}:</span> '
    for name, kind in KINDS.items()
    if name != "tip"
}
# A string as JSON, ASCII only, as json.dumps writes it (the C encoder's own function).
_json_string = json.encoder.encode_basestring_ascii
# What Jinja's `tojson` escapes so that JSON is safe inside a <script> element.
_SCRIPT_ESCAPES = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"))


def tip_count_label(tips: Sequence[Tip]) -> str:
    """ "4 tips", "1 tip", or "" for an article without tips."""
    if not tips:
        return ""
    return f"{len(tips)} tip{'s' if len(tips) != 1 else ''}"


def howto_json(title: str, description: str, page_url: str, tips: Sequence[Tip]) -> Markup:
    """schema.org HowTo, one step per tip linking to its box, as JSON safe inside a <script>
    element, exactly as Jinja's `tojson` writes it (keys sorted, "<", ">", "&" and "'"
    escaped). Written directly: through a dict and json's encoder it took twice as long, on
    every article page."""
    if not tips:
        return Markup("")
    steps = ", ".join(
        f'{{"@type": "HowToStep", "name": {_json_string(tip.headline)}, '
        f'"position": {tip.number:d}, "text": '
        f"{_json_string(f'{tip.text} {ACTION_LABEL} {tip.action}' if tip.action else tip.text)}, "
        f'"url": {_json_string(f"{page_url}#{tip.id}")}}}'
        for tip in tips
    )
    written = (
        f'{{"@context": "https://schema.org", "@type": "HowTo", '
        f'"description": {_json_string(description)}, "name": {_json_string(title)}, '
        f'"step": [{steps}], "url": {_json_string(page_url)}}}'
    )
    for char, escaped in _SCRIPT_ESCAPES:
        if char in written:  # a search in C; replace() would count through the whole JSON
            written = written.replace(char, escaped)
    return Markup(written)


def plain_summary(article: Any) -> str:
    """The summary as text, made as the page is written rather than kept for every article."""
    return text_of(article.summary or "")


def text_of(html: str) -> str:
    """HTML as the text a reader sees, as markupsafe's striptags() gives it. Most titles hold
    no tag and no character reference: their text is their words. Most summaries are one
    paragraph with no other tag: its words, without two passes of regular expressions."""
    if "&" not in html:
        if "<" not in html:
            return " ".join(html.split())
        if html.startswith("<p>") and html.endswith("</p>") and html.count("<") == 2:
            return " ".join(html[3:-4].split())
    return Markup(html).striptags()


class ArticleTips(list[Tip]):
    """An article's tips (``article.tips``), in order, with what its pages show of them:
    ``count_label`` ("4 tips", or "" without tips) and ``howto_json`` (empty without tips),
    both made when a page asks: held for every article of a large site at once, the JSON
    strings cost more memory than the tips they are made from."""

    __slots__ = ("_article", "_fallback", "_siteurl")

    def __init__(self, tips: Sequence[Tip], article: Any, siteurl: str, fallback: str) -> None:
        super().__init__(tips)
        self._article, self._siteurl, self._fallback = article, siteurl, fallback

    @property
    def count_label(self) -> str:
        return tip_count_label(self)

    @property
    def takeaway_items(self) -> Markup:
        """The "Key takeaways" list's items, each a link to its tip box, one per line: as the
        theme's loop in Jinja wrote them, in a fifth of the time, on every article page."""
        return Markup(
            "\n    ".join(
                f'<li><a href="#{escape_as_jinja(tip.id)}">{escape_as_jinja(tip.headline)}</a></li>'
                for tip in self
            )
        )

    def link_items(self, page_url: str) -> Markup:
        """The article's entries on the /tips/ page, one per line: a link to each box, the
        kind named first unless it is a plain tip. Made here for the takeaways' reason: at
        1,000 articles the page lists 4,000 tips."""
        href = escape_as_jinja(page_url)
        return Markup(
            "\n    ".join(
                f'<li><a href="{href}#{escape_as_jinja(tip.id)}">'
                f"{_KIND_NAMES.get(tip.kind, '')}{escape_as_jinja(tip.title)}</a></li>"
                for tip in self
            )
        )

    @property
    def howto_json(self) -> Markup:
        article = self._article
        return howto_json(
            text_of(article.title),
            plain_summary(article) or self._fallback,
            f"{self._siteurl}/{article.url}",
            self,
        )


def declare_tips(content: Any) -> None:
    """content_object_init: ``article.tips`` on every article, as it is made, so CPython 3.11
    shares the name among all articles (it stops adding shared names once many exist)."""
    from pelican.contents import Article

    if isinstance(content, Article) and not hasattr(content, "tips"):
        content.tips = []


def attach_tip_features(generator: Any) -> None:
    """article_generator_finalized handler."""
    siteurl = generator.settings.get("SITEURL", "")
    fallback = generator.settings.get("SITE_DESCRIPTION", "")
    for article in [*generator.articles, *generator.translations]:
        article.tips = ArticleTips(getattr(article, "tips", None) or [], article, siteurl, fallback)
