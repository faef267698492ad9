"""What a built article page says about its article: the stories section's data attributes.

The stories section carries the article's title, address and date (``data-article-*``), so the
republisher and the moderator's email know them from the page alone, without Pelican. The
standard library's parser keeps the approval command from loading lxml, a large part of its
start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from reader_stories.config import Config
from reader_stories.pages.section import SECTION_BEGIN, SECTION_END


class _SectionAttributes(HTMLParser):
    """The attributes of the first <section> fed to it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "section" and not self.found:
            self.found = {name: value or "" for name, value in attrs}


def section_attributes(section_html: str) -> dict[str, str]:
    """The attributes of the stories <section> at the start of ``section_html``."""
    parser = _SectionAttributes()
    parser.feed(section_html[: section_html.find(">", section_html.find("<section")) + 1])
    parser.close()
    return parser.found


@dataclass(frozen=True)
class ArticleTitles:
    """Articles' titles as the built site shows them, looked up in each folder in turn."""

    folders: tuple[Path, ...]
    article_save_as: str

    @classmethod
    def for_config(cls, config: Config) -> ArticleTitles:
        """The live site first (where moderation rewrites pages), then the build's output."""
        folders = [config.live_site, config.site.output]
        unique = tuple(dict.fromkeys(folder for folder in folders if folder is not None))
        return cls(unique, config.site.article_save_as)

    def title(self, slug: str) -> str | None:
        """The article's title, or None when no built page of it has a stories section."""
        for folder in self.folders:
            try:
                text = (folder / self.article_save_as.format(slug=slug)).read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            start = text.find(SECTION_BEGIN)
            if start < 0 or text.find(SECTION_END, start) < 0:
                continue
            title = section_attributes(text[start:]).get("data-article-title", "").strip()
            if title:
                return title
        return None
