"""The story intake over real HTTP: a uvicorn server on loopback, a SQLite file, httpx.

Each answer of the intake is pinned here: status, headers, the exact words, and what ended up
(or did not end up) in the database file.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import store_calls as calls
from starlette.applications import Starlette
from stories_support import make_config

from reader_stories import validation
from reader_stories.models import Status, Submission
from reader_stories.proxies import ProxyWatch, proxy_notice
from reader_stories.ratelimit import hash_network
from reader_stories.settings import CommentsSettings, RateLimit, SettingsError, build_settings
from reader_stories.store import open_store
from reader_stories.tokens import make_article_token
from reader_stories.web.body import MSG_JSON, MSG_JSON_SHAPE, MSG_NOT_UTF8, MSG_TYPE
from reader_stories.web.errors import QUEUE_RETRY_AFTER, STORE_RETRY_AFTER
from reader_stories.web.intake import app as intake_module
from reader_stories.web.intake.app import (
    MSG_DUPLICATE,
    MSG_METHOD,
    MSG_NOT_FOUND,
    MSG_QUEUE_FULL,
    MSG_SERVER,
    MSG_STORE,
    MSG_TOKEN,
    create_app,
)
from reader_stories.web.intake.pages import MSG_ACCEPTED, MSG_INVALID, MSG_PREVIEW
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "theme" / "templates"
SECRET = "intake-tests-secret-" + "k" * 32
SLUG = "asking-for-a-raise"
SITE_ORIGIN = "https://nextround.example"
STORY = "I asked for a raise after a year of extra work, with numbers, and got it."
JSON_HEADERS = {"Accept": "application/json"}


def make_settings(database_url: str, **changes: Any) -> CommentsSettings:
    """Generous limits by default, so each test tightens only the one it is about."""
    settings = CommentsSettings(
        database_url=database_url,
        secret_key=SECRET,
        rate_limit=RateLimit(100, 600),
        allowed_origins=(SITE_ORIGIN,),
    )
    return replace(settings, **changes)


def story_form(**changes: str) -> dict[str, str]:
    """The fields the article page's form sends, filled in the way a reader would."""
    form = {
        "article": SLUG,
        "token": make_article_token(SECRET, SLUG),
        "website": "",
        "name": "Ada",
        "email": "",
        "reply_to": "",
        "story": STORY,
        "consent": "yes",
    }
    form.update(changes)
    return form


def write_site(folder: Path) -> Path:
    """The smallest static site to mount the intake beside, as `invoke serve` does."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text("<!DOCTYPE html><title>Home</title>", encoding="utf-8")
    return folder


@contextmanager
def serve_site(site: Path, app: Starlette) -> Iterator[str]:
    """The site with the intake mounted at /stories on one real port; closes the store after."""
    try:
        with running(create_site_app(site, mounts={"/stories": app})) as base:
            yield base
    finally:
        app.state.close()


def rows(db_path: Path, query: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(query).fetchall()


def statuses(db_path: Path) -> list[str]:
    """Status of every stored story; no database file yet means nothing was stored."""
    if not db_path.exists():
        return []
    return [status for (status,) in rows(db_path, "SELECT status FROM stories ORDER BY id")]


@dataclass
class Served:
    base: str
    app: Starlette
    settings: CommentsSettings
    client: httpx.Client


@pytest.fixture
def start(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Served]]:
    """Start the intake (mounted at /stories beside a static site) with changed settings."""
    site = write_site(tmp_path / "site")
    with ExitStack() as stack:

        def _start(busy_timeout: float = 5.0, **changes: Any) -> Served:
            settings = make_settings(changes.pop("database_url", db_url), **changes)
            app = create_app(make_config(settings), busy_timeout=busy_timeout)
            base = stack.enter_context(serve_site(site, app))
            client = stack.enter_context(httpx.Client(base_url=base, timeout=20))
            return Served(base, app, settings, client)

        yield _start


@pytest.fixture
def served(start: Callable[..., Served]) -> Served:
    return start()


# Success


def test_form_post_is_stored_and_redirected_to_the_received_page(
    served: Served, db_path: Path
) -> None:
    response = served.client.post("/stories/", data=story_form())
    assert response.status_code == 303
    assert response.headers["location"] == f"/stories/received?article={SLUG}"
    assert statuses(db_path) == ["pending"]

    page = served.client.get(response.headers["location"])
    assert page.status_code == 200
    assert "Thank you — your story is waiting for a moderator" in page.text
    assert f'href="/{SLUG}/#stories"' in page.text


def test_json_post_is_accepted_with_202(served: Served, db_path: Path) -> None:
    response = served.client.post("/stories/", json=story_form(), headers=JSON_HEADERS)
    assert response.status_code == 202
    assert response.json()["status"] == "pending"
    assert response.json()["delete_url"] == "http://127.0.0.1:8000/stories/delete"  # SITEURL's
    assert response.json()["receipt"]
    assert (
        response.json()["message"]
        == MSG_ACCEPTED
        == ("Thank you! Your story will appear once a moderator has read it.")
    )
    assert statuses(db_path) == ["pending"]


def test_multipart_post_is_accepted_too(served: Served, db_path: Path) -> None:
    fields = {name: (None, value) for name, value in story_form().items()}
    response = served.client.post("/stories/", files=fields)
    assert response.status_code == 303
    assert rows(db_path, "SELECT name, body_markdown FROM stories") == [("Ada", STORY)]


def test_stored_fields_are_what_the_reader_sent(served: Served, db_path: Path) -> None:
    form = story_form(name="Zoë", email="zoe@example.org", notify="yes", story=STORY + " ✨")
    assert served.client.post("/stories/", data=form).status_code == 303
    stored = rows(db_path, "SELECT article, name, email, notify, body_markdown FROM stories")
    assert stored == [(SLUG, "Zoë", "zoe@example.org", 1, STORY + " ✨")]


def test_standalone_app_redirects_relative_to_its_own_root(db_url: str) -> None:
    app = create_app(make_config(make_settings(db_url)))
    with running(app) as base, httpx.Client(base_url=base) as client:
        response = client.post("/", data=story_form())
    assert response.status_code == 303
    assert response.headers["location"] == f"/received?article={SLUG}"


def test_concurrent_posts_are_all_stored(served: Served, db_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def post(number: int) -> int:
        form = story_form(story=f"{STORY} Story number {number} of the burst.")
        with httpx.Client(base_url=served.base, timeout=20) as client:
            return client.post("/stories/", data=form).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(post, range(16)))
    assert codes == [303] * 16
    assert len(statuses(db_path)) == 16


# Content type, size, encoding


@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", None])
def test_other_content_types_are_415(served: Served, content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = served.client.post("/stories/", content=b"story=hello", headers=headers)
    assert response.status_code == 415
    assert "application/x-www-form-urlencoded" in response.text
    assert "application/json" in response.text


def test_415_answers_json_to_a_script(served: Served) -> None:
    response = served.client.post(
        "/stories/", content=b"x", headers={"Content-Type": "text/plain", **JSON_HEADERS}
    )
    assert response.status_code == 415
    assert response.json() == {"error": MSG_TYPE}


def test_body_over_the_limit_is_413_by_content_length(served: Served, db_path: Path) -> None:
    form = story_form(story="x" * 70_000)
    response = served.client.post("/stories/", data=form)
    assert response.status_code == 413
    assert "at most 64 KiB" in response.text
    assert statuses(db_path) == []


def test_chunked_body_over_the_limit_is_cut_off_with_413(served: Served, db_path: Path) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"article=" + SLUG.encode() + b"&story="
        for _ in range(40):
            yield b"x" * 4096

    response = served.client.post(
        "/stories/",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded", **JSON_HEADERS},
    )
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert "at most 64 KiB" in response.json()["error"]
    assert statuses(db_path) == []


def test_a_body_just_under_the_limit_is_read(start: Callable[..., Served]) -> None:
    served = start(max_body_bytes=2048)
    response = served.client.post("/stories/", data=story_form(name="A" * 1500))
    assert response.status_code == 422  # read and validated, not cut off
    response = served.client.post("/stories/", data=story_form(name="A" * 2100))
    assert response.status_code == 413
    assert "at most 2 KiB" in response.text


@pytest.mark.parametrize(
    "body",
    [b"story=%FF%FE&name=Ada", b"name=\xff\xfeAda", b"name=Ada&story=caf%C3"],
    ids=["percent-escaped", "raw-bytes", "truncated-sequence"],
)
def test_form_bytes_that_are_not_utf8_are_400(served: Served, body: bytes) -> None:
    response = served.client.post(
        "/stories/", content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert "The form was not sent as UTF-8 text" in response.text


def test_a_declared_charset_other_than_utf8_is_400(served: Served) -> None:
    response = served.client.post(
        "/stories/",
        content=b"name=Ada",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"},
    )
    assert response.status_code == 400
    assert "The form was not sent as UTF-8 text" in response.text


@pytest.mark.parametrize(
    "body", [b'{"name": "\xff"}', b'{"name": "\\ud800"}'], ids=["bytes", "lone-surrogate"]
)
def test_json_that_is_not_utf8_text_is_400(served: Served, body: bytes) -> None:
    response = served.client.post(
        "/stories/", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": MSG_NOT_UTF8}
    assert response.json()["error"].startswith("The form was not sent as UTF-8 text")


@pytest.mark.parametrize("body", [b"{", b"", b"{'name': 'Ada'}", b"[" * 5000])
def test_malformed_json_is_400(served: Served, body: bytes) -> None:
    response = served.client.post(
        "/stories/", content=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": MSG_JSON}


@pytest.mark.parametrize(
    "value", [[], "text", 3, None, {"consent": True}, {"name": ["Ada"]}, {"name": None}]
)
def test_json_that_is_not_an_object_of_strings_is_400(served: Served, value: object) -> None:
    response = served.client.post(
        "/stories/", content=json.dumps(value), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": MSG_JSON_SHAPE}


# Origin, token, honeypot


def test_json_from_a_foreign_origin_is_403(served: Served, db_path: Path) -> None:
    response = served.client.post(
        "/stories/", json=story_form(), headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403
    assert "cannot be sent from another website" in response.json()["error"]
    assert statuses(db_path) == []


@pytest.mark.parametrize("origin", [SITE_ORIGIN, "own", None])
def test_json_from_the_site_its_own_origin_or_without_origin_is_accepted(
    served: Served, origin: str | None
) -> None:
    headers = {} if origin is None else {"Origin": served.base if origin == "own" else origin}
    response = served.client.post("/stories/", json=story_form(), headers=headers)
    assert response.status_code == 202


def test_plain_form_posts_need_no_origin(served: Served) -> None:
    response = served.client.post("/stories/", data=story_form())
    assert "origin" not in response.request.headers
    assert response.status_code == 303


def test_a_preflight_from_the_site_origin_is_allowed(served: Served) -> None:
    response = served.client.options(
        "/stories/",
        headers={
            "Origin": SITE_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == SITE_ORIGIN


@pytest.mark.parametrize(
    "changes",
    [
        {"token": ""},
        {"token": "garbage"},
        {"token": make_article_token(SECRET, SLUG)[:-2] + "xx"},
        {"token": make_article_token(SECRET, "another-article")},
        {"token": make_article_token("another-secret-" + "z" * 32, SLUG)},
        {"article": "another-article"},
    ],
    ids=["missing", "garbage", "tampered", "other-article", "other-secret", "article-swapped"],
)
def test_a_bad_token_is_400_with_a_reload_message(
    served: Served, db_path: Path, changes: dict[str, str]
) -> None:
    form = story_form(**changes)
    page = served.client.post("/stories/", data=form)
    assert page.status_code == 400
    assert "reload the article page" in page.text
    script = served.client.post("/stories/", json=form)
    assert script.status_code == 400
    assert script.json() == {"error": MSG_TOKEN}
    assert statuses(db_path) == []


def test_a_post_without_any_token_field_is_400(served: Served) -> None:
    form = story_form()
    del form["token"]
    assert served.client.post("/stories/", data=form).status_code == 400


def test_a_filled_honeypot_is_answered_as_success_but_stored_as_spam(
    served: Served, db_path: Path
) -> None:
    page = served.client.post("/stories/", data=story_form(website="http://spam.example"))
    assert page.status_code == 303
    assert page.headers["location"] == f"/stories/received?article={SLUG}"
    script = served.client.post(
        "/stories/", json=story_form(website="x", story=STORY + " Again, by a bot.")
    )
    assert script.status_code == 202
    assert script.json()["message"] == MSG_ACCEPTED
    assert set(script.json()) == {"status", "message", "receipt", "delete_url"}
    assert statuses(db_path) == ["spam", "spam"]


# Validation


def test_invalid_json_post_is_422_with_every_message_in_page_order(
    served: Served, db_path: Path
) -> None:
    form = story_form(name="", email="not-an-address", story="Too short", consent="")
    response = served.client.post("/stories/", json=form)
    assert response.status_code == 422
    assert response.json() == {
        "error": MSG_INVALID,
        "errors": {
            "name": validation.MSG_NAME_EMPTY,
            "email": validation.MSG_EMAIL_FORMAT,
            "story": "Story must be at least 20 characters; yours has 9",
            "consent": validation.MSG_CONSENT,
        },
    }
    assert list(response.json()["errors"]) == ["name", "email", "story", "consent"]
    assert statuses(db_path) == []


def test_a_field_shows_its_first_problem_only(served: Served) -> None:
    story = "Links: https://a.example https://b.example https://c.example https://d.example \x07"
    response = served.client.post("/stories/", json=story_form(story=story))
    assert response.status_code == 422
    assert response.json()["errors"] == {"story": validation.MSG_STORY_CONTROLS}


def test_the_worst_story_the_body_limit_allows_is_refused_as_too_long(served: Served) -> None:
    """Review finding 1: "a." * 31000 (a form just under the body limit) took seconds to
    refuse; it is refused by its length alone now."""
    response = served.client.post("/stories/", data=story_form(story="a." * 31000))
    assert response.status_code == 422
    assert "Story must be 5,000 characters or fewer; yours has 62,000" in response.text


def test_a_slow_story_in_flight_holds_up_no_other_reader(
    served: Served, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review finding 1, shown by order rather than by time: while one reader's form is held
    inside validation, another reader's story is answered; then the first is answered too."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Event

    inside, release = Event(), Event()
    validate = intake_module.validate_submission

    def held(form: dict[str, str], **options: Any) -> Submission:
        if form.get("name") == "Slow":
            inside.set()
            release.wait(30)
        return validate(form, **options)

    monkeypatch.setattr(intake_module, "validate_submission", held)

    def post(**changes: str) -> int:
        with httpx.Client(base_url=served.base, timeout=30) as client:
            return client.post("/stories/", data=story_form(**changes)).status_code

    with ThreadPoolExecutor(max_workers=1) as pool:
        try:
            slow = pool.submit(post, name="Slow", story=STORY + " Held up in validation.")
            assert inside.wait(30), "the first form never reached validation"
            assert post(name="Quick", story=STORY + " Sent meanwhile.") == 303
            assert not slow.done()
        finally:
            release.set()
        assert slow.result(timeout=30) == 303
    assert rows(db_path, "SELECT name FROM stories ORDER BY id") == [("Quick",), ("Slow",)]


def test_invalid_form_post_is_422_page_listing_every_problem_with_the_form_refilled(
    served: Served,
) -> None:
    typed = "<script>alert('x')</script> & </textarea><b>bold</b>"
    form = story_form(name='Ada "<img src=x>"', email="ada@", notify="yes", story=typed, consent="")
    response = served.client.post("/stories/", data=form)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    for message in (validation.MSG_EMAIL_FORMAT, validation.MSG_CONSENT):
        assert message in page
    assert "Please fix 2 problems:" in page
    assert 'id="story-email-error"' in page and 'id="story-consent-error"' in page
    assert 'aria-describedby="story-email-hint story-email-error" aria-invalid="true"' in page
    # Everything typed is back in the form, escaped.
    assert (
        "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;/textarea&gt;"
        "&lt;b&gt;bold&lt;/b&gt;</textarea>" in page
    )
    assert 'value="Ada &#34;&lt;img src=x&gt;&#34;"' in page
    assert 'value="ada@"' in page
    assert 'id="story-notify" name="notify" value="yes" checked' in page
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    # A fresh token for the same article: the refilled form can be sent again as it is.
    assert f'value="{make_article_token(SECRET, SLUG)}"' in page


def test_the_refilled_form_can_be_sent_again(served: Served, db_path: Path) -> None:
    from html.parser import HTMLParser

    page = served.client.post("/stories/", data=story_form(consent="")).text

    class Fields(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.values: dict[str, str] = {}
            self.textarea: str | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found = dict(attrs)
            if tag == "input" and found.get("type") != "checkbox":
                self.values[found["name"] or ""] = found.get("value") or ""
            if tag == "textarea":
                self.textarea = found["name"]

        def handle_data(self, data: str) -> None:
            if self.textarea:
                self.values[self.textarea] = data
                self.textarea = None

    parser = Fields()
    parser.feed(page)
    resent = served.client.post("/stories/", data={**parser.values, "consent": "yes"})
    assert resent.status_code == 303
    assert rows(db_path, "SELECT body_markdown FROM stories") == [(STORY,)]


def test_the_refilled_form_keeps_the_story_being_replied_to(
    served: Served, db_url: str, db_path: Path
) -> None:
    with open_store(db_url) as store:
        story = calls.add_submission(
            store,
            Submission(
                article=SLUG,
                name="Grace <b>Hopper</b>",
                email=None,
                notify=False,
                body_markdown=STORY,
                reply_to=None,
                ip_hash=None,
            ),
        )
        calls.set_status(store, story.id, Status.APPROVED, actor="test")
    form = story_form(reply_to=str(story.id), consent="", story="Thanks, this helped me too.")
    page = served.client.post("/stories/", data=form).text
    assert f'<option value="{story.id}" selected>Grace &lt;b&gt;Hopper&lt;/b&gt;, ' in page
    form["consent"] = "yes"
    assert served.client.post("/stories/", data=form).status_code == 303
    assert rows(db_path, "SELECT parent_id FROM stories ORDER BY id") == [
        (None,),
        (story.id,),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        pytest.param(
            {"name": "N\u0435xt Round editors"},
            "name",
            validation.MSG_NAME_RESERVED.format(author="Next Round editors"),
            id="editors-name",
        ),
        pytest.param({"name": "Ada Author"}, "name", validation.MSG_NAME_BADGE, id="badge"),
        pytest.param(
            {"story": STORY + "\uffff"},
            "story",
            validation.MSG_STORY_UNUSABLE.format(code="U+FFFF", position=len(STORY) + 1),
            id="noncharacter",
        ),
    ],
)
def test_the_intake_refuses_what_would_break_or_fake_a_page(
    served: Served, db_path: Path, changes: dict[str, str], field: str, message: str
) -> None:
    """Review findings 2 and 3 at the intake: the site author's name (from the settings) and
    U+FFFF are refused with words the reader can act on, and nothing is stored."""
    response = served.client.post("/stories/", json=story_form(**changes))
    assert response.status_code == 422
    assert response.json()["errors"] == {field: message}
    assert statuses(db_path) == []


def test_replying_to_a_story_that_is_not_published_is_422(served: Served) -> None:
    response = served.client.post("/stories/", json=story_form(reply_to="12345"))
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "reply_to": "The story you are replying to is no longer available"
    }


# Limits


def test_rate_limit_is_429_with_retry_after(start: Callable[..., Served], db_path: Path) -> None:
    served = start(rate_limit=RateLimit(2, 600))
    for number in range(2):
        form = story_form(story=f"{STORY} Number {number}.")
        assert served.client.post("/stories/", data=form).status_code == 303
    page = served.client.post("/stories/", data=story_form(story=STORY + " Third."))
    assert page.status_code == 429
    assert 1 <= int(page.headers["retry-after"]) <= 600
    assert "Please wait 10 minutes" in page.text
    script = served.client.post("/stories/", json=story_form(story=STORY + " Third."))
    assert script.status_code == 429
    assert script.json()["retry_after"] == int(script.headers["retry-after"])
    assert len(statuses(db_path)) == 2


def test_invalid_stories_do_not_use_up_the_rate_limit(
    start: Callable[..., Served], db_path: Path
) -> None:
    served = start(rate_limit=RateLimit(1, 600))
    assert served.client.post("/stories/", data=story_form(consent="")).status_code == 422
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    assert rows(db_path, "SELECT count(*) FROM rate_events") == [(1,)]


def test_a_duplicate_counts_against_the_rate_limit(
    start: Callable[..., Served], db_path: Path
) -> None:
    """Review finding 7: the duplicate answer said whether a text was on file before the rate
    limit was asked, so anyone could test texts for free. Now it costs a slot like any try."""
    served = start(rate_limit=RateLimit(2, 600))
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    assert served.client.post("/stories/", data=story_form()).status_code == 409
    assert (
        served.client.post("/stories/", data=story_form(story=STORY + " New.")).status_code == 429
    )
    assert served.client.post("/stories/", data=story_form()).status_code == 429
    assert rows(db_path, "SELECT count(*) FROM rate_events") == [(2,)]
    assert statuses(db_path) == ["pending"]


@pytest.mark.parametrize("status", list(Status))
def test_a_duplicate_reveals_nothing_about_the_first_copy(
    served: Served, db_url: str, db_path: Path, status: Status
) -> None:
    """Review finding 7: whether another reader's story waits, was published or was rejected
    is not told to whoever sends the same text."""
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    with open_store(db_url) as store:
        if status is not Status.PENDING:
            calls.set_status(store, 1, status, actor="moderator")
    script = served.client.post("/stories/", json=story_form())
    assert script.status_code == 409
    assert script.json() == {"error": MSG_DUPLICATE}
    assert statuses(db_path) == [status.value]  # nothing stored twice


@pytest.mark.parametrize(
    "disguise",
    [
        pytest.param(lambda s: s.replace("raise", "ra\u200bise"), id="zero-width-space"),
        pytest.param(lambda s: s.replace("raise", "ra\u200dise"), id="joiner"),
        pytest.param(lambda s: s.replace("raise", "rai\u00adse"), id="soft-hyphen"),
        pytest.param(lambda s: "\ufeff" + s, id="byte-order-mark"),
        pytest.param(
            lambda s: s.replace("a raise", "a \uff52\uff41\uff49\uff53\uff45"), id="fullwidth"
        ),
    ],
)
def test_an_invisible_character_does_not_get_a_resent_story_past_the_check(
    served: Served, db_path: Path, disguise: Callable[[str], str]
) -> None:
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    again = served.client.post("/stories/", json=story_form(story=disguise(STORY)))
    assert again.status_code == 409
    assert statuses(db_path) == ["pending"]


def test_a_duplicate_is_409(served: Served, db_path: Path) -> None:
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    again = story_form(story=STORY.upper().replace(" ", "  "))
    page = served.client.post("/stories/", data=again)
    assert page.status_code == 409
    assert "We already have this story" in page.text
    script = served.client.post("/stories/", json=again)
    assert script.status_code == 409
    assert script.json() == {"error": MSG_DUPLICATE}
    assert statuses(db_path) == ["pending"]


def test_a_full_queue_is_503_with_retry_after(start: Callable[..., Served], db_path: Path) -> None:
    served = start(max_pending=1)
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    page = served.client.post("/stories/", data=story_form(story=STORY + " Another."))
    assert page.status_code == 503
    assert page.headers["retry-after"] == str(QUEUE_RETRY_AFTER)
    assert "waiting for a moderator is full" in page.text and "try again later" in page.text
    script = served.client.post("/stories/", json=story_form(story=STORY + " Another."))
    assert script.json() == {"error": MSG_QUEUE_FULL, "retry_after": QUEUE_RETRY_AFTER}
    assert statuses(db_path) == ["pending"]


def test_a_locked_store_is_503_and_nothing_is_written(
    start: Callable[..., Served], db_path: Path
) -> None:
    served = start(busy_timeout=0.2)
    assert served.client.post("/stories/", data=story_form()).status_code == 303
    with closing(sqlite3.connect(db_path, timeout=0, isolation_level=None)) as lock:
        lock.execute("BEGIN EXCLUSIVE")
        page = served.client.post("/stories/", data=story_form(story=STORY + " Locked."))
        script = served.client.post("/stories/", json=story_form(story=STORY + " Locked."))
        lock.execute("ROLLBACK")
    assert page.status_code == 503
    assert page.headers["retry-after"] == str(STORE_RETRY_AFTER)
    assert "wait a moment and send it again" in page.text
    assert script.status_code == 503
    assert script.json() == {"error": MSG_STORE, "retry_after": STORE_RETRY_AFTER}
    assert statuses(db_path) == ["pending"]
    assert rows(db_path, "SELECT count(*) FROM rate_events") == [(1,)]
    # Once the lock is gone the same story goes through.
    again = served.client.post("/stories/", data=story_form(story=STORY + " Locked."))
    assert again.status_code == 303


def test_an_unopenable_store_is_503_and_the_pages_still_work(
    start: Callable[..., Served], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    served = start(database_url=f"sqlite:///{blocker}/comments.sqlite3")
    response = served.client.post("/stories/", data=story_form())
    assert response.status_code == 503
    assert "retry-after" in response.headers
    assert served.client.get(f"/stories/received?article={SLUG}").status_code == 200


# Client networks and privacy


def test_the_raw_address_never_reaches_the_database_file(
    start: Callable[..., Served], db_path: Path
) -> None:
    served = start(trusted_proxies=("127.0.0.1",))
    headers = {"X-Forwarded-For": "203.0.113.77"}
    assert served.client.post("/stories/", data=story_form(), headers=headers).status_code == 303
    other = story_form(story=STORY + " From the proxy itself.")
    assert served.client.post("/stories/", data=other).status_code == 303
    served.app.state.close()  # checkpoint the WAL into the main file as well
    stored = b"".join(path.read_bytes() for path in db_path.parent.iterdir())
    for address in (b"203.0.113.77", b"127.0.0.1", "203.0.113.77".encode("utf-16-le")):
        assert address not in stored
    hashes = rows(db_path, "SELECT ip_hash FROM stories ORDER BY id")
    assert hashes == [(hash_network("203.0.113.77", SECRET),), (hash_network("127.0.0.1", SECRET),)]


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(
    start: Callable[..., Served], db_path: Path
) -> None:
    served = start(rate_limit=RateLimit(1, 600))
    first = served.client.post(
        "/stories/", data=story_form(), headers={"X-Forwarded-For": "203.0.113.1"}
    )
    assert first.status_code == 303
    spoofed = served.client.post(
        "/stories/",
        data=story_form(story=STORY + " Spoofed."),
        headers={"X-Forwarded-For": "203.0.113.2"},
    )
    assert spoofed.status_code == 429  # both count against 127.0.0.1, the real peer
    assert rows(db_path, "SELECT ip_hash FROM stories") == [(hash_network("127.0.0.1", SECRET),)]


def test_forwarded_for_from_a_trusted_proxy_separates_clients(
    start: Callable[..., Served], db_path: Path
) -> None:
    served = start(rate_limit=RateLimit(1, 600), trusted_proxies=("127.0.0.0/8",))
    codes = []
    for number, client in enumerate(["203.0.113.1", "203.0.113.2", "203.0.113.1"]):
        form = story_form(story=f"{STORY} Client {number}.")
        headers = {"X-Forwarded-For": f"198.51.100.9, {client}"}
        codes.append(served.client.post("/stories/", data=form, headers=headers).status_code)
    assert codes == [303, 303, 429]
    assert rows(db_path, "SELECT ip_hash FROM stories ORDER BY id") == [
        (hash_network("203.0.113.1", SECRET),),
        (hash_network("203.0.113.2", SECRET),),
    ]


# Other answers


def test_wrong_method_is_405_with_allow(served: Served) -> None:
    page = served.client.get("/stories/")
    assert page.status_code == 405
    assert page.headers["allow"] == "POST"
    assert MSG_METHOD in page.text
    script = served.client.put("/stories/", json={}, headers=JSON_HEADERS)
    assert script.status_code == 405
    assert script.json() == {"error": MSG_METHOD}
    assert served.client.post("/stories/received", data={}).status_code == 405


def test_unknown_address_is_404_page(served: Served) -> None:
    page = served.client.get("/stories/nothing-here")
    assert page.status_code == 404
    assert MSG_NOT_FOUND in page.text
    assert "<h1>Page not found</h1>" in page.text
    script = served.client.get("/stories/nothing-here", headers=JSON_HEADERS)
    assert script.json() == {"error": MSG_NOT_FOUND}


def test_a_bug_is_a_500_page_without_a_traceback(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret internals /work/main/plugins")

    monkeypatch.setattr(intake_module, "validate_submission", broken)
    page = served.client.post("/stories/", data=story_form())
    assert page.status_code == 500
    assert page.headers["connection"] == "close"
    assert MSG_SERVER in page.text
    assert "Traceback" not in page.text and "secret internals" not in page.text
    script = served.client.post("/stories/", json=story_form())
    assert script.status_code == 500
    assert script.json() == {"error": MSG_SERVER}


@pytest.mark.parametrize(
    "article", ['"><script>alert(1)</script>', "../../etc/passwd", "javascript:alert(1)", ""]
)
def test_received_page_never_reflects_an_implausible_slug(served: Served, article: str) -> None:
    page = served.client.get("/stories/received", params={"article": article})
    assert page.status_code == 200
    assert "Thank you — your story is waiting for a moderator" in page.text
    assert "Back to the article" not in page.text
    for fragment in ("<script", "alert", "passwd", "javascript:"):
        assert fragment not in page.text


def test_received_page_without_an_article_links_home(served: Served) -> None:
    page = served.client.get("/stories/received")
    assert page.status_code == 200
    assert 'href="/">Go to the home page' in page.text


def test_error_page_links_back_to_the_article(served: Served) -> None:
    served.client.post("/stories/", data=story_form())
    page = served.client.post("/stories/", data=story_form())
    assert page.status_code == 409
    assert f'href="/{SLUG}/#stories">Go back to the article' in page.text


def test_pages_carry_security_headers(served: Served) -> None:
    page = served.client.get("/stories/received")
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-store"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_use_the_site_root_and_name(tmp_path: Path, db_url: str) -> None:
    app = create_app(make_config(make_settings(db_url), site_root="/blog", sitename="Elsewhere"))
    with serve_site(write_site(tmp_path / "site"), app) as base, httpx.Client() as client:
        page = client.get(f"{base}/stories/received?article={SLUG}").text
    assert '<link rel="stylesheet" href="/blog/theme/css/site.css">' in page
    assert '<p class="brand"><a href="/blog/">Elsewhere</a></p>' in page
    assert f'href="/blog/{SLUG}/#stories"' in page
    assert "<title>Thank you, your story was received — Elsewhere</title>" in page


def test_on_an_origin_of_its_own_every_link_and_address_is_absolute(
    tmp_path: Path, db_url: str
) -> None:
    """The site on a static host, the intake at stories.careers.example: the intake's pages and
    answers must lead back to the site, not to paths of the intake's own host."""
    site, intake = "https://careers.example", "https://stories.careers.example"
    settings = make_settings(db_url, intake_url=intake, allowed_origins=(site,))
    app = create_app(make_config(settings, siteurl=site, intake_url=intake))
    with serve_site(write_site(tmp_path / "site"), app) as base, httpx.Client() as client:
        page = client.get(f"{base}/stories/received?article={SLUG}")
        answer = client.post(
            f"{base}/stories/", json=story_form(), headers={**JSON_HEADERS, "Origin": site}
        )
    assert f'<link rel="stylesheet" href="{site}/theme/css/site.css">' in page.text
    assert f'<p class="brand"><a href="{site}/">Next Round</a></p>' in page.text
    assert f'href="{site}/{SLUG}/#stories"' in page.text
    assert f"style-src 'self' {site};" in page.headers["content-security-policy"]
    assert answer.status_code == 202
    assert answer.json()["delete_url"] == f"{intake}/stories/delete"


def test_a_new_secret_accepts_what_the_previous_one_signed_while_it_is_listed(start) -> None:
    """Pages built before the secret changed keep working until they are published again."""
    new_secret = "the-new-secret-of-the-site-" + "n" * 20
    listed = start(secret_key=new_secret, previous_secret_keys=(SECRET,))
    answer = listed.client.post("/stories/", data=story_form(), headers=JSON_HEADERS)
    assert answer.status_code == 202, answer.text
    receipt = answer.json()["receipt"]
    deleted = listed.client.post("/stories/delete", data={"receipt": receipt})
    assert deleted.status_code == 200

    forgotten = start(secret_key=new_secret)
    refused = forgotten.client.post("/stories/", data=story_form(), headers=JSON_HEADERS)
    assert refused.status_code == 400 and refused.json()["error"] == MSG_TOKEN


def test_previous_secrets_must_be_real_ones(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="COMMENTS_PREVIOUS_SECRET_KEYS holds a key shorter"):
        build_settings(
            {"secret_key": SECRET}, {"COMMENTS_PREVIOUS_SECRET_KEYS": "short, " + SECRET}, tmp_path
        )
    settings = build_settings(
        {"secret_key": SECRET},
        {"COMMENTS_PREVIOUS_SECRET_KEYS": "o" * 40 + ", " + "p" * 40},
        tmp_path,
    )
    assert settings.signing_keys == ("o" * 40, "p" * 40, SECRET)


def test_an_untrusted_proxy_is_said_once_with_the_setting_that_fixes_it(start) -> None:
    """Behind a proxy missing from COMMENTS_TRUSTED_PROXIES, every reader shares one limit."""
    served = start()
    forwarded = {"X-Forwarded-For": "198.51.100.7"}
    for n in range(2):
        form = story_form(story=f"{STORY} Number {n}.")
        assert served.client.post("/stories/", data=form, headers=forwarded).status_code == 303
    watch = served.app.state.intake.proxies
    said = proxy_notice(watch.path.parent)
    assert said == [
        "Requests arrive with X-Forwarded-For from 127.0.0.1, which is not a trusted proxy, so "
        "all readers share one rate limit: set COMMENTS_TRUSTED_PROXIES to 127.0.0.1 (the "
        "reverse proxy's address) and restart the service."
    ]
    assert watch.said and "198.51.100.7" not in watch.path.read_text()


def test_a_trusted_proxy_or_no_proxy_is_not_a_notice(start) -> None:
    trusted = start(trusted_proxies=("127.0.0.1",))
    form = story_form()
    headers = {"X-Forwarded-For": "198.51.100.7"}
    assert trusted.client.post("/stories/", data=form, headers=headers).status_code == 303
    direct = start()
    assert (
        direct.client.post("/stories/", data=story_form(story=STORY + " Again.")).status_code == 303
    )
    for served in (trusted, direct):
        assert proxy_notice(served.app.state.intake.proxies.path.parent) == []


def test_a_readers_own_address_is_never_written_in_the_notice(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A reader who sends X-Forwarded-For themselves, straight to the service: not named."""
    watch = ProxyWatch(tmp_path)
    watch.saw("151.101.1.69")
    watch.saw("151.101.1.70")  # said once
    kept = watch.path.read_text()
    assert "151.101" not in kept and "a public one, not written here" in kept
    assert [r.getMessage() for r in caplog.records] == [kept.strip()]


# Preview


def test_a_preview_is_the_published_rendering_and_stores_nothing(
    start: Callable[..., Served], db_path: Path
) -> None:
    served = start(rate_limit=RateLimit(1, 600))
    form = story_form(story=STORY + " With *emphasis* and <i>markup</i>.", intent="preview")
    for _ in range(3):  # previews take no rate-limit slot
        answer = served.client.post("/stories/", json=form, headers=JSON_HEADERS)
        assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "preview"
    assert body["message"] == MSG_PREVIEW
    assert "<em>emphasis</em>" in body["html"]
    assert "&lt;i&gt;markup&lt;/i&gt;" in body["html"]
    assert 'class="story__by" id="story-preview-1-by"' in body["html"]
    page = served.client.post("/stories/", data=form)
    assert page.status_code == 200
    assert "Preview your story" in page.text
    assert body["html"].split("<time")[0] in page.text
    assert statuses(db_path) == []
    assert rows(db_path, "SELECT count(*) FROM rate_events") == [(0,)]
    assert served.client.post("/stories/", data=story_form()).status_code == 303


@pytest.mark.parametrize(
    ("changes", "status"),
    [({"token": "forged"}, 400), ({"story": "too short"}, 422), ({"consent": ""}, 422)],
)
def test_a_preview_is_checked_like_a_story(
    served: Served, db_path: Path, changes: dict[str, str], status: int
) -> None:
    form = story_form(intent="preview", **changes)
    assert served.client.post("/stories/", json=form, headers=JSON_HEADERS).status_code == status
    assert served.client.post("/stories/", data=form).status_code == status
    assert statuses(db_path) == []


def test_a_preview_from_another_website_is_refused(served: Served) -> None:
    answer = served.client.post(
        "/stories/",
        data=story_form(intent="preview"),
        headers={"Origin": "https://evil.example"},
    )
    assert answer.status_code == 403
