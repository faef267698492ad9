"""Noticing a reverse proxy that is not trusted: then every reader shares one rate limit.

Behind a proxy, every request comes from the proxy's address; the readers' own addresses are in
X-Forwarded-For, which the intake believes only from the proxies in COMMENTS_TRUSTED_PROXIES. A
proxy missing from that list is the usual mistake of a first deployment, and its only symptom
is readers being told to wait for each other. So the first such request is said in the log and
kept in the state folder, where `comments.pending` shows it, with the setting that fixes it.
"""

from __future__ import annotations

import ipaddress
import logging
from pathlib import Path

log = logging.getLogger(__name__)

NOTICE_FILE = "untrusted-proxy.txt"
MSG_UNTRUSTED = (
    "Requests arrive with X-Forwarded-For from {peer}, which is not a trusted proxy, so all "
    "readers share one rate limit: set COMMENTS_TRUSTED_PROXIES to {peer} (the reverse proxy's "
    "address) and restart the service."
)


class ProxyWatch:
    """Says once per process, in the log and in the state folder, that a proxy is not trusted."""

    def __init__(self, state: Path) -> None:
        self.path = state / NOTICE_FILE
        self.said = False
        self.path.unlink(missing_ok=True)  # a new start with new settings: nothing to say yet

    def saw(self, peer: str | None) -> None:
        """``peer``: a sender of X-Forwarded-For that is not trusted (None: all is well)."""
        if self.said or peer is None:
            return
        self.said = True
        message = MSG_UNTRUSTED.format(peer=_proxy_address(peer))
        log.warning(message)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.write_text(message + "\n", encoding="utf-8")
        except OSError as problem:  # the log still says it
            log.warning("Could not keep the proxy notice in %s: %s", self.path, problem)


def _proxy_address(peer: str) -> str:
    """A proxy's own address (loopback or private) is named; any other is a reader's, who
    sent the header themselves, and a reader's address is never written down."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return "a Unix socket" if not peer else "an address that is not an IP address"
    if address.is_loopback or address.is_private:
        return str(address)
    return "the proxy's address (a public one, not written here)"


def proxy_notice(state: Path) -> list[str]:
    """The notice kept by the running service, if any, for `comments.pending`."""
    path = state / NOTICE_FILE
    return [path.read_text(encoding="utf-8").strip()] if path.is_file() else []
