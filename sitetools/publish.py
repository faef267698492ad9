"""Deploy a built, checked site: rsync to a path or host, or a git branch (GitHub Pages style).

The caller builds into a fresh staging folder first, so a failed build never reaches the target
and the previous deployment stays whole.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


class PublishFailed(Exception):
    """Deployment did not happen; the message says why and what to set."""


@dataclass(frozen=True)
class Target:
    method: str  # "rsync" or "git"
    destination: str  # rsync: a path or user@host:path; git: a repository URL or path
    branch: str = "gh-pages"


def target_from_settings(settings: dict) -> Target:
    """Read PUBLISH_METHOD / PUBLISH_TARGET / PUBLISH_BRANCH and refuse an incomplete target."""
    method = str(settings.get("PUBLISH_METHOD") or "rsync")
    destination = str(settings.get("PUBLISH_TARGET") or "")
    if method not in {"rsync", "git"}:
        raise PublishFailed(f'PUBLISH_METHOD is "{method}"; use "rsync" or "git".')
    if not destination:
        raise PublishFailed(
            "PUBLISH_TARGET is not set: give a folder or user@host:/path for rsync, "
            "or a git repository URL for the git method (environment or publishconf.py)."
        )
    return Target(method, destination, str(settings.get("PUBLISH_BRANCH") or "gh-pages"))


def deploy(site: Path, target: Target, message: str = "Publish site") -> None:
    if not (site / "index.html").is_file():
        raise PublishFailed(f"{site} has no index.html: build the site before publishing.")
    if target.method == "rsync":
        deploy_rsync(site, target.destination)
    else:
        deploy_git(site, target.destination, target.branch, message)


def _run(command: list[str], cwd: Path | None = None) -> None:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise PublishFailed(f"{command[0]} failed ({result.returncode}): {detail}")


def deploy_rsync(site: Path, destination: str) -> None:
    """Mirror the site; --delete-after removes stale files only once every new one is in place."""
    if shutil.which("rsync") is None:
        raise PublishFailed("rsync is not installed; install it (apt-get install rsync).")
    if ":" not in destination:
        Path(destination).mkdir(parents=True, exist_ok=True)
    _run(
        ["rsync", "-rlt", "--checksum", "--delete-after", f"{site}/", destination.rstrip("/") + "/"]
    )


def deploy_git(site: Path, repository: str, branch: str, message: str) -> None:
    """Commit the site as the whole tree of `branch` on top of its history and push it.

    ghp-import works on the repository in its working directory; a scratch repository keeps
    the author's own checkout and branches untouched.
    """
    work = site.parent / f".{site.name}-deploy"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        _run(["git", "init", "--quiet"], cwd=work)
        _run(["git", "remote", "add", "origin", repository], cwd=work)
        fetched = subprocess.run(
            ["git", "fetch", "--quiet", "origin", f"{branch}:refs/remotes/origin/{branch}"],
            cwd=work,
            capture_output=True,
            check=False,
        )
        if fetched.returncode != 0:
            _run(["git", "ls-remote", "origin"], cwd=work)  # unreachable remote: say so
        _run(
            [
                sys.executable,
                "-m",
                "ghp_import",
                "--no-jekyll",
                "--push",
                "-b",
                branch,
                "-m",
                message,
                str(site),
            ],
            cwd=work,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def publish_site(
    settings_file: Path, staging: Path, overrides: dict | None = None, message: str = "Publish site"
) -> Target:
    """Build into a fresh `staging` folder, check it, and only then deploy it."""
    from sitetools.build import BuildFailed, build_from_settings, load_settings
    from sitetools.check import check_site

    settings = load_settings(settings_file, {**(overrides or {}), "OUTPUT_PATH": str(staging)})
    target = target_from_settings(settings)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        build_from_settings(settings)
    except BuildFailed as failure:
        raise PublishFailed(f"{failure}\nNothing was deployed.") from None
    problems = check_site(staging, settings["SITEURL"], settings["SITE_ROOT"])
    if problems:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise PublishFailed(f"The built site has problems:\n{listed}\nNothing was deployed.")
    deploy(staging, target, message)
    return target
