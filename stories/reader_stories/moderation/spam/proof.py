"""Proof of work (ALTCHA), a progressive enhancement weighed in the spam score.

With JavaScript, stories.js asks the intake for a challenge when the reader first touches the
story form, and the ALTCHA widget (served from the site's own files) solves it in the
background and sends the solution with the story. The challenge is signed by this server
(nothing goes to a third party), names its article and the moment it was issued. What it
proves: a real browser spent a second of work on this form, and how long after the reader
started on it the story was sent. A story without a proof (no JavaScript, an old browser, a
challenge that expired while the reader wrote) is scored on everything else and never refused.

A proof counts for one story: the challenge's signature names it, and the story stored with it
spends it (score.with_spent_proof), so a bot that solved one challenge cannot send a thousand
stories with that one solution and take the points off each.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from reader_stories.moderation.spam.signals import Signal

ALGORITHM = "PBKDF2/SHA-256"
# About half a second of a phone's work: counters from 1,000 to 2,000 at 1,000 iterations each.
COST = 1000
COUNTERS = 1000
# A reader may read the article for a long while before writing.
LIFETIME = timedelta(hours=6)
# Sent this soon after the reader first touched the form: typed by a script, not a person.
TOO_FAST = timedelta(seconds=5)
FIELD = "altcha"  # the name of the hidden field the widget fills
SOLVED = Signal("proof", -2, "the browser solved the proof of work")
REUSED = Signal("proof", 3, "a proof of work already sent with another story")


@dataclass(frozen=True)
class ProofKeys:
    """The two secrets ALTCHA signs with, derived from the site's secret (never sent)."""

    challenge: str
    key: str

    @classmethod
    def from_secret(cls, secret: str) -> ProofKeys:
        def derive(purpose: str) -> str:
            return hashlib.sha256(f"{purpose}\n{secret}".encode()).hexdigest()

        return cls(derive("altcha-challenge"), derive("altcha-key"))


def new_challenge(keys: ProofKeys, article: str, now: datetime) -> dict[str, Any]:
    """A signed challenge for one article, issued ``now``: the JSON the widget fetches."""
    from altcha import create_challenge

    challenge = create_challenge(
        algorithm=ALGORITHM,
        cost=COST,
        counter=COUNTERS + secrets.randbelow(COUNTERS),
        expires_at=now + LIFETIME,
        data={"article": article, "issued": str(int(now.timestamp()))},
        hmac_secret=keys.challenge,
        hmac_key_secret=keys.key,
    )
    return dict(challenge.to_dict())


def proof_signals(keys: ProofKeys, payload: str, article: str, now: datetime) -> list[Signal]:
    """What a story's proof of work says; nothing when it has none or it expired."""
    if not payload:
        return []
    from altcha import verify_solution

    result = verify_solution(payload, keys.challenge, hmac_key_secret=keys.key)
    if result.expired:
        return []
    data = _data(payload) if result.verified else None
    if data is None or data.get("article") != article:
        return [Signal("proof", 3, "a proof of work that does not check out")]
    found = [SOLVED]
    issued = str(data.get("issued", ""))
    if issued.isdigit():
        taken = now.timestamp() - int(issued)
        if taken < TOO_FAST.total_seconds():
            found.append(Signal("fast", 3, f"sent {max(0, int(taken))} s after the form was begun"))
    return found


def proof_id(payload: str) -> str | None:
    """The signature of the payload's challenge, which names that one challenge: what a story
    stored with the proof spends. None when the payload holds none."""
    challenge = _challenge(payload)
    signature = challenge.get("signature") if challenge else None
    if not isinstance(signature, str) or not 16 <= len(signature) <= 128:
        return None
    return signature


def _data(payload: str) -> dict[str, Any] | None:
    """The data of a verified payload's challenge (its signature covers them)."""
    challenge = _challenge(payload)
    try:
        data = challenge["parameters"]["data"] if challenge else None
    except (KeyError, TypeError):
        return None
    return data if isinstance(data, dict) else None


def _challenge(payload: str) -> dict[str, Any] | None:
    try:
        challenge = json.loads(base64.b64decode(payload, validate=True))["challenge"]
    except (ValueError, KeyError, TypeError):
        return None
    return challenge if isinstance(challenge, dict) else None
