"""What tips add to an article's pages: the "4 tips" label and the HowTo structured data.

Made in plain Python. As Jinja includes they were rebuilt on every list page the article appears
on (the label) and assembled dict by dict in template code (the HowTo): together most of what
tip boxes added to a build's template time. Both hang from ``article.tips`` itself rather than
from attributes of their own: past 29 attribute names in all, CPython 3.11 stops sharing them
and each article's attributes take 1.6 KB instead of about 300 bytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup

from tipboxes.extension import ACTION_LABEL, Tip

# One encoder for every page: json.dumps with any option builds a new one on each call.
_SORTED_JSON = json.JSONEncoder(sort_keys=True)


def tip_count_label(tips: Sequence[Tip]) -> str:
    """ "4 tips", "1 tip", or "" for an article without tips."""
    if not tips:
        return ""
    return f"{len(tips)} tip{'s' if len(tips) != 1 else ''}"


def howto(title: str, description: str, page_url: str, tips: Sequence[Tip]) -> dict[str, Any]:
    """schema.org HowTo: one step per tip, each linking to its box on the page."""
    return {
        "@context": "https://schema.org",
        "@type": "HowTo",
        "name": title,
        "description": description,
        "url": page_url,
        "step": [
            {
                "@type": "HowToStep",
                "position": tip.number,
                "name": tip.headline,
                "text": f"{tip.text} {ACTION_LABEL} {tip.action}" if tip.action else tip.text,
                "url": f"{page_url}#{tip.id}",
            }
            for tip in tips
        ],
    }


def howto_json(title: str, description: str, page_url: str, tips: Sequence[Tip]) -> Markup:
    """The HowTo as JSON safe inside a <script> element, exactly as Jinja's `tojson` writes it."""
    if not tips:
        return Markup("")
    return htmlsafe_json_dumps(howto(title, description, page_url, tips), dumps=_SORTED_JSON.encode)


def plain_summary(article: Any) -> str:
    """The summary as text, made as the page is written rather than kept for every article."""
    return Markup(article.summary or "").striptags()


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
    def howto_json(self) -> Markup:
        article = self._article
        return howto_json(
            Markup(article.title).striptags(),
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
