"""The one configuration of the stories system: read once per process, frozen, handed to every part.

A Pelican settings file is plain Python, so ``load_config`` runs it once, without Pelican: the
intake, the admin and the moderation commands never import Pelican. The build glue and the
development server hand over the settings Pelican has already read (``config_from_pelican``).
Both end in the same ``Config``: the COMMENTS settings with their environment overrides, and the
facts about the site (addresses, names, folders) that every part shares.
"""

from __future__ import annotations

import os
import runpy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from reader_stories.env_file import apply_environment
from reader_stories.live.target import PublishTarget, TargetError, target_from_settings
from reader_stories.settings import (
    ADMIN_ENV_FILE,
    CommentsSettings,
    SettingsError,
    build_settings,
    read_env_file,
)

# The settings file a process reads when none is named: the same variable the tasks read, then
# the pointer a deployment writes (`invoke use-settings publishconf.py`), then pelicanconf.py.
SETTINGS_VARIABLE = "PELICAN_SETTINGS"
SETTINGS_POINTER = Path("var") / "settings-file"
DEFAULT_SETTINGS_FILE = "pelicanconf.py"
FEED_NAME = "stories.atom.xml"
SITE_FEED = "feeds/stories.atom.xml"
DEFAULT_SITENAME = "A Pelican Blog"  # Pelican's own default
DEFAULT_AUTHOR = "The editors"


@dataclass(frozen=True)
class Site:
    """The site the stories belong to, as the build, the intake, the admin and mail see it."""

    siteurl: str  # absolute origin and path, for feeds and emails
    site_root: str  # the path part of SITEURL, the prefix of links ("" at a domain's root)
    sitename: str
    intake_url: str  # where the intake is when it is not on the site's own origin ("": same)
    output: Path  # the built site (OUTPUT_PATH)
    article_save_as: str  # ARTICLE_SAVE_AS, to find an article's page in the built site
    theme: Path | None  # the site's theme folder; None: only the packages' own templates
    article_url: str = "{slug}.html"  # ARTICLE_URL, to link to an article from its slug
    policy_url: str = ""  # COMMENTS policy_url: what is kept and how to delete it ("": none)
    page_save_as: str = "pages/{slug}.html"  # PAGE_SAVE_AS: pages have no stories
    timezone: str = "UTC"  # TIMEZONE: the zone of dates written without one

    @property
    def templates(self) -> Path | None:
        """The theme's templates folder, whose files override the stories' own templates."""
        if self.theme is None or not (self.theme / "templates").is_dir():
            return None
        return self.theme / "templates"

    @property
    def form_action(self) -> str:
        return f"{self.intake_url or self.site_root}/stories/"

    @property
    def helped_action(self) -> str:
        """Where each published story's "This helped me" button posts."""
        return f"{self.form_action}helped"

    @property
    def follow_action(self) -> str:
        """Where the "Email me when a new story is published here" form posts."""
        return f"{self.form_action}follow"

    @property
    def link_root(self) -> str:
        """The prefix of links to the site: its path on its own origin, its whole address when
        the intake's pages are served from another origin (COMMENTS_INTAKE_URL)."""
        return self.siteurl if self.intake_url else self.site_root

    @property
    def intake_base(self) -> str:
        """The intake's absolute address, for the addresses it hands out (JSON answers)."""
        return f"{self.intake_url or self.siteurl}/stories"

    def article_href(self, slug: str) -> str:
        """A link to an article from the service's pages, which know only its slug."""
        return f"{self.link_root}/{self.article_url.format(slug=slug)}"

    @property
    def policy_href(self) -> str:
        """The comment policy's address, or "" when the site has none to link to."""
        if not self.policy_url or "://" in self.policy_url:
            return self.policy_url
        return f"{self.link_root}/{self.policy_url.lstrip('/')}"

    def feed_path(self, article: Any) -> str:
        """The stories feed of an article, beside its page: "slug/stories.atom.xml" for a page
        at "slug/", "slug.stories.atom.xml" for one at "slug.html"."""
        url: str = article.url
        if not url or url.endswith("/"):
            return f"{url}{FEED_NAME}"
        return f"{url.rsplit('.', 1)[0] if '.' in url.rsplit('/', 1)[-1] else url}.{FEED_NAME}"

    def article_page(self, slug: str) -> Path:
        return self.output / self.article_save_as.format(slug=slug)


@dataclass(frozen=True)
class Config:
    comments: CommentsSettings
    site: Site
    state: Path  # the project's var/: locks, the push mirror, backups (never served)
    target: PublishTarget | None = None  # where the site is published; None in development

    @property
    def live_site(self) -> Path | None:
        """The folder moderation rewrites in place, so a change is public at once: the web root
        on one server, the built site (output/) in development. None when the public site is
        elsewhere and changed pages are pushed to it."""
        if self.target is None:
            return self.site.output
        return self.target.local_folder


def settings_path(
    named: str | Path | None = None,
    environ: Mapping[str, str] | None = None,
    folder: Path | None = None,
) -> Path:
    """The settings file to read: the one named, else $PELICAN_SETTINGS, else the one a
    deployment pointed this checkout at (var/settings-file), else pelicanconf.py; relative
    names are taken from `folder` (the current folder)."""
    environ = os.environ if environ is None else environ
    folder = Path.cwd() if folder is None else folder
    chosen = named or environ.get(SETTINGS_VARIABLE)
    if not chosen and (folder / SETTINGS_POINTER).is_file():
        chosen = (folder / SETTINGS_POINTER).read_text(encoding="utf-8").strip()
    return (folder / (chosen or DEFAULT_SETTINGS_FILE)).resolve()


def point_settings_at(settings_file: Path, folder: Path | None = None) -> Path:
    """Make `settings_file` the default of this checkout's commands and service."""
    folder = Path.cwd() if folder is None else folder
    pointer = folder / SETTINGS_POINTER
    pointer.parent.mkdir(parents=True, exist_ok=True)
    pointer.write_text(f"{settings_file}\n", encoding="utf-8")
    return pointer


def load_config(
    settings_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> Config:
    """Run a Pelican settings file once (default: see settings_path). Reading the process's
    own environment, first add the environment file the checkout was pointed at."""
    if environ is None:
        apply_environment(Path.cwd())
    environ = os.environ if environ is None else environ
    path = settings_path(settings_file, environ)
    values = runpy.run_path(str(path))
    root = path.parent
    theme = values.get("THEME", "theme")
    return _config(
        values,
        environ,
        root,
        output=root / values.get("OUTPUT_PATH", "output"),
        theme=root / theme if (root / theme).is_dir() else None,
    )


def config_from_pelican(
    settings: Mapping[str, Any], environ: Mapping[str, str] | None = None
) -> Config:
    """The configuration of a build, from the settings dict Pelican read (paths already absolute).

    The project folder, for relative database paths and var/, is the one holding the content.
    """
    root = Path(settings["PATH"]).resolve().parent
    theme = Path(settings["THEME"])
    return _config(
        settings,
        os.environ if environ is None else environ,
        root,
        output=Path(settings["OUTPUT_PATH"]),
        theme=theme if theme.is_dir() else None,
    )


def _config(
    values: Mapping[str, Any],
    environ: Mapping[str, str],
    root: Path,
    *,
    output: Path,
    theme: Path | None,
) -> Config:
    """Environment first, then var/admin.env (written by `invoke comments.set-password`)."""
    siteurl = str(values.get("SITEURL", "")).rstrip("/")
    comments = build_settings(
        values.get("COMMENTS", {}),
        {**read_env_file(root / ADMIN_ENV_FILE), **environ},
        root,
        siteurl,
    )
    if not comments.author_name:
        author = str(values.get("AUTHOR") or DEFAULT_AUTHOR)
        comments = replace(comments, author_name=author)
    site = Site(
        siteurl=siteurl,
        site_root=str(values.get("SITE_ROOT", urlsplit(siteurl).path.rstrip("/"))),
        sitename=str(values.get("SITENAME", DEFAULT_SITENAME)),
        intake_url=comments.intake_url,
        output=output,
        article_save_as=str(values.get("ARTICLE_SAVE_AS", "{slug}.html")),
        theme=theme,
        article_url=str(values.get("ARTICLE_URL", "{slug}.html")),
        policy_url=comments.policy_url,
        page_save_as=str(values.get("PAGE_SAVE_AS", "pages/{slug}.html")),
        timezone=str(values.get("TIMEZONE") or "UTC"),
    )
    try:
        target = target_from_settings(values)
    except TargetError as problem:
        raise SettingsError(str(problem)) from None
    return Config(comments=comments, site=site, state=root / "var", target=target)
