"""Where the approval command's time goes: the importtime reading and its line in the report."""

from __future__ import annotations

import pytest

from bench import report
from bench.approve import import_breakdown

IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:      2000 |       2000 |   _io
import time:      1500 |       1500 |     sqlalchemy.sql.compiler
import time:     60000 |      61500 |   sqlalchemy
import time:       500 |      62000 | nextround.stories.store
import time:     30000 |      30000 |     unittest.mock
import time:     40000 |      70000 | invoke
"""


def test_import_time_is_added_up_by_package_with_the_standard_library_as_one() -> None:
    found = import_breakdown("noise before\n" + IMPORTTIME + "Traceback? no, just output\n")
    assert dict(found["packages"]) == pytest.approx(
        {"sqlalchemy": 0.0615, "invoke": 0.04, "the standard library": 0.032, "nextround": 0.0005}
    )
    assert [name for name, _ in found["packages"]] == [
        "sqlalchemy",
        "invoke",
        "the standard library",
        "nextround",
    ]
    assert found["total_s"] == pytest.approx(0.134)


def _approve(cli_median_s: float) -> dict[str, object]:
    imports = {**import_breakdown(IMPORTTIME), "process_s": 0.31}
    return {"cli_median_s": cli_median_s, "cli_imports": imports, "function_median_ms": 6.2}


def test_report_names_the_imports_only_when_the_command_missed_its_target() -> None:
    missed = "\n".join(report._approval_imports(_approve(0.31)))
    assert "imports took 134 ms of its 310 ms" in missed
    assert "sqlalchemy 62 ms, invoke 40 ms, the standard library 32 ms" in missed
    assert "6 ms" in missed
    assert report._approval_imports(_approve(0.29)) == []
    assert report._approval_imports(None) == []
