"""The admin's state: its configuration, the republisher, one store opened on first use."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from reader_stories.accounts.login import accounts_exist
from reader_stories.config import Config
from reader_stories.notify.messages import Mailer
from reader_stories.pages.republish import Republisher
from reader_stories.store import DEFAULT_BUSY_TIMEOUT, LazyStore
from reader_stories.web.admin.flash import Flashes
from reader_stories.web.admin.login_limits import LOGIN_LIMITS, LoginLimits
from reader_stories.web.admin.pages import Pages
from reader_stories.web.admin.sessions import DEFAULT_LIFETIME, Clock, Sessions
from reader_stories.web.admin.titles import RememberedTitles
from reader_stories.web.static import stylesheets

T = TypeVar("T")


class Admin:
    def __init__(
        self,
        config: Config,
        *,
        republisher: Republisher | None = None,
        busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
        login_limits: LoginLimits = LOGIN_LIMITS,
        session_lifetime: timedelta = DEFAULT_LIFETIME,
        clock: Clock = time.time,
    ) -> None:
        settings = self.settings = config.comments
        self.republisher = republisher
        # Approvals and replies from the browser email readers who asked, as the CLI does.
        self.mailer = Mailer.for_config(config)
        self.titles = RememberedTitles(self.mailer.article_title, clock)
        self.login_limits = login_limits
        self.clock = clock  # seconds since the epoch, as time.time (sessions, email links)
        self.stylesheets = stylesheets(
            config.site, "site.css", "stories.css", "admin.css", "admin.js"
        )
        self.flashes = Flashes(settings.secret_key, settings.secure_cookies)
        self.pages = Pages(config.site, self.flashes)
        self.sessions = Sessions(settings.secret_key, session_lifetime, clock)
        self.store = LazyStore(settings.database_url, busy_timeout)
        self._accounts_seen = False

    async def enabled(self) -> bool:
        """No moderator account and no password hash, no admin: there is never a default
        password. The first account made with the command line switches it on at once."""
        if self.settings.admin_password_hash or self._accounts_seen:
            return True
        self._accounts_seen = await self.with_store(accounts_exist)
        return self._accounts_seen

    async def with_store(self, function: Callable[..., T], *args: Any) -> T:
        """``function(store, *args)`` in a worker thread: opening the store and queries block."""
        return await run_in_threadpool(lambda: function(self.store(), *args))

    def close(self) -> None:
        """Release the database; safe to call twice, and the next request reopens it."""
        self.store.close()

    @asynccontextmanager
    async def lifespan(self, _app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await run_in_threadpool(self.close)
