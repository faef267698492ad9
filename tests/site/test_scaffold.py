from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from sitetools.scaffold import new_article

NOW = datetime(2026, 11, 25, 9, 30)


def test_new_article_is_a_dated_draft_with_a_slug(tmp_path: Path) -> None:
    path = new_article("  Asking for a Raise, Politely!  ", tmp_path, NOW, category="Negotiation")
    assert path == tmp_path / "asking-for-a-raise-politely.md"
    text = path.read_text()
    assert text.startswith("Title: Asking for a Raise, Politely!\nDate: 2026-11-25 09:30\n")
    assert "Category: Negotiation\n" in text
    assert "Slug: asking-for-a-raise-politely\n" in text
    assert "Status: draft\n" in text


def test_new_article_never_overwrites(tmp_path: Path) -> None:
    new_article("Same title", tmp_path, NOW)
    with pytest.raises(FileExistsError, match=r"same-title\.md already exists"):
        new_article("Same title", tmp_path, NOW)


@pytest.mark.parametrize("title", ["", "   ", "!!!"])
def test_new_article_needs_a_usable_title(tmp_path: Path, title: str) -> None:
    with pytest.raises(ValueError):
        new_article(title, tmp_path, NOW)
    assert list(tmp_path.iterdir()) == []
