"""Minifying the theme's assets in the output: smaller, same rules, other files untouched."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from nextround.minify import minify_file, minify_theme_assets

CSS = """/* Tokens */
:root {
  --accent: #0b5f73;
}

.story  >  h3 { color: var(--accent); }   /* headings */
"""
JS = """// Enhance the form.
(function () {
  "use strict";
  var form = document.getElementById("story-form");  // may be missing
  if (!form) { return; }
})();
"""


def test_css_and_js_lose_comments_and_spacing_only(tmp_path: Path) -> None:
    css, js, other = tmp_path / "a.css", tmp_path / "a.js", tmp_path / "a.svg"
    css.write_text(CSS)
    js.write_text(JS)
    other.write_text("<svg>  <!-- kept -->  </svg>\n")
    assert minify_file(css) and minify_file(js) and not minify_file(other)
    assert css.read_text() == ":root{--accent:#0b5f73}.story>h3{color:var(--accent)}\n"
    assert js.read_text() == (
        '(function(){"use strict";var form=document.getElementById("story-form");'
        "if(!form){return;}})();\n"
    )
    assert other.read_text() == "<svg>  <!-- kept -->  </svg>\n"
    assert not minify_file(css)  # already minified: nothing to gain, file left alone


def test_the_setting_turns_it_off(tmp_path: Path) -> None:
    folder = tmp_path / "theme" / "css"
    folder.mkdir(parents=True)
    (folder / "site.css").write_text(CSS)
    pelican = SimpleNamespace(
        output_path=str(tmp_path),
        settings={"THEME_STATIC_DIR": "theme", "MINIFY_THEME_ASSETS": False},
    )
    minify_theme_assets(pelican)
    assert (folder / "site.css").read_text() == CSS
    pelican.settings["MINIFY_THEME_ASSETS"] = True
    minify_theme_assets(pelican)
    assert (folder / "site.css").read_text().startswith(":root{")
