"""Build the site with Pelican in-process and index it with Pagefind.

Pelican logs unreadable content and carries on; an author publishing a site needs the opposite:
the build stops, and the message names the file and what is wrong with it.
"""

from __future__ import annotations

import gc
import logging
import re
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import Pelican
from pelican.settings import read_settings


class BuildFailed(Exception):
    """The site did not build; `problems` lists each one in words an author can act on."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("The site did not build:\n" + "\n".join(f"- {p}" for p in problems))


@dataclass
class BuildReport:
    output: Path
    seconds: float
    settings: dict[str, Any]  # as Pelican read them: what the rest of the process reuses
    warnings: list[str] = field(default_factory=list)


class ProblemCollector(logging.Handler):
    """Collects every warning and error Pelican or a plugin logs during one build."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.errors: list[str] = []
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        # Pelican logs "Could not process FILE" inside its except block without the cause;
        # the exception being handled is still current here, so name it.
        exc = record.exc_info[1] if record.exc_info else sys.exc_info()[1]
        if exc is not None and record.levelno >= logging.ERROR:
            message = f"{message}: {exc}"
        (self.errors if record.levelno >= logging.ERROR else self.warnings).append(
            _explain(message)
        )


_MISSING = re.compile(r"could not find information about '(\w+)'")


def _explain(message: str) -> str:
    """Add the fix to Pelican's terse messages where the fix is obvious."""
    missing = _MISSING.search(message)
    if missing:
        key = missing.group(1).capitalize()
        return f"{message} (add a '{key}:' line to the metadata at the top of the file)"
    if message.endswith("is not a valid date"):
        return f"{message} (write dates as YYYY-MM-DD or YYYY-MM-DD HH:MM)"
    return message


def load_settings(
    settings_file: str | Path, overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Pelican settings from a settings file, with overrides applied the way Pelican does."""
    return read_settings(str(settings_file), override=dict(overrides or {}))


def build_site(
    settings_file: str | Path = "pelicanconf.py",
    output: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    search_index: bool = True,
) -> BuildReport:
    """Build into `output` (or the settings' OUTPUT_PATH); raise BuildFailed on any error."""
    values = dict(overrides or {})
    if output is not None:
        values["OUTPUT_PATH"] = str(output)
    return build_from_settings(load_settings(settings_file, values), search_index)


def build_from_settings(settings: dict[str, Any], search_index: bool = True) -> BuildReport:
    """Build with settings already read (`load_settings`): the settings file runs once."""
    started = time.perf_counter()
    collector = ProblemCollector()
    root = logging.getLogger()
    root.addHandler(collector)
    try:
        with _rare_collections():
            Pelican(settings).run()
    except Exception as exc:  # a crash inside Pelican or a plugin is reported, not hidden
        collector.errors.append(f"{type(exc).__name__}: {exc}{crash_site(exc)}")
    finally:
        root.removeHandler(collector)
    if collector.errors:
        raise BuildFailed(collector.errors)
    out = Path(settings["OUTPUT_PATH"])
    if search_index:
        index_for_search(out)
    return BuildReport(out, time.perf_counter() - started, settings, collector.warnings)


_CONTENT_NAMES = ("article", "page", "content", "draft")


def crash_site(exc: BaseException) -> str:
    """Where a crash happened, in an author's words: the content file and the template.

    Pelican passes the article or page being written down its call stack, and Jinja names each
    compiled template's frame after the template's file, so both can be read from the traceback.
    """
    source = template = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        if frame.f_code.co_filename.endswith((".html", ".xml", ".txt")):
            template = Path(frame.f_code.co_filename).name
        for name in _CONTENT_NAMES:
            found = getattr(frame.f_locals.get(name), "source_path", None)
            if isinstance(found, str):
                source = found
    parts = [f"in {source}"] if source else []
    if template:
        parts.append(f"while rendering the template {template}")
    return f" ({', '.join(parts)})" if parts else ""


@contextmanager
def _rare_collections(threshold: int = 100_000) -> Iterator[None]:
    """Fewer garbage-collector passes while Pelican runs.

    A build allocates millions of objects that live until it ends and almost none that form
    cycles, so the collector's default passes (every 700 allocations) cost about a twentieth
    of a build and free next to nothing; memory stays the same either way.
    """
    before = gc.get_threshold()
    gc.set_threshold(threshold, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def index_for_search(site: Path) -> None:
    """Run Pagefind over the built HTML; its bundle lands in site/pagefind/."""
    result = subprocess.run(
        [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip()
        raise BuildFailed([f"Pagefind could not index {site}: {detail}"])
