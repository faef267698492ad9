"""The spam score from the command line (SQLite and PostgreSQL): `pending` gives each story's
score with its reasons under it and `--by-score` reads the queue highest first, `show` gives
the score beside the threshold, the JSON carries it, and a story never scored says so."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import store_calls as calls
from cli_support import Cli
from stories_support import FakeClock, add

from reader_stories.models import SpamScore, Status
from reader_stories.store import Store

LOW = SpamScore(1, ("a link (+1)",))
MIDDLE = SpamScore(3, ("a link (+1)", "2 codes of letters and digits (+2)"))


@pytest.fixture
def cli(tmp_path: Path, db_url: str, store: Store) -> Cli:
    return Cli(tmp_path, db_url)


def test_pending_gives_each_story_its_score_and_the_reasons_under_it(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    older = add(store, clock, name="Ada", body_markdown="Sent before scores were kept.")
    clean = add(store, clock, name="Bo", spam=SpamScore(0), body_markdown="Nothing odd here.")
    scored = add(store, clock, name="Cy", spam=MIDDLE, body_markdown="Codes and a link.")
    ran = cli("pending")
    assert ran.code == 0, ran.err
    when = f"{clock.now:%Y-%m-%d %H:%M}"
    assert ran.out_lines == [
        "3 waiting for moderation (newest first, as in the admin):",
        f"#{scored.id:<5} {when}  score 3   handling-job-rejection  by Cy: Codes and a link.",
        "         a link (+1); 2 codes of letters and digits (+2)",
        f"#{clean.id:<5} {when}  score 0   handling-job-rejection  by Bo: Nothing odd here.",
        f"#{older.id:<5} {when}  unscored  handling-job-rejection  by Ada: Sent before scores "
        "were kept.",
    ]


def test_pending_by_score_reads_highest_first_with_unscored_stories_last(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    never = add(store, clock, body_markdown="Sent before scores were kept.")
    low = add(store, clock, spam=LOW, body_markdown="One link in this one.")
    negative = add(store, clock, spam=SpamScore(-2), body_markdown="Its proof was solved.")
    middle = add(store, clock, spam=MIDDLE, body_markdown="Codes and a link.")
    ran = cli("pending", "--by-score")
    assert ran.code == 0, ran.err
    assert ran.out_lines[:2] == [
        "4 waiting for moderation (highest spam score first, unscored last, as in the admin):",
        "A story scoring 5 or more is held as suspected spam.",
    ]
    ids = [int(line.split()[0][1:]) for line in ran.out_lines if line.startswith("#")]
    assert ids == [middle.id, low.id, negative.id, never.id]
    narrowed = cli("pending", "--by-score", "--text", "link", "--json")
    records = json.loads(narrowed.out)
    assert [(r["id"], r["spam_score"], r["spam_reasons"]) for r in records] == [
        (middle.id, 3, list(MIDDLE.reasons)),
        (low.id, 1, ["a link (+1)"]),
    ]
    unscored = json.loads(cli("pending", "--json").out)[-1]
    assert (unscored["id"], unscored["spam_score"], unscored["spam_reasons"]) == (
        never.id,
        None,
        [],
    )


def test_by_score_with_the_held_bin_is_refused_in_words(cli: Cli, store: Store) -> None:
    add(store, spam=LOW)
    ran = cli("pending", "--held", "--by-score")
    assert ran.code == 1 and ran.out == ""
    assert ran.err_lines == [
        "--by-score orders the queue; the held bin is listed newest first, each story with its "
        "reasons. Leave out --by-score, or --held and --suspected."
    ]


def test_show_gives_the_score_beside_the_threshold_and_each_reason(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    scored = add(store, clock, spam=MIDDLE)
    lines = cli("show", str(scored.id)).out_lines
    start = lines.index("Spam:    score 3 (a story scoring 5 or more is held as suspected spam)")
    assert lines[start + 1 : start + 3] == [
        "         - a link (+1)",
        "         - 2 codes of letters and digits (+2)",
    ]
    never = add(store, clock, body_markdown="Sent before scores were kept.")
    shown = cli("show", str(never.id)).out_lines
    assert "Spam:    not scored (sent before scores were kept, or imported)" in shown
    assert not any("None" in line for line in shown)


def test_show_leaves_the_score_out_of_an_authors_reply(
    cli: Cli, store: Store, clock: FakeClock
) -> None:
    story = add(store, clock, spam=LOW)
    calls.set_status(store, story.id, Status.APPROVED, actor="Sam")
    reply = calls.add_author_reply(store, story.id, "Thank you.", author_name="Ed", actor="Sam")
    assert not any(line.startswith("Spam:") for line in cli("show", str(reply.id)).out_lines)
    assert "Spam:    score 1 (a story scoring 5 or more" in cli("show", str(story.id)).out
