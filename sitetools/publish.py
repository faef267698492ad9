"""Deploy a built, checked site: rsync to a folder or host, or a git branch (GitHub Pages style).

The site is built into a fresh staging folder first, so a failed build never reaches the target
and the previous deployment stays whole. Before anything is sent, the publish guard compares the
stories the live site shows (its stories-manifest.json) with the ones this build has: a publish
from a checkout without the store, or with an older copy of it, would take stories down.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from reader_stories.config import config_from_pelican
from reader_stories.live.guard import stories_unknown_to
from reader_stories.live.manifest import MANIFEST, read_manifest
from reader_stories.live.target import PublishTarget, TargetError, target_from_settings
from reader_stories.live.transport import TransportError, transport

MSG_NO_TARGET = (
    "PUBLISH_TARGET is not set: give a folder or user@host:/path for rsync, or a git repository "
    "URL for the git method (environment or publishconf.py)."
)


class PublishFailed(Exception):
    """Deployment did not happen; the message says why and what to set or do."""


def target_of(settings: dict[str, Any]) -> PublishTarget:
    try:
        target = target_from_settings(settings)
    except TargetError as problem:
        raise PublishFailed(str(problem)) from None
    if target is None:
        raise PublishFailed(MSG_NO_TARGET)
    return target


def guard(settings: dict[str, Any], staging: Path, target: PublishTarget, work: Path) -> None:
    """Refuse when the live site shows stories this build would take down without knowing them.

    A story the store deleted or rejected since the last publish may go; one the store has
    never held (it is missing, empty, or an older copy) means this is the wrong machine."""
    live_text = transport(target, work).read(MANIFEST)
    if live_text is None:
        return  # a first publish, or a site published before manifests
    try:
        live = read_manifest(live_text)
    except ValueError as problem:
        raise PublishFailed(f"The live site's {problem}; nothing was deployed.") from None
    built = read_manifest((staging / MANIFEST).read_text(encoding="utf-8"))
    config = config_from_pelican(settings)
    unknown = sorted(stories_unknown_to(config, live - built))
    if not unknown:
        return
    shown = ", ".join(f"#{i}" for i in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
    raise PublishFailed(
        f"The live site ({target}) shows {len(live)} published stories; this build has "
        f"{len(built)}, and the store it read ({config.comments.database_url}) has never held "
        f"{len(unknown)} of the live ones ({shown}): it is missing, empty or older than the "
        "live site. Publishing would take those stories down, so nothing was deployed. Publish "
        "from the machine that holds the store (or set COMMENTS_DATABASE_URL to it), or run "
        "`invoke publish --force` to publish anyway."
    )


def publish_site(
    settings_file: Path,
    staging: Path,
    overrides: dict | None = None,
    message: str = "Publish site",
    force: bool = False,
) -> PublishTarget:
    """Build into a fresh `staging` folder, check it, guard the live stories, then deploy it."""
    from sitetools.build import BuildFailed, build_from_settings, load_settings
    from sitetools.check import check_site

    settings = load_settings(settings_file, {**(overrides or {}), "OUTPUT_PATH": str(staging)})
    target = target_of(settings)
    shutil.rmtree(staging, ignore_errors=True)
    try:
        build_from_settings(settings)
    except BuildFailed as failure:
        raise PublishFailed(f"{failure}\nNothing was deployed.") from None
    problems = check_site(staging, settings["SITEURL"], settings["SITE_ROOT"])
    if problems:
        listed = "\n".join(f"- {problem}" for problem in problems)
        raise PublishFailed(f"The built site has problems:\n{listed}\nNothing was deployed.")
    if not (staging / "index.html").is_file():
        raise PublishFailed(f"{staging} has no index.html: the build wrote no site.")
    work = staging.parent / f".{staging.name}-git"  # a clone of the branch, for the git method
    try:
        if not force:
            guard(settings, staging, target, work)
        transport(target, work).publish(staging, message)
    except TransportError as problem:
        raise PublishFailed(f"{problem}\nThe live site was left as it was.") from None
    return target
