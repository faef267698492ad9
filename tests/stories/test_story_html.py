"""Rendering hostile reader Markdown: exact output for known cases, nothing dangerous for any."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from lxml import html
from text_strategies import PROPERTY, reader_text

from reader_stories.story_html import count_links, plain_text, render_story, sanitise
from reader_stories.text import MARKS_MAX, first_problem

REL = 'rel="nofollow ugc noopener"'
ALLOWED_TAGS = {"p", "br", "em", "strong", "a", "ul", "ol", "li", "blockquote", "code", "pre"}

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=https://evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "<a href='https://ok.example' onclick='alert(1)'>x</a>",
    "<div onmouseover=alert(1)>hover</div>",
    "<body onload=alert(1)>",
    "*<b onmouseover=alert(1)>x</b>*",
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](jav&#x09;ascript:alert(1))",
    "[x](jav\tascript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#58;alert(1))",
    "[x](java\x00script:alert(1))",
    "[x](\x01javascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x](vbscript:msgbox(1))",
    "[x](file:///etc/passwd)",
    "[x](//evil.example/path)",
    "[x](/relative/path)",
    "[x](https:alert(1))",
    "[x](http://)",
    "[x][1]\n\n[1]: javascript:alert(1)",
    "![x](javascript:alert(1))",
    "![x](https://ok.example/a.png)",
    '[x](https://ok.example "onmouseover=alert(1)")',
    '[x](https://ok.example" onmouseover="alert(1))',
    "[x](https://ok.example/'><script>alert(1)</script>)",
    "[<img src=x onerror=alert(1)>](https://ok.example)",
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    '<http://ok.example/?q="onmouseover=alert(1)>',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '"><svg/onload=alert(1)>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<iframe src=https://evil.example></iframe>",
    "<object data=javascript:alert(1)>",
    "<style>body{display:none}</style>",
    "<scr<script>ipt>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "&#x3C;img src=x onerror=alert(1)&#x3E;",
    "<!-- hidden --> visible",
    "<!--><script>alert(1)</script>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "> > > deep <script>x</script>\n> > [q](javascript:alert(1))",
    "> " * 60 + "very deep",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "    <img src=x onerror=alert(1)>",
    "text \u202e reversed \u2066 isolate \u202c",
    "[x](https://ok.example/\u202egnp.exe)",
    "- <script>a</script>\n- [b](javascript:b)\n1. <img onerror=c>",
]


class _Inspector(HTMLParser):
    """Collects every tag, attribute and comment a browser would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend((tag, name, value) for name, value in attrs)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def assert_safe(output: str) -> None:
    inspector = _Inspector()
    inspector.feed(output)
    inspector.close()
    assert set(inspector.tags) <= ALLOWED_TAGS, output
    assert inspector.comments == [], output
    for tag, name, value in inspector.attrs:
        assert tag == "a" and name in {"href", "rel"}, output
        if name == "rel":
            assert value == "nofollow ugc noopener", output
        else:
            assert value is not None
            assert urlsplit(value).scheme.lower() in {"http", "https", "mailto"}, output
            assert urlsplit(value).netloc or value.lower().startswith("mailto:"), output
    lowered = output.lower()
    for needle in ("<script", "<img", "<svg", "<iframe", "<style", "<!--", "\u202e", "\u2066"):
        assert needle not in lowered, output


@pytest.mark.parametrize("markdown", XSS_CORPUS)
def test_nothing_dangerous_survives(markdown: str) -> None:
    assert_safe(render_story(markdown))


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
        ("[x](javascript:alert(1))", "<p>[x](javascript:alert(1))</p>"),
        ("[x](JAVASCRIPT:alert(1))", "<p>[x](JAVASCRIPT:alert(1))</p>"),
        ("[x](jav&#x09;ascript:alert(1))", "<p>[x](jav\tascript:alert(1))</p>"),
        ("[x](data:text/html,hi)", "<p>[x](data:text/html,hi)</p>"),
        ("[x](/relative)", "<p>[x](/relative)</p>"),
        ("<javascript:alert(1)>", "<p>&lt;javascript:alert(1)&gt;</p>"),
        ("<!-- hidden --> visible", "<p>&lt;!-- hidden --&gt; visible</p>"),
        ("&#60;script&#62;", "<p>&lt;script&gt;</p>"),
        ("<svg onload=alert(1)>", "<p>&lt;svg onload=alert(1)&gt;</p>"),
        ("text \u202e reversed", "<p>text  reversed</p>"),
        (
            "<https://ok.example/a?b=1&c=2>",
            f'<p><a href="https://ok.example/a?b=1&amp;c=2" {REL}>https://ok.example/a?b=1&amp;c=2</a></p>',
        ),
        ("<ada@example.com>", f'<p><a href="mailto:ada@example.com" {REL}>ada@example.com</a></p>'),
        ('[x](https://ok.example "title")', f'<p><a href="https://ok.example" {REL}>x</a></p>'),
        (
            "![alt](https://ok.example/a.png)",
            f'<p>!<a href="https://ok.example/a.png" {REL}>alt</a></p>',
        ),
        (
            "[<img src=x onerror=alert(1)>](https://ok.example)",
            f'<p><a href="https://ok.example" {REL}>&lt;img src=x onerror=alert(1)&gt;</a></p>',
        ),
        (
            "> > nested\n> back",
            "<blockquote>\n<blockquote>\n<p>nested<br>\nback</p>\n</blockquote>\n</blockquote>",
        ),
    ],
)
def test_exact_safe_output(markdown: str, html: str) -> None:
    assert render_story(markdown) == html


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("**strong** and _em_", "<p><strong>strong</strong> and <em>em</em></p>"),
        ("first\nsecond", "<p>first<br>\nsecond</p>"),
        ("one\n\ntwo", "<p>one</p>\n<p>two</p>"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"),
        ("3. c\n4. d", "<ol>\n<li>c</li>\n<li>d</li>\n</ol>"),
        ("`code`", "<p><code>code</code></p>"),
        ("```py\nx = 1\n```", "<pre><code>x = 1\n</code></pre>"),
        ("# Not a heading", "<p># Not a heading</p>"),
        ("Setext\n===", "<p>Setext<br>\n===</p>"),
        ("---", "<p>---</p>"),
        ("~~no strike~~", "<p>~~no strike~~</p>"),
        ("| a | b |\n|---|---|", "<p>| a | b |<br>\n|---|---|</p>"),
    ],
)
def test_the_allowed_subset(markdown: str, html: str) -> None:
    assert render_story(markdown) == html


@pytest.mark.parametrize(
    ("html", "clean"),
    [
        ("<p>hi<script>alert(1)</script></p>", "<p>hi</p>"),
        ("<p><img src=x onerror=alert(1)>x</p>", "<p>x</p>"),
        ('<p onclick="alert(1)" title="t">x</p>', "<p>x</p>"),
        ('<a href="javascript:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="jav&#x09;ascript:alert(1)">x</a>', f"<a {REL}>x</a>"),
        ('<a href="data:text/html,x">x</a>', f"<a {REL}>x</a>"),
        ('<a href="/relative">x</a>', f"<a {REL}>x</a>"),
        (
            '<a href="https://ok.example" rel="opener" target="_blank">x</a>',
            (f'<a href="https://ok.example" {REL}>x</a>'),
        ),
        ("<svg><circle onload=alert(1)></circle></svg>ok", "ok"),
        ("<h1>big</h1><!-- note -->", "big"),
        ("<style>p{}</style><p>x</p>", "<p>x</p>"),
    ],
)
def test_the_sanitiser_alone_catches_raw_html(html: str, clean: str) -> None:
    """The second layer holds even if Markdown ever let HTML through."""
    assert sanitise(html) == clean
    assert_safe(clean)


def test_links_get_the_ugc_rel() -> None:
    assert render_story("[site](https://ok.example/)") == (
        f'<p><a href="https://ok.example/" {REL}>site</a></p>'
    )


@pytest.mark.parametrize(
    ("markdown", "count"),
    [
        ("No links at all, just words.", 0),
        ("Bare https://a.example and www.b.example", 2),
        ("[one](https://a.example) and <https://b.example> and <c@d.example>", 3),
        ("[text https://not-counted-twice.example](https://a.example)", 1),
        ("[x](javascript:alert(1))", 0),
        ("`https://in.code.example`", 1),
        ("ftp://old.example", 1),
    ],
)
def test_count_links(markdown: str, count: int) -> None:
    assert count_links(markdown) == count


def test_plain_text_for_feeds_keeps_words_and_drops_markup() -> None:
    markdown = "Hello **world**\nline two\n\n- a\n- b\n\n[link](https://x.example) & <b>"
    assert plain_text(markdown) == "Hello world\nline two\n\na\nb\n\nlink & <b>"


def test_plain_text_cuts_at_a_word_with_an_ellipsis() -> None:
    assert plain_text("One two three four five.", limit=14) == "One two three…"
    assert plain_text("Short.", limit=14) == "Short."


def test_character_references_cannot_bring_back_what_text_forbids() -> None:
    """Markdown decodes references after validation has read the text, so the HTML is cleaned
    too: no bidi override, no zero-width space, no pile of accents comes back that way."""
    markdown = "&#x202E;evil &#x200B;a e" + "&#769;" * 9 + " &#xFFFF;"
    assert render_story(markdown) == "<p>evil a \u00e9" + "\u0301" * MARKS_MAX + " \ufffd</p>"
    assert plain_text(markdown) == "evil a \u00e9" + "\u0301" * MARKS_MAX + " \ufffd"


@PROPERTY
@given(reader_text(max_size=400))
def test_any_text_renders_to_safe_accepted_html_that_parses(markdown: str) -> None:
    output = render_story(markdown)
    assert_safe(output)
    assert first_problem(output) is None
    html.fragment_fromstring(output, create_parent="div")  # raises if it does not parse
    assert first_problem(plain_text(markdown, limit=160)) is None
    assert count_links(markdown) >= 0
