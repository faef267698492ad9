"""A public site published elsewhere: moderation queues the pages it changed, the push worker
sends them (one push for a burst), a failed push is said and tried again until it goes through.

Two real targets: a git branch in a bare repository, and rsync to `host:path` where the remote
shell is a script that runs rsync's other end on this machine (ssh is what cannot run here).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from site_support import SEED, build, build_live, submit
from stories_support import FakeClock

from reader_stories.config import SITE_FEED, Config
from reader_stories.live.manifest import MANIFEST
from reader_stories.live.push import describe_pushes, push_due
from reader_stories.live.site import live_republisher
from reader_stories.live.target import PublishTarget
from reader_stories.live.transport import GitBranch
from reader_stories.moderation import service
from reader_stories.moderation.report import describe
from reader_stories.store import open_store

SECOND = "asking-for-a-raise"
NO_WAIT = timedelta(0)
# rsync's remote shell: drop the host name, run the rest (rsync's other end) here.
LOCAL_SHELL = '#!/bin/sh\nshift\nexec "$@"\n'
BROKEN_SHELL = (
    "#!/bin/sh\n"
    "echo 'ssh: connect to host static.example port 22: Connection refused' >&2\n"
    "exit 255\n"
)


@pytest.fixture
def built(tmp_path: Path):
    db_url = f"sqlite:///{tmp_path / 'comments.sqlite3'}"
    site, republisher = build_live(tmp_path, db_url)
    return db_url, site, republisher.config


def elsewhere(config: Config, target: PublishTarget, tmp_path: Path) -> Config:
    return replace(config, target=target, state=tmp_path / "state")


def shell(tmp_path: Path, script: str) -> str:
    path = tmp_path / "rsh"
    path.write_text(script, encoding="utf-8")
    path.chmod(0o755)
    return str(path)


def git(*args: str, cwd: Path) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout


def test_rsync_elsewhere_queues_then_pushes_the_pages_in_one_go(
    built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url, site, config = built
    remote = tmp_path / "static-host"
    shutil.copytree(site, remote)
    monkeypatch.setenv("RSYNC_RSH", shell(tmp_path, LOCAL_SHELL))
    config = elsewhere(config, PublishTarget("rsync", f"static.example:{remote}"), tmp_path)
    clock = FakeClock()
    with open_store(db_url, clock=clock) as store:
        ids = [
            submit(store, "Ayo", "PUSH-ONE-MARK: a story for the first article.").id,
            submit(store, "Ben", "PUSH-TWO-MARK: another on the first article.").id,
            submit(store, "Cat", "PUSH-THREE-MARK: one on the second.", article=SECOND).id,
        ]
        live = live_republisher(config)
        lines = describe(service.approve(store, live, ids[:2]))
        assert lines[-1] == f"{SEED}: waiting to be pushed to the public site, in a few seconds."
        service.approve(store, live, ids[2:])
        with store.reading() as tx:
            state = tx.push_state()
        assert state.waiting == 2
        assert describe_pushes(config, state, clock()) == [
            f"Public site: 2 article pages waiting to be pushed to static.example:{remote} "
            "(next push in a few seconds)."
        ]
        assert "PUSH-ONE-MARK" not in (remote / SEED / "index.html").read_text()

        assert push_due(config, store) is None, "a burst settles before it is pushed"
        clock.advance(seconds=5)
        report = push_due(config, store)
        assert report is not None and report.articles == (SECOND, SEED) and not report.error
        with store.reading() as tx:
            assert describe_pushes(config, tx.push_state(), clock()) == [
                f"Public site (static.example:{remote}): every change is live."
            ]
    page = (remote / SEED / "index.html").read_text()
    assert "PUSH-ONE-MARK" in page and "PUSH-TWO-MARK" in page
    assert "PUSH-THREE-MARK" in (remote / SECOND / "index.html").read_text()
    # What was pushed is what a full build from the same store writes.
    rebuilt = build(tmp_path / "again", db_url)
    for name in (f"{SEED}/index.html", f"{SEED}/stories.atom.xml", SITE_FEED, MANIFEST):
        assert (remote / name).read_bytes() == (rebuilt / name).read_bytes(), name


def test_a_failed_rsync_push_is_said_and_tried_again_until_it_goes(
    built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url, site, config = built
    remote = tmp_path / "static-host"
    shutil.copytree(site, remote)
    config = elsewhere(config, PublishTarget("rsync", f"static.example:{remote}"), tmp_path)
    clock = FakeClock()
    monkeypatch.setenv("RSYNC_RSH", shell(tmp_path, BROKEN_SHELL))
    with open_store(db_url, clock=clock) as store:
        story = submit(store, "Dee", "RETRY-MARK: the host was down at first.").id
        service.approve(store, live_republisher(config), [story])
        report = push_due(config, store, settle=NO_WAIT)
        assert report is not None and "Connection refused" in report.error
        with store.reading() as tx:
            said = describe_pushes(config, tx.push_state(), clock())
        retry = clock() + timedelta(seconds=30)
        assert said[0].startswith("Public site: push failed: rsync -rlt failed (")
        assert "Connection refused" in said[0]
        assert said[0].endswith(
            f"1 article page waiting, next try at {retry:%H:%M} UTC (attempt 2)."
        )
        assert push_due(config, store, settle=NO_WAIT) is None, "not before its next try"

        monkeypatch.setenv("RSYNC_RSH", shell(tmp_path, LOCAL_SHELL))
        clock.advance(seconds=31)
        report = push_due(config, store, settle=NO_WAIT)
        assert report is not None and report.articles == (SEED,) and not report.error
    assert "RETRY-MARK" in (remote / SEED / "index.html").read_text()


def test_a_git_branch_gets_one_commit_per_push_and_survives_an_outage(
    built, tmp_path: Path
) -> None:
    db_url, site, config = built
    repository = tmp_path / "pages.git"
    git("init", "--bare", "--quiet", str(repository), cwd=tmp_path)
    GitBranch(str(repository), "gh-pages", tmp_path / "publisher").publish(site, "Publish")
    config = elsewhere(config, PublishTarget("git", str(repository), "gh-pages"), tmp_path)
    clock = FakeClock()
    with open_store(db_url, clock=clock) as store:
        story = submit(store, "Eve", "BRANCH-MARK: pushed as one commit.").id
        service.approve(store, live_republisher(config), [story])
        moved = tmp_path / "away.git"
        repository.rename(moved)  # the remote is unreachable for a while
        report = push_due(config, store, settle=NO_WAIT)
        assert report is not None and "git" in report.error
        moved.rename(repository)
        clock.advance(minutes=1)
        report = push_due(config, store, settle=NO_WAIT)
        assert report is not None and not report.error
    log = git("log", "--format=%s", "gh-pages", cwd=repository).splitlines()
    assert log == [f"Reader stories on {SEED}", "Publish"]
    page = git("show", f"gh-pages:{SEED}/index.html", cwd=repository)
    assert "BRANCH-MARK" in page
