"""Full builds that keep their state in the process, and quick passes that use it.

A full build here is `sitetools.build`'s, byte for byte; it also keeps Pelican and its articles
generator once the build has succeeded. A quick pass then rewrites one edited article's page
from that state (nextround.refresh) in a small part of a build's time; the full build that
follows settles every other page. A build that failed keeps no state: until one succeeds, every
change gets a full build, which names the problems.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sitetools.build import (
    BuildFailed,
    BuildReport,
    ProblemCollector,
    build_from_settings,
    crash_site,
)
from sitetools.build import load_settings as read_settings


@dataclass
class Kept:
    """What a successful full build leaves for the quick passes."""

    pelican: Any = None
    articles: Any = None  # Pelican's ArticlesGenerator


@dataclass(frozen=True)
class QuickPass:
    """One article's page written again: where, and how long it took."""

    source: Path
    page: Path
    seconds: float


@dataclass
class Rebuilder:
    """Builds `settings_file`'s site into `output`, keeping each good build's state."""

    settings_file: Path
    output: Path
    search_index: bool = True
    overrides: dict[str, Any] = field(default_factory=dict)
    kept: Kept | None = None

    def settings(self) -> dict[str, Any]:
        """Read again for every full build: the settings file may be the file that changed."""
        return read_settings(
            self.settings_file, {**self.overrides, "OUTPUT_PATH": str(self.output)}
        )

    def full(self) -> BuildReport:
        """A full build; raises BuildFailed (and forgets the last state) when it fails."""
        from pelican import signals

        self.kept = None
        seen = Kept()

        def keep_generators(generators: list[Any]) -> None:
            from pelican.generators import ArticlesGenerator

            for generator in generators:
                if isinstance(generator, ArticlesGenerator):
                    seen.articles = generator

        def keep_pelican(pelican: Any) -> None:
            seen.pelican = pelican

        signals.all_generators_finalized.connect(keep_generators)
        signals.finalized.connect(keep_pelican)
        try:
            report = build_from_settings(self.settings(), self.search_index)
        finally:
            signals.all_generators_finalized.disconnect(keep_generators)
            signals.finalized.disconnect(keep_pelican)
        if seen.pelican is not None and seen.articles is not None:
            self.kept = seen
        return report

    def quick(self, source: Path) -> QuickPass:
        """Rewrite the page of the article read from `source`.

        Raises NotRefreshable when the edit needs a full build instead, and BuildFailed when the
        article has a problem (the page is then left as it was).
        """
        from nextround import refresh

        if self.kept is None:
            raise refresh.NotRefreshable("the last full build did not succeed")
        started = time.perf_counter()
        pelican, generator = self.kept.pelican, self.kept.articles
        collector = ProblemCollector()
        root = logging.getLogger()
        root.addHandler(collector)
        page = None
        try:
            done = refresh.reread(pelican, generator, source)
            if not collector.errors:
                page = refresh.write(pelican, generator, done)
        except refresh.NotRefreshable:
            raise
        except Exception as exc:  # reported as a build reports a crash, in words
            collector.errors.append(f"{type(exc).__name__}: {exc}{crash_site(exc)}")
        finally:
            root.removeHandler(collector)
        if collector.errors or page is None:
            raise BuildFailed(collector.errors)
        return QuickPass(source, page, time.perf_counter() - started)
