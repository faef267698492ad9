"""Slash redirects that never name a host.

Starlette's router answers "/delete/" with a redirect to "/delete", but it writes the address
in full from the request's Host header: whoever sends a forged Host gets our redirect to their
host (and a cache in front may keep it for everyone). Ours say only the path, which the browser
resolves against the address it asked for, so the Host header never reaches a Location.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.responses import RedirectResponse
from starlette.routing import Match, Router
from starlette.types import ASGIApp, Receive, Scope, Send

# "//host/..." and "/\\host/..." are addresses on another host to a browser, not paths.
_OTHER_HOST_PREFIXES = ("//", "/\\")


def other_slash_path(router: Router, scope: Scope) -> str | None:
    """The path with its trailing slash added or taken away, if one of the routes takes that."""
    path = str(scope["path"])
    root = str(scope.get("root_path", ""))
    if scope["type"] != "http" or path in {root, f"{root}/"}:
        return None
    other = path.rstrip("/") if path.endswith("/") else f"{path}/"
    if not other or other.startswith(_OTHER_HOST_PREFIXES):
        return None
    moved = {**scope, "path": other}
    if any(route.matches(moved)[0] is not Match.NONE for route in router.routes):
        return other
    return None


def relative_slash_redirects(app: Starlette) -> Starlette:
    """Replace the router's own slash redirects with ones whose Location is a path.

    Returns ``app``, changed in place. Whatever matches nowhere still goes to the router's
    default (a 404 page).
    """
    router = app.router
    fallback: ASGIApp = router.default

    async def default(scope: Scope, receive: Receive, send: Send) -> None:
        other = other_slash_path(router, scope)
        if other is None:
            await fallback(scope, receive, send)
            return
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        location = f"{other}?{query}" if query else other
        await RedirectResponse(location, status_code=307)(scope, receive, send)

    router.redirect_slashes = False
    router.default = default
    return app
