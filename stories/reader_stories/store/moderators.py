"""The SQL for moderator accounts: one row per named moderator, with its password's hash.

Names are unique without regard to case (``name_key`` holds the case-folded name). The rules
for names and roles, and the last owner's protection, live in accounts/; these queries only
read and write rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from reader_stories.store import schema
from reader_stories.store.engine import Clock

_moderators = schema.moderators


@dataclass(frozen=True)
class ModeratorRow:
    """One account as stored; ``password_hash`` never leaves the server."""

    id: int
    name: str
    role: str
    password_hash: str
    created: datetime
    password_changed: datetime
    last_login: datetime | None


def _row(row: Row[Any]) -> ModeratorRow:
    return ModeratorRow(
        id=row.id,
        name=row.name,
        role=row.role,
        password_hash=row.password_hash,
        created=row.created,
        password_changed=row.password_changed,
        last_login=row.last_login,
    )


class ModeratorQueries:
    """Moderator accounts; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def moderators(self) -> list[ModeratorRow]:
        """Every account, owners first, then by name."""
        query = select(_moderators).order_by(_moderators.c.role.desc(), _moderators.c.name_key)
        return [_row(row) for row in self.conn.execute(query)]

    def count_moderators(self, role: str | None = None) -> int:
        query = select(func.count()).select_from(_moderators)
        if role is not None:
            query = query.where(_moderators.c.role == role)
        return int(self.conn.execute(query).scalar() or 0)

    def moderator_named(self, name_key: str) -> ModeratorRow | None:
        query = select(_moderators).where(_moderators.c.name_key == name_key)
        row = self.conn.execute(query).first()
        return None if row is None else _row(row)

    def moderator_by_id(self, moderator_id: int) -> ModeratorRow | None:
        row = self.conn.execute(select(_moderators).where(_moderators.c.id == moderator_id)).first()
        return None if row is None else _row(row)

    def add_moderator(self, name: str, name_key: str, password_hash: str, role: str) -> int:
        now = self.clock()
        values = {
            "name": name,
            "name_key": name_key,
            "password_hash": password_hash,
            "role": role,
            "created": now,
            "password_changed": now,
        }
        result = self.conn.execute(insert(_moderators).values(**values))
        return int(result.inserted_primary_key[0])  # type: ignore[index]

    def set_moderator_password(self, moderator_id: int, password_hash: str) -> None:
        values = {"password_hash": password_hash, "password_changed": self.clock()}
        self.conn.execute(
            update(_moderators).where(_moderators.c.id == moderator_id).values(values)
        )

    def set_moderator_role(self, moderator_id: int, role: str) -> None:
        self.conn.execute(
            update(_moderators).where(_moderators.c.id == moderator_id).values(role=role)
        )

    def record_login(self, moderator_id: int) -> None:
        query = update(_moderators).where(_moderators.c.id == moderator_id)
        self.conn.execute(query.values(last_login=self.clock()))

    def remove_moderator(self, moderator_id: int) -> None:
        self.conn.execute(delete(_moderators).where(_moderators.c.id == moderator_id))
