"""The privacy check in the admin: findings on the story's card, one action to take each out."""

from __future__ import annotations

import test_admin
from stories_support import add, add_with_status
from test_admin import Served, act, flash_lines, history, log_in, tree

from reader_stories.models import Status
from reader_stories.store import Store

served = test_admin.served  # the admin on a real port, as the other admin tests serve it
start = test_admin.start

STORY = (
    "The recruiter, Sarah Jones, rang me on 07911 123456 to say no. "
    "Sarah Jones was kind about it, and I asked for feedback."
)


def test_the_card_lists_what_the_check_found(served: Served, store: Store) -> None:
    story = add(store, body_markdown=STORY)
    log_in(served.client)
    page = tree(served.client.get("/admin/"))
    found = page.xpath(f"//article[@id='story-{story.id}']//ul[@class='admin-privacy__list']/li")
    texts = [" ".join(item.text_content().split()) for item in found]
    assert texts == [
        f"Probable personal name: Sarah Jones Replace with [name removed] in story #{story.id}",
        f"Phone number: 07911 123456 Replace with [phone number removed] in story #{story.id}",
    ]
    clean = add(store, body_markdown="A story with nothing personal in it at all, truly.")
    page = tree(served.client.get("/admin/"))
    assert not page.xpath(f"//article[@id='story-{clean.id}']//*[@class='admin-privacy']")


def test_one_action_takes_a_finding_out_everywhere_and_records_only_its_kind(
    served: Served, store: Store
) -> None:
    story = add(store, body_markdown=STORY)
    csrf = log_in(served.client)
    answer = act(served.client, csrf, f"/stories/{story.id}/redact", text="Sarah Jones")
    assert flash_lines(served.client, answer) == [
        f"#{story.id} edited; it shows as edited by a moderator."
    ]
    redacted = store.get(story.id)
    assert redacted.body_markdown == STORY.replace("Sarah Jones", "[name removed]")
    assert "Sarah" not in redacted.body_html and redacted.edited
    assert history(store, story.id)[-1] == (
        "edited",
        "owner",
        "redacted: probable personal name",
    )
    assert all("Sarah" not in (note or "") for _, _, note in history(store, story.id))


def test_a_published_story_is_redacted_in_place(served: Served, store: Store) -> None:
    story = add_with_status(store, Status.APPROVED, body_markdown=STORY)
    csrf = log_in(served.client)
    answer = act(
        served.client, csrf, f"/stories/{story.id}/redact", status="approved", text="07911 123456"
    )
    assert flash_lines(served.client, answer)[0].startswith(f"#{story.id} edited")
    assert "[phone number removed]" in store.get(story.id).body_markdown
    assert store.get(story.id).status is Status.APPROVED


def test_text_already_gone_is_said_and_nothing_changes(served: Served, store: Store) -> None:
    story = add(store, body_markdown=STORY)
    csrf = log_in(served.client)
    answer = act(served.client, csrf, f"/stories/{story.id}/redact", text="Somebody Else")
    lines = flash_lines(served.client, answer)
    assert lines[0] == f'Story #{story.id}: "Somebody Else" is no longer in the story.'
    assert store.get(story.id).body_markdown == STORY
    assert not store.get(story.id).edited


def test_redacting_needs_the_session_token(served: Served, store: Store) -> None:
    story = add(store, body_markdown=STORY)
    log_in(served.client)
    answer = served.client.post(
        f"/admin/stories/{story.id}/redact", data={"status": "pending", "text": "Sarah Jones"}
    )
    assert answer.status_code == 403
    assert store.get(story.id).body_markdown == STORY
