"""Publishing to local targets only: a folder through rsync and a bare git repository."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from reader_stories.live.target import PublishTarget
from reader_stories.moderation.actions import approve, delete
from reader_stories.store import open_store
from reader_stories.validation import validate_submission
from sitetools.publish import PublishFailed, publish_site, target_of

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = """Title: {title}
Date: 2026-05-01 09:00
Category: Job Search
Slug: {slug}

Text of {title}.
"""

needs_rsync = pytest.mark.skipif(shutil.which("rsync") is None, reason="rsync is not installed")


@pytest.fixture
def content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    (folder / "articles").mkdir(parents=True)
    (folder / "pages").mkdir()
    (folder / "pages" / "privacy.md").write_text("Title: Privacy\nSlug: privacy\n\nText.\n")
    (folder / "articles" / "first.md").write_text(
        ARTICLE.format(title="First", slug="first"), encoding="utf-8"
    )
    return folder


def overrides(tmp_path: Path, content: Path, method: str, target: str) -> dict:
    return {
        "PATH": str(content),
        "CACHE_PATH": str(tmp_path / "cache"),
        "PUBLISH_METHOD": method,
        "PUBLISH_TARGET": target,
        "SITEURL": "https://careers.example",
        "COMMENTS": {"production": True, "secret_key": "publish-test-secret-" + "x" * 20},
    }


@needs_rsync
def test_rsync_to_a_folder_mirrors_the_site(tmp_path: Path, content: Path) -> None:
    target = tmp_path / "www"
    target.mkdir()
    (target / "stale.html").write_text("old")
    publish_site(
        ROOT / "publishconf.py",
        tmp_path / "staging",
        overrides(tmp_path, content, "rsync", str(target)),
    )
    assert (target / "first" / "index.html").is_file()
    assert (target / "pagefind" / "pagefind-ui.js").is_file()
    assert not (target / "stale.html").exists()
    assert "https://careers.example/first/" in (target / "sitemap.xml").read_text()


@needs_rsync
def test_failed_build_deploys_nothing_and_keeps_previous_site(
    tmp_path: Path, content: Path
) -> None:
    target = tmp_path / "www"
    settings = overrides(tmp_path, content, "rsync", str(target))
    publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings)
    before = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}

    (content / "articles" / "broken.md").write_text("Title: Broken\nDate: 2026-99-99\n\nx\n")
    with pytest.raises(PublishFailed) as failure:
        publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings)
    assert "broken.md" in str(failure.value)
    assert "Nothing was deployed" in str(failure.value)
    after = {p.relative_to(target): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    assert after == before


def git(*args: str, cwd: Path) -> str:
    return subprocess.run(
        ["git", *args], cwd=cwd, check=True, capture_output=True, text=True
    ).stdout


def test_git_branch_publish_to_a_bare_repository(tmp_path: Path, content: Path) -> None:
    remote = tmp_path / "remote.git"
    git("init", "--bare", "--quiet", str(remote), cwd=tmp_path)
    settings = overrides(tmp_path, content, "git", str(remote))

    publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings, message="First publish")
    files = git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).split()
    assert "first/index.html" in files and ".nojekyll" in files

    (content / "articles" / "second.md").write_text(ARTICLE.format(title="Second", slug="second"))
    publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings, message="Second publish")
    log = git("log", "--format=%s", "gh-pages", cwd=remote).split("\n")
    assert log[:2] == ["Second publish", "First publish"]
    assert "second/index.html" in git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote)


def test_missing_target_is_refused_with_what_to_set() -> None:
    with pytest.raises(PublishFailed, match="PUBLISH_TARGET is not set"):
        target_of({"PUBLISH_METHOD": "rsync", "PUBLISH_TARGET": ""})
    with pytest.raises(PublishFailed, match='use "rsync" or "git"'):
        target_of({"PUBLISH_METHOD": "ftp", "PUBLISH_TARGET": "/srv/www"})
    assert target_of({"PUBLISH_METHOD": "git", "PUBLISH_TARGET": "/r.git"}) == PublishTarget(
        "git", "/r.git", "gh-pages"
    )
    assert PublishTarget("rsync", "/srv/www").local_folder == Path("/srv/www")
    assert PublishTarget("rsync", "web@host:/srv/www").local_folder is None


def test_unreachable_git_remote_fails_clearly(tmp_path: Path, content: Path) -> None:
    settings = overrides(tmp_path, content, "git", str(tmp_path / "no-such-repo.git"))
    with pytest.raises(PublishFailed, match="git ls-remote failed"):
        publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings)


def approve_a_story(database: Path, article: str = "first") -> int:
    """One approved story in the store at `database`, as a moderator would leave it."""
    form = {
        "article": article,
        "name": "Ayo",
        "story": "GUARD-MARK: three rejections, then an offer that fitted.",
        "consent": "yes",
    }
    with open_store(f"sqlite:///{database}") as store:
        with store.writing() as tx:
            story = tx.add_submission(validate_submission(form, ip_hash="a" * 64))
        approve(store, [story.id])
    return story.id


@needs_rsync
def test_publishing_from_a_store_without_the_live_stories_is_refused(
    tmp_path: Path, content: Path
) -> None:
    target = tmp_path / "www"
    settings = overrides(tmp_path, content, "rsync", str(target))
    story = approve_a_story(tmp_path / "var" / "comments.sqlite3")
    publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings)
    page = target / "first" / "index.html"
    assert "GUARD-MARK" in page.read_text()
    assert f"[{story}]" in (target / "stories-manifest.json").read_text()

    # The author's laptop: the same content, no store at all.
    nowhere = f"sqlite:///{tmp_path / 'laptop' / 'none.sqlite3'}"
    laptop = {**settings, "COMMENTS": {**settings["COMMENTS"], "database_url": nowhere}}
    with pytest.raises(PublishFailed) as refused:
        publish_site(ROOT / "publishconf.py", tmp_path / "staging", laptop)
    message = str(refused.value)
    assert "shows 1 published stories; this build has 0" in message
    assert f"#{story}" in message and "--force" in message and "nothing was deployed" in message
    assert "GUARD-MARK" in page.read_text()
    assert not (tmp_path / "laptop").exists(), "the guard must not create a store"

    publish_site(ROOT / "publishconf.py", tmp_path / "staging", laptop, force=True)
    assert "GUARD-MARK" not in page.read_text()


@needs_rsync
def test_a_story_deleted_since_the_last_publish_may_leave(tmp_path: Path, content: Path) -> None:
    target = tmp_path / "www"
    settings = overrides(tmp_path, content, "rsync", str(target))
    database = tmp_path / "var" / "comments.sqlite3"
    story = approve_a_story(database)
    publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings)
    with open_store(f"sqlite:///{database}") as store:
        delete(store, [story])  # the store remembers it in the moderation history
    publish_site(ROOT / "publishconf.py", tmp_path / "staging", settings)
    assert "GUARD-MARK" not in (target / "first" / "index.html").read_text()
