"""Bare web addresses in a story become links, sanitised and counted like any other link; the
admin's previews write out where each link goes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from text_strategies import PROPERTY, reader_text

from reader_stories.errors import ValidationFailed
from reader_stories.story_html import count_links, render_story, sanitise
from reader_stories.validation import validate_submission
from reader_stories.web.admin.link_targets import show_link_targets

REL = 'rel="nofollow ugc noopener"'


def link(href: str, text: str | None = None) -> str:
    return f'<a href="{href}" {REL}>{text or href}</a>'


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("https://example.com/x", f"<p>{link('https://example.com/x')}</p>"),
        (
            "See https://example.com/x. Then call.",
            f"<p>See {link('https://example.com/x')}. Then call.</p>",
        ),
        (
            "Lists (at https://example.com/jobs), and more!",
            f"<p>Lists (at {link('https://example.com/jobs')}), and more!</p>",
        ),
        (
            "A wiki page: http://wiki.example/Foo_(bar)?",
            f"<p>A wiki page: {link('http://wiki.example/Foo_(bar)')}?</p>",
        ),
        (
            "Query https://a.example/?q=1&b=2, then",
            f"<p>Query {link('https://a.example/?q=1&amp;b=2')}, then</p>",
        ),
        ("In code: `https://a.example`", "<p>In code: <code>https://a.example</code></p>"),
        (
            "[named](https://a.example) https://b.example",
            f"<p>{link('https://a.example', 'named')} {link('https://b.example')}</p>",
        ),
        ("Just https:// and nothing", "<p>Just https:// and nothing</p>"),
        (
            "ftp://files.example and www.example.com",
            "<p>ftp://files.example and www.example.com</p>",
        ),
        (
            'Quote "https://a.example/x" done',
            f'<p>Quote "{link("https://a.example/x")}" done</p>',
        ),
    ],
)
def test_bare_addresses_are_linked_without_the_punctuation_around_them(
    markdown: str, html: str
) -> None:
    assert render_story(markdown) == html


@pytest.mark.parametrize(
    ("markdown", "links"),
    [
        ("https://a.example and https://b.example/x.", 2),
        ("[a](https://a.example) https://b.example www.c.example ftp://d.example", 4),
        ("`https://a.example` in code still counts", 1),
    ],
)
def test_every_address_counts_toward_the_limit(markdown: str, links: int) -> None:
    assert count_links(markdown) == links


def test_the_intake_refuses_a_story_with_more_bare_addresses_than_allowed() -> None:
    form = {
        "article": "handling-job-rejection",
        "name": "Ada",
        "consent": "on",
        "story": "Apply here https://a.example/jobs and https://b.example/jobs too.",
    }
    with pytest.raises(ValidationFailed) as refused:
        validate_submission(form, ip_hash=None, max_links=1)
    assert refused.value.messages() == {"story": ["Story can contain at most 1 link; yours has 2"]}
    assert validate_submission(form, ip_hash=None, max_links=2).body_markdown == form["story"]


def test_previews_write_out_targets_that_differ_from_the_text() -> None:
    html = sanitise(
        render_story(
            "[my bank](https://phish.example/login) and [https://bank.example](https://evil.example)"
            " and https://plain.example/x and [**bold**](https://d.example/?a=1&b=2)"
        )
    )
    assert show_link_targets(html) == (
        f"<p>{link('https://phish.example/login', 'my bank')} "
        '<span class="admin-link-target">(links to https://phish.example/login)</span> and '
        f"{link('https://evil.example', 'https://bank.example')} "
        '<span class="admin-link-target">(links to https://evil.example)</span> and '
        f"{link('https://plain.example/x')} and "
        f"{link('https://d.example/?a=1&amp;b=2', '<strong>bold</strong>')} "
        '<span class="admin-link-target">(links to https://d.example/?a=1&amp;b=2)</span></p>'
    )


def test_an_address_with_letters_beyond_ascii_shows_no_target_twice() -> None:
    html = sanitise(render_story("https://a.example/Zoë"))
    assert 'href="https://a.example/Zo%C3%AB"' in html
    assert show_link_targets(html) == html


@PROPERTY
@given(reader_text(max_size=120), st.sampled_from(["https://a.example/x", "http://b.example"]))
def test_any_text_around_an_address_renders_it_safely(text: str, address: str) -> None:
    story = f"{text} {address} {text}"
    html = render_story(story)
    assert html.count("<a ") == html.count(REL)
    assert "javascript:" not in html.lower()
    shown = show_link_targets(sanitise(html))
    assert shown.count("<span") == shown.count('<span class="admin-link-target">(links to ')
