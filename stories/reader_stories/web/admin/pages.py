"""Every answer of the admin: pages with the same security headers, redirects, error pages.

The templates are the package's templates/stories/admin/ (a theme may replace any) and render
through the stories' one autoescaping Jinja environment; the only markup passed through
unescaped is a story preview, sanitised again first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from reader_stories.config import Site
from reader_stories.pages.templates import environment
from reader_stories.web.admin.flash import Flashes, Kind, Undo, admin_root
from reader_stories.web.admin.sessions import Session
from reader_stories.web.errors import Refused

# Scripts, styles and forms from the admin itself only (its one script, admin.js, is an
# enhancement: every page works without it); never framed; no referrer sent to the sites readers
# link to in their stories.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
}


class Pages:
    def __init__(self, site: Site, flashes: Flashes) -> None:
        self.env = environment(site.templates)
        self.site = site
        self.flashes = flashes

    def render(
        self,
        request: Request,
        template: str,
        code: int = 200,
        *,
        session: Session | None = None,
        headers: Mapping[str, str] | None = None,
        show_flash: bool = True,
        **context: Any,
    ) -> HTMLResponse:
        """A page; it shows (and so uses up) the message a redirect left for it."""
        flash = self.flashes.take(request) if show_flash else None
        html = self.env.get_template(f"stories/admin/{template}").render(
            admin_root=admin_root(request),
            site=self.site,
            site_root=self.site.link_root,
            sitename=self.site.sitename,
            csrf=session.csrf if session else "",
            logged_in=session is not None,
            moderator=session.account if session else None,
            flash=flash,
            **context,
        )
        response = HTMLResponse(html, code, headers={**HEADERS, **(headers or {})})
        if show_flash:
            self.flashes.clear(response, request)
        return response

    def error(
        self, request: Request, error: Refused, session: Session | None = None
    ) -> HTMLResponse:
        return self.render(
            request,
            "error.html",
            error.status,
            session=session,
            headers=error.headers,
            show_flash=False,
            status=error.status,
            title=error.title,
            message=error.message,
        )

    def redirect(
        self,
        request: Request,
        path: str,
        kind: Kind | None = None,
        lines: list[str] | None = None,
        *,
        ticked: tuple[int, ...] = (),
        undo: Undo | None = None,
    ) -> Response:
        """303 See Other to a page inside the admin, with the result for it to show (and the
        ticks to keep, and what would undo the change)."""
        response = Response(
            status_code=303, headers={**HEADERS, "Location": f"{admin_root(request)}{path}"}
        )
        if kind is not None and lines:
            self.flashes.set(response, request, kind, lines, ticked, undo)
        return response
