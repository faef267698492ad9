"""Next Round's Pelican plugin: the one place where Pelican signals are connected.

Pelican is imported inside register() only, so the intake service can import
`reader_stories` on a host where the site is never built.
"""

from __future__ import annotations


def register() -> None:
    """Connect handlers; each lives in a module that does one job."""
    from pelican import signals

    from nextround import enrich, links, minify
    from reader_stories import pelican_plugin as stories
    from tipboxes import page_features as tip_features
    from tipboxes import pelican_glue as tips

    links.skip_impossible_link_scans()
    signals.generator_init.connect(links.use_site_root)
    signals.article_generator_finalized.connect(enrich.enrich_articles)
    # After enrich: the HowTo's description is the plain summary enrich computes.
    signals.article_generator_finalized.connect(tip_features.attach_tip_features)
    signals.page_generator_finalized.connect(enrich.freeze_page_urls)
    signals.article_generator_finalized.connect(stories.attach_stories)
    signals.article_writer_finalized.connect(stories.write_story_feeds)
    signals.readers_init.connect(tips.add_reader)
    signals.get_generators.connect(tips.get_generators)
    signals.finalized.connect(minify.minify_theme_assets)
