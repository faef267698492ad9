"""Author and maintainer tasks. Run `invoke --list`; each task's docstring is its help text.

The tasks are thin: the work happens in plain functions in sitetools/ and plugins/nextround/.
"""

from __future__ import annotations

import logging
import shutil
import sys
from datetime import datetime
from pathlib import Path

from invoke import Collection, Exit, task

ROOT = Path(__file__).resolve().parent
sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]

CONFIG = {
    "settings": ROOT / "pelicanconf.py",
    "publish_settings": ROOT / "publishconf.py",
    "output": ROOT / "output",
    "content": ROOT / "content" / "articles",
    "staging": ROOT / "var" / "publish",
    "screenshots": ROOT / "docs" / "screenshots",
    "host": "127.0.0.1",
    "port": 8000,
}


def _build(settings: Path, output: Path) -> None:
    from pelican.log import init as init_logging

    from sitetools.build import BuildFailed, build_site

    init_logging(level=logging.WARNING)
    try:
        report = build_site(settings, output)
    except BuildFailed as failure:
        raise Exit(str(failure), code=1) from None
    print(f"Built {output.relative_to(ROOT)}/ in {report.seconds:.2f} s")


@task
def clean(c):
    """Remove the generated site (output/)."""
    shutil.rmtree(CONFIG["output"], ignore_errors=True)


@task
def build(c):
    """Build the site into output/ with the development settings, then index it for search."""
    _build(CONFIG["settings"], CONFIG["output"])


@task(pre=[clean, build])
def rebuild(c):
    """Remove output/ and build the site from scratch."""


@task
def regenerate(c):
    """Rebuild automatically whenever content, theme or settings change (no server)."""
    from pelican import main as pelican_main

    pelican_main(["-r", "-s", str(CONFIG["settings"]), "-o", str(CONFIG["output"])])


@task(help={"build": "build the site first (default); --no-build serves output/ as it is"})
def serve(c, build=True):
    """Build, then serve the site at http://127.0.0.1:8000 until Ctrl+C."""
    import uvicorn

    from sitetools.serve import create_app

    if build or not CONFIG["output"].is_dir():
        _build(CONFIG["settings"], CONFIG["output"])
    print(f"Serving the site at http://{CONFIG['host']}:{CONFIG['port']}/ (Ctrl+C stops)")
    uvicorn.run(
        create_app(CONFIG["output"]), host=CONFIG["host"], port=CONFIG["port"], log_level="warning"
    )


@task
def livereload(c):
    """Serve at http://127.0.0.1:8000 and rebuild and reload the browser on every change."""
    from livereload import Server

    _build(CONFIG["settings"], CONFIG["output"])
    server = Server()
    for pattern in ("content/**/*", "theme/**/*", "plugins/**/*.py", "pelicanconf.py"):
        server.watch(str(ROOT / pattern), lambda: _build(CONFIG["settings"], CONFIG["output"]))
    server.serve(host=CONFIG["host"], port=CONFIG["port"], root=str(CONFIG["output"]))


@task
def preview(c):
    """Build the production version (publishconf.py) into output/ to look at before publishing."""
    _build(CONFIG["publish_settings"], CONFIG["output"])


@task(help={"target": "override PUBLISH_TARGET", "method": "override PUBLISH_METHOD (rsync|git)"})
def publish(c, target="", method=""):
    """Build with publishconf.py into a fresh staging folder, check it, then deploy it.

    A failed build or check deploys nothing, so the previous deployment stays whole.
    """
    from pelican.log import init as init_logging

    from sitetools.publish import PublishFailed, publish_site

    init_logging(level=logging.WARNING)
    overrides = {}
    if target:
        overrides["PUBLISH_TARGET"] = target
    if method:
        overrides["PUBLISH_METHOD"] = method
    try:
        deployed = publish_site(CONFIG["publish_settings"], CONFIG["staging"], overrides)
    except PublishFailed as failure:
        raise Exit(str(failure), code=1) from None
    print(f"Published to {deployed.destination} ({deployed.method})")


@task(help={"title": "the article's title", "category": "its category"})
def new(c, title, category="Career Growth"):
    """Scaffold a dated draft article in content/articles/ from a title."""
    from sitetools.scaffold import new_article

    try:
        path = new_article(title, CONFIG["content"], datetime.now(), category=category)
    except (ValueError, FileExistsError) as problem:
        raise Exit(str(problem), code=1) from None
    print(f"Created {path.relative_to(ROOT)}")


@task
def check(c):
    """Check output/: every internal link, anchor and asset resolves; feeds and sitemap parse."""
    from sitetools.build import load_settings
    from sitetools.check import check_site

    settings = load_settings(CONFIG["settings"])
    if not (CONFIG["output"] / "index.html").is_file():
        raise Exit("output/ has no site yet: run `invoke build` first.", code=1)
    problems = check_site(CONFIG["output"], settings["SITEURL"], settings["SITE_ROOT"])
    for problem in problems:
        print(problem)
    if problems:
        raise Exit(f"{len(problems)} problem(s) found.", code=1)
    print("All links, anchors, assets, feeds and the sitemap check out.")


@task
def screenshots(c):
    """Build the site and refresh the README screenshots in docs/screenshots/."""
    from sitetools.screenshots import take_screenshots

    _build(CONFIG["settings"], CONFIG["output"])
    for path in take_screenshots(CONFIG["output"], CONFIG["screenshots"]):
        print(f"Wrote {path.relative_to(ROOT)}")


namespace = Collection(
    clean, build, rebuild, regenerate, serve, livereload, preview, publish, new, check, screenshots
)
