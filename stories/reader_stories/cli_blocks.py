"""The command line's safety tools: block a writer, the list that holds stories, closing an
article's stories. cli.py registers these commands beside its own.

`block` names the writer by --email, --network (the hash the store keeps) or --story ID (that
story's address and network); `unblock` ends a block by its number, or every active block on an
address or network; `blocks` lists them all. `hold-list` adds and removes words and domains and
prints the list; `close` and `reopen` rewrite the article page at once.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from reader_stories.moderation import closing
from reader_stories.moderation.blocks import (
    Writer,
    block_state,
    block_words,
    block_writer,
    blocked_in_words,
    check_days,
    check_note,
    writer_of_story,
)
from reader_stories.moderation.listed import normal_term
from reader_stories.store import Tx
from reader_stories.store.blocks import Block, BlockKind, TermKind

if TYPE_CHECKING:
    from reader_stories.cli import Command

MSG_WHO = "Name the writer: --email ADDRESS, --network HASH or --story ID (one of them)."
MSG_HOW_LONG = "Say how long: --days N (like --days 7) or --forever."
MSG_NETWORK = "--network takes the 64-character network hash the store keeps; not {value!r}."


def _whole(value: str, option: str, example: str) -> int:
    from reader_stories.cli import whole_number

    return whole_number(value, option, example)


def _days(args: argparse.Namespace) -> int | None:
    if bool(args.days) == bool(args.forever):
        raise ValueError(MSG_HOW_LONG)
    return None if args.forever else check_days(_whole(args.days, "--days", "7"))


def _network(value: str) -> str:
    text = value.strip().lower()
    if len(text) != 64 or any(c not in "0123456789abcdef" for c in text):
        raise ValueError(MSG_NETWORK.format(value=value))
    return text


def _writer(run: Command, tx: Tx) -> tuple[Writer, int | None]:
    """The writer named on the command line, and the story it was named by (if one)."""
    from reader_stories.cli import parse_ids

    args = run.args
    given = [name for name in ("email", "network", "story") if getattr(args, name)]
    if len(given) != 1:
        raise ValueError(MSG_WHO)
    secret = run.config.comments.secret_key
    if args.story:
        story_id = parse_ids(args.story)[0]
        ways = {BlockKind.EMAIL, BlockKind.NETWORK}
        return writer_of_story(tx, secret, story_id, ways), story_id
    if args.email:
        if "@" not in args.email:
            raise ValueError(f"--email takes an address like name@example.com; not {args.email!r}.")
        return Writer.of(secret, args.email, None), None
    return Writer(None, _network(args.network)), None


def _block(run: Command) -> None:
    days = _days(run.args)
    note = check_note(run.args.note)
    with run.moderating() as (store, _), store.writing() as tx:
        writer, story_id = _writer(run, tx)
        made = block_writer(tx, writer, days=days, note=note, actor=run.actor, story_id=story_id)
    run.say(*blocked_in_words(made))


def _unblock(run: Command) -> None:
    from reader_stories.cli import parse_ids

    args = run.args
    with run.moderating() as (store, _), store.writing() as tx:
        if args.id:
            if args.email or args.network or args.story:
                raise ValueError("Give a block's number, or --email/--network/--story: not both.")
            ids = [parse_ids(args.id)[0]]
        else:
            writer, _story = _writer(run, tx)
            ids = [b.id for kind, value in writer.names() if (b := tx.active_block(kind, value))]
            if not ids:
                raise ValueError("No active block on this writer; nothing was changed.")
        lifted = [tx.lift_block(block_id, actor=run.actor) for block_id in ids]
    run.say(*(f"Block #{block.id} lifted ({block_words(block)})." for block in lifted))


def block_line(block: Block, now: datetime) -> str:
    """One block, as `blocks` lists it."""
    state = block_state(block, now)
    line = f"#{block.id} {state}: {block_words(block)}; by {block.blocked_by} "
    line += f"{block.blocked_at:%Y-%m-%d %H:%M} UTC"
    if block.story_id is not None:
        line += f", from story #{block.story_id}"
    if block.lifted_at is not None:
        line += f"; lifted by {block.lifted_by} {block.lifted_at:%Y-%m-%d %H:%M} UTC"
    return line + (f' — "{block.note}"' if block.note else "")


def _blocks(run: Command) -> None:
    with run.moderating() as (store, _), store.reading() as tx:
        blocks, now = tx.blocks(), tx.clock()
    if not blocks:
        run.say("No writer is blocked.")
        return
    active = [b for b in blocks if b.active_at(now)]
    run.say(f"{len(active)} active of {len(blocks)}:", *(block_line(b, now) for b in blocks))


def _hold_list(run: Command) -> None:
    args = run.args
    changes = [
        (TermKind.WORD, True, args.add_word),
        (TermKind.DOMAIN, True, args.add_domain),
        (TermKind.WORD, False, args.remove_word),
        (TermKind.DOMAIN, False, args.remove_domain),
    ]
    said: list[str] = []
    with run.moderating() as (store, _), store.writing() as tx:
        for kind, adding, values in changes:
            for value in values:
                term = normal_term(kind, value)
                if adding:
                    done = tx.add_listed_term(kind, term, actor=run.actor)
                    said.append(
                        f"Added {kind.value} {term!r}." if done else f"{term!r} was listed."
                    )
                else:
                    done = tx.remove_listed_term(kind, term)
                    said.append(
                        f"Removed {kind.value} {term!r}." if done else f"{term!r} was not listed."
                    )
        terms = tx.listed_terms()
    words = [t.value for t in terms if t.kind == TermKind.WORD]
    domains = [t.value for t in terms if t.kind == TermKind.DOMAIN]
    said.append(f"Words ({len(words)}): {', '.join(words) or 'none'}")
    said.append(f"Domains ({len(domains)}): {', '.join(domains) or 'none'}")
    run.say(*said)


def _close(run: Command) -> None:
    with run.moderating() as (store, site):
        run.say(*closing.close(store, site, run.args.slug, run.actor))


def _reopen(run: Command) -> None:
    with run.moderating() as (store, site):
        run.say(*closing.reopen(store, site, run.args.slug))


COMMANDS: dict[str, tuple[Callable[[Command], None], str]] = {
    "block": (_block, "hold a writer's new stories for review, for N days or for good"),
    "unblock": (_unblock, "lift a block (by its number, or the writer's)"),
    "blocks": (_blocks, "list the blocks, active, expired and lifted"),
    "hold-list": (_hold_list, "the words and link domains that hold a story: add, remove, list"),
    "close": (_close, "close an article's stories: its form gives way to a note"),
    "reopen": (_reopen, "open an article's stories again"),
}


def _writer_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--email", default="", help="the address the writer gave")
    parser.add_argument("--network", default="", help="the network hash the store keeps")
    parser.add_argument("--story", default="", help="the writer of this story (both ways)")


def add_arguments(sub: dict[str, argparse.ArgumentParser]) -> None:
    """The options of these commands, on the parsers cli.py made for them."""
    _writer_options(sub["block"])
    sub["block"].add_argument("--days", default="", help="how many days the block lasts")
    sub["block"].add_argument("--forever", action="store_true", help="block for good")
    sub["block"].add_argument("--note", default="", help="why, for the moderators")
    sub["unblock"].add_argument("id", nargs="?", default="", help="the block's number")
    _writer_options(sub["unblock"])
    for option in ("--add-word", "--add-domain", "--remove-word", "--remove-domain"):
        sub["hold-list"].add_argument(option, action="append", default=[])
    for name in ("close", "reopen"):
        sub[name].add_argument("slug", help="the article's slug, as in its address")
