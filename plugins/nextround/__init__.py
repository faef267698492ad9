"""Next Round's Pelican plugin: the one place where Pelican signals are connected."""

from __future__ import annotations

from pelican import signals

from nextround import enrich


def register() -> None:
    """Connect handlers; each lives in a module that does one job."""
    signals.article_generator_finalized.connect(enrich.enrich_articles)
