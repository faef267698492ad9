"""A moderator's edit passes the rules a reader's story passed (validation.py), in words that
speak to the moderator: an edit cannot publish what the intake would have refused.

An author reply keeps the rules it was written under (moderation/actions.py's reply): its text
is the site's own, so only the clean-up and length limit apply, and its name is the author's.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader_stories.errors import FieldError, ValidationFailed
from reader_stories.models import Story
from reader_stories.text import MARKS_MAX, normalise
from reader_stories.validation import (
    NAME_MAX,
    STORY_MAX,
    STORY_MIN,
    Wording,
    collapse_spaces,
    name_problem,
    story_problem,
)

MODERATOR = Wording(
    name_empty=f"Give the writer's name (up to {NAME_MAX} characters); it cannot be empty",
    name_long=f"The name must be {NAME_MAX} characters or fewer; the new one has {{count:,}}",
    name_controls="The name must not contain control characters",
    name_unusable=(
        "The name must not contain {code}, which no page can show (character {position:,} of "
        "the new name); take it out"
    ),
    name_marks=(
        f"The name must not stack more than {MARKS_MAX} accents or other marks on one letter, "
        "or put one where there is no letter (see character {position:,} of the new name)"
    ),
    name_reserved=(
        "The name must not be or contain “{author}”, however it is written: readers cannot "
        "sign with the site's own name, and an edit cannot give it to them either"
    ),
    name_badge="The name must not end with the word “Author”, which marks the site's own replies",
    story_empty=(
        f"The new text is empty; a story has between {STORY_MIN} and {STORY_MAX:,} characters"
    ),
    story_short=(
        f"The new text has {{count:,}} characters; a story needs at least {STORY_MIN}, as at "
        "the form"
    ),
    story_long=f"The new text has {{count:,}} characters; a story has at most {STORY_MAX:,}",
    story_controls=(
        "The new text must not contain control characters (only line breaks and tabs are allowed)"
    ),
    story_unusable=(
        "The new text must not contain {code}, which no page can show (character "
        "{position:,}); take it out"
    ),
    story_marks=(
        f"The new text must not stack more than {MARKS_MAX} accents or other marks on one "
        "letter, or put one where there is no letter (see character {position:,})"
    ),
    story_blank=(
        "The new text shows nothing on a page: it is only character codes (such as &#x202E;) "
        "for characters no page shows"
    ),
    story_no_links="The new text must not contain links: this site allows none in stories",
    story_links=(
        "The new text has {count} links; stories may have at most {limit} {noun} "
        "(COMMENTS_MAX_LINKS)"
    ),
)
MSG_AUTHOR_NAME = (
    "Story #{id} is the site author's reply: its name is the author's and cannot be edited"
)


@dataclass(frozen=True)
class EditRules:
    """What the intake checks, from the same settings: links allowed and the author's name."""

    max_links: int
    author_name: str


@dataclass(frozen=True)
class CheckedEdit:
    """An edit that passed: the text and name to store (None: keep the current one)."""

    body: str | None
    name: str | None


def check_edit(story: Story, text: str | None, name: str | None, rules: EditRules) -> CheckedEdit:
    """Each field's first problem, all raised together as ValidationFailed ("name", then
    "story", the order of the edit form's fields)."""
    errors: list[FieldError] = []
    new_name = None
    if name is not None:
        raw = normalise(name).strip()
        if story.author_reply:
            errors.append(FieldError("name", MSG_AUTHOR_NAME.format(id=story.id)))
        else:
            message = name_problem(raw, rules.author_name, MODERATOR)
            if message is not None:
                errors.append(FieldError("name", message))
        new_name = collapse_spaces(raw)
    body = None
    if text is not None:
        body = normalise(text).strip()
        if not story.author_reply:
            message = story_problem(body, rules.max_links, MODERATOR)
            if message is not None:
                errors.append(FieldError("story", message))
    if errors:
        raise ValidationFailed(errors)
    return CheckedEdit(body, new_name)
