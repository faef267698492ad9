"""A real build of the site over a story store of the test's own, for the republishing tests."""

from __future__ import annotations

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


def build_live(tmp_path: Path, db_url: str, secret: str = SECRET) -> tuple[Path, Republisher]:
    """A real build into tmp_path/site, and the republisher over it with the build's config."""
    report = build_site(
        SETTINGS,
        tmp_path / "site",
        {
            "SITEURL": "http://127.0.0.1:8000",
            "CACHE_PATH": str(tmp_path / "cache"),
            "COMMENTS": {**COMMENTS, "database_url": db_url, "secret_key": secret},
        },
        search_index=False,
    )
    return report.output, Republisher(config_from_pelican(report.settings), report.output)


def build(tmp_path: Path, db_url: str) -> Path:
    return build_live(tmp_path, db_url)[0]
