"""What keeps the public site current after moderation, for a configuration."""

from __future__ import annotations

from reader_stories.config import Config
from reader_stories.live.push import PushQueue
from reader_stories.pages.republish import Republisher


def live_republisher(config: Config) -> Republisher | PushQueue:
    """Rewrites the live site in place (the web root on one server, output/ in development), or
    queues the changed articles for the push worker when the public site is elsewhere."""
    site = config.live_site
    return Republisher(config, site) if site is not None else PushQueue()
