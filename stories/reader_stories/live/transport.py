"""Moving a site, or some of its files, to and from where it is published: rsync or a git branch.

`invoke publish` sends a whole built site; the push worker sends the few pages a moderation
action changed, after fetching their current copies; the publish guard reads one file. All go
through the same two classes, which run the real `rsync` and `git` commands and turn a failure
into a TransportError that says which command failed and why.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

from reader_stories.live.target import PublishTarget

TIMEOUT = 300  # seconds for one command: a big site over a slow link, never forever


class TransportError(Exception):
    """A push or a fetch failed; the message names the command and what it printed."""


def run(command: list[str], cwd: Path | None = None) -> str:
    if shutil.which(command[0]) is None:
        raise TransportError(f"{command[0]} is not installed (apt-get install {command[0]}).")
    try:
        done = subprocess.run(
            command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise TransportError(f"{command[0]} {command[1]} took over {TIMEOUT} s") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise TransportError(
            f"{command[0]} {command[1]} failed ({done.returncode}): {' '.join(detail[-3:])}"
        )
    return done.stdout


class Rsync:
    """A folder on this machine or ``host:path``, reached with rsync."""

    def __init__(self, destination: str) -> None:
        self.destination = destination.rstrip("/") + "/"
        host_part = self.destination.split("/", 1)[0]
        self.folder = None if ":" in host_part else Path(self.destination)

    def publish(self, site: Path, message: str = "") -> None:
        """Mirror a whole site; old files go only once every new one is in place."""
        if self.folder is not None:
            self.folder.mkdir(parents=True, exist_ok=True)
        run(["rsync", "-rlt", "--checksum", "--delete-after", f"{site}/", self.destination])

    def fetch(self, relatives: Iterable[str], into: Path) -> None:
        """Copy these files (those that exist there) into `into`, at the same relative paths."""
        listed = _listing(relatives, into)
        command = ["rsync", "-rlt", "--ignore-missing-args", f"--files-from={listed}"]
        run([*command, self.destination, f"{into}/"])

    def send(self, folder: Path, relatives: Iterable[str]) -> None:
        """Copy these files of `folder` there, each replaced whole."""
        listed = _listing(relatives, folder)
        run(["rsync", "-rlt", f"--files-from={listed}", f"{folder}/", self.destination])

    def read(self, relative: str) -> str | None:
        """One file's text, or None when there is none (nor, on this machine, its folder)."""
        if self.folder is not None:
            found = self.folder / relative
            return found.read_text(encoding="utf-8") if found.is_file() else None
        with tempfile.TemporaryDirectory() as scratch:
            self.fetch([relative], Path(scratch))
            found = Path(scratch) / relative
            return found.read_text(encoding="utf-8") if found.is_file() else None


def _listing(relatives: Iterable[str], beside: Path) -> Path:
    """rsync's --files-from list, kept beside the files it names (removed by the next one)."""
    beside.mkdir(parents=True, exist_ok=True)
    listed = beside.parent / f".{beside.name}.files"
    listed.write_text("".join(f"{r}\n" for r in sorted(set(relatives))), encoding="utf-8")
    return listed


class GitBranch:
    """One branch of a git repository (GitHub Pages style), worked on in a clone of our own."""

    def __init__(self, repository: str, branch: str, work: Path) -> None:
        self.repository = repository
        self.branch = branch
        self.work = work

    def refresh(self) -> bool:
        """The clone at the branch's newest commit; False when the branch does not exist yet."""
        if not (self.work / ".git").is_dir():
            shutil.rmtree(self.work, ignore_errors=True)
            self.work.mkdir(parents=True)
            run(["git", "init", "--quiet"], self.work)
            run(["git", "remote", "add", "origin", self.repository], self.work)
        heads = run(["git", "ls-remote", "--heads", "origin", self.branch], self.work)
        if not heads.strip():
            return False
        run(["git", "fetch", "--quiet", "origin", self.branch], self.work)
        run(["git", "checkout", "--quiet", "-B", self.branch, "FETCH_HEAD"], self.work)
        run(["git", "reset", "--quiet", "--hard", "FETCH_HEAD"], self.work)
        return True

    def read(self, relative: str) -> str | None:
        if not self.refresh():
            return None
        found = self.work / relative
        return found.read_text(encoding="utf-8") if found.is_file() else None

    def commit_and_push(self, message: str) -> bool:
        """Commit whatever changed in the clone and push it; False when nothing changed. A push
        refused because the branch moved on raises, and the caller tries again later."""
        run(["git", "add", "--all"], self.work)
        if not run(["git", "status", "--porcelain"], self.work).strip():
            return False
        identity = ["-c", "user.name=Reader stories", "-c", "user.email=stories@localhost"]
        run(["git", *identity, "commit", "--quiet", "-m", message], self.work)
        run(["git", "push", "--quiet", "origin", f"HEAD:refs/heads/{self.branch}"], self.work)
        return True

    def publish(self, site: Path, message: str) -> None:
        """The whole site as the branch's new tree, on top of its history."""
        if not self.refresh():
            run(["git", "checkout", "--quiet", "--orphan", self.branch], self.work)
        for entry in self.work.iterdir():
            if entry.name != ".git":
                shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        shutil.copytree(site, self.work, dirs_exist_ok=True)
        (self.work / ".nojekyll").touch()  # GitHub Pages serves folders such as _static as is
        self.commit_and_push(message)


def transport(target: PublishTarget, work: Path) -> Rsync | GitBranch:
    """The way to reach `target`; `work` is a private folder for a git clone."""
    if target.method == "git":
        return GitBranch(target.destination, target.branch, work)
    return Rsync(target.destination)
