"""Store what an importer read: one transaction, new ids, replies on their top-level story.

Shared by every foreign format, so they all map the same way: a reply to a reply hangs on
its thread's top-level story (as the intake does), a reply whose parent was not imported
becomes a story of its own, and a comment already imported before is not stored twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from reader_stories import archive
from reader_stories.archive import ArchiveError
from reader_stories.importers.records import Harvest, ImportedComment
from reader_stories.models import Action, Status, body_fingerprint
from reader_stories.store import Store

IMPORT_ACTOR = "import"
ALREADY_IMPORTED = "already in the store"


@dataclass
class ImportReport:
    """What an import did, per article, for the one-line-per-article summary."""

    source: str
    imported: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: dict[str, Counter[str]] = field(default_factory=dict)
    new_ids: list[int] = field(default_factory=list)
    promoted: int = 0
    notes: list[str] = field(default_factory=list)

    def count_imported(self, article: str, status: Status, story_id: int) -> None:
        self.imported.setdefault(article, Counter())[status.value] += 1
        self.new_ids.append(story_id)

    def count_skipped(self, article: str, reason: str) -> None:
        self.skipped.setdefault(article, Counter())[reason] += 1

    def lines(self) -> list[str]:
        lines = []
        for article in sorted(set(self.imported) | set(self.skipped)):
            imported = self.imported.get(article, Counter())
            skipped = self.skipped.get(article, Counter())
            parts = []
            if imported:
                kinds = ", ".join(f"{imported[s.value]} {s.value}" for s in Status if imported[s])
                parts.append(f"{imported.total()} imported ({kinds})")
            if skipped:
                reasons = ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items()))
                parts.append(f"{skipped.total()} skipped ({reasons})")
            lines.append(f"{article}: " + "; ".join(parts))
        skipped_total = sum(c.total() for c in self.skipped.values())
        if len(self.new_ids) == 1:
            lines.append(
                f"Imported 1 comment from {self.source} as new story #{self.new_ids[0]}; "
                f"skipped {skipped_total}."
            )
        elif self.new_ids:
            articles = len(self.imported)
            lines.append(
                f"Imported {len(self.new_ids)} comments from {self.source} into {articles} "
                f"{'article' if articles == 1 else 'articles'} as new stories "
                f"#{min(self.new_ids)} to #{max(self.new_ids)}; skipped {skipped_total}."
            )
        else:
            lines.append(f"Nothing imported from {self.source}; skipped {skipped_total}.")
        if self.promoted == 1:
            lines.append("1 reply whose parent was not imported became a story of its own.")
        elif self.promoted:
            lines.append(
                f"{self.promoted} replies whose parent was not imported became stories of "
                "their own."
            )
        lines += self.notes
        if any(counts[Status.APPROVED.value] for counts in self.imported.values()):
            lines.append("Run `invoke build` to publish the approved stories.")
        return lines


def _roots(comments: list[ImportedComment], source: str) -> dict[str, str | None]:
    """Each comment's top-level ancestor among the imported ones; None for a top-level one."""
    by_ref: dict[str, ImportedComment] = {}
    for comment in comments:
        if comment.ref in by_ref:
            raise ArchiveError(f"{source}: {comment.ref} appears twice; the file is damaged.")
        by_ref[comment.ref] = comment
    roots: dict[str, str | None] = {}
    for comment in comments:
        chain = [comment.ref]
        current = comment
        while current.parent_ref in by_ref:
            parent = by_ref[current.parent_ref]
            if parent.article != comment.article:
                break
            if parent.ref in chain:
                raise ArchiveError(
                    f"{source}: {' and '.join(chain)} reply to each other in a circle; "
                    "fix their parent links and import again."
                )
            chain.append(parent.ref)
            current = parent
        roots[comment.ref] = None if current is comment else current.ref
    return roots


def _values(comment: ImportedComment, parent_id: int | None) -> dict[str, object]:
    approved = comment.status is Status.APPROVED
    return {
        "article": comment.article,
        "parent_id": parent_id,
        "name": comment.name,
        "email": comment.email,
        "notify": False,
        "body_markdown": comment.body_markdown,
        "body_html": comment.body_html,
        "body_hash": body_fingerprint(comment.body_markdown),
        "status": comment.status.value,
        "reject_reason": None,
        "edited": False,
        "author_reply": False,
        "ip_hash": None,
        "created": comment.created,
        "updated": max(comment.updated, comment.created),
        "approved_at": comment.created if approved else None,
    }


def write_harvest(store: Store, harvest: Harvest) -> ImportReport:
    """Store every comment of the harvest in one transaction, or none of them."""
    report = ImportReport(harvest.source, notes=list(harvest.notes))
    for skipped in harvest.skipped:
        report.count_skipped(skipped.article, skipped.reason)
    roots = _roots(harvest.comments, harvest.source)
    # Top-level comments first, so every reply finds its story's new id; oldest first within.
    order = sorted(harvest.comments, key=lambda c: (roots[c.ref] is not None, c.created))
    new_ids: dict[str, int] = {}
    with store.writing() as tx:
        for comment in order:
            root = roots[comment.ref]
            existing = archive.find_story(
                tx.conn, comment.article, body_fingerprint(comment.body_markdown), comment.created
            )
            if existing is not None:
                new_ids[comment.ref] = existing
                report.count_skipped(comment.article, ALREADY_IMPORTED)
                continue
            if root is None and comment.parent_ref is not None:
                report.promoted += 1
            parent_id = None if root is None else new_ids[root]
            story_id = archive.insert_story(tx.conn, _values(comment, parent_id))
            new_ids[comment.ref] = story_id
            tx.add_event(
                story_id,
                Action.SUBMITTED,
                IMPORT_ACTOR,
                f"imported from {harvest.source} ({comment.ref})",
            )
            report.count_imported(comment.article, comment.status, story_id)
    return report
