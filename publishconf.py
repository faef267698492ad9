"""Production settings: pelicanconf.py with only the keys that differ when publishing."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from pelicanconf import *  # noqa: F403

SITEURL = os.environ.get("SITEURL", "https://nextround.example").rstrip("/")
SITE_ROOT = urlsplit(SITEURL).path.rstrip("/")
FEED_DOMAIN = SITEURL
RELATIVE_URLS = False
DELETE_OUTPUT_DIRECTORY = True

# Where `invoke publish` deploys: "rsync" (a local path or user@host:path) or "git" (a branch).
PUBLISH_METHOD = os.environ.get("PUBLISH_METHOD", "rsync")
PUBLISH_TARGET = os.environ.get("PUBLISH_TARGET", "")
PUBLISH_BRANCH = os.environ.get("PUBLISH_BRANCH", "gh-pages")

# Production refuses to start the intake without COMMENTS_SECRET_KEY in the environment, and the
# admin's cookies are sent over HTTPS only.
COMMENTS = {**COMMENTS, "production": True, "secure_cookies": True}  # noqa: F405
