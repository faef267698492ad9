"""Scaffold a new draft article so an author starts from valid metadata."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from pelican.settings import DEFAULT_CONFIG
from pelican.utils import slugify

TEMPLATE = """\
Title: {title}
Date: {date}
Category: {category}
Tags:
Slug: {slug}
Authors: {author}
Summary: One or two sentences that make someone want to read this.
Status: draft

Write the article here. Remove "Status: draft" when it is ready to publish.
"""


def new_article(
    title: str,
    content_dir: Path,
    now: datetime,
    category: str = "Career Growth",
    author: str = "Next Round editors",
) -> Path:
    """Write content_dir/SLUG.md as a dated draft and return its path; never overwrite."""
    title = " ".join(title.split())
    if not title:
        raise ValueError("Give the article a title, e.g. invoke new --title 'Asking for a raise'.")
    slug = slugify(title, regex_subs=DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"])
    if not slug:
        raise ValueError(f"The title {title!r} has no letters or digits to make a URL from.")
    path = content_dir / f"{slug}.md"
    if path.exists():
        raise FileExistsError(f"{path} already exists; pick another title or edit that file.")
    content_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        TEMPLATE.format(
            title=title,
            date=now.strftime("%Y-%m-%d %H:%M"),
            category=category,
            slug=slug,
            author=author,
        ),
        encoding="utf-8",
    )
    return path
