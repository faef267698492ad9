"""Benchmark-only virtualenvs under bench/work/ (gitignored), installed from pinned files.

Peers and profilers stay out of the project's requirements: Isso gets a venv of its own (its
dependencies must not mix with ours), and pyinstrument a venv that also sees the project's
packages through a .pth file, so it can profile a build without touching .venv.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import sysconfig
from pathlib import Path

from bench.procs import ROOT

WORK = ROOT / "bench" / "work"
ISSO_VENV = WORK / "isso-venv"
ISSO_REQUIREMENTS = ROOT / "bench" / "requirements-isso.txt"
PROFILE_VENV = WORK / "profile-venv"
PROFILE_REQUIREMENTS = ROOT / "bench" / "requirements-profile.txt"
INSTALL_TIMEOUT = 600.0


class VenvUnavailable(RuntimeError):
    """The venv could not be made; the message says which step failed and why."""


def _stamp(requirements: Path) -> str:
    return hashlib.sha256(requirements.read_bytes()).hexdigest()


def _run(command: list[str], step: str) -> None:
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired:
        raise VenvUnavailable(f"{step} took longer than {INSTALL_TIMEOUT:.0f} s") from None
    if result.returncode != 0:
        detail = "\n".join((result.stderr or result.stdout).strip().splitlines()[-5:])
        raise VenvUnavailable(f"{step} failed: {detail}")


def ensure_venv(venv: Path, requirements: Path) -> Path:
    """Create `venv` and install `requirements` unless already done; returns its bin folder."""
    marker = venv / ".bench-installed"
    if marker.is_file() and marker.read_text("utf-8") == _stamp(requirements):
        return venv / "bin"
    if not (venv / "bin" / "python").exists():
        _run([sys.executable, "-m", "venv", str(venv)], f"python -m venv {venv}")
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    _run([*pip, "-r", str(requirements)], f"pip install -r {requirements.name}")
    marker.write_text(_stamp(requirements), "utf-8")
    return venv / "bin"


def ensure_isso() -> Path:
    return ensure_venv(ISSO_VENV, ISSO_REQUIREMENTS)


def ensure_profiler() -> Path:
    """pyinstrument in its own venv, which also imports the project's packages."""
    bin_dir = ensure_venv(PROFILE_VENV, PROFILE_REQUIREMENTS)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site = PROFILE_VENV / "lib" / version / "site-packages"
    # addsitedir, not a bare path: the project's own packages are installed in editable mode,
    # through .pth files of the project's venv that a bare path would not run.
    project = sysconfig.get_paths()["purelib"]
    line = f"import site; site.addsitedir({project!r})\n"
    (site / "project-venv.pth").write_text(line, "utf-8")
    return bin_dir
