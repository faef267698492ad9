"""The theme's stylesheets and scripts are minified in the built site; the sources stay readable.

Comments and indentation are a good part of site.css and stories.js, and every reader downloads
them on their first page. rcssmin and rjsmin only drop what cannot change behaviour.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import rcssmin
import rjsmin

MINIFIERS = {".css": rcssmin.cssmin, ".js": rjsmin.jsmin}


def minify_file(path: Path) -> bool:
    """Rewrite one .css or .js file minified; False when there was nothing to gain."""
    minifier = MINIFIERS.get(path.suffix)
    if minifier is None:
        return False
    text = path.read_text(encoding="utf-8")
    smaller = minifier(text).strip() + "\n"
    if len(smaller) >= len(text):
        return False
    path.write_text(smaller, encoding="utf-8")
    return True


def minify_theme_assets(pelican: Any) -> None:
    """finalized handler: every stylesheet and script under the theme's output folder."""
    settings = pelican.settings
    if not settings.get("MINIFY_THEME_ASSETS", True):
        return
    folder = Path(pelican.output_path) / settings["THEME_STATIC_DIR"]
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            minify_file(path)
