"""The SQL for rate-limit events: one row per accepted attempt, keyed by a hash of the network.

The counting rule itself lives in ratelimit.py; these statements run on every submission, so
they are built once and reused with bound parameters.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, bindparam, delete, func, insert, select

from reader_stories.store import schema
from reader_stories.store.engine import Clock

_rates = schema.rate_events

_IN_WINDOW = (_rates.c.network_hash == bindparam("network_hash"), _rates.c.at > bindparam("since"))
_COUNT = select(func.count()).where(*_IN_WINDOW)
_OLDEST = select(func.min(_rates.c.at)).where(*_IN_WINDOW)
_RECORD = insert(_rates)


class RateQueries:
    """Rate-limit events; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def record_rate_event(self, network_hash: str) -> None:
        self.conn.execute(_RECORD, {"network_hash": network_hash, "at": self.clock()})

    def release_rate_event(self, network_hash: str) -> None:
        """Give back the newest slot taken under ``network_hash`` (an attempt that turned out
        not to count, such as a correct login)."""
        newest = (
            select(func.max(_rates.c.id)).where(_rates.c.network_hash == network_hash)
        ).scalar_subquery()
        self.conn.execute(delete(_rates).where(_rates.c.id == newest))

    def count_rate_events(self, network_hash: str, since: datetime) -> int:
        """Events strictly after ``since``: a window is (now - window, now]."""
        params = {"network_hash": network_hash, "since": since}
        return int(self.conn.execute(_COUNT, params).scalar() or 0)

    def oldest_rate_event(self, network_hash: str, since: datetime) -> datetime | None:
        params = {"network_hash": network_hash, "since": since}
        return self.conn.execute(_OLDEST, params).scalar()

    def prune_rate_events(self, before: datetime) -> int:
        """Forget events older than the longest window in use; returns how many went."""
        result = self.conn.execute(delete(_rates).where(_rates.c.at < before))
        return int(result.rowcount or 0)
