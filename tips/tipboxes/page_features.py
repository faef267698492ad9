"""What tips add to an article's pages: the "4 tips" label and the HowTo structured data.

Computed once per article in plain Python. As Jinja includes they were rebuilt on every list page
the article appears on (the label) and assembled dict by dict in template code (the HowTo):
together most of what tip boxes added to a build's template time.
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
    """The summary as text: the one another plugin may have stored already, else made here."""
    stored: str | None = getattr(article, "plain_summary", None)
    return stored if stored is not None else Markup(article.summary or "").striptags()


class HowToJson:
    """An article's HowTo JSON, made when its page is written: held for every article of a large
    site at once, the JSON strings cost more memory than the tips they are made from."""

    __slots__ = ("_article", "_fallback", "_page_url")

    def __init__(self, article: Any, page_url: str, fallback: str) -> None:
        self._article, self._page_url, self._fallback = article, page_url, fallback

    def __html__(self) -> str:
        article = self._article
        return howto_json(
            Markup(article.title).striptags(),
            plain_summary(article) or self._fallback,
            self._page_url,
            article.tips,
        )

    def __str__(self) -> str:
        return self.__html__()


def attach_tip_features(generator: Any) -> None:
    """article_generator_finalized handler; after a plugin that stores `plain_summary`, if any."""
    siteurl = generator.settings.get("SITEURL", "")
    fallback = generator.settings.get("SITE_DESCRIPTION", "")
    for article in [*generator.articles, *generator.translations]:
        tips = getattr(article, "tips", None) or []
        article.tip_count_label = tip_count_label(tips)
        if not tips:
            article.tips_howto_json = Markup("")
            continue
        article.tips_howto_json = HowToJson(article, f"{siteurl}/{article.url}", fallback)
