"""Tip boxes for Pelican: "/// tip | Title" blocks as numbered, accessible boxes, a site-wide
tips page, and HowTo structured data.

Add "tipboxes" to PLUGINS. The Markdown extension (tipboxes.extension) needs only
Python-Markdown and works on its own; the plugin adds it to Pelican's Markdown settings when they
do not name it, records each article's tips and writes the tips page. Pelican is imported inside
register() only.
"""

from __future__ import annotations


def register() -> None:
    from tipboxes import pelican_glue

    pelican_glue.register()
