"""Python-Markdown's own test suite passes with the tip boxes (and the site's inline gate) added
to every Markdown instance.

Whatever Python-Markdown and its bundled extensions accept must keep working on this site: the
footnotes extension's "///Footnotes Go Here///" placeholder was once read as a broken tip header.
The suite ships in Markdown's source distribution (not its wheel), so the installed version's
is downloaded once from the package index into var/cache/ and reused.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
from pathlib import Path

import markdown
import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "var" / "cache" / "markdown-suite"
RUNNER = Path(__file__).with_name("markdown_suite.py")


@pytest.fixture(scope="module")
def suite_root() -> Path:
    """Markdown's source tree for the installed version, with its tests/ folder."""
    version = markdown.__version__
    root = CACHE / f"markdown-{version}"
    if (root / "tests").is_dir():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    download = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--disable-pip-version-check",
         "--no-deps", "--no-binary", ":all:", f"markdown=={version}", "-d", str(CACHE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    archives = sorted(CACHE.glob(f"[Mm]arkdown-{version}.tar.gz"))
    assert archives, f"could not download Markdown {version}'s sources: {download.stderr}"
    with tarfile.open(archives[0]) as archive:
        archive.extractall(CACHE, filter="data")
    return root


def run_suite(root: Path, *extensions: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(RUNNER), str(root), *extensions],
        capture_output=True, text=True, check=True, cwd=root,
    )  # fmt: skip
    return json.loads(result.stdout)


def test_the_whole_suite_passes_with_tip_boxes_in_every_instance(suite_root: Path) -> None:
    report = run_suite(suite_root, "tipboxes.extension")
    assert report["problems"] == []
    assert report["ran"] > 1000  # the suite was found and loaded, test_apis included
    assert report["instances"] > 1000  # and the tip boxes were really in the instances


def test_the_whole_suite_passes_with_the_sites_inline_gate_too(suite_root: Path) -> None:
    """The site's inline gate (plugins/nextround/inline_gate.py) takes the place of Markdown's
    inline processor: every test of Markdown's own passes with it and the tip boxes, as the
    site converts, including those that hand the processor patterns of their own."""
    report = run_suite(suite_root, "tipboxes.extension", "nextround.inline_gate")
    assert report["problems"] == []
    assert report["ran"] > 1000
    assert report["instances"] > 1000


def test_the_footnote_placeholder_case_is_in_the_suite(suite_root: Path) -> None:
    """The case that once failed is still there to fail, with the same input."""
    placeholder = suite_root / "tests" / "extensions" / "extra" / "footnote_placeholder.txt"
    assert placeholder.read_text(encoding="utf-8").startswith("///Footnotes Go Here///")
