"""A real build of the site over a story store of the test's own, for the republishing tests."""

from __future__ import annotations

from pathlib import Path

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
    return store.add_submission(validate_submission(form, ip_hash="f" * 64))


def build(tmp_path: Path, db_url: str) -> Path:
    output = tmp_path / "site"
    build_site(
        SETTINGS,
        output,
        {
            "SITEURL": "http://127.0.0.1:8000",
            "CACHE_PATH": str(tmp_path / "cache"),
            "COMMENTS": {"database_url": db_url, "secret_key": SECRET},
        },
        search_index=False,
    )
    return output
