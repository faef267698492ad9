"""Running the moderation command line as a moderator does, on a store of the test's own.

Each run goes through ``reader_stories.cli.main`` with a settings file written for the test (its
store, its own output folder), so nothing touches the project's var/ or output/.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from reader_stories.cli import main

AUTHOR = "Next Round editors"
SETTINGS = """\
AUTHOR = {author!r}
SITENAME = "Next Round"
SITEURL = ""
OUTPUT_PATH = {output!r}
COMMENTS = {{"database_url": {url!r}, "secret_key": "cli-tests-" + "s" * 40, "max_links": 2}}
"""


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def out_lines(self) -> list[str]:
        return self.out.splitlines()

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


class Cli:
    """`reader-stories --settings FILE ...` for one store."""

    def __init__(self, folder: Path, db_url: str) -> None:
        self.settings = folder / "settings.py"
        self.output = folder / "output"
        self.settings.write_text(
            SETTINGS.format(author=AUTHOR, output=str(self.output), url=db_url), encoding="utf-8"
        )

    def __call__(self, *argv: str) -> Ran:
        out, err = io.StringIO(), io.StringIO()
        code = main(["--settings", str(self.settings), *argv], out=out, err=err)
        return Ran(code, out.getvalue(), err.getvalue())
