"""A site built with its articles' terms shared (plugins/nextround/terms.py) is byte for byte the
site built with one term object per article, spellings that differ by case included."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bench.corpus import write_corpus
from nextround import terms
from sitetools.build import build_site

ROOT = Path(__file__).resolve().parents[2]
SECRET = "test-secret-key-that-is-long-enough-0123456789"

pytestmark = pytest.mark.slow

DIFFERENT_CASE = (
    "Title: Asking for a raise\nDate: 2026-03-03\nCategory: negotiation\n"
    "Tags: Promotion, mentoring\nAuthors: priya raman\n\nAsk with numbers.\n"
)


def _build(folder: Path, content: Path, name: str) -> dict[str, bytes]:
    output = folder / name
    build_site(
        ROOT / "pelicanconf.py",
        output,
        {
            "PATH": str(content),
            "SITEURL": "http://127.0.0.1:8000",
            "CACHE_PATH": str(folder / f"cache-{name}"),
            "COMMENTS": {
                "database_url": f"sqlite:///{folder / 'stories.sqlite3'}",
                "secret_key": SECRET,
                "policy_url": "privacy/",
            },
            "BUILD_PROCESSES": 1,
        },
        search_index=False,
    )
    return {str(p.relative_to(output)): p.read_bytes() for p in output.rglob("*") if p.is_file()}


def test_shared_terms_change_no_byte_of_the_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    content = tmp_path / "content"
    write_corpus(content, 40)
    (content / "articles" / "asking-for-a-raise.md").write_text(DIFFERENT_CASE, "utf-8")
    with caplog.at_level(logging.DEBUG, logger="nextround.terms"):
        shared = _build(tmp_path, content, "shared")
    swapped = [r.args[0] for r in caplog.records if r.name == "nextround.terms"]
    assert swapped and swapped[0] > 100  # 41 articles, 5 terms each, a few hundred shared
    monkeypatch.setattr(terms, "share_generator_terms", lambda generator: 0)
    own = _build(tmp_path, content, "own")
    assert sorted(shared) == sorted(own)
    assert [name for name in shared if shared[name] != own[name]] == []
    page = shared["asking-for-a-raise/index.html"].decode()
    assert ">Promotion<" in page and ">negotiation<" in page  # as the article wrote them
