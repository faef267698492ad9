"""The order of the published stories on an article page: oldest first, newest first, or the
ones most readers found helpful first.

The site chooses one (`stories_order`), an article may choose its own (`Stories-Order:` in its
metadata), and stories.js lets a reader re-sort the list in place. Replies stay under their
story, oldest first, whatever the order of the stories.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the settings read this module, and every command reads the settings
    from reader_stories.threads import Thread


class Order(StrEnum):
    OLDEST = "oldest"
    NEWEST = "newest"
    HELPED = "helped"


DEFAULT_ORDER = Order.OLDEST
# What the reader's control (stories.js) offers, in the words it shows.
ORDER_LABELS = {
    Order.OLDEST.value: "Oldest first",
    Order.NEWEST.value: "Newest first",
    Order.HELPED.value: "Most helpful first",
}
CHOICES = ", ".join(order.value for order in Order)


def parse_order(text: object, where: str) -> Order:
    """``where`` names the setting or the article, for the message when the value is unknown."""
    value = str(text).strip().lower()
    try:
        return Order(value)
    except ValueError:
        raise ValueError(
            f"{where} is {str(text)!r}; write one of {CHOICES} (oldest first, newest first, "
            "or the stories most readers found helpful first)."
        ) from None


def in_order(threads: Sequence[Thread], order: Order | str) -> list[Thread]:
    """The threads in ``order``; ties (the same count of helpful presses) oldest first."""
    order = Order(order)
    if order is Order.NEWEST:
        return sorted(threads, key=lambda t: (t.story.created, t.story.id), reverse=True)
    if order is Order.HELPED:
        return sorted(threads, key=lambda t: (-t.story.helpful, t.story.created, t.story.id))
    return sorted(threads, key=lambda t: (t.story.created, t.story.id))
