"""The tip count label and HowTo data as plain functions; their use in pages: test_tips_pelican."""

from __future__ import annotations

import json
import pickle
from dataclasses import fields
from typing import Any

import jinja2
from markupsafe import Markup

from tipboxes.page_features import howto_json, text_of, tip_count_label
from tipboxes.tip import Tip

TIPS = [
    Tip("Dust off", "dust-off", "tip", "Apply twice.", 1, "Take a day."),
    Tip("Reply in anger", "tip-reply", "warning", None, 2, "Wait </script> a day."),
]


def howto(title: str, description: str, page_url: str, tips: list[Tip]) -> dict[str, Any]:
    """The HowTo that howto_json writes, as data: what the tests hold its JSON to."""
    return {
        "@context": "https://schema.org",
        "@type": "HowTo",
        "name": title,
        "description": description,
        "url": page_url,
        "step": [
            {
                "@type": "HowToStep",
                "position": tip.number,
                "name": tip.headline,
                "text": f"{tip.text} Try this: {tip.action}" if tip.action else tip.text,
                "url": f"{page_url}#{tip.id}",
            }
            for tip in tips
        ],
    }


def test_count_label_says_tip_or_tips_and_nothing_without_tips() -> None:
    assert [tip_count_label(TIPS[:n]) for n in (0, 1, 2)] == ["", "1 tip", "2 tips"]


def test_howto_has_one_linked_step_per_tip_with_the_action_after_the_text() -> None:
    data = json.loads(howto_json("Handling rejection", "About it.", "https://x.test/a/", TIPS))
    assert (data["@type"], data["name"], data["url"]) == (
        "HowTo",
        "Handling rejection",
        "https://x.test/a/",
    )
    assert data["step"] == [
        {
            "@type": "HowToStep",
            "position": 1,
            "name": "Dust off",
            "text": "Take a day. Try this: Apply twice.",
            "url": "https://x.test/a/#dust-off",
        },
        {
            "@type": "HowToStep",
            "position": 2,
            "name": "Don\u2019t: Reply in anger",
            "text": "Wait </script> a day.",
            "url": "https://x.test/a/#tip-reply",
        },
    ]


def test_howto_json_is_what_jinjas_tojson_writes_and_cannot_close_the_script() -> None:
    data = howto("T", "D", "https://x.test/a/", TIPS)
    written = howto_json("T", "D", "https://x.test/a/", TIPS)
    assert written == jinja2.Environment().from_string("{{ data|tojson }}").render(data=data)
    assert "</script>" not in written
    assert json.loads(written) == data
    assert howto_json("T", "D", "https://x.test/a/", []) == ""


def test_howto_json_escapes_every_awkward_character_as_tojson_does() -> None:
    awkward = "Quote \" back\\slash \t tab \x01 <b>&amp; it's</b> caf\u00e9 \u2019 \U0001f600"
    tips = [
        Tip(awkward, "tip-a", "tip", awkward, 1, awkward),
        Tip("Plain", "tip-b", "warning", None, 12, ""),
    ]
    url = f"https://x.test/{awkward}/"
    data = howto(awkward, awkward, url, tips)
    written = howto_json(awkward, awkward, url, tips)
    assert written == jinja2.Environment().from_string("{{ data|tojson }}").render(data=data)
    assert json.loads(written) == data


def test_a_tip_pickled_now_or_by_an_earlier_version_loads_the_same() -> None:
    """Pelican's content cache pickles each article's tips. A cache written by an earlier version
    holds each tip's fields as a tuple of state, or as a dict from before Tip was slotted."""
    tip = TIPS[0]
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(tip, protocol)) == tip
    names = [field.name for field in fields(Tip)]
    values = [getattr(tip, name) for name in names]
    for state in (tuple(values), dict(zip(names, values, strict=True))):
        old = Tip.__new__(Tip)
        old.__setstate__(state)
        assert old == tip and old.headline == tip.headline


def test_a_tip_pickled_when_it_lived_in_the_extension_module_loads_the_same() -> None:
    """Tip moved from tipboxes.extension to tipboxes.tip; caches name the old module."""
    tip = TIPS[0]
    Tip.__module__ = "tipboxes.extension"
    try:
        written = [pickle.dumps(tip, p) for p in range(pickle.HIGHEST_PROTOCOL + 1)]
    finally:
        Tip.__module__ = "tipboxes.tip"
    for data in written:
        assert b"tipboxes.extension" in data
        assert pickle.loads(data) == tip


def test_text_of_html_is_what_striptags_gives() -> None:
    samples = (
        *("Plain  title\n", "A &amp; B", "<em>Em</em> <!-- c --> x", "Caf\u00e9", "", "1 < 2"),
        *("<p>One  paragraph\n of words</p>", "<p></p>", "<p>1 > 2</p>", "<p>a</p><p>b</p>"),
        *("<p>Tom &amp; Jerry</p>", "<p><em>Em</em></p>", "<p>x</p>\n", "<p>"),
    )
    for html in samples:
        assert text_of(html) == Markup(html).striptags()
