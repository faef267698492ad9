"""Page weight: bytes and requests of the seed article page with every asset it pulls in, for our
site and for the same Markdown built with plain Pelican's default theme.

Two views. The browser view loads each page in Chromium from a loopback server that compresses
as a static host would, and counts every request it attempts (a request to another host fails on
this closed network but still counts: a reader's browser would make it). The file view follows
the HTML's stylesheets, scripts, images and icons and the CSS's @import and url() references on
disk, and gives raw and gzip bytes without a browser (also the fallback when Chromium is absent).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import html

from bench.builds import build_ours, build_plain
from bench.corpus import ArticleSpec
from bench.procs import ROOT
from bench.stories_seed import seed_store

SEED_SLUG = "handling-job-rejection"
_CSS_REF = re.compile(r"""@import\s+(?:url\()?\s*['"]?([^'")\s;]+)|url\(\s*['"]?([^'")\s]+)""")


def _gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _local(site: Path, url: str) -> Path | None:
    """The file behind a same-site URL ("/x", "../x" already resolved), or None if external."""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.hostname not in {"local.test"}:
        return None
    if parts.scheme == "data":
        return None
    path = site / parts.path.lstrip("/")
    return path / "index.html" if path.is_dir() else path


def file_view(site: Path, page_path: str) -> dict[str, Any]:
    """Follow references from the page on disk; every distinct asset counts as one request."""
    base = f"http://local.test/{page_path}"
    page = _local(site, base)
    if page is None or not page.is_file():
        raise FileNotFoundError(f"the page {page_path} was not built in {site}")
    seen: dict[str, dict[str, Any]] = {}
    queue = [(base, "document")]
    while queue:
        url, kind = queue.pop(0)
        if url in seen:
            continue
        path = _local(site, url)
        if path is None or not path.is_file():
            seen[url] = {"kind": kind, "bytes": 0, "gzip": 0, "external": path is None}
            continue
        data = path.read_bytes()
        seen[url] = {"kind": kind, "bytes": len(data), "gzip": _gzip_size(data), "external": False}
        if kind == "document":
            queue += [(urljoin(url, ref), k) for ref, k in _html_refs(data)]
        elif kind == "stylesheet":
            queue += [(urljoin(url, ref), k) for ref, k in _css_refs(data)]
    assets = [{"url": u.replace("http://local.test", ""), **v} for u, v in seen.items()]
    return {
        "requests": len(assets),
        "external_requests": sum(1 for a in assets if a["external"]),
        "bytes": sum(a["bytes"] for a in assets),
        "gzip_bytes": sum(a["gzip"] for a in assets),
        "assets": assets,
    }


def _html_refs(data: bytes) -> list[tuple[str, str]]:
    tree = html.fromstring(data)
    refs = []
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = link.get("href")
        if href and ({"stylesheet", "icon", "preload", "modulepreload"} & set(rel)):
            refs.append((href, "stylesheet" if "stylesheet" in rel else "asset"))
    refs += [(s.get("src"), "script") for s in tree.iter("script") if s.get("src")]
    refs += [(i.get("src"), "image") for i in tree.iter("img") if i.get("src")]
    for style in tree.iter("style"):
        refs += _css_refs((style.text or "").encode())
    return [(r, k) for r, k in refs if not r.startswith("data:")]


def _css_refs(data: bytes) -> list[tuple[str, str]]:
    """@import targets are stylesheets (followed further); url() targets are fonts or images.

    Every url() counts, so a font offered as woff and woff2 counts twice: the file view is an
    upper bound, the browser view what a browser really fetched.
    """
    text = data.decode("utf-8", errors="replace")
    refs = [(a, "stylesheet") if a else (b, "asset") for a, b in _CSS_REF.findall(text)]
    return [(r, k) for r, k in refs if not r.startswith(("data:", "#"))]


def browser_view(site: Path, page_path: str) -> dict[str, Any]:
    """Load the page in Chromium, cache empty, and count what it requested and received."""
    from playwright.sync_api import sync_playwright

    from sitetools import browser
    from sitetools.serve import create_app, running

    if browser.chromium_path() is None:
        return {"available": False, "problem": "Chromium not found (apt-get install chromium)"}
    requests: list[dict[str, Any]] = []
    with running(create_app(site)) as base, sync_playwright() as playwright:
        chromium = browser.launch(playwright)
        try:
            context = chromium.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.on("requestfinished", lambda r: requests.append(_finished(r)))
            page.on("requestfailed", lambda r: requests.append({"url": r.url, "failed": True}))
            page.goto(f"{base}/{page_path}", wait_until="networkidle", timeout=30_000)
            page.wait_for_timeout(300)
            context.close()
        finally:
            chromium.close()
    origin = base
    for request in requests:
        request["url"] = request["url"].replace(origin, "")
    return {
        "available": True,
        "requests": len(requests),
        "failed_requests": sum(1 for r in requests if r.get("failed")),
        "bytes": sum(r.get("bytes", 0) for r in requests),
        "transfer_bytes": sum(r.get("transfer", 0) for r in requests),
        "assets": requests,
    }


def _finished(request: Any) -> dict[str, Any]:
    response = request.response()
    body = response.body() if response is not None else b""
    sizes = request.sizes()
    return {
        "url": request.url,
        "status": response.status if response is not None else None,
        "bytes": len(body),
        "transfer": int(sizes.get("responseBodySize", 0)),
    }


IMAGES_SLUG = "writing-achievement-led-resume-bullets"


def measure(work: Path, secret: str, log: Any = print) -> dict[str, Any]:
    """Build the real content/ both ways (and ours again with ten stories) and weigh the page."""
    content = ROOT / "content"
    sites = {}
    for name, stories in (("ours", 0), ("ours_with_stories", 10)):
        database = work / f"{name}.sqlite3"
        for old in work.glob(f"{name}.sqlite3*"):
            old.unlink()
        if stories:
            seed = ArticleSpec(0, SEED_SLUG, "Handling Job Rejection")
            seed_store(f"sqlite:///{database}", [seed], per_article=stories)
        build_ours(
            content,
            work / name,
            cache=work / f"{name}-cache",
            database_url=f"sqlite:///{database}",
            secret=secret,
            log_dir=work / "logs",
            name=f"build-{name}",
            articles=20,
        )
        sites[name] = (work / name, f"{SEED_SLUG}/")
    build_plain(
        content,
        work / "plain",
        cache=work / "plain-cache",
        log_dir=work / "logs",
        name="plain",
        articles=20,
    )
    sites["plain"] = (work / "plain", f"{SEED_SLUG}/")  # our URL layout: bench/builds.py
    # An article with a raster figure: its first screen has its own budget (bench/rows.py).
    sites["ours_with_images"] = (work / "ours", f"{IMAGES_SLUG}/")
    result: dict[str, Any] = {}
    for name, (site, page) in sites.items():
        log(f"page weight: {name}")
        result[name] = {"page": page, "files": file_view(site, page)}
        result[name]["browser"] = browser_view(site, page)
    return result
