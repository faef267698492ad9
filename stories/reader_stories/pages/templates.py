"""The Jinja environment for everything the stories system renders: article sections, feeds,
the intake's and the admin's pages.

Its templates are the package's own (templates/stories/...), each of which a theme can replace
with a file of the same name under its own templates folder. The build, the republisher and the
web service all render through this one environment, so a republished section is byte for byte
what a full build writes.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemBytecodeCache,
    FileSystemLoader,
    StrictUndefined,
)

# The package's own templates and static files, beside this package's modules.
PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PACKAGE_STATIC = Path(__file__).resolve().parent.parent / "static"


def long_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def iso_time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


def template_folders(theme_templates: Path | None, subfolder: str = "") -> list[Path]:
    """Where templates are looked for, first match wins: the theme's, then the package's."""
    folders = [theme_templates] if theme_templates is not None else []
    return [folder / subfolder for folder in [*folders, PACKAGE_TEMPLATES]]


def loader(theme_templates: Path | None, subfolder: str = "") -> BaseLoader:
    return ChoiceLoader(
        [FileSystemLoader(str(f)) for f in template_folders(theme_templates, subfolder)]
    )


@cache
def environment(theme_templates: Path | None) -> Environment:
    """Autoescaping on, undefined names an error: reader text must never slip through raw."""
    env = Environment(
        loader=loader(theme_templates),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        # Compiled templates are kept (in a private folder of the system's temporary folder,
        # keyed by each template's source), so a moderation command does not compile them again.
        bytecode_cache=FileSystemBytecodeCache(),
    )
    env.filters["long_date"] = long_date
    env.filters["iso_time"] = iso_time
    return env
