"""Writers' changes to published stories in the admin: shown with their diff, approved or
rejected through the moderation service, and a change decided meanwhile is said, not redone."""

from __future__ import annotations

from datetime import timedelta

from stories_support import FakeClock, add_with_status
from test_admin import Served, act, flash_lines, history, log_in, served, start, tree  # noqa: F401

from reader_stories.models import Status, Story
from reader_stories.store import Store

FIRST = "The interview went badly and I said nothing useful at all."
SECOND = "The second interview went well, and I said what I meant."


def with_change(store: Store, name: str = "Ada L.") -> Story:
    story = add_with_status(store, Status.APPROVED, name="Ada", body_markdown=FIRST)
    with store.writing() as tx:
        tx.revise_by_writer(story.id, SECOND, name, timedelta(hours=24))
    return story


def test_the_queue_shows_each_change_with_what_it_changes(
    served: Served,  # noqa: F811
    store: Store,
    clock: FakeClock,
) -> None:
    story = with_change(store)
    log_in(served.client)
    page = tree(served.client.get("/admin/"))
    card = page.xpath(f"//article[@id='change-{story.id}']")[0]
    assert card.xpath("string(.//h3)").split() == f"Change to story #{story.id} by Ada".split()
    diff = card.xpath(".//div[@class='admin-change__diff']")[0]
    removed = [" ".join(d.text_content().split()) for d in diff.xpath(".//del")]
    added = [" ".join(i.text_content().split()) for i in diff.xpath(".//ins")]
    assert removed == ["[removed: badly]", "[removed: nothing useful at all.]"]
    assert added == ["[added: second]", "[added: well,]", "[added: what I meant.]"]
    assert card.xpath("string(.//dd/del)") == "Ada" and card.xpath("string(.//dd/ins)") == "Ada L."
    # The story's own page shows it too.
    own = tree(served.client.get(f"/admin/stories/{story.id}"))
    assert own.xpath(f"//article[@id='change-{story.id}']")


def test_approve_and_reject_a_change(served: Served, store: Store) -> None:  # noqa: F811
    approved, rejected = with_change(store), with_change(store, name="Ada")
    csrf = log_in(served.client)
    lines = flash_lines(
        served.client, act(served.client, csrf, f"/stories/{approved.id}/change/approve")
    )
    assert lines[0].startswith(f"#{approved.id}: its writer's change is approved and published")
    assert "at the next build or publish" in lines[-1]
    story = store.get(approved.id)
    assert (story.body_markdown, story.name, story.edited) == (SECOND, "Ada L.", True)
    assert history(store, approved.id)[-1] == ("edited", "owner", "writer's change approved")

    answer = act(
        served.client, csrf, f"/stories/{rejected.id}/change/reject", reason=" names a firm "
    )
    assert flash_lines(served.client, answer) == [
        f"#{rejected.id}: its writer's change is rejected; the published version stays."
    ]
    assert store.get(rejected.id) == rejected
    assert history(store, rejected.id)[-1][2] == (
        "writer's change rejected; the published version stays (names a firm)"
    )
    assert "Changes to published stories" not in served.client.get("/admin/").text


def test_a_change_decided_meanwhile_or_without_the_token_is_left_alone(
    served: Served,  # noqa: F811
    store: Store,
) -> None:
    story = with_change(store)
    csrf = log_in(served.client)
    forged = act(served.client, "not-the-token", f"/stories/{story.id}/change/approve")
    assert forged.status_code == 403
    act(served.client, csrf, f"/stories/{story.id}/change/reject")
    again = flash_lines(
        served.client, act(served.client, csrf, f"/stories/{story.id}/change/approve")
    )
    assert again[0].startswith(f"Story #{story.id} has no change from its writer waiting")
    assert store.get(story.id).body_markdown == FIRST
    missing = flash_lines(served.client, act(served.client, csrf, "/stories/999/change/approve"))
    assert missing[0] == "Story #999 was deleted meanwhile."
