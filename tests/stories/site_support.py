"""A real build of the site over a story store of the test's own, for the republishing tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import store_calls as calls

from pelicanconf import COMMENTS
from reader_stories.config import config_from_pelican
from reader_stories.pages.republish import Republisher
from reader_stories.validation import validate_submission
from sitetools.build import build_site

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "pelicanconf.py"
SECRET = "publishing-test-secret-0123456789-abcdef"
SEED = "handling-job-rejection"
ENV = {"COMMENTS_SECRET_KEY": SECRET}


def submit(store, name: str, story: str, article: str = SEED, reply_to: str = "", email=""):
    form = {
        "article": article,
        "name": name,
        "story": story,
        "consent": "yes",
        "reply_to": reply_to,
        "email": email,
        "notify": "yes" if email else "",
    }
    return calls.add_submission(store, validate_submission(form, ip_hash="f" * 64))


def build_live(
    tmp_path: Path,
    db_url: str,
    secret: str = SECRET,
    comments: dict[str, object] | None = None,
    content: Path | None = None,
) -> tuple[Path, Republisher]:
    """A real build into tmp_path/site, and the republisher over it with the build's config.
    ``comments`` adds COMMENTS settings; ``content`` is another content folder to build."""
    overrides: dict[str, object] = {
        "SITEURL": "http://127.0.0.1:8000",
        "CACHE_PATH": str(tmp_path / "cache"),
        "COMMENTS": {**COMMENTS, **(comments or {}), "database_url": db_url, "secret_key": secret},
    }
    if content is not None:
        overrides["PATH"] = str(content)
    report = build_site(SETTINGS, tmp_path / "site", overrides, search_index=False)
    return report.output, Republisher(config_from_pelican(report.settings), report.output)


def build(
    tmp_path: Path,
    db_url: str,
    comments: dict[str, object] | None = None,
    content: Path | None = None,
) -> Path:
    return build_live(tmp_path, db_url, comments=comments, content=content)[0]


def content_with(tmp_path: Path, slug: str, *metadata: str) -> Path:
    """A copy of the site's content where the article ``slug`` has these metadata lines too."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    article = content / "articles" / f"{slug}.md"
    lines = article.read_text(encoding="utf-8").split("\n")
    article.write_text("\n".join([lines[0], *metadata, *lines[1:]]), encoding="utf-8")
    return content
