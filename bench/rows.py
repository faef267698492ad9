"""The report's rows: for each measure, our figure, the peer's, the ratio, the target and
whether it was met. Targets live here, beside the rows that judge them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

TIMES = "\N{MULTIPLICATION SIGN}"
# The full build against plain Pelican, at these sizes: the wall time an author waits for, using
# both cores, and the CPU time that costs the machine.
TARGET_BUILD_SIZES = (1000, 5000)
TARGET_BUILD_WALL_RATIO = 0.75
TARGET_BUILD_CPU_RATIO = 1.15
TARGET_TIPS_RATIO = 1.05
TARGET_MEMORY_SIZE = 5000
TARGET_MEMORY_RATIO = 1.5
TARGET_APPROVE_S = 0.2
TARGET_RELOAD_S = 0.5
TARGET_INTAKE_RATIO = 3.0
TARGET_P99_MS = 50.0
TARGET_PAGE_BYTES = 25_000  # "25 KB", read strictly as 25,000 bytes
TARGET_IMAGE_PAGE_BYTES = 150_000  # an article with figures: its first screen
TARGET_PAGE_REQUESTS = 4

MEASURES: tuple[tuple[str, str, str], ...] = (
    (
        "build_overhead",
        "1. Build overhead",
        "plain Pelican 4.12, default theme, no plugins; Hugo as a reference",
    ),
    ("tip_boxes", "2. Tip boxes", "our site with the tips written as plain headings"),
    (
        "cached_rebuild",
        "3. Rebuild after editing one article",
        "the full build; `pelican -r` for the reload",
    ),
    ("approve_to_live", "4. Approve to live", "a full rebuild"),
    (
        "intake",
        "5. Intake throughput (20 concurrent clients, loopback)",
        "Isso 0.14 under gunicorn",
    ),
    ("page_weight", "6. Page weight of the seed article", "plain Pelican, default theme"),
    ("memory", "7. Memory (peak RSS)", "plain Pelican / Isso"),
)


@dataclass(frozen=True)
class Row:
    measure: str
    label: str
    ours: str
    peer: str
    ratio: str
    target: str
    met: bool | None  # None: no target for this row


def _x(value: float) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.2f}{TIMES}"


def _div(a: float | None, b: float | None) -> float:
    return a / b if a is not None and b else math.nan


def _kb(value: float) -> str:
    return f"{value / 1000:.1f} KB"


def _mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MiB"


def _sizes(results: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    return sorted((int(n), size) for n, size in results["builds"].items())


def _at_most(ratio: float, target: float | None) -> tuple[str, str, bool | None]:
    """The ratio column, the target column and whether the ratio met it (None: no target).
    A ratio that misses by less than the rounding shows a third decimal: "0.75x, at most 0.75x,
    missed" would read as a mistake."""
    if target is None:
        return _x(ratio), "—", None
    met = ratio <= target
    shown = _x(ratio)
    if not met and f"{ratio:.2f}" == f"{target:.2f}":
        shown = f"{ratio:.3f}{TIMES}"
    return shown, f"≤ {target:.2f}{TIMES}", met


def _timed_rows(
    measure: str,
    label: str,
    ours: dict[str, Any],
    peer: dict[str, Any],
    cpu_target: float | None,
    wall_target: float | None = None,
) -> list[Row]:
    """CPU time, wall time and Pelican's own time of one comparison, each judged against its
    target when it has one: the wall time is what an author waits for, the CPU time (user +
    system of the build and its workers) what the build costs the machine."""
    cpu = _div(ours["cpu"], peer["cpu"])
    wall = _div(ours["wall"], peer["wall"])
    return [
        Row(
            measure,
            f"{label}: CPU time of the process",
            f"{ours['cpu']:.2f} s",
            f"{peer['cpu']:.2f} s",
            *_at_most(cpu, cpu_target),
        ),
        Row(
            measure,
            f"{label}: wall time of the process",
            f"{ours['wall']:.2f} s",
            f"{peer['wall']:.2f} s",
            *_at_most(wall, wall_target),
        ),
        Row(
            measure,
            f"{label}: Pelican's own run (in-process)",
            f"{ours['inproc']:.2f} s",
            f"{peer['inproc']:.2f} s",
            _x(_div(ours["inproc"], peer["inproc"])),
            "—",
            None,
        ),
    ]


def build_rows(results: dict[str, Any]) -> list[Row]:
    rows = []
    for n, size in _sizes(results):
        stories = size["stories"]["approved"]
        judged = n in TARGET_BUILD_SIZES
        label = f"Full build, N={n:,} ({stories:,} stories)"
        rows += _timed_rows(
            "build_overhead",
            label,
            size["ours"],
            size["plain"],
            TARGET_BUILD_CPU_RATIO if judged else None,
            TARGET_BUILD_WALL_RATIO if judged else None,
        )
        if "hugo" in size:
            rows.append(hugo_row(results, n, size))
    return rows


def hugo_row(results: dict[str, Any], n: int, size: dict[str, Any]) -> Row:
    """Ours against Hugo building the same articles: a reference, how far a Python build is
    from the fastest static site generator; plain Pelican's own distance is in the label."""
    hugo, plain = size["hugo"]["wall"], size["plain"]["wall"]
    version = results.get("hugo_version") or "unknown"
    return Row(
        "build_overhead",
        f"Full build, N={n:,}: wall time against Hugo {version}, same articles without stories "
        f"(reference; plain Pelican takes {_x(_div(plain, hugo))} Hugo's)",
        f"{size['ours']['wall']:.2f} s",
        f"{hugo:.2f} s",
        _x(_div(size["ours"]["wall"], hugo)),
        "—",
        None,
    )


def tips_rows(results: dict[str, Any]) -> list[Row]:
    rows = []
    for n, size in _sizes(results):
        if "headings" in size:
            label = f"Full build, N={n:,}, tip boxes vs plain headings"
            rows += _timed_rows(
                "tip_boxes", label, size["ours"], size["headings"], TARGET_TIPS_RATIO
            )
    return rows


def cached_rows(results: dict[str, Any]) -> list[Row]:
    rows = []
    for n, size in _sizes(results):
        if "cached" not in size:
            continue
        for side, who in (("ours", "our site"), ("plain", "plain Pelican")):
            for clock, what in (("wall", "wall time"), ("cpu", "CPU time")):
                cached = size["cached" if side == "ours" else "plain_cached"][clock]
                full = size[side][clock]
                rows.append(
                    Row(
                        "cached_rebuild",
                        f"N={n:,}, {who}: rebuild after one edit (cache on) vs full build, {what}",
                        f"{cached:.2f} s",
                        f"{full:.2f} s",
                        _x(_div(cached, full)),
                        "lower is better",
                        None,
                    )
                )
    return rows


def reload_rows(results: dict[str, Any]) -> list[Row]:
    """Edit to reload: from the save to the article's page rewritten, under each side's watcher."""
    rows = []
    for n, size in _sizes(results):
        if "reload" not in size:
            continue
        ours, plain = size["reload"]["median"], size["plain_reload"]["median"]
        rows.append(
            Row(
                "cached_rebuild",
                f"N={n:,}: save to page rewritten, `invoke regenerate` vs `pelican -r` (cache on)",
                f"{ours:.3f} s",
                f"{plain:.3f} s",
                _x(_div(ours, plain)),
                f"≤ {TARGET_RELOAD_S} s",
                ours <= TARGET_RELOAD_S,
            )
        )
    return rows


def approve_rows(results: dict[str, Any]) -> list[Row]:
    found = results.get("approve")
    if not found:
        problem = _problem(results, "approve to live") or "not run"
        return [Row("approve_to_live", "Approve to live", problem, "—", "—", "—", False)]
    n = found["articles"]
    rebuild = results["builds"][str(n)]["ours"]["wall"]
    function_s = found["function_median_ms"] / 1000
    rows = [
        Row(
            "approve_to_live",
            f"`service.approve` to page on disk, N={n:,} "
            f"(median; max {found['function_max_ms']:.0f} ms)",
            f"{found['function_median_ms']:.0f} ms",
            f"{rebuild:.2f} s",
            _x(_div(function_s, rebuild)),
            f"≤ {TARGET_APPROVE_S} s",
            function_s <= TARGET_APPROVE_S and not found["problems"],
        )
    ]
    if found.get("service_cli_median_s") is not None:
        service_s = found["service_cli_median_s"]
        rows.append(
            Row(
                "approve_to_live",
                "`python -m invoke comments.approve ID` with the stories service running, whole "
                "process (peer: `invoke --list`, start-up alone)",
                f"{service_s:.2f} s",
                f"{found['cli_startup_median_s']:.2f} s",
                _x(_div(service_s, found["cli_startup_median_s"])),
                f"≤ {TARGET_APPROVE_S} s",
                service_s <= TARGET_APPROVE_S,
            )
        )
    if found["cli_median_s"] is not None:
        rows.append(
            Row(
                "approve_to_live",
                "`python -m invoke comments.approve ID` without the service, whole process "
                "(peer: `invoke --list`)",
                f"{found['cli_median_s']:.2f} s",
                f"{found['cli_startup_median_s']:.2f} s",
                _x(_div(found["cli_median_s"], found["cli_startup_median_s"])),
                "—",
                None,
            )
        )
    compared, different = found["files_compared"], found["files_different"]
    rows.append(
        Row(
            "approve_to_live",
            "Full rebuild afterwards writes the same bytes (pages and story feeds touched)",
            f"{compared - len(different)}/{compared} identical",
            "—",
            "—",
            "byte-identical",
            found["identical"],
        )
    )
    return rows


def intake_rows(results: dict[str, Any]) -> list[Row]:
    found = results.get("intake")
    if not found or not found.get("ours"):
        problem = _problem(results, "intake") or "not run"
        return [Row("intake", "Intake throughput", problem, "—", "—", "—", False)]
    ours, isso = found["ours"], found.get("isso")
    peer_missing = found.get("isso_problem") or "n/a"

    def peer(key: str, fmt: str) -> str:
        return fmt.format(isso[key]) if isso else peer_missing

    rate_ratio = _div(ours["per_second"], isso["per_second"]) if isso else math.nan
    return [
        Row(
            "intake",
            "Submissions acknowledged per second (median of runs)",
            f"{ours['per_second']:.0f}/s",
            peer("per_second", "{:.0f}/s"),
            _x(rate_ratio),
            f"≥ {TARGET_INTAKE_RATIO:.0f}{TIMES} Isso",
            rate_ratio >= TARGET_INTAKE_RATIO if isso else None,
        ),
        Row(
            "intake",
            "p50 latency",
            f"{ours['p50_ms']:.1f} ms",
            peer("p50_ms", "{:.1f} ms"),
            _x(_div(ours["p50_ms"], isso["p50_ms"])) if isso else "n/a",
            "—",
            None,
        ),
        Row(
            "intake",
            "p99 latency",
            f"{ours['p99_ms']:.1f} ms",
            peer("p99_ms", "{:.1f} ms"),
            _x(_div(ours["p99_ms"], isso["p99_ms"])) if isso else "n/a",
            f"≤ {TARGET_P99_MS:.0f} ms",
            ours["p99_ms"] <= TARGET_P99_MS,
        ),
        Row(
            "intake",
            "Acknowledged submissions found in the store afterwards (all runs)",
            f"{ours['stored_pending']:,}/{ours['acked']:,}",
            f"{isso['stored_pending']:,}/{isso['acked']:,}" if isso else peer_missing,
            "—",
            "none lost",
            ours["lost"] == 0 and (isso is None or isso["lost"] == 0),
        ),
        Row(
            "intake",
            "CPU used during the load, share of one core: server (load generator)",
            _cpu_shares(ours),
            _cpu_shares(isso) if isso else peer_missing,
            "—",
            "—",
            None,
        ),
        Row(
            "intake",
            "Requests refused under load (not acknowledged)",
            str(_refused(ours)),
            str(_refused(isso)) if isso else peer_missing,
            "—",
            "0 (limits raised)",
            _refused(ours) == 0,
        ),
    ]


def _cpu_shares(side: dict[str, Any]) -> str:
    server, client = side.get("server_cpu_share"), side.get("client_cpu_share")
    if server is None or client is None:
        return "n/a"
    return f"{server:.0%} ({client:.0%})"


def _refused(side: dict[str, Any]) -> int:
    return sum(run["sent"] - run["acked"] for run in side["runs"])


def page_rows(results: dict[str, Any]) -> list[Row]:
    found = results.get("page_weight")
    if not found:
        problem = _problem(results, "page weight") or "not run"
        return [Row("page_weight", "Page weight", problem, "—", "—", "—", False)]
    ours, plain = _weight(found["ours"]), _weight(found["plain"])
    stories = _weight(found["ours_with_stories"])
    rows = [
        Row(
            "page_weight",
            f"Requests ({ours['source']})",
            str(ours["requests"]),
            str(plain["requests"]) + (f" ({plain['failed']} failed)" if plain["failed"] else ""),
            _x(_div(ours["requests"], plain["requests"])),
            f"≤ {TARGET_PAGE_REQUESTS}",
            ours["requests"] <= TARGET_PAGE_REQUESTS,
        ),
        Row(
            "page_weight",
            "Bytes transferred, gzip as a static host serves them",
            _kb(ours["transfer"]),
            _kb(plain["transfer"]),
            _x(_div(ours["transfer"], plain["transfer"])),
            "≤ 25 KB",
            ours["transfer"] <= TARGET_PAGE_BYTES,
        ),
        Row(
            "page_weight",
            "Bytes uncompressed (page + every asset)",
            _kb(ours["raw"]),
            _kb(plain["raw"]),
            _x(_div(ours["raw"], plain["raw"])),
            "— (shown; the target is on bytes transferred)",
            None,
        ),
        Row(
            "page_weight",
            "Same page with 10 approved stories: transferred / uncompressed, requests",
            f"{_kb(stories['transfer'])} / {_kb(stories['raw'])}, {stories['requests']}",
            "—",
            "—",
            "≤ 25 KB in ≤ 4 (transferred)",
            stories["transfer"] <= TARGET_PAGE_BYTES
            and stories["requests"] <= TARGET_PAGE_REQUESTS,
        ),
    ]
    if "ours_with_images" in found:  # reports written before articles had figures lack it
        images = _weight(found["ours_with_images"])
        rows.append(
            Row(
                "page_weight",
                f"Article with a figure (/{found['ours_with_images']['page']}), first screen "
                "at 1280x900: transferred / uncompressed, requests",
                f"{_kb(images['transfer'])} / {_kb(images['raw'])}, {images['requests']}",
                "—",
                "—",
                "≤ 150 KB (transferred)",
                images["transfer"] <= TARGET_IMAGE_PAGE_BYTES,
            )
        )
    return rows


def _weight(side: dict[str, Any]) -> dict[str, Any]:
    """Chromium's figures when it ran, else the file view's."""
    browser, files = side["browser"], side["files"]
    if browser.get("available"):
        return {
            "source": "Chromium",
            "requests": browser["requests"],
            "failed": browser["failed_requests"],
            "transfer": browser["transfer_bytes"],
            "raw": browser["bytes"],
        }
    return {
        "source": "files on disk; Chromium unavailable",
        "requests": files["requests"],
        "failed": files["external_requests"],
        "transfer": files["gzip_bytes"],
        "raw": files["bytes"],
    }


def memory_rows(results: dict[str, Any]) -> list[Row]:
    rows = []
    for n, size in _sizes(results):
        ours, plain = size["ours"]["rss_mib"], size["plain"]["rss_mib"]
        ratio = _div(ours, plain)
        target = TARGET_MEMORY_RATIO if n == TARGET_MEMORY_SIZE else None
        rows.append(
            Row(
                "memory",
                f"Full build, N={n:,}",
                _mib(ours),
                _mib(plain),
                *_at_most(ratio, target),
            )
        )
    found = results.get("intake") or {}
    if found.get("ours"):
        ours, isso = found["ours"]["peak_rss_mib"], (found.get("isso") or {}).get("peak_rss_mib")
        rows.append(
            Row(
                "memory",
                "Intake server under load (VmHWM)",
                _mib(ours),
                _mib(isso) if isso else found.get("isso_problem") or "n/a",
                _x(_div(ours, isso)),
                "—",
                None,
            )
        )
    return rows


def _problem(results: dict[str, Any], name: str) -> str | None:
    return next((p for p in results.get("problems", []) if p.startswith(name)), None)


def rows(results: dict[str, Any]) -> list[Row]:
    return [
        *build_rows(results),
        *tips_rows(results),
        *cached_rows(results),
        *reload_rows(results),
        *approve_rows(results),
        *intake_rows(results),
        *page_rows(results),
        *memory_rows(results),
    ]
