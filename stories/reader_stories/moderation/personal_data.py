"""A privacy check for moderators: personal data in a story, found before it goes public.

Readers writing about a rejection name the recruiter, the interviewer or the manager, or leave a
phone number. Each finding says what it is and what a redaction writes in its place. What this
catches and misses (docs/stories.md says the same):

- email addresses: all of the usual form;
- phone numbers: those valid for the region (GB by default, and any written with +country),
  through phonenumbers (Google's libphonenumber); dates, years and salaries are not numbers to
  it, and numbers in the ranges reserved for fiction are not found;
- street addresses: a house number before a street word ("12 Baker Street", "4 Elm Rd"), and
  UK postcodes; addresses without a number or written another way are missed;
- links to personal profiles: LinkedIn, Facebook, Instagram, X/Twitter, TikTok, GitHub and
  fediverse handles (@name@host);
- probable personal names: a title and a name ("Ms Patel"), a role and a name ("the recruiter,
  Sarah", "my manager John Smith"), and two capitalised words inside a sentence ("I met Tom
  Brown"). Names written in lower case, single first names without a role, and names at the
  start of a sentence are missed; some capitalised pairs (a company, a product) are flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGION = "GB"

EMAIL = "email address"
PHONE = "phone number"
ADDRESS = "street address"
PROFILE = "link to a personal profile"
NAME = "probable personal name"
REMOVED = "personal detail"  # what a moderator picked by hand

REPLACEMENTS = {
    EMAIL: "[email removed]",
    PHONE: "[phone number removed]",
    ADDRESS: "[address removed]",
    PROFILE: "[link removed]",
    NAME: "[name removed]",
    REMOVED: "[removed]",
}

_EMAIL_RE = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_STREET_WORDS = (
    "street|st|road|rd|avenue|ave|lane|ln|drive|close|way|crescent|place|square|terrace|"
    "gardens|court|boulevard|blvd|grove|hill|park|row|walk"
)
_STREET_RE = re.compile(
    rf"\b\d{{1,4}}[a-z]?,?\s+(?:[A-Z][a-z]+\s+){{1,3}}(?:{_STREET_WORDS})\b\.?", re.IGNORECASE
)
_POSTCODE_RE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b")
_PROFILE_RE = re.compile(
    r"(?:https?://)?(?:www\.)?(?:linkedin\.com/in/|facebook\.com/|instagram\.com/|twitter\.com/"
    r"|x\.com/|tiktok\.com/@|github\.com/)[\w.@%-]+/?"
    r"|(?<![\w@])@[A-Za-z0-9_]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+",
    re.IGNORECASE,
)
_CAPITAL = r"[A-Z][a-z'\u2019-]+"  # O'Neil, Smith-Jones, and the typographic apostrophe
_TITLE_RE = re.compile(rf"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+{_CAPITAL}(?:\s+{_CAPITAL})?")
_ROLES = (
    "recruiter|interviewer|manager|boss|director|supervisor|colleague|coworker|co-worker|"
    "hiring manager|team lead|lead|hr|recruiting manager|ceo|founder|named|called"
)
# The role in any case, the name capitalised: "the Recruiter, Sarah" and "my manager John".
_ROLE_RE = re.compile(rf"\b(?i:{_ROLES}),?\s+(?P<name>{_CAPITAL}(?:\s+{_CAPITAL})?)")
_PAIR_RE = re.compile(rf"(?<=[a-z,;:] )(?P<name>{_CAPITAL}\s+{_CAPITAL})\b")
# Capitalised words that are not people when they stand in a pair.
_NOT_NAME_WORDS = (
    "monday tuesday wednesday thursday friday saturday sunday january february march april may "
    "june july august september october november december i the a an my our their next round "
    "linkedin google microsoft amazon apple meta slack zoom teams excel word corp ltd inc plc llc "
    "group bank university college school council"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split()) | frozenset(_ROLES.replace("|", " ").split())


@dataclass(frozen=True)
class Finding:
    """One piece of personal data: what it is, the text as written, and where."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def replacement(self) -> str:
        return REPLACEMENTS[self.kind]


def _phones(text: str, region: str) -> list[Finding]:
    import phonenumbers  # only the moderation commands pay for it

    matcher = phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)
    return [Finding(PHONE, m.raw_string, m.start, m.end) for m in matcher]


def _names(text: str) -> list[Finding]:
    found = [Finding(NAME, m.group(0), m.start(), m.end()) for m in _TITLE_RE.finditer(text)]
    for pattern in (_ROLE_RE, _PAIR_RE):
        for match in pattern.finditer(text):
            name = match.group("name")
            if not {word.lower() for word in name.split()} & _NOT_NAMES:
                found.append(Finding(NAME, name, match.start("name"), match.end("name")))
    return found


def find_personal_data(text: str, region: str = DEFAULT_REGION) -> list[Finding]:
    """Every finding in the order it appears; where two overlap, the first and longest wins."""
    found = [
        *(Finding(PROFILE, m.group(0), m.start(), m.end()) for m in _PROFILE_RE.finditer(text)),
        *(Finding(EMAIL, m.group(0), m.start(), m.end()) for m in _EMAIL_RE.finditer(text)),
        *_phones(text, region),
        *(Finding(ADDRESS, m.group(0), m.start(), m.end()) for m in _STREET_RE.finditer(text)),
        *(Finding(ADDRESS, m.group(0), m.start(), m.end()) for m in _POSTCODE_RE.finditer(text)),
        *_names(text),
    ]
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            continue
        kept.append(finding)
    return kept


def redact(text: str, finding: Finding) -> str:
    """The text with one finding replaced, wherever the same text stands.

    By its text rather than its place: a name that appears three times goes three times, and a
    story edited since the check still loses what the moderator chose.
    """
    if finding.text not in text:
        raise ValueError(f'"{finding.text}" is no longer in the story')
    return text.replace(finding.text, finding.replacement)
