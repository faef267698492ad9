"""Describe the machine a report was made on, since every figure in it depends on it."""

from __future__ import annotations

import hashlib
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench.procs import ROOT, can_empty_page_cache


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text("utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text("utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


PRODUCT_PATHS = ("plugins", "sitetools", "theme", "pelicanconf.py", "publishconf.py")


def _git(*args: str) -> str:
    """A read-only git query; "" when git or the repository is not there."""
    try:
        result = subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return result.stdout.rstrip("\n")


def _fingerprint() -> str:
    """A hash of every product file as it is on disk: tells whether code changed mid-run."""
    digest = hashlib.sha256()
    for file in _product_files():
        digest.update(str(file.relative_to(ROOT)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _product_files() -> list[Path]:
    files = []
    for top in PRODUCT_PATHS:
        path = ROOT / top
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            if file.is_file() and "__pycache__" not in file.parts:
                files.append(file)
    return files


def changed_since(epoch: float) -> list[dict[str, object]]:
    """Product files modified after `epoch`, with when (seconds after it), oldest first."""
    changed = [
        {"file": str(f.relative_to(ROOT)), "after_s": round(f.stat().st_mtime - epoch, 1)}
        for f in _product_files()
        if f.stat().st_mtime > epoch
    ]
    return sorted(changed, key=lambda c: c["after_s"])


def code_state() -> dict[str, object]:
    """The commit measured and any uncommitted change to product code, which it would include."""
    changed = _git("status", "--porcelain", "--", *PRODUCT_PATHS).splitlines()
    return {
        "commit": _git("rev-parse", "--short", "HEAD").strip() or "unknown",
        "uncommitted": [line[3:] for line in changed],
        "fingerprint": _fingerprint(),
    }


def describe() -> dict[str, object]:
    return {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "python": sys.version.split()[0],
        "pelican": metadata.version("pelican"),
        "markdown": metadata.version("markdown"),
        "page_cache_emptied": can_empty_page_cache(),
        **code_state(),
    }
