"""Run one measured child process: wall time, peak RSS and exit status, with a hard time limit.

Every build and tool runs in a fresh process so Pelican's module state never leaks between runs
and `os.wait4` gives that one child's own resource usage (ru_maxrss is its peak RSS in KiB).
"""

from __future__ import annotations

import compileall
import contextlib
import os
import re
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(os.environ.get("BENCH_VENV_BIN", ROOT / ".venv" / "bin"))
# Variables that would make a child read something other than what the harness hands it.
_LEAKY_PREFIXES = ("COMMENTS_", "PELICAN_SETTINGS", "SITEURL", "PUBLISH_")


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def can_empty_page_cache() -> bool:
    return os.access(DROP_CACHES, os.W_OK)


def settle_disk() -> None:
    """Before a timed build: finish writing the last one's files, then empty the page cache.

    A build writes tens of megabytes. Left alone, the kernel writes them back during the next
    build and charges it system time that grew run after run (ten times over in a row of six
    builds here), whichever side ran. Emptying the cache needs root; without it, only the sync.
    """
    os.sync()
    if can_empty_page_cache():
        with contextlib.suppress(OSError):  # a container may refuse it even to root
            DROP_CACHES.write_text("1")


class ChildFailed(RuntimeError):
    """A measured child exited non-zero or ran past its limit; the message carries its stderr."""


@dataclass(frozen=True)
class ChildResult:
    seconds: float
    cpu_seconds: float  # user + system: far less sensitive than wall time to a busy machine
    max_rss_kib: int
    returncode: int
    stdout: str
    stderr: str


def compile_project() -> None:
    """Compile the project's modules once, as pip compiles Pelican's when it installs it.

    Children run with PYTHONDONTWRITEBYTECODE, so without this a module changed since the last
    test run would be compiled again by every measured process, and charged to our side only.
    The stories and tip boxes packages are installed in place (editable), so pip compiled none
    of their modules either.
    """
    skip = re.compile(re.escape(str(ROOT / "bench" / "work")))  # the peers' own environments
    for folder in ("plugins", "sitetools", "bench", "stories/reader_stories", "tips/tipboxes"):
        compileall.compile_dir(ROOT / folder, quiet=1, rx=skip)
    compileall.compile_file(ROOT / "tasks.py", quiet=1)


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The harness's environment without settings overrides, with the project on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_LEAKY_PREFIXES)}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "plugins")])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra or {})
    return env


def run_measured(
    command: Sequence[str],
    *,
    log_dir: Path,
    name: str,
    timeout: float,
    env: Mapping[str, str] | None = None,
) -> ChildResult:
    """Run `command`, killing it after `timeout` seconds; output goes to log_dir/name.{out,err}."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_path, err_path = log_dir / f"{name}.out", log_dir / f"{name}.err"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        started = time.perf_counter()
        proc = subprocess.Popen(
            list(command), cwd=ROOT, env=dict(env or child_env()), stdout=out, stderr=err
        )
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _pid, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = ChildResult(
        seconds=seconds,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        max_rss_kib=int(usage.ru_maxrss),
        returncode=proc.returncode,
        stdout=out_path.read_text("utf-8", errors="replace"),
        stderr=err_path.read_text("utf-8", errors="replace"),
    )
    if result.returncode != 0:
        limit = " (killed at the time limit)" if seconds >= timeout else ""
        raise ChildFailed(
            f"{name} exited with {result.returncode}{limit}: {result.stderr.strip()[-2000:]}"
        )
    return result
