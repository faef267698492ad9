"""Web addresses typed as plain text become links: a markdown-it rule for reader stories.

Readers paste addresses (https://example.com/x) more often than they write Markdown links. Left as
text, an address was neither clickable for readers nor visibly a link for moderators. This rule
turns each bare http(s) address in running text into a link token, so it is rendered, sanitised
(rel="nofollow ugc noopener") and counted toward ``max_links`` exactly like a Markdown link.
Addresses inside links and code stay as they are.

Punctuation that ends a sentence is not part of the address ("see https://a.example/x." links
to https://a.example/x), nor is a closing bracket without its opening one, as in GitHub's
autolinks. The pattern is linear in the text: no nested or overlapping repetition.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

# http(s)://, then a host character, then anything up to a space, an angle bracket or a quote.
_ADDRESS_RE = re.compile(r"\bhttps?://[^\s<>/?#\"'`][^\s<>\"`]*", re.IGNORECASE)
_TRAILING = ".,:;!?'\"*_~"
_CLOSERS = {")": "(", "]": "[", "}": "{"}


def trim(address: str) -> str:
    """The address without the sentence's punctuation after it, or an unmatched closing bracket.

    The brackets are counted once, then kept up to date: linear in the address's length."""
    opened = {closer: address.count(opener) for closer, opener in _CLOSERS.items()}
    closed = {closer: address.count(closer) for closer in _CLOSERS}
    end = len(address)
    while end:
        last = address[end - 1]
        unmatched = last in _CLOSERS and closed[last] > opened[last]
        if last not in _TRAILING and not unmatched:
            break
        if last in _CLOSERS:
            closed[last] -= 1
        end -= 1
    return address[:end]


def _split(
    text: str, valid: Callable[[str], bool], normalise: Callable[[str], str]
) -> list[Token] | None:
    """Text and link tokens for ``text``, or None when it holds no address to link."""
    tokens: list[Token] = []
    at = 0
    for match in _ADDRESS_RE.finditer(text):
        address = trim(match.group())
        href = normalise(address)
        if valid(href):
            if match.start() > at:
                tokens.append(_text(text[at : match.start()]))
            opening = Token("link_open", "a", 1, markup="linkify", info="auto")
            opening.attrs = {"href": href}
            closing = Token("link_close", "a", -1, markup="linkify", info="auto")
            tokens += [opening, _text(address), closing]
            at = match.start() + len(address)
    if not tokens:
        return None
    if at < len(text):
        tokens.append(_text(text[at:]))
    return tokens


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def link_bare_addresses(state: StateCore) -> None:
    """The core rule: in every inline run, outside links, addresses become links."""
    md = state.md
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        depth = 0
        for token in block.children:
            if token.type == "link_open":
                depth += 1
            elif token.type == "link_close":
                depth -= 1
            linked = (
                _split(token.content, md.validateLink, md.normalizeLink)
                if token.type == "text" and depth == 0
                else None
            )
            children.extend(linked if linked is not None else [token])
        block.children = children


def enable(md: MarkdownIt) -> None:
    """Add the rule after markdown-it has joined adjacent text."""
    md.core.ruler.push("bare_links", link_bare_addresses)
