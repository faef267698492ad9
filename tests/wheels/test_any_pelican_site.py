"""Both packages as any Pelican site would use them: built as wheels, installed in a fresh
virtualenv, on a site made by pelican-quickstart with Pelican's default theme.

The site's owner does what the packages' READMEs say: add the two plugins to PLUGINS, and one
line to the theme's article template. Then a reader sends a story through the intake (run by
uvicorn from the wheel), a moderator approves it with the wheel's own command, and the article
page shows it at once.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = (ROOT / "stories", ROOT / "tips")
INCLUDE = '{% include "stories/article.html" %}'
ARTICLE = """Title: Second interviews
Date: 2026-11-02 10:00
Category: Interviews
Slug: second-interviews

What to expect when they call you back.

/// tip | Ask who you will meet
Ask the recruiter for the names and roles of everyone on the panel.
///
"""
PLUGINS = """
PLUGINS = ["tipboxes", "reader_stories.pelican_plugin"]
THEME = "theme"
COMMENTS = {"database_url": "sqlite:///var/stories.sqlite3"}
"""
# pelican-quickstart's questions, in order: folder, title, author and language (given as
# options), URL prefix, pagination, time zone, tasks.py and Makefile.
QUICKSTART_ANSWERS = "\n\n\n\nn\nn\nEurope/London\nn\n"


def run(command: list[str | Path], **options) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=600, **options
    )
    assert done.returncode == 0, f"{command[:3]}: {done.stdout[-2000:]}{done.stderr[-3000:]}"
    return done


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The two wheels, installed with Pelican (the project's pinned versions) in a new venv."""
    work = tmp_path_factory.mktemp("wheels")
    wheels = work / "dist"
    build = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    run([*build, "--wheel-dir", wheels, *PACKAGES])
    venv = work / "venv"
    run([sys.executable, "-m", "venv", venv])
    install = [venv / "bin" / "python", "-m", "pip", "install", "--disable-pip-version-check"]
    run([*install, "-c", ROOT / "requirements.txt", "pelican[markdown]", *wheels.glob("*.whl")])
    return {"work": work, "bin": venv / "bin", "wheels": wheels}


def test_the_wheels_hold_their_templates_and_static_files(fresh) -> None:
    import zipfile

    stories = zipfile.ZipFile(next(fresh["wheels"].glob("pelican_reader_stories-*.whl")))
    names = set(stories.namelist())
    for needed in (
        "reader_stories/templates/stories/article.html",
        "reader_stories/templates/stories/intake/base.html",
        "reader_stories/templates/stories/admin/base.html",
        "reader_stories/templates/stories/mail/published.txt",
        "reader_stories/static/stories.js",
        "reader_stories/static/admin.css",
    ):
        assert needed in names, needed
    tips = zipfile.ZipFile(next(fresh["wheels"].glob("pelican_tipboxes-*.whl")))
    assert {"tipboxes/__init__.py", "tipboxes/templates/tips.html"} <= set(tips.namelist())


@pytest.mark.slow
def test_a_quickstart_site_with_the_default_theme_takes_stories_and_tips(fresh) -> None:
    bin_dir, site = fresh["bin"], fresh["work"] / "site"
    run(
        [bin_dir / "pelican-quickstart", "-p", site, "-t", "Quick Blog", "-a", "Quinn", "-l", "en"],
        input=QUICKSTART_ANSWERS,
    )
    (site / "content" / "second-interviews.md").write_text(ARTICLE, encoding="utf-8")
    with (site / "pelicanconf.py").open("a", encoding="utf-8") as settings:
        settings.write(PLUGINS)
    # The default theme, with the one line its article template needs.
    default_theme = next((fresh["work"] / "venv").glob("lib/python*/site-packages/pelican"))
    shutil.copytree(default_theme / "themes" / "notmyidea", site / "theme")
    template = site / "theme" / "templates" / "article.html"
    text = template.read_text(encoding="utf-8")
    marker = "</div><!-- /.entry-content -->"
    template.write_text(text.replace(marker, f"{marker}\n{INCLUDE}", 1), encoding="utf-8")

    run([bin_dir / "pelican", "content", "-s", "pelicanconf.py"], cwd=site)
    page = site / "output" / "second-interviews.html"
    built = page.read_text(encoding="utf-8")
    assert 'class="tip tip--tip" id="tip-ask-who-you-will-meet"' in built
    assert (site / "output" / "second-interviews.stories.atom.xml").is_file()
    assert 'id="stories"' in built and 'action="/stories/"' in built
    assert "No stories yet" in built
    assert (site / "output" / "theme" / "stories" / "stories.js").is_file()
    assert "Ask who you will meet" in (site / "output" / "tips" / "index.html").read_text()

    env = {**os.environ, "PELICAN_SETTINGS": str(site / "pelicanconf.py")}
    port = free_port()
    uvicorn = [bin_dir / "python", "-m", "uvicorn", "--factory", "reader_stories.web:create_app"]
    service = subprocess.Popen(
        [*uvicorn, "--port", str(port), "--log-level", "warning"],
        cwd=site,
        env=env,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/stories/received", timeout=2)
                break
            except httpx.TransportError:
                assert service.poll() is None and time.monotonic() < deadline, "no intake"
                time.sleep(0.1)
        token = re.search(r'name="token" value="([^"]+)"', built).group(1)
        form = {
            "article": "second-interviews",
            "token": token,
            "name": "Robin",
            "story": "QUICKSTART-MARK: they asked me to present a case study, so I practised.",
            "consent": "yes",
        }
        sent = httpx.post(f"{base}/stories/", data=form, timeout=10)
        assert sent.status_code == 303, sent.text
        stylesheet = httpx.get(f"{base}/stories/static/stories.css", timeout=5)
        assert stylesheet.status_code == 200 and ".stories" in stylesheet.text
    finally:
        service.terminate()
        _out, errors = service.communicate(timeout=30)
    assert b"Traceback" not in errors

    listed = run([bin_dir / "reader-stories", "pending"], cwd=site, env=env)
    assert "QUICKSTART-MARK" in listed.stdout
    approved = run([bin_dir / "reader-stories", "approve", "1"], cwd=site, env=env)
    assert "page and stories feed updated" in approved.stdout
    assert "QUICKSTART-MARK" in page.read_text(encoding="utf-8")
