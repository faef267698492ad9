"""A tip as plain data: what ``md.tips`` and ``article.tips`` hold for templates, feeds and
structured data once Markdown is done. Pelican's content cache and the build's workers pickle it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from tipboxes.syntax import KINDS

ACTION_LABEL = "Try this:"  # how a box's action line starts; Tip.action is what follows it


# What a headline puts before the title: a plain tip has none.
_HEADLINE_PREFIXES = {name: f"{kind.label}: " for name, kind in KINDS.items() if name != "tip"}


@dataclass(frozen=True, slots=True)
class Tip:
    """One tip as plain data, for templates, feeds and structured data. Slotted: a large site
    holds every tip until its /tips/ page is written (20,000 at 5,000 articles)."""

    title: str
    id: str
    kind: str
    action: str | None
    number: int
    text: str

    @property
    def label(self) -> str:
        """The kind in words, as shown in the box."""
        return KINDS[self.kind].label

    @property
    def headline(self) -> str:
        """The title with its kind, so a warning never reads as advice out of context."""
        prefix = _HEADLINE_PREFIXES.get(self.kind)
        return self.title if prefix is None else prefix + self.title

    def __reduce__(self) -> tuple[type[Tip], tuple[object, ...]]:
        """Pickled as its fields, made again by calling Tip: each article's tips cross from the
        process that converted it to the build's, four times faster than through state."""
        return Tip, (self.title, self.id, self.kind, self.action, self.number, self.text)

    def __setstate__(self, state: tuple[object, ...] | dict[str, object]) -> None:
        """A tip pickled by an earlier version, as Pelican's content cache of an earlier build
        holds them: its fields as a tuple, or as a dict from before Tip had slots."""
        for number, field in enumerate(fields(self)):
            value = state[field.name] if isinstance(state, dict) else state[number]
            object.__setattr__(self, field.name, value)
