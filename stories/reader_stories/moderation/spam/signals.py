"""The local signals of the spam score: each looks at one thing in a story and, when it finds
it, gives points and says what it found in words a moderator reads.

They read only the story as sent (its Markdown and the sanitised HTML the intake renders
anyway); the signals that need the store (the same text on other articles) or a model (the
classifier) are in score.py and learner.py. Every check takes time in proportion to the text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Signal:
    """One thing the score found: a short code (for counting), its points, and why in words."""

    code: str
    points: int
    reason: str


# Services whose short addresses hide where a link goes; real readers rarely need one.
SHORTENERS = frozenset(
    [
        "bit.ly",
        "bitly.com",
        "tinyurl.com",
        "t.co",
        "goo.gl",
        "ow.ly",
        "is.gd",
        "buff.ly",
        "cutt.ly",
        "rebrand.ly",
        "shorturl.at",
        "tiny.cc",
        "rb.gy",
        "s.id",
        "t.ly",
        "v.gd",
        "bl.ink",
        "short.io",
        "soo.gd",
        "clck.ru",
        "qr.ae",
        "lnkd.in",
        "shorte.st",
        "adf.ly",
        "bc.vc",
        "ouo.io",
        "linktr.ee",
    ]
)
# Wording that comment spam uses and a story about work hardly ever does. Each is matched as
# whole words, case and spacing aside.
SPAM_PHRASES = tuple(
    " ".join(phrase.split())
    for phrase in """
    check out my channel|check out my video|check out my new|subscribe to my|sub to my channel|
    subscribe for subscribe|sub4sub|please subscribe|visit my channel|my youtube channel|
    follow me on|like and subscribe|free followers|free subscribers|buy followers|
    make money online|earn money online|earn $|make $|per day from home|work from home and earn|
    from the comfort of your home|financial freedom|passive income|get rich|
    binary options|forex signals|crypto signals|investment platform|double your bitcoin|
    bitcoin investment|trading platform|recovery expert|hacker who|contact him on|contact her on|
    whatsapp me|whatsapp +|telegram @|dm me on|text me on|
    casino|betting tips|online pharmacy|viagra|cialis|weight loss pills|payday loan|
    seo services|backlinks|guest post service|rank your website|website traffic|
    click here|click the link|limited offer|act now|100% free|risk free|no credit check|
    promo code|use my code|discount code|gift card|free gift card|claim your|you have won|
    congratulations you|dating site|hot singles|meet singles
    """.replace("\n", "").split("|")
    if phrase.strip()
)
# A phrase never runs across the end of a clause; everything else but letters, digits and the
# signs spam phrasing uses becomes a space.
_CLAUSE_END_RE = re.compile(r"[,.;:!?()\[\]\"“”]+")
_PUNCTUATION_RE = re.compile(r"[^\w$+@%|]+")
_HREF_RE = re.compile(r'href="([^"]*)"')
_TAG_RE = re.compile(r"<[^>]*>")
_ANCHOR_RE = re.compile(r"<a\b[^>]*>.*?</a>", re.DOTALL)
_ASCII_LETTERS_RE = re.compile(r"[A-Za-z]")
_WWW_ADDRESS_RE = re.compile(r"\bwww\.\S+", re.IGNORECASE)
_WWW_RE = re.compile(r"\b(www\.[\w-]+(?:\.[\w-]+)+)", re.IGNORECASE)
_CAPITALS_RE = re.compile(r"[A-Z]")
# A code: letters and digits mixed in one word of 6 or more (coupon and referral codes,
# tracking ids), not a year or a plain number.
_CODE_RE = re.compile(r"\b(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Za-z0-9]{6,}\b")
_WORD_RE = re.compile(r"\w+")


def _link_hosts(body_html: str) -> list[str]:
    """The host of every address in the rendered story: its links (bare addresses with a
    scheme are links there too), and addresses written as text, such as www.example.com."""
    text = _TAG_RE.sub(" ", _ANCHOR_RE.sub(" ", body_html))
    hosts = [host.lower().removeprefix("www.") for host in _WWW_RE.findall(text)]
    for href in _HREF_RE.findall(body_html):
        host = (urlsplit(href.replace("&amp;", "&")).hostname or "").lower()
        if host:
            hosts.append(host.removeprefix("www."))
    return hosts


def links(markdown: str, body_html: str) -> list[Signal]:
    """Links: a real story may cite one; several are what link spam is made of."""
    hosts = _link_hosts(body_html)
    found: list[Signal] = []
    if len(hosts) >= 2:
        found.append(Signal("links", len(hosts) - 1, f"{len(hosts)} links"))
    elif hosts:
        found.append(Signal("links", 1, "a link"))
    short = sorted({host for host in hosts if host in SHORTENERS})
    if short:
        found.append(Signal("shortener", 3, f"a link shortener ({', '.join(short)})"))
    return found


def mostly_links(markdown: str, body_html: str) -> list[Signal]:
    """A text that is little besides its links says nothing a reader would: fewer than 12
    words of its own for each link."""
    hosts = _link_hosts(body_html)
    if not hosts:
        return []
    prose = _TAG_RE.sub(" ", _ANCHOR_RE.sub(" ", body_html))
    words = len(_WORD_RE.findall(_WWW_ADDRESS_RE.sub(" ", prose)))
    if words < 12 * len(hosts):
        return [Signal("mostly-links", 2, "little text besides its links")]
    return []


def phrases(markdown: str, body_html: str) -> list[Signal]:
    """Known spam phrasing, quoted so the moderator sees what matched."""
    clauses = _CLAUSE_END_RE.sub(" | ", markdown.lower())
    padded = f" {_PUNCTUATION_RE.sub(' ', clauses)} "
    matched = [
        phrase
        for phrase in SPAM_PHRASES
        # A phrase ending in a sign ("earn $", "whatsapp +") goes on into the amount.
        if f" {phrase}{'' if phrase[-1] in '$+@%' else ' '}" in padded
    ]
    if not matched:
        return []
    quoted = ", ".join(f"“{m}”" for m in matched[:3])
    return [Signal("phrases", min(6, 3 * len(matched)), f"spam phrasing: {quoted}")]


def codes(markdown: str, body_html: str) -> list[Signal]:
    """Codes: promotion, referral or tracking codes in the text (links' own text aside)."""
    found = _CODE_RE.findall(_TAG_RE.sub(" ", _ANCHOR_RE.sub(" ", body_html)))
    if not found:
        return []
    # Counted, never quoted: a code could be a postcode or an account number, and the reasons
    # outlive the story in the log of holds.
    if len(found) == 1:
        return [Signal("codes", 1, "a code of letters and digits")]
    return [Signal("codes", 2, f"{len(found)} codes of letters and digits")]


def _script(character: str) -> str | None:
    """The script of a letter as Unicode names it ("LATIN", "CYRILLIC", "CJK"...)."""
    if not character.isalpha():
        return None
    name = unicodedata.name(character, "")
    return name.split(" ", 1)[0] if name else None


def _scripts(text: str) -> Counter[str]:
    """How many letters of each script; Unicode's names are looked up only beyond ASCII,
    where most stories have few letters or none."""
    ascii_letters = len(_ASCII_LETTERS_RE.findall(text))
    scripts: Counter[str] = Counter({"LATIN": ascii_letters} if ascii_letters else {})
    if not text.isascii():
        scripts.update(s for s in map(_script, _ASCII_LETTERS_RE.sub("", text)) if s)
    return scripts


def script_checker(site_script: str) -> Callable[[str, str], list[Signal]]:
    """The signal for a text written mostly in another script than the site's."""
    expected = site_script.upper()

    def other_script(markdown: str, body_html: str) -> list[Signal]:
        scripts = _scripts(markdown)
        letters = sum(scripts.values())
        if not letters or scripts[expected] >= letters / 2:
            return []
        top = scripts.most_common(1)[0][0]
        words = f"mostly written in another script ({top.title()}) than the site's"
        return [Signal("script", 3, words)]

    return other_script


def shouting(markdown: str, body_html: str) -> list[Signal]:
    """Capitals and exclamation marks in bulk: advertising, not a story."""
    letters = len(_ASCII_LETTERS_RE.findall(markdown))
    capitals = len(_CAPITALS_RE.findall(markdown))
    if letters >= 20 and capitals > 0.6 * letters:
        return [Signal("shouting", 1, "written mostly in capitals")]
    if markdown.count("!") >= 5:
        return [Signal("shouting", 1, f"{markdown.count('!')} exclamation marks")]
    return []


def text_signals(markdown: str, body_html: str, site_script: str = "Latin") -> list[Signal]:
    """Every signal that reads the story alone, in a fixed order."""
    checks = (links, mostly_links, phrases, codes, script_checker(site_script), shouting)
    return [signal for check in checks for signal in check(markdown, body_html)]
