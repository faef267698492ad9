"""The stories a published site shows, in a small public file beside its pages.

`invoke publish` compares the live site's manifest with the one it is about to deploy, so a
publish from a machine without the store (or with an older copy) cannot take stories down. It
holds only story ids, which every page shows anyway: no names, no text, nothing personal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

MANIFEST = "stories-manifest.json"
FORMAT = 1


def manifest_text(approved_ids: Iterable[int]) -> str:
    """The manifest for these published story ids; the same ids always give the same bytes."""
    body = {"format": FORMAT, "approved": sorted(set(approved_ids))}
    return json.dumps(body, separators=(",", ":")) + "\n"


def read_manifest(text: str) -> set[int]:
    """The story ids of a manifest; ValueError with the reason when it is not one."""
    try:
        body = json.loads(text)
    except json.JSONDecodeError as problem:
        raise ValueError(f"{MANIFEST} is not JSON ({problem})") from None
    ids = body.get("approved") if isinstance(body, dict) else None
    if body.get("format") != FORMAT or not isinstance(ids, list):
        raise ValueError(f"{MANIFEST} is not a manifest of format {FORMAT}")
    if not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValueError(f"{MANIFEST} lists something that is not a story id")
    return set(ids)
