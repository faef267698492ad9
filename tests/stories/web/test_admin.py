"""The moderation admin over real HTTP: uvicorn on loopback, a real store (SQLite and PostgreSQL).

Each test drives the admin as a browser without JavaScript would (plain form posts, 303s, cookies)
and checks both the answer and what the store holds afterwards, history included.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, closing, contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import store_calls as calls
from argon2 import PasswordHasher
from lxml import html
from starlette.applications import Starlette
from stories_support import FakeClock, add, add_with_status, make_config, submission

from reader_stories.accounts.login import legacy_account
from reader_stories.models import Action, Status
from reader_stories.settings import CommentsSettings
from reader_stories.store import Store, open_store
from reader_stories.web.admin.app import create_app
from reader_stories.web.admin.sessions import SESSION_COOKIE, Sessions
from sitetools.serve import create_app as create_site_app
from sitetools.serve import running

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = ROOT / "theme" / "templates"
SECRET = "admin-tests-secret-" + "k" * 32
PASSWORD = "correct horse battery staple"
# Cheap argon2 parameters keep the many logins of these tests fast; verifying reads them from
# the hash, exactly as with the real ones `invoke comments.set-password` writes.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
SLUG = "handling-job-rejection"


def make_settings(database_url: str, **changes: Any) -> CommentsSettings:
    settings = CommentsSettings(
        database_url=database_url, secret_key=SECRET, admin_password_hash=PASSWORD_HASH
    )
    return replace(settings, **changes)


@contextmanager
def serve_admin(site: Path, app: Starlette) -> Iterator[str]:
    """A static site with the admin mounted at /admin on one real port, as `invoke serve` does."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "index.html").write_text("<!DOCTYPE html><title>Home</title>", encoding="utf-8")
    try:
        with running(create_site_app(site, mounts={"/admin": app})) as base:
            yield base
    finally:
        app.state.close()


@dataclass
class Served:
    base: str
    app: Starlette
    client: httpx.Client
    stack: ExitStack

    def new_client(self, **kwargs: Any) -> httpx.Client:
        """Another browser (closed with the server)."""
        client = httpx.Client(base_url=self.base, timeout=20, **kwargs)
        return self.stack.enter_context(client)


@pytest.fixture
def start(tmp_path: Path, db_url: str) -> Iterator[Callable[..., Served]]:
    """Start the admin with changed settings (or app options: files, login_limit, ...)."""
    options = {"files", "login_limit", "session_lifetime", "busy_timeout"}
    with ExitStack() as stack:

        def _start(**changes: Any) -> Served:
            app_options = {k: changes.pop(k) for k in list(changes) if k in options}
            settings = make_settings(changes.pop("database_url", db_url), **changes)
            app = create_app(make_config(settings), **app_options)
            base = stack.enter_context(serve_admin(tmp_path / "site", app))
            client = stack.enter_context(httpx.Client(base_url=base, timeout=20))
            return Served(base, app, client, stack)

        yield _start


@pytest.fixture
def served(start: Callable[..., Served]) -> Served:
    return start()


# Helpers: reading pages as a browser would


def tree(response: httpx.Response) -> html.HtmlElement:
    return html.fromstring(response.text)


def form_value(response: httpx.Response, name: str) -> str:
    return str(tree(response).xpath(f"//input[@name='{name}']/@value")[0])


def flash_lines(client: httpx.Client, response: httpx.Response) -> list[str]:
    """Follow a 303 and read the message it left for the next page."""
    assert response.status_code == 303, response.text
    page = client.get(response.headers["location"])
    items = tree(page).xpath("//div[contains(@class, 'admin-flash')]//li")
    return [" ".join(item.text_content().split()) for item in items]


def log_in(client: httpx.Client, password: str = PASSWORD) -> str:
    """Log in through the form; returns the session's CSRF token, read off the queue page."""
    login = client.get("/admin/login")
    answer = client.post(
        "/admin/login",
        data={"csrf": form_value(login, "csrf"), "password": password, "next": "/"},
    )
    assert answer.status_code == 303, answer.text
    return form_value(client.get("/admin/"), "csrf")


def act(
    client: httpx.Client, csrf: str, path: str, status: str = "pending", **fields: Any
) -> httpx.Response:
    return client.post(f"/admin{path}", data={"csrf": csrf, "status": status, **fields})


def history(store: Store, story_id: int) -> list[tuple[str, str, str | None]]:
    return [(e.action.value, e.actor, e.note) for e in calls.events(store, story_id)]


# Switched off without a password


def test_without_a_password_hash_every_page_says_how_to_switch_it_on(
    start: Callable[..., Served],
) -> None:
    served = start(admin_password_hash="")
    for method, path in (
        ("GET", "/admin/"),
        ("GET", "/admin/login"),
        ("POST", "/admin/login"),
        ("GET", "/admin/stories/1"),
    ):
        answer = served.client.request(method, path, data={"password": PASSWORD})
        assert answer.status_code == 503, path
        assert "The moderation admin is switched off" in answer.text
        assert "invoke comments.set-password" in answer.text
        assert "set-cookie" not in answer.headers
    assert served.client.get("/admin/static/admin.css").status_code == 200


# Logging in


def test_a_wrong_password_is_refused_in_words_that_reveal_nothing(served: Served) -> None:
    for attempt in ("wrong password here", ""):
        login = served.client.get("/admin/login")
        answer = served.client.post(
            "/admin/login", data={"csrf": form_value(login, "csrf"), "password": attempt}
        )
        assert answer.status_code == 422
        page = tree(answer)
        summary = page.xpath("//div[@id='error-summary']")[0]
        assert (
            summary.xpath("string(.//a)")
            == "Name or password not recognised. Check both and try again."
        )
        assert summary.xpath(".//a/@href") == ["#password"]
        assert page.xpath("//input[@id='password']/@aria-invalid") == ["true"]
        assert SESSION_COOKIE + "=" not in answer.headers.get("set-cookie", "")
    assert served.client.get("/admin/").status_code == 303


def test_the_right_password_opens_the_queue(served: Served) -> None:
    assert served.client.get("/admin/").headers["location"] == "/admin/login"
    log_in(served.client)
    queue = served.client.get("/admin/")
    assert queue.status_code == 200
    assert tree(queue).xpath("string(//h1)").startswith("Waiting for moderation")
    # Logged in, the login page sends you on to the queue.
    assert served.client.get("/admin/login").headers["location"] == "/admin/"


def test_after_login_the_admin_goes_back_to_the_page_asked_for(
    served: Served, store: Store
) -> None:
    story = add(store)
    asked = served.client.get(f"/admin/stories/{story.id}")
    assert asked.headers["location"] == f"/admin/login?next=/stories/{story.id}"
    login = served.client.get(asked.headers["location"])
    assert form_value(login, "next") == f"/stories/{story.id}"
    answer = served.client.post(
        "/admin/login",
        data={"csrf": form_value(login, "csrf"), "password": PASSWORD, "next": "/stories/1"},
    )
    assert answer.headers["location"] == "/admin/stories/1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/../x", "/x"])
def test_login_never_sends_the_browser_off_the_admin(served: Served, target: str) -> None:
    login = served.client.get("/admin/login", params={"next": target})
    assert form_value(login, "next") == "/"
    answer = served.client.post(
        "/admin/login",
        data={"csrf": form_value(login, "csrf"), "password": PASSWORD, "next": target},
    )
    assert answer.headers["location"] == "/admin/"


def test_a_login_form_without_its_token_is_403(served: Served) -> None:
    answer = served.client.post("/admin/login", data={"password": PASSWORD})
    assert answer.status_code == 403
    assert "The login form has expired" in answer.text
    other = served.new_client()  # a form token from another browser's login page
    token = form_value(other.get("/admin/login"), "csrf")
    answer = served.client.post("/admin/login", data={"csrf": token, "password": PASSWORD})
    assert answer.status_code == 403
    assert served.client.get("/admin/").status_code == 303


def test_login_attempts_are_limited_per_network(start: Callable[..., Served]) -> None:
    served = start(trusted_proxies=("127.0.0.1",))
    login = served.client.get("/admin/login")
    token = form_value(login, "csrf")
    for _ in range(5):
        wrong = served.client.post("/admin/login", data={"csrf": token, "password": "guess"})
        assert wrong.status_code == 422
    limited = served.client.post("/admin/login", data={"csrf": token, "password": PASSWORD})
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 15 * 60
    assert "Too many failed login attempts" in limited.text and "minutes" in limited.text
    assert served.client.get("/admin/").status_code == 303  # refused, even the right password
    # Another network (through the trusted proxy) has attempts of its own.
    elsewhere = served.client.post(
        "/admin/login",
        data={"csrf": token, "password": PASSWORD},
        headers={"X-Forwarded-For": "203.0.113.9"},
    )
    assert elsewhere.status_code == 303


# Cookies and sessions


def cookie_header(response: httpx.Response, name: str) -> str:
    [header] = [h for h in response.headers.get_list("set-cookie") if h.startswith(name + "=")]
    return header


@pytest.mark.parametrize("secure", [False, True])
def test_the_session_cookie_is_httponly_strict_signed_and_secure_when_asked(
    start: Callable[..., Served], secure: bool
) -> None:
    served = start(secure_cookies=secure)
    login = served.client.get("/admin/login")
    # Over plain HTTP a client keeps a Secure cookie to itself; send it back by hand.
    login_cookie = cookie_header(login, "nextround_admin_login")
    answer = served.new_client().post(
        "/admin/login",
        data={"csrf": form_value(login, "csrf"), "password": PASSWORD},
        headers={"Cookie": login_cookie.split(";")[0]},
    )
    header = cookie_header(answer, SESSION_COOKIE)
    flags = {part.strip().split("=")[0].lower(): part.strip() for part in header.split(";")[1:]}
    assert "httponly" in flags
    assert flags["samesite"].lower() == "samesite=strict"
    assert flags["path"] == "Path=/admin"
    assert flags["max-age"] == "Max-Age=43200"
    assert ("secure" in flags) is secure
    assert "HttpOnly" in login_cookie and "SameSite=strict" in login_cookie
    assert ("Secure" in login_cookie) is secure


def forged(clock_offset: float = 0.0, password_hash: str = PASSWORD_HASH) -> str:
    sessions = Sessions(SECRET, clock=lambda: time.time() + clock_offset)
    return sessions.issue(legacy_account(password_hash))[0]


def tampered(cookie: str) -> str:
    payload, rest = cookie.split(".", 1)
    return ("X" if payload[0] != "X" else "Y") + payload[1:] + "." + rest


@pytest.mark.parametrize(
    "cookie",
    [
        pytest.param(lambda: tampered(forged()), id="tampered"),
        pytest.param(lambda: forged(clock_offset=-13 * 3600), id="expired"),
        pytest.param(
            lambda: forged(
                password_hash=PasswordHasher(time_cost=1, memory_cost=8192).hash("x" * 12)
            ),
            id="old-password",
        ),
        pytest.param(lambda: "garbage", id="garbage"),
    ],
)
def test_a_bad_session_cookie_goes_back_to_login(
    served: Served, store: Store, cookie: Callable[[], str]
) -> None:
    story = add(store)
    client = served.new_client(cookies={SESSION_COOKIE: cookie()})
    answer = client.get("/admin/")
    assert answer.headers["location"] == "/admin/login"
    assert "Your session has ended; log in again to go on." in flash_lines(client, answer)
    assert f'{SESSION_COOKIE}=""' in answer.headers["set-cookie"]
    # A POST with it changes nothing: there is no session to check its token against.
    refused = client.post(f"/admin/stories/{story.id}/approve", data={"csrf": "x"})
    assert refused.status_code == 403
    assert store.get(story.id).status is Status.PENDING
    # The genuine, fresh cookie works, for comparison.
    assert served.new_client(cookies={SESSION_COOKIE: forged()}).get("/admin/").status_code == 200


def test_csrf_missing_wrong_or_replayed_after_logout_is_403_and_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store)
    csrf = log_in(served.client)
    path = f"/admin/stories/{story.id}/approve"
    missing = served.client.post(path, data={"status": "pending"})
    wrong = served.client.post(path, data={"status": "pending", "csrf": csrf[:-2] + "00"})
    other_session = served.new_client()
    foreign = served.client.post(path, data={"status": "pending", "csrf": log_in(other_session)})
    for answer in (missing, wrong, foreign):
        assert answer.status_code == 403
        assert "This form was refused" in answer.text and "Nothing was changed" in answer.text

    cookie = served.client.cookies[SESSION_COOKIE]
    logout = served.client.post("/admin/logout", data={"csrf": csrf})
    assert logout.headers["location"] == "/admin/login"
    assert "You are logged out." in flash_lines(served.client, logout)
    replay = served.new_client(cookies={SESSION_COOKIE: cookie})
    answer = replay.post(path, data={"status": "pending", "csrf": csrf})
    assert answer.status_code == 403
    assert "Your session has ended" in answer.text and "Nothing was changed" in answer.text
    assert replay.get("/admin/").status_code == 303  # the copied cookie no longer opens pages
    assert store.get(story.id).status is Status.PENDING
    assert history(store, story.id) == [("submitted", "reader", None)]
    assert other_session.get("/admin/").status_code == 200  # other sessions carry on


def test_logout_needs_the_token_too(served: Served) -> None:
    log_in(served.client)
    assert served.client.post("/admin/logout", data={"csrf": "nope"}).status_code == 403
    assert served.client.get("/admin/").status_code == 200


# Actions and what they leave in the store


def test_approve_reject_and_spam_change_the_store_and_its_history(
    served: Served, store: Store, clock: FakeClock
) -> None:
    first, second, third = (
        add(store, clock, body_markdown=f"Story {n}: " + "x" * 30) for n in "123"
    )
    csrf = log_in(served.client)

    approved = act(served.client, csrf, f"/stories/{first.id}/approve", back="/")
    assert approved.headers["location"] == "/admin/"
    assert flash_lines(served.client, approved)[0] == f"#{first.id} approved ({SLUG}, by Ada)"
    rejected = act(served.client, csrf, f"/stories/{second.id}/reject", reason="  off topic ")
    assert flash_lines(served.client, rejected) == [f"#{second.id} rejected ({SLUG}, by Ada)"]
    spam = act(served.client, csrf, f"/stories/{third.id}/spam")
    assert flash_lines(served.client, spam) == [f"#{third.id} marked as spam ({SLUG}, by Ada)"]

    assert [store.get(s.id).status for s in (first, second, third)] == [
        Status.APPROVED,
        Status.REJECTED,
        Status.SPAM,
    ]
    assert store.get(second.id).reject_reason == "off topic"
    assert history(store, first.id)[-1] == ("approved", "owner", None)
    assert history(store, second.id)[-1] == ("rejected", "owner", "off topic")
    assert history(store, third.id)[-1] == ("spam", "owner", None)


def test_without_the_built_site_the_message_says_when_readers_see_it(
    served: Served, store: Store
) -> None:
    story = add(store)
    csrf = log_in(served.client)
    lines = flash_lines(served.client, act(served.client, csrf, f"/stories/{story.id}/approve"))
    assert "at the next build or publish" in lines[-1]


def test_an_approved_story_can_be_taken_back_from_the_approved_list(
    served: Served, store: Store
) -> None:
    story = add_with_status(store, Status.APPROVED)
    csrf = log_in(served.client)
    listing = tree(served.client.get("/admin/", params={"status": "approved"}))
    assert listing.xpath("string(//h1)").startswith("Recently approved")
    card = listing.xpath(f"//article[@id='story-{story.id}']")[0]
    buttons = [" ".join(b.text_content().split()) for b in card.xpath(".//button")]
    assert buttons == [
        f"Reject story #{story.id}",
        f"Mark as spam: story #{story.id}",
        f"Back to pending: story #{story.id}",
    ]
    answer = act(
        served.client,
        csrf,
        f"/stories/{story.id}/reject",
        status="approved",
        back="/?status=approved",
    )
    assert answer.headers["location"] == "/admin/?status=approved"
    assert store.get(story.id).status is Status.REJECTED
    rejected_list = tree(served.client.get("/admin/", params={"status": "rejected"}))
    card = rejected_list.xpath(f"//article[@id='story-{story.id}']")[0]
    assert f"Approve story #{story.id}" in card.text_content()


def test_edit_replaces_the_text_and_marks_it_edited(served: Served, store: Store) -> None:
    story = add(store, body_markdown="My manager **Jane Smith** said no twice.")
    csrf = log_in(served.client)
    form = served.client.get(f"/admin/stories/{story.id}/edit")
    assert form.status_code == 200
    page = tree(form)
    assert page.xpath("string(//textarea[@id='text'])") == story.body_markdown
    assert page.xpath("//label[@for='text']")
    answer = act(served.client, csrf, f"/stories/{story.id}/edit", text="My manager said no twice.")
    assert flash_lines(served.client, answer) == [
        f"#{story.id} edited; it shows as edited by a moderator."
    ]
    edited = store.get(story.id)
    assert edited.body_markdown == "My manager said no twice." and edited.edited
    assert "Jane" not in edited.body_html
    assert history(store, story.id)[-1] == ("edited", "owner", None)


def test_an_empty_edit_comes_back_with_an_error_summary_and_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store)
    csrf = log_in(served.client)
    answer = act(served.client, csrf, f"/stories/{story.id}/edit", text="   ")
    assert answer.status_code == 422
    page = tree(answer)
    assert page.xpath("string(//div[@id='error-summary']//h2)") == "Please fix 1 problem:"
    assert page.xpath("//div[@id='error-summary']//a/@href") == ["#text"]
    assert page.xpath("//textarea[@id='text']/@aria-invalid") == ["true"]
    assert page.xpath("//textarea[@id='text']/@aria-describedby") == ["text-hint text-error"]
    assert store.get(story.id).body_markdown == story.body_markdown
    assert not store.get(story.id).edited


def test_reply_as_the_author_publishes_under_a_published_story(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(author_name="The editors")
    story = add_with_status(store, Status.APPROVED)
    csrf = log_in(served.client)
    assert served.client.get(f"/admin/stories/{story.id}/reply").status_code == 200
    answer = act(
        served.client,
        csrf,
        f"/stories/{story.id}/reply",
        status="approved",
        text="Thank you, this will help others.",
    )
    lines = flash_lines(served.client, answer)
    reply_id = int(lines[0].split()[0].removeprefix("#"))
    assert lines[0] == f"#{reply_id} published as the author's reply to #{story.id}."
    reply = store.get(reply_id)
    assert (reply.parent_id, reply.status, reply.author_reply, reply.name) == (
        story.id,
        Status.APPROVED,
        True,
        "The editors",
    )
    assert history(store, reply_id) == [("replied", "owner", f"reply to story {story.id}")]


def test_rejected_stories_cannot_be_answered(served: Served, store: Store) -> None:
    story = add_with_status(store, Status.REJECTED)
    csrf = log_in(served.client)
    form = served.client.get(f"/admin/stories/{story.id}/reply")
    assert form.status_code == 409
    assert f"Story #{story.id} is rejected. Approve it first" in form.text
    answer = act(
        served.client, csrf, f"/stories/{story.id}/reply", status="rejected", text="An answer."
    )
    assert flash_lines(served.client, answer) == [
        f"Cannot reply to story {story.id}: it is rejected.",
        "Nothing was changed.",
    ]
    assert store.get(story.id).status is Status.REJECTED


def test_a_waiting_story_is_approved_and_answered_in_one_step(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(author_name="The editors")
    story = add(store)
    csrf = log_in(served.client)
    queue = tree(served.client.get("/admin/"))
    card = f"//article[@id='story-{story.id}']"
    links = queue.xpath(f"{card}//a[starts-with(@href, '/admin/stories/{story.id}/reply')]")
    assert [" ".join(a.text_content().split()) for a in links] == [
        f"Approve and reply to story #{story.id}"
    ]
    form = served.client.get(f"/admin/stories/{story.id}/reply")
    assert form.status_code == 200
    assert "Approve the story and publish the reply" in form.text
    answer = act(
        served.client, csrf, f"/stories/{story.id}/reply", text="Thank you, this will help."
    )
    lines = flash_lines(served.client, answer)
    assert lines[0] == f"#{story.id} approved ({story.article}, by {story.name})"
    [published] = [line for line in lines if "published as the author's reply" in line]
    reply_id = int(published.split()[0].removeprefix("#"))
    assert published == f"#{reply_id} published as the author's reply to #{story.id}."
    assert store.get(story.id).status is Status.APPROVED
    assert store.get(reply_id).parent_id == story.id


def test_a_reply_the_rules_refuse_approves_nothing(served: Served, store: Store) -> None:
    story = add(store)
    csrf = log_in(served.client)
    answer = act(served.client, csrf, f"/stories/{story.id}/reply", text="   ")
    assert answer.status_code == 422
    assert store.get(story.id).status is Status.PENDING
    assert history(store, story.id) == [("submitted", "reader", None)]


def test_a_story_decided_meanwhile_is_not_approved_again_by_a_reply(
    served: Served, store: Store
) -> None:
    story = add(store)
    csrf = log_in(served.client)
    calls.set_status(store, story.id, Status.REJECTED, reason="elsewhere", actor="moderator")
    answer = act(served.client, csrf, f"/stories/{story.id}/reply", text="Thanks for this.")
    lines = flash_lines(served.client, answer)
    assert lines[-1] == "Nothing was changed."
    assert store.get(story.id).status is Status.REJECTED


def test_delete_asks_first_then_deletes_with_the_replies(served: Served, store: Store) -> None:
    story = add_with_status(store, Status.APPROVED)
    reply = add(store, reply_to=story.id, body_markdown="Same here, it took me a year.")
    csrf = log_in(served.client)
    confirm = served.client.get(f"/admin/stories/{story.id}/delete")
    assert confirm.status_code == 200
    assert "and the 1 reply under it for good" in " ".join(tree(confirm).text_content().split())
    assert store.get(story.id)  # a GET never deletes
    answer = act(
        served.client,
        csrf,
        f"/stories/{story.id}/delete",
        status="approved",
        back=f"/stories/{story.id}",
    )
    assert answer.headers["location"] == "/admin/?status=approved"
    assert flash_lines(served.client, answer)[0] == (
        f"Deleted #{story.id}, #{reply.id}; the moderation history remains."
    )
    with store.reading() as tx:
        assert tx.find(story.id) is None and tx.find(reply.id) is None
    assert history(store, story.id)[-1] == ("deleted", "owner", None)


def test_bulk_approve_and_reject_the_ticked_stories(served: Served, store: Store) -> None:
    ids = [add(store, body_markdown=f"Story number {n} about my job search.").id for n in range(4)]
    csrf = log_in(served.client)
    approved = act(served.client, csrf, "/bulk", action="approve", ids=[str(i) for i in ids[:2]])
    assert flash_lines(served.client, approved)[:2] == [
        f"#{ids[0]} approved ({SLUG}, by Ada)",
        f"#{ids[1]} approved ({SLUG}, by Ada)",
    ]
    rejected = act(
        served.client, csrf, "/bulk", action="reject", ids=[str(i) for i in ids[2:]], reason="dup"
    )
    assert len(flash_lines(served.client, rejected)) == 2
    assert [store.get(i).status for i in ids] == [Status.APPROVED] * 2 + [Status.REJECTED] * 2
    assert {history(store, i)[-1] for i in ids[2:]} == {("rejected", "owner", "dup")}


def test_a_bulk_action_with_nothing_ticked_changes_nothing(served: Served, store: Store) -> None:
    story = add(store)
    csrf = log_in(served.client)
    answer = act(served.client, csrf, "/bulk", action="approve", back="/?status=pending")
    assert answer.headers["location"] == "/admin/?status=pending"
    assert flash_lines(served.client, answer) == [
        "Nothing was ticked, so nothing was changed. Tick the stories first, then choose what "
        "to do with them."
    ]
    assert store.get(story.id).status is Status.PENDING


def test_a_bulk_action_is_all_or_nothing(served: Served, store: Store) -> None:
    waiting = add(store)
    moved = add_with_status(store, Status.REJECTED, body_markdown="Rejected meanwhile, by Bo.")
    csrf = log_in(served.client)
    answer = act(
        served.client, csrf, "/bulk", action="approve", ids=[str(waiting.id), str(moved.id)]
    )
    assert flash_lines(served.client, answer) == [
        f"Story #{moved.id} is now rejected, not pending as on your page: it was moderated "
        "meanwhile. Look at it again before deciding.",
        "Nothing was changed.",
    ]
    assert store.get(waiting.id).status is Status.PENDING


def test_acting_on_a_deleted_story_names_it_and_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store)
    csrf = log_in(served.client)
    calls.delete(store, story.id, actor="reader")
    for path in ("approve", "reject", "spam", "delete"):
        lines = flash_lines(served.client, act(served.client, csrf, f"/stories/{story.id}/{path}"))
        assert lines[0].startswith(f"Story #{story.id} was deleted (")
        assert lines[0].endswith(", by reader).") and lines[-1] == "Nothing was changed."
    edit = act(served.client, csrf, f"/stories/{story.id}/edit", text="A new text for it all.")
    assert flash_lines(served.client, edit)[-1] == "Nothing was changed."
    page = served.client.get(f"/admin/stories/{story.id}")
    assert page.status_code == 404 and f"Story #{story.id} was deleted" in page.text
    assert [e.action for e in calls.events(store, story.id)] == [Action.SUBMITTED, Action.DELETED]


def test_acting_on_a_story_moved_meanwhile_names_its_status_and_changes_nothing(
    served: Served, store: Store
) -> None:
    story = add(store)
    csrf = log_in(served.client)
    calls.set_status(store, story.id, Status.SPAM, actor="another moderator")
    answer = act(served.client, csrf, f"/stories/{story.id}/approve", status="pending")
    assert flash_lines(served.client, answer)[0] == (
        f"Story #{story.id} is now spam, not pending as on your page: it was moderated "
        "meanwhile. Look at it again before deciding."
    )
    assert store.get(story.id).status is Status.SPAM
    again = act(served.client, csrf, f"/stories/{story.id}/spam", status="spam")
    assert flash_lines(served.client, again)[0] == f"Story #{story.id} is already spam."


def test_a_reason_over_the_limit_is_refused(served: Served, store: Store) -> None:
    story = add(store)
    csrf = log_in(served.client)
    answer = act(served.client, csrf, f"/stories/{story.id}/reject", reason="x" * 501)
    assert "Keep the reason to 500 characters or fewer" in flash_lines(served.client, answer)[0]
    assert store.get(story.id).status is Status.PENDING


# What the queue shows


def test_the_queue_is_newest_first_with_context_and_flags(
    served: Served, store: Store, clock: FakeClock
) -> None:
    regular = add(
        store,
        clock,
        name="Ada Lovelace",
        email="ada@mail.example",
        body_markdown="Old story that was published first.",
    )
    calls.set_status(store, regular.id, Status.APPROVED, actor="setup")
    same_name = add(
        store, clock, name="  ada   LOVELACE ", body_markdown="Back again with **news**."
    )
    same_email = add(
        store, clock, name="A. L.", email="ADA@mail.example", body_markdown="Me again, other name."
    )
    newcomer = add(
        store,
        clock,
        name="Bo",
        body_markdown="See https://a.example and [this](https://b.example) <script>x</script>",
    )
    copy = add(store, clock, name="Cy", body_markdown="old STORY that was   published first.")
    reply = add(store, clock, name="Di", reply_to=regular.id, body_markdown="Same happened to me.")
    log_in(served.client)
    page = tree(served.client.get("/admin/"))
    cards = page.xpath("//ol[@class='admin-list']/li/article")
    order = [reply, copy, newcomer, same_email, same_name]
    assert [c.get("id") for c in cards] == [f"story-{s.id}" for s in order]

    def flags(story_id: int) -> list[str]:
        card = page.xpath(f"//article[@id='story-{story_id}']")[0]
        return [
            " ".join(li.text_content().split())
            for li in card.xpath(".//ul[@class='admin-flags']/li")
        ]

    assert flags(same_name.id) == ["0 links"]
    assert flags(same_email.id) == ["0 links"]
    assert flags(newcomer.id) == ["2 links", "First-time author"]
    assert flags(copy.id) == [
        "0 links",
        "First-time author",
        f"Duplicate of story #{regular.id} (approved)",
    ]
    assert flags(reply.id) == ["0 links", "First-time author"]

    reply_card = page.xpath(f"//article[@id='story-{reply.id}']")[0]
    context = " ".join(reply_card.xpath("string(.//p[@class='admin-story__context'])").split())
    assert context == (
        f"Reply to story #{regular.id} by Ada Lovelace (approved): "
        "“Old story that was published first.”"
    )
    article_link = reply_card.xpath(".//dl//a/@href")[0]
    assert article_link == f"/{SLUG}/"
    # The preview is the stored, sanitised HTML: formatting kept, nothing executable.
    preview = page.xpath(
        f"//article[@id='story-{same_name.id}']//div[contains(@class, 'admin-story__preview')]"
    )[0]
    assert preview.xpath(".//strong/text()") == ["news"]
    hostile = page.xpath(f"//article[@id='story-{newcomer.id}']")[0]
    assert hostile.xpath(".//script") == []
    assert hostile.xpath(".//a[@href='https://b.example']/@rel") == ["nofollow ugc noopener"]


def test_reader_text_is_escaped_everywhere(served: Served, store: Store) -> None:
    story = add(store, name='Eve <img src=x onerror="alert(1)">')
    log_in(served.client)
    for path in ("/admin/", f"/admin/stories/{story.id}", f"/admin/stories/{story.id}/edit"):
        page = served.client.get(path)
        assert "<img src=x" not in page.text and "&lt;img src=x" in page.text


def test_the_story_page_shows_the_whole_history(served: Served, store: Store) -> None:
    story = add_with_status(store, Status.REJECTED)
    log_in(served.client)
    page = tree(served.client.get(f"/admin/stories/{story.id}"))
    entries = [
        " ".join(li.text_content().split()) for li in page.xpath("//ol[@class='admin-history']/li")
    ]
    assert [e.split(": ", 1)[1] for e in entries] == [
        "submitted by reader",
        "rejected by setup (setup)",
    ]


def test_long_lists_are_paged(served: Served, store: Store, clock: FakeClock) -> None:
    ids = [add(store, clock, body_markdown=f"Story {n} about interviews.").id for n in range(27)]
    log_in(served.client)
    first = tree(served.client.get("/admin/"))
    assert len(first.xpath("//ol[@class='admin-list']/li")) == 25
    assert first.xpath("string(//h1)").endswith("(27)")
    second = tree(served.client.get("/admin/", params={"status": "pending", "page": "2"}))
    shown = [c.get("id") for c in second.xpath("//ol[@class='admin-list']/li/article")]
    assert shown == [f"story-{ids[1]}", f"story-{ids[0]}"]
    assert second.xpath("//a[@rel='prev']/@href") == ["/admin/?status=pending"]


def test_the_counts_per_list_are_shown(served: Served, store: Store) -> None:
    add(store)
    add_with_status(store, Status.SPAM, body_markdown="Cheap certificates, buy now today.")
    log_in(served.client)
    tabs = tree(served.client.get("/admin/")).xpath("//nav[@aria-label='Story lists']//a")
    assert [" ".join(t.text_content().split()) for t in tabs] == [
        "Pending 1",
        "Approved 0",
        "Rejected 0",
        "Spam 1",
        "All 2",
        "Held 0",
    ]
    assert [t.get("aria-current") for t in tabs] == ["page", None, None, None, None, None]


# Failures


def test_an_unreachable_store_is_503_with_retry_after(
    start: Callable[..., Served], tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database folder should be", encoding="utf-8")
    served = start(database_url=f"sqlite:///{blocker}/comments.sqlite3")
    login = served.client.get("/admin/login")
    assert login.status_code == 200
    answer = served.client.post(
        "/admin/login", data={"csrf": form_value(login, "csrf"), "password": PASSWORD}
    )
    assert answer.status_code == 503
    assert answer.headers["retry-after"] == "30"
    assert "The story database is unavailable" in answer.text
    cookie_client = served.new_client(cookies={SESSION_COOKIE: forged()})
    assert cookie_client.get("/admin/").status_code == 503


def test_a_locked_sqlite_store_is_503_and_the_action_changes_nothing(
    start: Callable[..., Served], db_path: Path
) -> None:
    served = start(busy_timeout=0.2)
    with open_store(f"sqlite:///{db_path}") as store:
        story = calls.add_submission(store, submission())
    csrf = log_in(served.client)
    with closing(sqlite3.connect(db_path, timeout=0, isolation_level=None)) as lock:
        lock.execute("BEGIN EXCLUSIVE")
        answer = act(served.client, csrf, f"/stories/{story.id}/approve")
        lock.execute("ROLLBACK")
    assert answer.status_code == 503 and answer.headers["retry-after"] == "30"
    assert "nothing was shown or changed" in answer.text
    with open_store(f"sqlite:///{db_path}") as store:
        assert store.get(story.id).status is Status.PENDING
        assert [e.action for e in calls.events(store, story.id)] == [Action.SUBMITTED]


def test_unknown_pages_are_404_and_wrong_methods_405(served: Served) -> None:
    log_in(served.client)
    assert served.client.get("/admin/nothing-here").status_code == 404
    assert served.client.get("/admin/stories/999999").status_code == 404
    unknown_list = served.client.get("/admin/", params={"status": "deleted"})
    assert unknown_list.status_code == 200  # the queue, saying what was left out
    assert "There is no status " in tree(unknown_list).text_content()
    wrong = served.client.get("/admin/stories/1/approve")
    assert wrong.status_code == 405 and "Actions are sent from the buttons" in wrong.text
    as_json = served.client.post("/admin/bulk", json={"action": "approve"})
    assert as_json.status_code == 415 and "The form could not be read" in as_json.text


def test_pages_carry_security_headers(served: Served) -> None:
    for answer in (served.client.get("/admin/login"), served.client.get("/admin/")):
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        # Its own script file only: nothing inline, nothing from elsewhere.
        assert "script-src 'self';" in answer.headers["content-security-policy"]
        assert "unsafe" not in answer.headers["content-security-policy"]
        assert "default-src 'none'" in answer.headers["content-security-policy"]


def test_the_admin_needs_no_site_beside_it(db_url: str, tmp_path: Path) -> None:
    """Alone (root path /), cookies and links are relative to /, and the styles come with it."""
    app = create_app(make_config(make_settings(db_url)), session_lifetime=timedelta(hours=1))
    try:
        with running(app) as base, httpx.Client(base_url=base) as client:
            login = client.get("/login")
            assert 'href="/static/admin.css"' in login.text
            assert client.get("/static/site.css").status_code == 200
            assert client.get("/static/secret_key").status_code == 404
            answer = client.post(
                "/login", data={"csrf": form_value(login, "csrf"), "password": PASSWORD}
            )
            assert answer.headers["location"] == "/"
            assert "Path=/;" in cookie_header(answer, SESSION_COOKIE)
            assert "Max-Age=3600" in cookie_header(answer, SESSION_COOKIE)
    finally:
        app.state.close()


def test_slash_less_admin_address_redirects(served: Served) -> None:
    answer = served.client.get("/admin")
    assert answer.status_code == 308 and answer.headers["location"] == "/admin/"


def test_approving_in_the_browser_queues_the_readers_email(start, db_url: str) -> None:
    """The admin approves as the CLI does: a reader who asked is emailed (queued, not sent)."""
    from notify_support import outbox

    served = start(smtp_host="127.0.0.1", smtp_port=2525, mail_from="stories@nextround.example")
    with open_store(db_url) as store:
        asked = calls.add_submission(
            store, submission(article=SLUG, email="reader@mail.example", notify=True)
        )
        silent = calls.add_submission(
            store, submission(article=SLUG, body_markdown="Another story, no email asked for here.")
        )
    csrf = log_in(served.client)
    act(served.client, csrf, f"/stories/{asked.id}/approve")
    act(served.client, csrf, f"/stories/{silent.id}/approve")
    with open_store(db_url) as store:
        rows = outbox(store)
    # The address is not confirmed yet: the writer is asked to first, and the news waits.
    assert [(row.story_id, row.kind, row.recipient) for row in rows] == [
        (asked.id, "published", "reader@mail.example"),
        (asked.id, "confirm", "reader@mail.example"),
    ]
