"""Names a reader may not sign with: the site author's, however disguised, and the Author badge.

The site's own replies show the author's name and then an "Author" badge. A reader's name must
pass for neither, so names are compared by what they look like: case and spacing aside,
invisible characters dropped, compatibility forms (fullwidth, mathematical letters) folded and
look-alike letters of other scripts taken as the letters they imitate (Unicode TR39 skeleton).
"""

from __future__ import annotations

import unicodedata

from reader_stories.confusables import skeleton
from reader_stories.text import drop_ignorable, normalise

# The word stories/story.html shows after the author's name.
BADGE = "Author"


def _as_capital(char: str) -> str:
    """A character that looks like a capital letter, as that capital (Greek capital nu as N).

    Case-folding first would turn capital nu into small nu, which looks like v; taking every
    look-alike first would turn I into l (a small L). Taking only capital look-alikes first
    avoids both.
    """
    prototype = skeleton(char)
    return prototype if len(prototype) == 1 and prototype.isupper() else char


def looks(text: str) -> str:
    """What the text looks like, in a form that is equal for any two that look the same."""
    text = unicodedata.normalize("NFKC", drop_ignorable(normalise(text)))
    text = "".join(_as_capital(char) for char in text)
    return skeleton(unicodedata.normalize("NFKC", text.casefold()))


def words(text: str) -> list[str]:
    """The look of each word: runs of letters, digits and marks; anything else separates."""
    found: list[str] = []
    current: list[str] = []
    for char in looks(text):
        if unicodedata.category(char)[0] in "LMN":
            current.append(char)
        elif current:
            found.append("".join(current))
            current = []
    if current:
        found.append("".join(current))
    return found


def borrows(name: str, reserved: str) -> bool:
    """Whether ``name`` holds ``reserved`` as whole words, spacing aside ("NextRound editors",
    "Next Round editors Team", "N.e.x.t Round editors"), however its letters are disguised."""
    wanted = "".join(words(reserved))
    if not wanted:
        return False
    joined = ""
    starts: set[int] = set()
    ends: set[int] = set()
    for word in words(name):
        starts.add(len(joined))
        joined += word
        ends.add(len(joined))
    found = joined.find(wanted)
    while found >= 0:
        if found in starts and found + len(wanted) in ends:
            return True
        found = joined.find(wanted, found + 1)
    return False


def ends_with_badge(name: str) -> bool:
    """Whether the name's last word looks like the badge, so it would read as the author's."""
    last = words(name)[-1:]
    return last == words(BADGE)
