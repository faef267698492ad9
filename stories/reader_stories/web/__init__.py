"""The stories web service: the intake readers post to, and the moderators' admin.

Any ASGI server runs it from the settings file named by $PELICAN_SETTINGS (default
./pelicanconf.py), without Pelican:

    PELICAN_SETTINGS=publishconf.py uvicorn --factory reader_stories.web:create_app
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from reader_stories.config import Config


def create_app(config: Config | None = None) -> Starlette:
    """The ASGI app: the intake at /stories and the admin at /admin (see web/app.py)."""
    from reader_stories.config import load_config
    from reader_stories.web.app import create_service

    return create_service(config or load_config())
