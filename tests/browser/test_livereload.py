"""`invoke livereload` in Chromium: an open article reloads itself when its file is saved, a
failed build shows its problems over the page, and nothing is requested from another host."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from sitetools.reload.live import live_server
from sitetools.serve import running

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = ROOT / "pelicanconf.py"
SECRET = "browser-livereload-secret-0123456789abcdef"
ARTICLE = "/asking-for-a-raise/"


@pytest.fixture
def live_site(tmp_path: Path) -> Iterator[dict]:
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    overrides = {
        "PATH": str(content),
        "SITEURL": "http://127.0.0.1:8000",
        "CACHE_PATH": str(tmp_path / "cache"),
        "COMMENTS": {
            "database_url": f"sqlite:///{tmp_path / 'comments.sqlite3'}",
            "secret_key": SECRET,
        },
    }
    lines: list[str] = []
    live = live_server(
        SETTINGS, tmp_path / "site", [content], say=lines.append, overrides=overrides
    )
    stop = threading.Event()
    watching = threading.Thread(target=live.watcher.run, args=(stop,), daemon=True)
    watching.start()
    try:
        with running(live.app) as base:
            yield {
                "base": base,
                "content": content,
                "site": tmp_path / "site",
                "channel": live.channel,
                "lines": lines,
            }
    finally:
        stop.set()
        watching.join(10)


def _listening(page, live_site: dict) -> None:
    """Wait until the page's event stream is open, so no save can come before it."""
    page.wait_for_function("() => document.querySelector('script[src*=\"__reload\"]')")
    for _ in range(100):
        if live_site["channel"].listening:
            return
        page.wait_for_timeout(50)
    raise AssertionError("the page never connected to the reload channel")


def test_a_saved_article_reloads_its_open_page(chromium, live_site) -> None:
    context = chromium.new_context()
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(live_site["base"] + ARTICLE)
    _listening(page, live_site)
    source = live_site["content"] / "articles" / "asking-for-a-raise.md"
    text = source.read_text("utf-8")

    source.write_text(text + "\nA sentence added while the page was open.\n", "utf-8")
    page.get_by_text("A sentence added while the page was open.").wait_for(timeout=20_000)

    source.write_text(text.replace("Date: ", "Date: someday ", 1), "utf-8")
    alert = page.get_by_role("alert")
    alert.wait_for(timeout=20_000)
    assert "The site did not build" in alert.inner_text()
    assert "asking-for-a-raise.md" in alert.inner_text()
    assert "is not a valid date" in alert.inner_text()

    source.write_text(text, "utf-8")
    alert.wait_for(state="detached", timeout=20_000)
    assert page.get_by_text("A sentence added while the page was open.").count() == 0
    assert any(
        line.startswith("Rewrote asking-for-a-raise/index.html") for line in live_site["lines"]
    )
    assert all(url.startswith(live_site["base"]) for url in requested), requested
    context.close()


def test_pages_on_disk_stay_as_built_and_only_served_pages_carry_the_script(live_site) -> None:
    import urllib.request

    with urllib.request.urlopen(live_site["base"] + ARTICLE) as answer:
        served = answer.read().decode()
        assert answer.headers["Cache-Control"] == "no-store"
    assert served.count('<script src="/__reload/client.js" defer></script></body>') == 1
    on_disk = (live_site["site"] / "asking-for-a-raise" / "index.html").read_text("utf-8")
    assert "__reload" not in on_disk and on_disk == served.replace(
        '<script src="/__reload/client.js" defer></script>', ""
    )
    with urllib.request.urlopen(live_site["base"] + "/__reload/client.js") as answer:
        assert answer.headers["Content-Type"].startswith("text/javascript")
        assert "EventSource" in answer.read().decode()
