"""The web findings of the security review (issue 14), each against the real service: the intake
and the admin served by uvicorn on a loopback port, a real store, a real HTTP client.

- form posts from other websites were accepted;
- an admin story id too large for the database was a 500;
- slash redirects put the request's Host header into Location;
- receipts travelled in addresses (the 303, the thank-you page's links, the JSON answer).

The slow clients of the same review are in test_server_limits.py.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher
from lxml import html
from server_support import serving
from starlette.applications import Starlette
from stories_support import make_config

from reader_stories.notify.confirm import make_confirm_token
from reader_stories.notify.unsubscribe import make_unsubscribe_token
from reader_stories.settings import CommentsSettings, RateLimit
from reader_stories.tokens import make_article_token
from reader_stories.web.admin.app import create_app as create_admin
from reader_stories.web.app import create_service
from reader_stories.web.intake.app import MSG_ORIGIN
from reader_stories.web.intake.app import create_app as create_intake
from reader_stories.web.intake.receipts import RECEIPT_COOKIE
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running

SECRET = "review-tests-secret-" + "r" * 32
PASSWORD = "correct horse battery staple"
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
SLUG = "asking-for-a-raise"
SITE_ORIGIN = "https://nextround.example"
STORY = "I asked for a raise after a year of extra work, with numbers, and got it."
EVIL = "https://evil.example"
ADMIN_404 = "There is nothing at this address in the moderation admin."


def make_settings(database_url: str, **changes: Any) -> CommentsSettings:
    settings = CommentsSettings(
        database_url=database_url,
        secret_key=SECRET,
        rate_limit=RateLimit(100, 600),
        allowed_origins=(SITE_ORIGIN,),
        admin_password_hash=PASSWORD_HASH,
    )
    return replace(settings, **changes)


def story_form(number: int = 1, **changes: str) -> dict[str, str]:
    form = {
        "article": SLUG,
        "token": make_article_token(SECRET, SLUG),
        "website": "",
        "name": "Ada",
        "email": "",
        "reply_to": "",
        "story": f"{STORY} Story number {number}.",
        "consent": "yes",
    }
    return form | changes


def stored(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    with closing(sqlite3.connect(db_path)) as conn:
        return int(conn.execute("SELECT count(*) FROM stories").fetchone()[0])


@contextmanager
def beside_a_site(tmp_path: Path, **apps: Starlette) -> Iterator[httpx.Client]:
    """The apps mounted beside a static site on one real port, as `invoke serve` runs them."""
    site = tmp_path / "site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>Home</title>", encoding="utf-8")
    mounts = {f"/{path}": app for path, app in apps.items()}
    try:
        with (
            running(create_site_app(site, mounts=mounts)) as base,
            httpx.Client(base_url=base, timeout=20) as client,
        ):
            yield client
    finally:
        for app in apps.values():
            app.state.close()


@pytest.fixture
def intake(tmp_path: Path, db_url: str) -> Iterator[Callable[..., httpx.Client]]:
    """Start the intake at /stories (changed settings as keywords); returns its client."""
    with ExitStack() as stack:

        def _start(**changes: Any) -> httpx.Client:
            settings = make_settings(changes.pop("database_url", db_url), **changes)
            app = create_intake(make_config(settings))
            return stack.enter_context(beside_a_site(tmp_path, stories=app))

        yield _start


def log_in(client: httpx.Client) -> str:
    login = client.get("/admin/login")
    csrf = html.fromstring(login.text).xpath("//input[@name='csrf']/@value")[0]
    answer = client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD, "next": "/"})
    assert answer.status_code == 303, answer.text
    queue = client.get("/admin/")
    return str(html.fromstring(queue.text).xpath("//input[@name='csrf']/@value")[0])


# Finding 1: form posts from other websites were accepted


def test_form_posts_from_other_websites_are_refused(intake, db_path: Path) -> None:
    client = intake()
    fields = story_form()
    as_parts = {name: (None, value) for name, value in fields.items()}
    for origin in (EVIL, "null"):
        for answer in (
            client.post("/stories/", data=fields, headers={"Origin": origin}),
            client.post("/stories/", files=as_parts, headers={"Origin": origin}),
        ):
            assert answer.status_code == 403
            assert MSG_ORIGIN.format(sitename="Next Round") in answer.text
            assert "This form cannot be sent from here" in answer.text
    assert stored(db_path) == 0

    # The site's pages, the intake's own, and browsers that send no Origin at all.
    own = str(client.base_url).rstrip("/")
    for number, headers in enumerate(({"Origin": SITE_ORIGIN}, {"Origin": own}, {}), start=1):
        answer = client.post("/stories/", data=story_form(number), headers=headers)
        assert answer.status_code == 303, answer.text
    assert stored(db_path) == 3


def test_form_posts_from_the_intakes_own_public_address_are_taken(intake, db_path: Path) -> None:
    client = intake(intake_url="https://stories.nextround.example")
    headers = {"Origin": "https://stories.nextround.example"}
    assert client.post("/stories/", data=story_form(), headers=headers).status_code == 303
    assert stored(db_path) == 1


# Finding 3: an admin story id too large for the database was a 500


def test_story_ids_too_large_for_the_database_are_the_admins_404_page(
    tmp_path: Path, db_url: str
) -> None:
    admin = create_admin(make_config(make_settings(db_url)))
    with beside_a_site(tmp_path, admin=admin) as client:
        csrf = log_in(client)
        for too_large in ("99999999999999999999", str(2**31), str(2**63)):
            for path in (f"/admin/stories/{too_large}", f"/admin/stories/{too_large}/edit"):
                page = client.get(path)
                assert page.status_code == 404, path
                assert ADMIN_404 in page.text and "Page not found" in page.text
            action = client.post(
                f"/admin/stories/{too_large}/approve", data={"csrf": csrf, "status": "pending"}
            )
            assert action.status_code == 404 and ADMIN_404 in action.text
        # The largest id the column holds is an ordinary missing story.
        assert client.get(f"/admin/stories/{2**31 - 1}").status_code == 404


# Finding 4: slash redirects put the request's Host header into Location


def test_slash_redirects_never_name_the_host_header(tmp_path: Path, db_url: str) -> None:
    forged = {"Host": "evil.example"}
    config = make_config(make_settings(db_url))
    intake_app, admin_app = create_intake(config), create_admin(config)
    with beside_a_site(tmp_path, stories=intake_app, admin=admin_app) as client:
        cases = {
            "/stories/delete/?receipt=abc": "/stories/delete?receipt=abc",
            "/stories/received/": "/stories/received",
            "/admin/login/": "/admin/login",
        }
        for path, location in cases.items():
            answer = client.get(path, headers=forged)
            assert answer.status_code == 307, path
            assert answer.headers["location"] == location

    alone = create_intake(config)
    try:
        with running(alone) as base, httpx.Client(base_url=base) as client:
            answer = client.get("/received/", headers=forged)
            assert (answer.status_code, answer.headers["location"]) == (307, "/received")
            assert client.get("/nothing-here/", headers=forged).status_code == 404
    finally:
        alone.state.close()

    service = create_service(config)
    with running(service) as base, httpx.Client(base_url=base) as client:
        answer = client.get("/admin", headers=forged)
        assert (answer.status_code, answer.headers["location"]) == (308, "/admin/")
        answer = client.get("/stories/received/", headers=forged)
        assert (answer.status_code, answer.headers["location"]) == (307, "/stories/received")


# Finding 8: receipts travelled in addresses


def test_receipts_travel_in_no_address_the_service_makes(
    tmp_path: Path, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The no-JS form's 303, the thank-you page and the JSON answer carry no receipt in an
    address; the cookie that takes it across the 303 reaches that page alone; the pages an
    email's link opens send no Referer; and nothing of it is logged."""
    settings = make_settings(f"sqlite:///{db_path}")
    app = create_intake(make_config(settings))
    caplog.set_level(logging.DEBUG)
    try:
        # log_config=None: every log record, uvicorn's included, reaches caplog.
        with (
            serving(app, log_config=None, log_level="debug") as (host, port),
            httpx.Client(base_url=f"http://{host}:{port}", timeout=20) as client,
        ):
            sent = client.post("/", data=story_form())
            assert sent.status_code == 303
            assert sent.headers["location"] == f"/received?article={SLUG}"
            [cookie] = sent.headers.get_list("set-cookie")
            assert cookie.startswith(f"{RECEIPT_COOKIE}=")
            attributes = {part.strip().lower() for part in cookie.split(";")[1:]}
            assert attributes == {"httponly", "max-age=600", "path=/received", "samesite=lax"}

            page = client.get(sent.headers["location"])
            assert page.headers["referrer-policy"] == "no-referrer"
            tree = html.fromstring(page.text)
            [receipt] = tree.xpath("//form[@action='/delete']/input[@name='receipt']/@value")
            [kept] = tree.xpath("//a[@class='receipt-link']/@href")
            assert kept == f"/delete?receipt={receipt}"
            # Every address the page links to or loads, but the one to keep, is free of it.
            others = [*tree.xpath("//@href"), *tree.xpath("//@src"), *tree.xpath("//@action")]
            assert [url for url in others if receipt in url] == [kept]

            # Another browser, or a forged cookie, brings no receipt.
            with httpx.Client(base_url=client.base_url) as stranger:
                assert receipt not in stranger.get(sent.headers["location"]).text
                stranger.cookies.set(RECEIPT_COOKIE, receipt, path="/received")
                assert receipt not in stranger.get(sent.headers["location"]).text

            # The script's answer: the receipt in the body, the address to POST it to.
            script = client.post("/", json=story_form(2), headers={"Accept": "application/json"})
            body = script.json()
            assert body["delete_url"].endswith("/stories/delete")
            assert body["receipt"] not in body["delete_url"]

            # The pages links in emails open (their token is in the address) send no Referer.
            for link in (
                f"/delete?receipt={body['receipt']}",
                f"/unsubscribe?token={make_unsubscribe_token(SECRET, 2)}",
                f"/confirm?token={make_confirm_token(SECRET, 2)}",
            ):
                opened = client.get(link)
                assert opened.status_code == 200, link
                assert opened.headers["referrer-policy"] == "no-referrer"

            # The thank-you page's button deletes by POST.
            gone = client.post("/delete", data={"receipt": receipt})
            assert gone.status_code == 200 and "Your story was deleted" in gone.text
            assert stored(db_path) == 1
    finally:
        app.state.close()
    # What the service and its server logged (the test's own HTTP client logs its requests).
    service_log = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(r.name.startswith("uvicorn") for r in service_log), "the log was not captured"
    logged = "\n".join(record.getMessage() for record in service_log)
    assert receipt not in logged and body["receipt"] not in logged
    assert "receipt=" not in logged and "token=" not in logged


def test_the_receipt_cookie_is_secure_where_cookies_are(tmp_path: Path, db_path: Path) -> None:
    app = create_intake(make_config(make_settings(f"sqlite:///{db_path}", secure_cookies=True)))
    with beside_a_site(tmp_path, stories=app) as client:
        sent = client.post("/stories/", data=story_form())
        [cookie] = sent.headers.get_list("set-cookie")
        assert "; secure" in cookie.lower() and "path=/stories/received" in cookie.lower()
