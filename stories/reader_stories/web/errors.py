"""The web service's one error type, and how long it asks a client to wait.

Every answer but the one asked for, in the intake and in the admin, is a ``Refused``: a status,
a message that says what to do next, and for a page of its own a title.
"""

from __future__ import annotations

from collections.abc import Mapping

# The database was locked, busy or restarting: worth another try soon.
STORE_RETRY_AFTER = 30
# The moderation queue is full: moderators need time to work through it.
QUEUE_RETRY_AFTER = 3600


class Refused(Exception):
    """Any answer but success: the status, a message a person can act on, an optional page
    title (else one chosen by the status), and extra headers; ``retry_after`` adds
    Retry-After."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        title: str = "",
        retry_after: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title
        self.retry_after = retry_after
        self.headers = dict(headers or {})
        if retry_after is not None:
            self.headers["Retry-After"] = str(retry_after)
