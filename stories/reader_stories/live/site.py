"""What keeps the public site current after moderation, for a configuration."""

from __future__ import annotations

from reader_stories.config import Config
from reader_stories.pages.republish import Republisher


def live_republisher(config: Config) -> Republisher | None:
    """Rewrites the live site in place: the web root on one server, output/ in development."""
    site = config.live_site
    return Republisher(config, site) if site is not None else None
