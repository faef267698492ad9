"""Compiled templates are cached by the plugin, so the settings file need not import Jinja."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from jinja2 import FileSystemBytecodeCache

from nextround.template_cache import keep_compiled_templates

ROOT = Path(__file__).resolve().parents[2]


def test_the_setting_adds_jinjas_bytecode_cache_and_keeps_the_other_options() -> None:
    pelican = SimpleNamespace(
        settings={"TEMPLATE_BYTECODE_CACHE": True, "JINJA_ENVIRONMENT": {"trim_blocks": True}}
    )
    keep_compiled_templates(pelican)
    environment = pelican.settings["JINJA_ENVIRONMENT"]
    assert environment["trim_blocks"] is True
    assert isinstance(environment["bytecode_cache"], FileSystemBytecodeCache)


def test_without_the_setting_nothing_changes() -> None:
    pelican = SimpleNamespace(settings={"JINJA_ENVIRONMENT": {"trim_blocks": True}})
    keep_compiled_templates(pelican)
    assert pelican.settings["JINJA_ENVIRONMENT"] == {"trim_blocks": True}


def test_reading_the_sites_settings_imports_no_template_engine() -> None:
    """Every moderation command reads the settings file: it must stay cheap to run."""
    probe = (
        "import runpy, sys; runpy.run_path('publishconf.py'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'jinja2', 'pelican'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
