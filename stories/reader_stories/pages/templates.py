"""The Jinja environment for story sections, forms and intake pages, over the site's theme.

The build, the approval fast path and the intake all render through this one environment, so a
section written by the fast path is byte for byte what a full build writes.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined


def long_date(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def iso_time(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


@cache
def environment(templates: Path) -> Environment:
    """Autoescaping on, undefined names an error: reader text must never slip through raw."""
    env = Environment(
        loader=FileSystemLoader(str(templates)),
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
