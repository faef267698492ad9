"""Named moderator accounts in the admin over real HTTP (SQLite and PostgreSQL): logging in by
name, the history naming who acted for every action, the owners' Moderators page, changing your
own password, sessions that end with the account or its password, and the single password of an
upgrade."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import test_admin
from argon2 import PasswordHasher
from stories_support import add, add_with_status
from test_admin import PASSWORD, Served, act, flash_lines, form_value, history, tree

from reader_stories.accounts import manage
from reader_stories.accounts.names import Role
from reader_stories.models import Status
from reader_stories.store import Store
from reader_stories.web.admin.passwords import verify_password

start = test_admin.start
served = test_admin.served

HASHER = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
MIA_PASSWORD = "mia's long password"
ALEX_PASSWORD = "alex's long password"


def accounts(store: Store) -> None:
    """Mia the owner and Alex a moderator, with cheap hashes (verifying reads their params)."""
    manage.add_moderator(store, "Mia", HASHER.hash(MIA_PASSWORD), Role.OWNER)
    manage.add_moderator(store, "Alex", HASHER.hash(ALEX_PASSWORD), Role.MODERATOR)


def log_in(client: httpx.Client, name: str, password: str) -> httpx.Response:
    login = client.get("/admin/login")
    return client.post(
        "/admin/login",
        data={"csrf": form_value(login, "csrf"), "name": name, "password": password},
    )


def logged_in(client: httpx.Client, name: str, password: str) -> str:
    """Log in; the session's CSRF token, read off the queue page."""
    answer = log_in(client, name, password)
    assert answer.status_code == 303, answer.text
    return form_value(client.get("/admin/"), "csrf")


def test_an_account_made_on_the_command_line_switches_the_admin_on_at_once(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(admin_password_hash="")
    assert served.client.get("/admin/login").status_code == 503
    accounts(store)
    assert served.client.get("/admin/login").status_code == 200
    assert logged_in(served.client, "mia", MIA_PASSWORD)
    nav = tree(served.client.get("/admin/")).xpath("string(//nav)")
    assert "Moderators" in nav and "Log out Mia" in " ".join(nav.split())


def test_every_admin_action_names_the_moderator_who_did_it(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(admin_password_hash="")
    accounts(store)
    csrf = logged_in(served.client, "alex", ALEX_PASSWORD)
    approved, rejected, spam, undone, ticked, replied, edited, redacted, deleted = (
        add(store, body_markdown=f"Story number {n}: I met Sarah Jones at the careers fair.")
        for n in range(9)
    )
    act(served.client, csrf, f"/stories/{approved.id}/approve")
    act(served.client, csrf, f"/stories/{rejected.id}/reject", reason="off topic")
    act(served.client, csrf, f"/stories/{spam.id}/spam")
    act(served.client, csrf, f"/stories/{undone.id}/approve")
    act(served.client, csrf, "/undo", status="approved", ids=str(undone.id))
    act(served.client, csrf, "/bulk", action="approve", ids=str(ticked.id))
    act(served.client, csrf, f"/stories/{replied.id}/reply", text="Thank you for writing.")
    act(served.client, csrf, f"/stories/{edited.id}/edit", text="A shorter story, now edited.")
    act(served.client, csrf, f"/stories/{redacted.id}/redact", text="Sarah Jones")
    act(served.client, csrf, f"/stories/{deleted.id}/delete")
    last = {story.id: history(store, story.id)[-1][:2] for story in (approved, rejected, spam)}
    assert last == {
        approved.id: ("approved", "Alex"),
        rejected.id: ("rejected", "Alex"),
        spam.id: ("spam", "Alex"),
    }
    assert history(store, undone.id)[-1][:2] == ("returned", "Alex")
    assert history(store, ticked.id)[-1][:2] == ("approved", "Alex")
    assert [e[:2] for e in history(store, replied.id)][-1] == ("approved", "Alex")
    reply = max(s.id for s in store.approved_for_article(replied.article))
    assert history(store, reply)[-1][:2] == ("replied", "Alex")  # the answer's own history
    assert history(store, edited.id)[-1][:2] == ("edited", "Alex")
    assert history(store, redacted.id)[-1] == ("edited", "Alex", "redacted: probable personal name")
    assert history(store, deleted.id)[-1][:2] == ("deleted", "Alex")
    page = served.client.get(f"/admin/stories/{approved.id}")
    assert "by Alex" in " ".join(tree(page).xpath("string(//main)").split())


def test_only_owners_manage_moderators(start: Callable[..., Served], store: Store) -> None:
    served = start(admin_password_hash="")
    accounts(store)
    csrf = logged_in(served.client, "alex", ALEX_PASSWORD)
    assert "Moderators" not in tree(served.client.get("/admin/")).xpath("string(//nav)")
    assert served.client.get("/admin/moderators").status_code == 403
    refused = act(served.client, csrf, "/moderators", name="eve", password="x" * 12)
    assert refused.status_code == 403 and "Only an owner can do this" in refused.text
    mia = manage.list_moderators(store)[0]
    removing = act(served.client, csrf, f"/moderators/{mia.id}/remove")
    assert removing.status_code == 403
    assert [m.name for m in manage.list_moderators(store)] == ["Mia", "Alex"]


def test_an_owner_adds_a_moderator_who_then_logs_in_and_acts(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(admin_password_hash="")
    accounts(store)
    csrf = logged_in(served.client, "mia", MIA_PASSWORD)
    page = served.client.get("/admin/moderators")
    rows = tree(page).xpath("//ul[@class='admin-accounts']/li/p[1]")
    assert [" ".join(r.text_content().split()) for r in rows] == [
        "Mia (you), owner",
        "Alex, moderator",
    ]
    problems = act(
        served.client, csrf, "/moderators", name="<b>", password="short", password_again="x"
    )
    assert problems.status_code == 422
    links = tree(problems).xpath("//div[@id='error-summary']//a/@href")
    assert links == ["#name", "#password"]
    mismatch = act(
        served.client,
        csrf,
        "/moderators",
        name="Sam",
        password="sam's long password",
        password_again="something else entirely",
    )
    assert mismatch.status_code == 422
    assert tree(mismatch).xpath("//input[@id='name']/@value") == ["Sam"]
    taken = act(
        served.client,
        csrf,
        "/moderators",
        name="ALEX",
        password="sam's long password",
        password_again="sam's long password",
    )
    assert taken.status_code == 422 and "already a moderator called" in taken.text
    added = act(
        served.client,
        csrf,
        "/moderators",
        name="Sam",
        role="moderator",
        password="sam's long password",
        password_again="sam's long password",
    )
    assert flash_lines(served.client, added)[0].startswith("Added moderator 'Sam'.")
    sam = served.new_client()
    sam_csrf = logged_in(sam, "sam", "sam's long password")
    story = add(store)
    act(sam, sam_csrf, f"/stories/{story.id}/approve")
    assert history(store, story.id)[-1][:2] == ("approved", "Sam")


def test_removing_an_account_ends_its_sessions_and_the_last_owner_stays(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(admin_password_hash="")
    accounts(store)
    mia_csrf = logged_in(served.client, "mia", MIA_PASSWORD)
    alex = served.new_client()
    alex_csrf = logged_in(alex, "alex", ALEX_PASSWORD)
    alex_row = next(m for m in manage.list_moderators(store) if m.name == "Alex")
    confirm = served.client.get(f"/admin/moderators/{alex_row.id}/remove")
    assert tree(confirm).xpath("string(//h1)") == "Remove Alex?"
    assert still_two_accounts(store)  # asking changed nothing
    removed = act(served.client, mia_csrf, f"/moderators/{alex_row.id}/remove")
    assert flash_lines(served.client, removed)[0].startswith("Removed 'Alex'")
    story = add(store)
    late = act(alex, alex_csrf, f"/stories/{story.id}/approve")
    assert late.status_code == 403 and "your account removed" in late.text
    assert store.get(story.id).status == Status.PENDING
    assert alex.get("/admin/").headers["location"] == "/admin/login"
    mia_row = manage.list_moderators(store)[0]
    last = act(served.client, mia_csrf, f"/moderators/{mia_row.id}/remove")
    assert "'Mia' is the last owner" in flash_lines(served.client, last)[0]
    gone = served.client.get(f"/admin/moderators/{alex_row.id}/remove")
    assert gone.status_code == 404


def still_two_accounts(store: Store) -> bool:
    return len(manage.list_moderators(store)) == 2


def test_changing_your_password_ends_your_other_sessions_not_this_one(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(admin_password_hash="")
    accounts(store)
    csrf = logged_in(served.client, "alex", ALEX_PASSWORD)
    other = served.new_client()
    logged_in(other, "alex", ALEX_PASSWORD)
    new = "alex's new long password"
    wrong = act(
        served.client, csrf, "/account", current="not it at all", password=new, password_again=new
    )
    assert wrong.status_code == 422 and "not your current password" in wrong.text
    changed = act(
        served.client, csrf, "/account", current=ALEX_PASSWORD, password=new, password_again=new
    )
    assert flash_lines(served.client, changed) == [
        "Your password is changed; your other sessions have ended."
    ]
    assert served.client.get("/admin/").status_code == 200
    assert other.get("/admin/").headers["location"] == "/admin/login"
    alex = next(m for m in manage.list_moderators(store) if m.name == "Alex")
    assert verify_password(alex.password_hash, new)
    assert log_in(served.new_client(), "alex", ALEX_PASSWORD).status_code == 422


def test_a_password_reset_from_the_command_line_ends_the_sessions(
    start: Callable[..., Served], store: Store
) -> None:
    served = start(admin_password_hash="")
    accounts(store)
    logged_in(served.client, "alex", ALEX_PASSWORD)
    manage.set_password(store, "alex", HASHER.hash("a reset long password"))
    answer = served.client.get("/admin/")
    assert answer.headers["location"] == "/admin/login"


def test_the_single_password_of_an_upgrade_logs_in_as_owner_until_the_first_account(
    served: Served, store: Store
) -> None:
    login = served.client.get("/admin/login")
    assert "logs in as owner" in " ".join(tree(login).xpath("string(//main)").split())
    csrf = logged_in(served.client, "", PASSWORD)
    story = add_with_status(store, Status.PENDING)
    act(served.client, csrf, f"/stories/{story.id}/approve")
    assert history(store, story.id)[-1][:2] == ("approved", "owner")
    account = served.client.get("/admin/account")
    assert "comments.set-password" in account.text and 'name="current"' not in account.text
    first = served.client.get("/admin/moderators")
    assert tree(first).xpath("//input[@name='role']/@value") == ["owner"]
    added = act(
        served.client,
        csrf,
        "/moderators",
        name="Mia",
        role="moderator",  # the first account is an owner whatever the form says
        password=MIA_PASSWORD,
        password_again=MIA_PASSWORD,
    )
    assert added.headers["location"] == "/admin/login"
    assert [(m.name, m.role) for m in manage.list_moderators(store)] == [("Mia", "owner")]
    assert served.client.get("/admin/").headers["location"] == "/admin/login"
    assert log_in(served.new_client(), "", PASSWORD).status_code == 422
    assert log_in(served.new_client(), "Mia", MIA_PASSWORD).status_code == 303
