"""The SQL for the mail outbox: email queued in the transaction of the change it announces.

notify.sender claims due messages, sends them, and settles each claim as sent, retried or
given up; the address and body are forgotten as soon as a message is settled for good.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from reader_stories.notify.records import (
    READER_KINDS,
    UNTIL_CONFIRMED,
    Draft,
    MailKind,
    OutboxMessage,
    OutboxProblem,
    OutboxState,
)
from reader_stories.store import schema
from reader_stories.store.addresses import confirmed
from reader_stories.store.engine import Clock

_stories = schema.stories
_outbox = schema.outbox
# A message neither sent nor given up: waiting for its (next) try, or being sent right now.
_UNSENT = and_(_outbox.c.sent_at.is_(None), _outbox.c.failed_at.is_(None))
# A message that may go out: reader mail only to an address its owner has confirmed. Checked
# where mail is claimed, so nothing that queues mail can get around it.
_SENDABLE = or_(
    _outbox.c.kind.not_in([kind.value for kind in UNTIL_CONFIRMED]),
    confirmed(_outbox.c.recipient),
)


class OutboxQueries:
    """Queued mail; mixed into the store's Tx, which supplies conn and clock."""

    conn: Connection
    clock: Clock

    def add_mail(self, draft: Draft, due: datetime) -> int:
        """Queue a message to be sent at ``due`` or later; returns its outbox id."""
        result = self.conn.execute(
            insert(_outbox).values(
                kind=draft.kind.value,
                story_id=draft.story_id,
                recipient=draft.recipient,
                subject=draft.subject,
                body=draft.body,
                unsubscribe_url=draft.unsubscribe_url,
                follow_id=draft.follow_id,
                created=self.clock(),
                attempts=0,
                next_attempt=due,
            )
        )
        return int(result.inserted_primary_key[0])

    def has_mail(self, story_id: int, kind: MailKind) -> bool:
        """Whether such a message was ever queued (or sent) and not cancelled since."""
        query = select(_outbox.c.id).where(
            _outbox.c.story_id == story_id, _outbox.c.kind == kind.value
        )
        return self.conn.scalar(query.limit(1)) is not None

    def claim_mail(
        self, token: str, until: datetime, limit: int, group_kind: MailKind | None = None
    ) -> list[OutboxMessage]:
        """Take up to ``limit`` due messages for one sender until ``until``.

        Run in a write transaction: the write lock makes the claim atomic, so two senders never
        take the same message. A claim that runs out (a sender that died) makes it due again.
        With ``group_kind``, one due message of that kind brings every waiting one of its kind
        along (the moderator digest). Reader mail to an address not confirmed yet is left
        where it is; once the address is confirmed it is due again as it was.
        """
        now = self.clock()
        due = list(
            self.conn.execute(
                select(_outbox.c.id, _outbox.c.kind)
                .where(_UNSENT, _SENDABLE, _outbox.c.next_attempt <= now)
                .order_by(_outbox.c.next_attempt, _outbox.c.id)
                .limit(limit)
            )
        )
        ids = [row.id for row in due]
        if group_kind is not None and any(row.kind == group_kind.value for row in due):
            ids += self.conn.scalars(
                select(_outbox.c.id).where(
                    _UNSENT,
                    _outbox.c.kind == group_kind.value,
                    _outbox.c.claim.is_(None),
                    _outbox.c.id.not_in(ids),
                )
            )
        if not ids:
            return []
        self.conn.execute(
            update(_outbox)
            .where(_outbox.c.id.in_(ids))
            .values(claim=token, attempts=_outbox.c.attempts + 1, next_attempt=until)
        )
        rows = self.conn.execute(
            select(_outbox).where(_outbox.c.id.in_(ids)).order_by(_outbox.c.id)
        )
        return [
            OutboxMessage(
                id=row.id,
                kind=MailKind(row.kind),
                story_id=row.story_id,
                recipient=row.recipient or "",
                subject=row.subject,
                body=row.body or "",
                unsubscribe_url=row.unsubscribe_url,
                created=row.created,
                attempts=row.attempts,
            )
            for row in rows
        ]

    def _claimed(self, ids: Sequence[int], token: str) -> Any:
        """Only the sender holding the claim may settle a message."""
        return update(_outbox).where(_outbox.c.id.in_(list(ids)), _outbox.c.claim == token)

    def mark_mail_sent(self, ids: Sequence[int], token: str) -> int:
        """Sent: the address, body and link go; subject and time stay as a log."""
        result = self.conn.execute(
            self._claimed(ids, token).values(
                sent_at=self.clock(),
                recipient=None,
                body=None,
                unsubscribe_url=None,
                next_attempt=None,
                last_error=None,
                claim=None,
            )
        )
        return int(result.rowcount or 0)

    def mark_mail_retry(
        self, ids: Sequence[int], token: str, error: str, next_attempt: datetime
    ) -> int:
        """Not sent this time: keep it for another try at ``next_attempt``."""
        result = self.conn.execute(
            self._claimed(ids, token).values(
                last_error=error, next_attempt=next_attempt, claim=None
            )
        )
        return int(result.rowcount or 0)

    def mark_mail_failed(self, ids: Sequence[int], token: str, error: str) -> int:
        """Given up: never sent, so the address and body go too; the error stays for the report."""
        result = self.conn.execute(
            self._claimed(ids, token).values(
                failed_at=self.clock(),
                last_error=error,
                recipient=None,
                body=None,
                unsubscribe_url=None,
                next_attempt=None,
                claim=None,
            )
        )
        return int(result.rowcount or 0)

    def drop_claimed_mail(self, ids: Sequence[int], token: str) -> int:
        """Take claimed messages out unsent: what they announce is no longer true."""
        result = self.conn.execute(
            delete(_outbox).where(_outbox.c.id.in_(list(ids)), _outbox.c.claim == token)
        )
        return int(result.rowcount or 0)

    def cancel_mail(self, story_ids: Sequence[int], kinds: Sequence[MailKind]) -> int:
        """Drop unsent messages about these stories (say, "published" for a story now rejected)."""
        result = self.conn.execute(
            delete(_outbox).where(
                _UNSENT,
                _outbox.c.story_id.in_(list(story_ids)),
                _outbox.c.kind.in_([kind.value for kind in kinds]),
            )
        )
        return int(result.rowcount or 0)

    def unsubscribe(self, email: str) -> int:
        """Stop all mail to an address: forget it on every story, drop its unsent reader mail.

        Returns how many stories had it. ``updated`` is left alone: retention runs from the
        last moderation, not from an unsubscribe.
        """
        address = email.strip().lower()
        result = self.conn.execute(
            update(_stories)
            .where(func.lower(_stories.c.email) == address)
            .values(email=None, notify=False, email_confirmed=False, confirm_requested_at=None)
        )
        self.conn.execute(
            delete(_outbox).where(
                _UNSENT,
                func.lower(_outbox.c.recipient) == address,
                _outbox.c.kind.in_([kind.value for kind in READER_KINDS]),
            )
        )
        return int(result.rowcount or 0)

    def _problem(self, where: Any, order: Sequence[Any], at: Any) -> OutboxProblem | None:
        query = (
            select(_outbox.c.subject, _outbox.c.last_error, _outbox.c.attempts, at.label("at"))
            .where(where)
            .order_by(*order)
            .limit(1)
        )
        row = self.conn.execute(query).first()
        if row is None:
            return None
        return OutboxProblem(
            subject=row.subject, last_error=row.last_error, attempts=row.attempts, at=row.at
        )

    def outbox_state(self) -> OutboxState:
        """Counts of unsent and given-up mail and the problem worth naming for each."""
        failed_where = _outbox.c.failed_at.is_not(None)
        waiting = and_(_UNSENT, _SENDABLE)
        held = and_(_UNSENT, ~_SENDABLE)
        return OutboxState(
            waiting=int(self.conn.scalar(select(func.count()).where(waiting)) or 0),
            failed=int(self.conn.scalar(select(func.count()).where(failed_where)) or 0),
            next_attempt=self.conn.scalar(select(func.min(_outbox.c.next_attempt)).where(waiting)),
            held=int(self.conn.scalar(select(func.count()).where(held)) or 0),
            waiting_problem=self._problem(
                and_(waiting, _outbox.c.last_error.is_not(None)),
                [_outbox.c.attempts.desc(), _outbox.c.id.desc()],
                _outbox.c.next_attempt,
            ),
            failed_problem=self._problem(
                failed_where, [_outbox.c.failed_at.desc(), _outbox.c.id.desc()], _outbox.c.failed_at
            ),
        )

    def prune_mail(self, before: datetime) -> int:
        """Forget the log of mail sent or given up before ``before``; unsent mail stays."""
        result = self.conn.execute(
            delete(_outbox).where(
                or_(
                    and_(_outbox.c.sent_at.is_not(None), _outbox.c.sent_at < before),
                    and_(_outbox.c.failed_at.is_not(None), _outbox.c.failed_at < before),
                )
            )
        )
        return int(result.rowcount or 0)
