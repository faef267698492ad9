"""An import plan in words: per old address, the article it maps to and what becomes of its
comments, then every comment that will not be shown with its source id and the reason, the
fields left out, and one closing line that says what needs the owner's attention.

A dry run and a real run print the same report; only the closing line's tense differs.
"""

from __future__ import annotations

from collections import Counter

from reader_stories.importers.plan import (
    ATTENTION_WORDS,
    STORED,
    Attention,
    Fate,
    Plan,
    Planned,
)

NO_ADDRESS = "(no address)"
# Per address: the fates in this order, e.g. "3 shown, 1 spam, 2 kept aside".
_FATE_ORDER = list(Fate)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _destination(plan: Plan, url: str) -> str:
    where = plan.places.get(url)
    if where is None or where.slug is None:
        return "no article"
    if where.page:
        return f"{where.slug} (a page)"
    return f"{where.slug} (by the map)" if where.mapped else where.slug


def _listed(planned: Planned) -> bool:
    """Every comment that will not be shown, and any shown one with something to know."""
    if planned.fate is Fate.ALREADY:
        return False
    return planned.fate is not Fate.SHOWN or bool(planned.reason)


def _address_lines(plan: Plan, url: str, comments: list[Planned]) -> list[str]:
    fates = Counter(planned.fate for planned in comments)
    counts = ", ".join(
        _count(fates[f], str(f), f"{f}s" if f is Fate.HIDDEN else str(f))
        for f in _FATE_ORDER
        if fates[f]
    )
    head = f"{url} -> {_destination(plan, url)}" if url else NO_ADDRESS
    lines = [f"{head}: {counts}"]
    for planned in comments:
        if _listed(planned):
            lines.append(f"  {planned.ref}: {planned.fate}: {planned.reason}")
    return lines


def _attention(comments: list[Planned]) -> Counter[Attention]:
    needs: Counter[Attention] = Counter()
    for planned in comments:
        for item in dict.fromkeys(planned.attention):
            needs[item] += 1
    return needs


def report_lines(plan: Plan, *, dry_run: bool, what: str) -> list[str]:
    """The whole report; ``what`` names the file read, e.g. "the Disqus export x.xml"."""
    by_url: dict[str, list[Planned]] = {}
    for planned in plan.comments:
        by_url.setdefault(planned.source_url, []).append(planned)
    heading = "Dry run, nothing written" if dry_run else "Imported"
    lines = [
        f"{heading}: {what}, {_count(len(plan.comments), 'comment')} "
        f"on {_count(len(by_url), 'address', 'addresses')}."
    ]
    for url in sorted(by_url):
        lines += _address_lines(plan, url, by_url[url])
    if plan.dropped:
        kept_out = ", ".join(
            f"{what} ({_count(n, 'comment')})" for what, n in sorted(plan.dropped.items())
        )
        lines.append(f"Left out, the store has no place for them: {kept_out}.")
    lines += plan.notes
    authors = sum(1 for p in plan.comments if p.author and p.fate in STORED)
    if authors:
        verb = "gets" if authors == 1 else "get"
        lines.append(f"{_count(authors, 'comment')} by the site's author {verb} the Author badge.")
    lines.append(_closing(plan, dry_run))
    return lines


def _closing(plan: Plan, dry_run: bool) -> str:
    stored = [p for p in plan.comments if p.fate in STORED]
    shown = sum(1 for p in stored if p.fate is Fate.SHOWN)
    needs = _attention(plan.comments)
    if dry_run:
        start = f"{len(stored)} would be imported, {shown} would be shown"
    else:
        start = f"{len(stored)} imported, {shown} will be shown"
    if not needs:
        return f"{start}; nothing needs your attention."
    total = sum(1 for p in plan.comments if p.attention)
    parts = "; ".join(
        f"{needs[item]} {ATTENTION_WORDS[item][needs[item] != 1]}"
        for item in Attention
        if needs[item]
    )
    return f"{start}, {total} {'needs' if total == 1 else 'need'} your attention: {parts}."


def shown_articles(plan: Plan) -> set[str]:
    """The articles that show a story this import added: their pages change."""
    return {p.slug for p in plan.comments if p.fate is Fate.SHOWN and p.slug is not None}
