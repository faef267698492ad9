"""Decide, before anything is written, what becomes of every comment an importer read.

The same plan is printed by a dry run and carried out by a real one, so the report the owner
reads first is what happens. Each comment gets one fate: shown, waiting for moderation, spam,
a hidden reply (approved, under a parent that is not shown), kept aside (no article here),
skipped (deleted, unreadable), or already imported (found by its source id; a moderator's
later decisions win, so a deleted story stays deleted and an edited one is not added again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from reader_stories.importers.records import Harvest, ImportedComment, Skipped
from reader_stories.importers.site_articles import SiteArticles
from reader_stories.importers.url_map import Place, UrlMap, place
from reader_stories.models import Status
from reader_stories.store import schema
from reader_stories.store.imports import Origin
from reader_stories.text import fold
from reader_stories.validation import NAME_MAX, STORY_MAX

Twin = Callable[[str, ImportedComment], Origin | None]


class Fate(StrEnum):
    SHOWN = "shown"
    WAITING = "waiting for moderation"
    SPAM = "spam"
    HIDDEN = "hidden reply"
    KEPT_ASIDE = "kept aside"
    SKIPPED = "skipped"
    ALREADY = "already imported"


# The fates that become stories in the store.
STORED = frozenset({Fate.SHOWN, Fate.WAITING, Fate.SPAM, Fate.HIDDEN})


class Attention(StrEnum):
    """What the owner should look at, in the order the summary names them."""

    NO_ARTICLE = "no article"
    PAGE = "page"
    WAITING = "waiting"
    HIDDEN_PARENT = "hidden parent"
    OVER_LIMIT = "over limit"
    UNREADABLE = "unreadable"


# How the closing line counts each: (one, several).
ATTENTION_WORDS: dict[Attention, tuple[str, str]] = {
    Attention.NO_ARTICLE: (
        "has no article here (kept aside; map its address with --map)",
        "have no article here (kept aside; map their addresses with --map)",
    ),
    Attention.PAGE: ("is on a page, which shows no stories", "are on pages, which show no stories"),
    Attention.WAITING: ("waits for moderation", "wait for moderation"),
    Attention.HIDDEN_PARENT: (
        "is an approved reply under a parent that is not shown",
        "are approved replies under a parent that is not shown",
    ),
    Attention.OVER_LIMIT: (
        "is over the form's limits",
        "are over the form's limits",
    ),
    Attention.UNREADABLE: (
        "is a record that could not be read",
        "are records that could not be read",
    ),
}
# The sources' own names, for the report's words.
SOURCE_NAMES = {
    "disqus": "Disqus",
    "isso": "Isso",
    "pelican-comment-system": "pelican-comment-system",
}


@dataclass(frozen=True)
class Owner:
    """The site owner's past names and addresses: their comments get the Author badge."""

    names: frozenset[str] = frozenset()
    emails: frozenset[str] = frozenset()

    @classmethod
    def of(cls, names: Iterable[str] = (), emails: Iterable[str] = ()) -> Owner:
        return cls(
            frozenset(fold(name) for name in names if name.strip()),
            frozenset(email.strip().casefold() for email in emails if email.strip()),
        )

    def wrote(self, comment: ImportedComment) -> bool:
        if comment.email and comment.email.casefold() in self.emails:
            return True
        return fold(comment.name) in self.names


@dataclass(eq=False)  # compared by identity: two comments are never the same plan
class Planned:
    """One comment (or unreadable record) and what the import does with it."""

    ref: str
    source_url: str
    fate: Fate
    reason: str = ""  # why it is not shown, or what to know about it
    comment: ImportedComment | None = None
    slug: str | None = None
    author: bool = False
    attention: list[Attention] = field(default_factory=list)
    root_ref: str | None = None  # a reply's story: its thread's top, or the nearest hidden parent
    story_id: int | None = None  # the story it is (already imported) or became
    status_here: Status | None = None  # that story's status, when already imported


@dataclass
class Plan:
    source: str
    comments: list[Planned]
    places: dict[str, Place]
    dropped: Mapping[str, int]
    notes: list[str]

    def by_ref(self) -> dict[str, Planned]:
        """Each source id's plan; for an id that appears twice, the first (the one imported)."""
        found: dict[str, Planned] = {}
        for planned in self.comments:
            found.setdefault(planned.ref, planned)
        return found


def _limits(comment: ImportedComment) -> tuple[ImportedComment, list[str]]:
    """Names and texts over the form's limits are kept whole and said; only a name too long
    for the store's column is cut, and that is said too."""
    problems = []
    name = comment.name
    if len(name) > schema.NAME_LENGTH:
        problems.append(
            f"its name has {len(name):,} characters, cut to the store's {schema.NAME_LENGTH}"
        )
        comment = replace(comment, name=name[: schema.NAME_LENGTH])
    elif len(name) > NAME_MAX:
        problems.append(f"its name has {len(name):,} characters, over the form's {NAME_MAX}")
    if len(comment.body_markdown) > STORY_MAX:
        problems.append(
            f"its text has {len(comment.body_markdown):,} characters, over the form's {STORY_MAX:,}"
        )
    return comment, problems


# Records the source itself left out or never held a comment: reported, nothing to fix.
_NOT_A_PROBLEM = ("deleted in", "its thread is deleted", "an empty", "not a comment file")


class _Planner:
    def __init__(
        self,
        harvest: Harvest,
        site: SiteArticles,
        url_map: UrlMap,
        owner: Owner,
        origins: Mapping[str, Origin],
        twin: Twin,
    ) -> None:
        self.twin = twin
        self.harvest = harvest
        self.site = site
        self.url_map = url_map
        self.owner = owner
        self.origins = origins
        self.places: dict[str, Place] = {}
        self.left_out = {record.ref: record.reason for record in harvest.skipped}
        self.planned: dict[str, Planned] = {}
        self.comments: dict[str, ImportedComment] = {}

    def where(self, url: str) -> Place:
        if url not in self.places:
            self.places[url] = place(url, self.site, self.url_map)
        return self.places[url]

    def skipped(self, record: Skipped) -> Planned:
        planned = Planned(record.ref, record.source_url, Fate.SKIPPED, record.reason)
        if not record.reason.startswith(_NOT_A_PROBLEM):
            planned.attention.append(Attention.UNREADABLE)
        return planned

    def first_pass(self, comment: ImportedComment) -> Planned:
        """Everything that does not depend on the comment's parent."""
        source = SOURCE_NAMES.get(self.harvest.source, self.harvest.source)
        origin = self.origins.get(comment.ref)
        where = self.where(comment.source_url)
        planned = Planned(comment.ref, comment.source_url, Fate.SHOWN, comment=comment)
        planned.slug = where.slug
        if origin is not None:
            planned.story_id = origin.story_id
            if origin.status is None:
                planned.fate = Fate.SKIPPED
                planned.reason = (
                    f"imported before as story #{origin.story_id}, which a moderator "
                    "deleted; not brought back"
                )
            else:
                planned.fate = Fate.ALREADY
                planned.status_here = origin.status
                planned.reason = f"already imported as story #{origin.story_id}"
            return planned
        comment, problems = _limits(comment)
        planned.comment = comment
        if where.slug is None:
            planned.fate = Fate.KEPT_ASIDE
            planned.reason = (
                "a WordPress link (?p=) names no article; add it to the --map file"
                if where.wordpress
                else "no article of this site has this address; add it to the --map file"
            )
            planned.reason = _join(planned.reason, *problems)
            planned.attention.append(Attention.NO_ARTICLE)
            return planned
        if where.page:
            planned.fate = Fate.KEPT_ASIDE
            planned.reason = _join(
                f"{where.slug} is a page, not an article; pages show no stories", *problems
            )
            planned.attention.append(Attention.PAGE)
            return planned
        twin = self.twin(where.slug, planned.comment)
        if twin is not None:
            planned.fate = Fate.ALREADY
            planned.story_id, planned.status_here = twin.story_id, twin.status
            planned.reason = f"already in the store as story #{twin.story_id}"
            return planned
        planned.author = self.owner.wrote(comment)
        if problems:
            planned.attention.append(Attention.OVER_LIMIT)
            planned.reason = "; ".join(problems)
        if comment.status is Status.SPAM:
            planned.fate = Fate.SPAM
            planned.reason = _join(f"as {source} marked it", planned.reason)
        elif comment.status is Status.PENDING:
            planned.fate = Fate.WAITING
            planned.reason = _join(f"as it was in {source}", planned.reason)
            planned.attention.append(Attention.WAITING)
        return planned

    def ancestors(self, planned: Planned) -> list[Planned]:
        """The comment's parent, its parent's parent, ... up to the top of its thread, among
        the comments that are or become stories on the same article. Replies that point at
        each other in a circle raise _Circle."""
        chain: list[Planned] = []
        current = planned
        while current.comment is not None and current.comment.parent_ref is not None:
            parent = self.planned.get(current.comment.parent_ref)
            if parent is None or parent.slug != planned.slug:
                break
            if parent.fate not in STORED and parent.fate is not Fate.ALREADY:
                break
            if parent is planned or parent in chain:
                raise _Circle([planned.ref, *(p.ref for p in chain)])
            chain.append(parent)
            current = parent
        return chain

    def second_pass(self, planned: Planned) -> None:
        """Replies: which story they hang on, and whether that story is shown. A reply hangs
        on the top of its thread, or on the nearest parent that is not shown, so that it
        stays hidden until that parent is approved, as in the source."""
        comment = planned.comment
        if comment is None or comment.parent_ref is None or planned.fate not in STORED:
            return
        try:
            chain = self.ancestors(planned)
        except _Circle as circle:
            planned.fate = Fate.SKIPPED
            others = ", ".join(circle.refs[1:]) or "itself"
            planned.reason = f"it and {others} reply to each other in a circle"
            planned.attention = [Attention.UNREADABLE]
            return
        if not chain:
            parent = self.planned.get(comment.parent_ref)
            why = parent.reason if parent is not None else self.left_out.get(comment.parent_ref)
            planned.reason = _join(
                planned.reason,
                f"as a story of its own: its parent {comment.parent_ref} is not imported"
                + (f" ({why})" if why else ""),
            )
            return
        planned.root_ref = chain[-1].ref
        if planned.fate is not Fate.SHOWN:
            return
        for ancestor in chain:
            hidden = _hidden(ancestor)
            if hidden:
                planned.fate = Fate.HIDDEN
                planned.root_ref = ancestor.ref
                planned.reason = _join(
                    f"a reply under {ancestor.ref}, which is {hidden}: it shows once that "
                    "is approved",
                    planned.reason,
                )
                planned.attention.append(Attention.HIDDEN_PARENT)
                return


class _Circle(Exception):
    def __init__(self, refs: list[str]) -> None:
        self.refs = refs


def _hidden(parent: Planned) -> str:
    """Why a parent is not shown ("" when it is): its fate here, or its story's status."""
    if parent.fate is Fate.ALREADY:
        status = parent.status_here
        return "" if status is Status.APPROVED else f"{status} here"
    if parent.fate in (Fate.SHOWN, Fate.HIDDEN):
        return "" if parent.fate is Fate.SHOWN else "a hidden reply"
    return str(parent.fate)


def _join(*parts: str) -> str:
    return "; ".join(part for part in parts if part)


def make_plan(
    harvest: Harvest,
    site: SiteArticles,
    url_map: UrlMap,
    owner: Owner,
    origins: Mapping[str, Origin],
    held: Iterable[ImportedComment] = (),
    twin: Twin | None = None,
) -> Plan:
    """The fate of every comment read, and of those an earlier import kept aside. ``twin``
    finds a story with the same article, text and time: a comment imported before the store
    kept source ids."""
    planner = _Planner(harvest, site, url_map, owner, origins, twin or (lambda slug, c: None))
    order: list[Planned] = []
    read = {comment.ref for comment in harvest.comments}
    for comment in [*harvest.comments, *(c for c in held if c.ref not in read)]:
        if comment.ref in planner.planned:
            order.append(
                Planned(
                    comment.ref,
                    comment.source_url,
                    Fate.SKIPPED,
                    "appears twice; the first one is imported",
                    attention=[Attention.UNREADABLE],
                )
            )
            continue
        planned = planner.first_pass(comment)
        planner.planned[comment.ref] = planned
        order.append(planned)
    for planned in order:
        if planner.planned.get(planned.ref) is planned:
            planner.second_pass(planned)
    for record in harvest.skipped:
        order.append(planner.skipped(record))
        if record.source_url:
            planner.where(record.source_url)
    return Plan(harvest.source, order, planner.places, harvest.dropped, list(harvest.notes))
