"""The intake's pure pieces: body parsing, wording helpers, headers, and what it imports."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stories_support import make_config
from text_strategies import PROPERTY, reader_text

from reader_stories.settings import CommentsSettings
from reader_stories.web.body import (
    MAX_FIELDS,
    MSG_FORM,
    MSG_NOT_UTF8,
    parse_json,
    parse_multipart,
    parse_urlencoded,
)
from reader_stories.web.intake.pages import (
    Refused,
    content_security_policy,
    field_messages,
    form_values,
    plausible_slug,
    wait_text,
)

ROOT = Path(__file__).resolve().parents[3]
BOUNDARY = "----nextround-boundary"


def multipart(*parts: tuple[str, str, bytes]) -> bytes:
    """A multipart body from (name, filename, content); an empty filename means a text field."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"'
        if filename:
            disposition += f'; filename="{filename}"'
        chunks.append(f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n\r\n".encode())
        chunks.append(content + b"\r\n")
    chunks.append(f"--{BOUNDARY}--\r\n".encode())
    return b"".join(chunks)


def test_urlencoded_fields_keep_their_first_value_and_blank_fields() -> None:
    fields = parse_urlencoded(b"name=Zo%C3%AB&name=Other&email=&story=a+b%26c")
    assert fields == {"name": "Zoë", "email": "", "story": "a b&c"}


def test_urlencoded_with_too_many_fields_is_refused() -> None:
    body = "&".join(f"f{i}=x" for i in range(MAX_FIELDS + 1)).encode()
    with pytest.raises(Refused) as refused:
        parse_urlencoded(body)
    assert (refused.value.status, refused.value.message) == (400, MSG_FORM)


def test_multipart_keeps_text_fields_and_drops_uploads() -> None:
    body = multipart(
        ("name", "", "Zoë".encode()),
        ("story", "story.txt", b"an uploaded file is not a story"),
        ("consent", "", b"yes"),
    )
    fields = parse_multipart(body, f"multipart/form-data; boundary={BOUNDARY}")
    assert fields == {"name": "Zoë", "consent": "yes"}


def test_multipart_text_must_be_utf8() -> None:
    body = multipart(("name", "", b"\xff\xfe"))
    with pytest.raises(Refused) as refused:
        parse_multipart(body, f"multipart/form-data; boundary={BOUNDARY}")
    assert (refused.value.status, refused.value.message) == (400, MSG_NOT_UTF8)


def test_multipart_without_a_boundary_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        parse_multipart(b"whatever", "multipart/form-data")
    assert refused.value.status == 400


def test_json_with_too_many_fields_is_refused() -> None:
    body = ("{" + ",".join(f'"f{i}": "x"' for i in range(MAX_FIELDS + 1)) + "}").encode()
    with pytest.raises(Refused):
        parse_json(body)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [(1, "1 second"), (45, "45 seconds"), (89, "89 seconds"), (90, "2 minutes"),
     (600, "10 minutes"), (3599, "60 minutes"), (5400, "2 hours"), (86400, "24 hours")],
)  # fmt: skip
def test_wait_text(seconds: int, words: str) -> None:
    assert wait_text(seconds) == words


@pytest.mark.parametrize(
    ("text", "slug"),
    [("asking-for-a-raise", "asking-for-a-raise"), ("a_b-1", "a_b-1"), ("", ""), (None, ""),
     ("entretien-d-été", "entretien-d-été"), ("a.b", ""),
     ("-leading", ""), ("a/b", ""), ("a b", ""), ('"><x', ""), ("x" * 201, "")],
)  # fmt: skip
def test_plausible_slug(text: str | None, slug: str) -> None:
    assert plausible_slug(text) == slug


SLUG_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


@PROPERTY
@given(st.one_of(reader_text(max_size=220), st.text(alphabet=SLUG_CHARS, max_size=220)))
def test_a_plausible_slug_is_the_text_itself_and_safe_in_a_link(text: str) -> None:
    """The slug is the text as sent or nothing, and what it lets through is exactly what the
    form's article field accepts: letters and digits of any script, - and _, at most 200, no -
    or _ first; never a character that could end an attribute or a path segment."""
    slug = plausible_slug(text)
    assert slug in {"", text}
    acceptable = (
        0 < len(text) <= 200 and all(c.isalnum() or c in "-_" for c in text) and text[0] not in "-_"
    )
    assert (slug != "") is acceptable
    assert not set(slug) & set("/.?#&%\"'<> \n")


def test_field_messages_follow_the_page_and_join_repeats() -> None:
    grouped = {"consent": ["C"], "story": ["S1", "S2"], "name": ["N"], "zzz": ["Z"]}
    assert list(field_messages(grouped).items()) == [
        ("name", "N"),
        ("story", "S1. S2"),
        ("consent", "C"),
        ("zzz", "Z"),
    ]


def test_form_values_refill_text_and_tick_boxes_as_validation_read_them() -> None:
    form = {"name": "Ada", "story": "x", "notify": "no", "consent": "on", "token": "t"}
    assert form_values(form) == {
        "name": "Ada",
        "email": "",
        "reply_to": "",
        "story": "x",
        "notify": "",
        "consent": "yes",
    }


def test_refused_sets_retry_after() -> None:
    refusal = Refused(429, "wait", retry_after=42, headers={"X-Other": "1"})
    assert refusal.headers == {"X-Other": "1", "Retry-After": "42"}


@pytest.mark.parametrize(
    ("siteurl", "intake_url", "styles", "forms"),
    [
        ("https://site.example", "", "style-src 'self';", "form-action 'self';"),
        ("https://site.example/blog", "", "style-src 'self';", "form-action 'self';"),
        (
            "https://site.example/blog",
            "https://intake.example",
            "style-src 'self' https://site.example;",
            "form-action 'self' https://intake.example;",
        ),
    ],
)
def test_content_security_policy_allows_the_site_styles_and_the_intake_forms(
    siteurl: str, intake_url: str, styles: str, forms: str
) -> None:
    comments = CommentsSettings(secret_key="s" * 32, intake_url=intake_url)
    site_root = urlsplit(siteurl).path
    config = make_config(comments, siteurl=siteurl, site_root=site_root, intake_url=intake_url)
    policy = content_security_policy(config.site)
    assert styles in policy and forms in policy
    assert policy.startswith("default-src 'none';")


def test_the_web_service_and_the_cli_import_neither_pelican_nor_markdown() -> None:
    """The service deploys alone, on a host where the site is never built: the ASGI factory, the
    intake, the admin, the moderation service and the command line's modules stay Pelican-free
    (and free of Python-Markdown, which only articles need)."""
    code = """
        import sys
        import reader_stories.cli, reader_stories.moderation.service, reader_stories.web.app
        from reader_stories.web import create_app
        heavy = [m for m in ('pelican', 'markdown', 'pymdownx') if m in sys.modules]
        print(",".join(heavy) or "clean")
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "clean"
