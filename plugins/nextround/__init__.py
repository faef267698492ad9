"""Next Round's own Pelican plugin: what this site's theme needs beyond the two packages it uses
(tipboxes and reader_stories.pelican_plugin, listed beside it in PLUGINS).

Pelican is imported inside register() only.
"""

from __future__ import annotations


def register() -> None:
    """Connect handlers; each lives in a module that does one job."""
    from pelican import signals

    from nextround import enrich, links, minify

    links.skip_impossible_link_scans()
    signals.generator_init.connect(links.use_site_root)
    signals.article_generator_finalized.connect(enrich.enrich_articles)
    signals.page_generator_finalized.connect(enrich.freeze_page_urls)
    signals.finalized.connect(minify.minify_theme_assets)
