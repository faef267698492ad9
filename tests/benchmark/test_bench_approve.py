"""Where the approval command's time goes: the importtime reading and its line in the report."""

from __future__ import annotations

import pytest

from bench import report
from bench.approve import import_breakdown

# As Python prints it: each module after the ones it imported, indented by its depth.
IMPORTTIME = """\
import time: self [us] | cumulative | imported package
import time:      2000 |       2000 |   _io
import time:      1500 |       1500 |     sqlalchemy.sql.compiler
import time:     60000 |      61500 |   sqlalchemy
import time:       500 |      64000 | reader_stories.store
import time:     30000 |      30000 |   unittest.mock
import time:     40000 |      70000 | invoke
import time:      3000 |       3000 | encodings
"""


def test_import_time_counts_for_the_package_that_asked_for_it() -> None:
    found = import_breakdown("noise before\n" + IMPORTTIME + "output after\n")
    assert found["packages"] == [
        ("invoke", pytest.approx(0.07)),  # unittest.mock is invoke's cost
        ("sqlalchemy", pytest.approx(0.0615)),
        ("Python itself (start-up and the standard library)", pytest.approx(0.003)),
        ("reader_stories", pytest.approx(0.0025)),  # _io was imported by the stories store
    ]
    assert found["total_s"] == pytest.approx(0.137)


def _approve(cli_median_s: float, service_median_s: float | None = None) -> dict[str, object]:
    imports = {**import_breakdown(IMPORTTIME), "process_s": 0.31}
    return {
        "cli_median_s": cli_median_s,
        "service_cli_median_s": service_median_s,
        "cli_imports": imports,
        "function_median_ms": 6.2,
    }


def test_report_names_the_imports_only_when_the_command_missed_its_target() -> None:
    missed = "\n".join(report._approval_imports(_approve(0.31)))
    assert "imports took 137 ms of its 310 ms" in missed
    assert "invoke 70 ms, sqlalchemy 62 ms, Python itself" in missed
    assert "6 ms" in missed
    assert report._approval_imports(_approve(0.19)) == []
    # With the service running, the command it hands the approval to is what is judged.
    assert report._approval_imports(_approve(0.31, service_median_s=0.15)) == []
    assert "imports took" in "\n".join(report._approval_imports(_approve(0.31, 0.25)))
    assert report._approval_imports(None) == []
