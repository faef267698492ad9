"""Messages that survive one redirect: every POST answers 303, and the next page shows the result.

They travel in a short-lived signed cookie, so any process behind a load balancer can show them
and nobody can plant a misleading message. A cookie holds about 4 KB: long results (a big bulk
approval) keep their first lines and say how many more there were.

A message may carry the stories that were ticked (a bulk form that did not act comes back with
its ticks) and what would undo the change (the ids and the status they went to); both are
bounded to a page's worth of ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

FLASH_COOKIE = "nextround_admin_flash"
FLASH_SALT = "nextround.stories.admin.flash"
MAX_AGE = 300  # seconds: a message is for the very next page, not for tomorrow
MAX_CHARS = 2500  # of text in one cookie, leaving room for the signature and encoding
MAX_IDS = 50  # ticked or undoable stories a message carries: two pages' worth

# success: "Done"; error: "Not done"; info: nothing was asked to change (a tick, a choice).
Kind = Literal["success", "error", "info"]


@dataclass(frozen=True)
class Undo:
    """What takes a change back: these stories, now in ``status``, back to pending."""

    ids: tuple[int, ...]
    status: str


@dataclass(frozen=True)
class Flash:
    kind: Kind
    lines: tuple[str, ...]
    ticked: tuple[int, ...] = ()
    undo: Undo | None = None


def _ids(value: Any) -> tuple[int, ...]:
    """Ids from a signed payload (ours, so only its shape is checked)."""
    if not isinstance(value, list):
        return ()
    return tuple(i for i in value[:MAX_IDS] if isinstance(i, int) and not isinstance(i, bool))


def _fit(lines: list[str]) -> list[str]:
    kept: list[str] = []
    used = 0
    for index, line in enumerate(lines):
        if used + len(line) > MAX_CHARS:
            kept.append(f"… and {len(lines) - index} more lines.")
            break
        kept.append(line)
        used += len(line)
    return kept


class Flashes:
    def __init__(self, secret: str, secure: bool) -> None:
        self._serializer = URLSafeSerializer(secret, salt=FLASH_SALT)
        self.secure = secure

    def set(
        self,
        response: Response,
        request: Request,
        kind: Kind,
        lines: list[str],
        ticked: tuple[int, ...] = (),
        undo: Undo | None = None,
    ) -> None:
        payload: dict[str, Any] = {"kind": kind, "lines": _fit(lines)}
        if ticked:
            payload["ticked"] = list(ticked[:MAX_IDS])
        if undo is not None and len(undo.ids) <= MAX_IDS:
            payload["undo"] = {"ids": list(undo.ids), "status": undo.status}
        value = self._serializer.dumps(payload)
        response.set_cookie(
            FLASH_COOKIE,
            str(value),
            max_age=MAX_AGE,
            **cookie_options(request, self.secure),
        )

    def take(self, request: Request) -> Flash | None:
        """The waiting message, if any and genuine; the page that shows it deletes the cookie."""
        raw = request.cookies.get(FLASH_COOKIE)
        if not raw:
            return None
        try:
            payload: Any = self._serializer.loads(raw)
        except BadSignature:
            return None
        if not isinstance(payload, dict):
            return None
        kind, lines = payload.get("kind"), payload.get("lines")
        if kind not in ("success", "error", "info") or not isinstance(lines, list):
            return None
        undo = payload.get("undo")
        undone = (
            Undo(_ids(undo.get("ids")), str(undo.get("status")))
            if isinstance(undo, dict) and _ids(undo.get("ids"))
            else None
        )
        ticked = _ids(payload.get("ticked"))
        return Flash(kind, tuple(str(line) for line in lines), ticked, undone)

    def clear(self, response: Response, request: Request) -> None:
        if FLASH_COOKIE in request.cookies:
            response.delete_cookie(FLASH_COOKIE, **cookie_options(request, self.secure))


def cookie_options(request: Request, secure: bool) -> dict[str, Any]:
    """How every admin cookie is set and deleted: inside the admin, strict, away from scripts."""
    return {"path": cookie_path(request), "secure": secure, "httponly": True, "samesite": "strict"}


def cookie_path(request: Request) -> str:
    """Cookies stay inside the admin: /admin when mounted there, / when it runs alone."""
    return admin_root(request) or "/"


def admin_root(request: Request) -> str:
    """The path the admin is mounted at ("/admin"), for links and redirects inside it."""
    return str(request.scope.get("root_path", "")).rstrip("/")
