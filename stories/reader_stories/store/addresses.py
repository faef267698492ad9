"""The SQL for readers' email addresses: confirmed or not, and when we asked.

An address is the writer's own once they click the link of the one email it gets first; until
then no other email goes to it (see notify/outbox.py). The facts live on the stories that hold
the address, so whatever forgets an address (unsubscribe, `comments.forget`, a deletion, the
purge) forgets them with it. Addresses compare without regard to case, as elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, exists, func, select, update

from reader_stories.store import schema
from reader_stories.store.engine import Clock

_stories = schema.stories


def confirmed(address: Any) -> Any:
    """SQL: whether some story holding ``address`` (a column or a value) has it confirmed."""
    return exists().where(
        func.lower(_stories.c.email) == func.lower(address),
        _stories.c.email_confirmed.is_(True),
    )


class AddressQueries:
    """Confirmation of addresses; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def address_confirmed(self, email: str) -> bool:
        return bool(self.conn.scalar(select(confirmed(email.strip()))))

    def confirm_address(self, email: str) -> int:
        """Mark the address confirmed on every story that holds it; how many stories."""
        result = self.conn.execute(
            update(_stories)
            .where(func.lower(_stories.c.email) == email.strip().lower())
            .values(email_confirmed=True)
        )
        return int(result.rowcount or 0)

    def confirmation_requested(self, email: str, since: datetime) -> bool:
        """Whether the address was asked to confirm at ``since`` or later."""
        query = select(_stories.c.id).where(
            func.lower(_stories.c.email) == email.strip().lower(),
            _stories.c.confirm_requested_at >= since,
        )
        return self.conn.scalar(query.limit(1)) is not None

    def mark_confirmation_requested(self, story_id: int) -> None:
        self.conn.execute(
            update(_stories)
            .where(_stories.c.id == story_id)
            .values(confirm_requested_at=self.clock())
        )

    def unconfirmed_addresses(self, asked_before: datetime) -> list[str]:
        """Addresses never confirmed whose last request to confirm is older than the date."""
        address = func.lower(_stories.c.email)
        query = (
            select(address)
            .where(_stories.c.email.is_not(None))
            .group_by(address)
            .having(
                func.max(_stories.c.confirm_requested_at) < asked_before,
                func.max(case((_stories.c.email_confirmed.is_(True), 1), else_=0)) == 0,
            )
            .order_by(address)
        )
        return list(self.conn.scalars(query))
