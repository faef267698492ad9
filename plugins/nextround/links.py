"""Links written in content ({filename}about.md) become root-relative, like the theme's links.

Pelican prefixes them with SITEURL, which ties a built page to one host and port; feeds keep
absolute links because Pelican renders feed content with SITEURL itself.
"""

from __future__ import annotations

from typing import Any


def use_site_root(generator: Any) -> None:
    generator.context["localsiteurl"] = generator.settings.get("SITE_ROOT", "")
