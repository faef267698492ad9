"""The stylesheets (and the admin's one script) the service's own pages link to, served by the
service itself, so its pages work wherever it is deployed (behind the site's proxy or on a host
of its own)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from reader_stories.config import Site
from reader_stories.pages.templates import PACKAGE_STATIC

HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"}


MEDIA_TYPES = {".css": "text/css", ".js": "text/javascript"}


def stylesheets(site: Site, *names: str) -> dict[str, Path]:
    """Each name's file: the package's own, and site.css from the site's theme when it has one.
    Scripts are named the same way (admin.js) and are always the package's."""
    found = {name: PACKAGE_STATIC / name for name in names if name != "site.css"}
    if "site.css" in names and site.theme is not None:
        found["site.css"] = site.theme / "static" / "css" / "site.css"
    return found


def stylesheet_route(files: Mapping[str, Path]):
    """GET /static/{name}: one of ``files`` (a stylesheet or a script), else 404."""

    async def stylesheet(request: Request) -> Response:
        path = files.get(request.path_params["name"])
        if path is None or not path.is_file() or path.suffix not in MEDIA_TYPES:
            raise HTTPException(404)
        return FileResponse(path, media_type=MEDIA_TYPES[path.suffix], headers=HEADERS)

    return stylesheet
