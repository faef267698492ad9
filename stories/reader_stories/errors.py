"""One exception per way a reader-story operation can fail, so callers catch exactly one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


class StoriesError(Exception):
    """Base class: lets the intake turn any known failure into a reply instead of a 500."""


class StoryNotFound(StoriesError):
    """No story has this id (or it is not visible to the caller)."""

    def __init__(self, story_id: int) -> None:
        self.story_id = story_id
        super().__init__(f"No story with id {story_id}")


class InvalidTransition(StoriesError):
    """A moderation action that the story's current status does not allow."""

    def __init__(self, story_id: int, status: str, action: str) -> None:
        self.story_id = story_id
        self.status = status
        self.action = action
        super().__init__(f"Cannot {action} story {story_id}: it is {status}")


class StoryMoved(StoriesError):
    """The story is no longer in the status the moderator saw: someone moderated it meanwhile."""

    def __init__(self, story_id: int, status: str, expected: str) -> None:
        self.story_id = story_id
        self.status = status
        self.expected = expected
        super().__init__(
            f"Story #{story_id} is now {status}, not {expected} as on your page: it was "
            "moderated meanwhile. Look at it again before deciding"
        )


class ChangeWindowClosed(StoriesError):
    """A writer's change to a published story after the time they had for it (or with changes
    to published stories switched off)."""

    def __init__(self, story_id: int, hours: int) -> None:
        self.story_id = story_id
        self.hours = hours
        super().__init__(f"Story {story_id} can no longer be changed by its writer")


class NoChangeWaiting(StoriesError):
    """A moderator acted on a writer's change that is not waiting (any more)."""

    def __init__(self, story_id: int) -> None:
        self.story_id = story_id
        super().__init__(
            f"Story #{story_id} has no change from its writer waiting; nothing was changed."
        )


class StoreUnavailable(StoriesError):
    """The database is locked, busy or unreachable; the caller should retry later."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one form field, worded for the reader."""

    field: str
    message: str


class ValidationFailed(StoriesError):
    """Every problem found in a submitted form, reported together so the reader fixes all."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def messages(self) -> dict[str, list[str]]:
        """Messages grouped by field, in the order they were found, for the form template."""
        grouped: dict[str, list[str]] = {}
        for error in self.errors:
            grouped.setdefault(error.field, []).append(error.message)
        return grouped


class RateLimited(StoriesError):
    """Too many submissions from one network; ``retry_after`` is whole seconds to wait, and
    ``until`` the store's time at which its oldest counted attempt leaves the window."""

    def __init__(self, retry_after: int, until: datetime) -> None:
        self.retry_after = retry_after
        self.until = until
        unit = "second" if retry_after == 1 else "seconds"
        super().__init__(f"Too many submissions; try again in {retry_after} {unit}")


class QueueFull(StoriesError):
    """The moderation queue holds as many pending stories as it is allowed to."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"The moderation queue is full ({limit} stories waiting)")


class DuplicateSubmission(StoriesError):
    """The same story was already submitted to the same article a short while ago."""

    def __init__(self, existing_id: int, existing_status: str = "pending") -> None:
        self.existing_id = existing_id
        # Where the earlier copy is now, so the reader is told what actually became of it.
        self.existing_status = existing_status
        super().__init__(f"This story was already submitted (story {existing_id})")


class InvalidToken(StoriesError):
    """A form token that is garbage, was tampered with, or belongs to another article."""


class ArticleClosed(StoriesError):
    """The article takes no new stories: a moderator closed them (its stories stay)."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"Stories are closed on {slug}")
