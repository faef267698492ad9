"""Next Round's own Pelican plugin: what this site's theme needs beyond the two packages it uses
(tipboxes and reader_stories.pelican_plugin, listed beside it in PLUGINS).

Pelican is imported inside register() only.
"""

from __future__ import annotations


def register() -> None:
    """Connect handlers; each lives in a module that does one job."""
    from pelican import signals

    from nextround import (
        enrich,
        links,
        minify,
        read_ahead,
        taxonomies,
        template_cache,
        terms,
    )
    from nextround.images import glue as images

    links.skip_impossible_link_scans()
    signals.initialized.connect(template_cache.keep_compiled_templates)
    signals.generator_init.connect(links.use_site_root)
    signals.content_object_init.connect(enrich.declare)
    signals.article_generator_finalized.connect(enrich.enrich_articles)
    signals.page_generator_finalized.connect(enrich.freeze_page_urls)
    signals.finalized.connect(minify.minify_theme_assets)
    # Markdown converted in worker processes while Pelican reads (nextround/read_ahead.py).
    signals.article_generator_preread.connect(read_ahead.convert_ahead)
    signals.page_generator_preread.connect(read_ahead.convert_ahead)
    signals.article_generator_pretaxonomy.connect(read_ahead.stop_after)
    signals.page_generator_finalized.connect(read_ahead.stop_after)
    signals.finalized.connect(read_ahead.finish)
    # Tag, category and author pages picked without scanning their lists.
    signals.all_generators_finalized.connect(taxonomies.index_taxonomies)
    # One object per tag, category and author, not one per article that names it.
    signals.all_generators_finalized.connect(terms.share_terms)
    # Images and share cards (nextround/images/): rewritten as read, files made at the end.
    signals.initialized.connect(images.start)
    signals.content_object_init.connect(images.rewrite_images)
    signals.article_generator_finalized.connect(images.plan_cards)
    signals.finalized.connect(images.finish)
