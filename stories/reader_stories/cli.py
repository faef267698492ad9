"""The moderation command line: `reader-stories COMMAND` (or `invoke comments.COMMAND`).

Every command reads the settings file once (--settings, else $PELICAN_SETTINGS, else
./pelicanconf.py), opens the store it names and, for changes readers see, rewrites the article
pages in the built site at once. The actions are moderation/service.py's and their outcomes are
put in words by moderation/report.py, which the admin shares; what only the commands print (the
queue, one story, the mail outbox) is here. Commands given several ids attempt every one and
report each on a line of its own. Every failure is said on standard error, a line per problem,
with exit status 1 and never a traceback; so is a command that could not do all it was asked.
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TextIO

from reader_stories import cli_blocks, cli_moderators
from reader_stories.cli_held import held_listing, held_notice
from reader_stories.cli_moderators import acting_name
from reader_stories.cli_views import (
    mail_report,
    pending_listing,
    send_mail,
    show_story,
    story_listing,
)
from reader_stories.config import SETTINGS_VARIABLE, Config, load_config, settings_path
from reader_stories.errors import StoriesError, ValidationFailed
from reader_stories.live.push import describe_pushes, push_due
from reader_stories.live.site import live_republisher
from reader_stories.models import HoldKind, Status
from reader_stories.moderation import held, service
from reader_stories.moderation.edit_rules import EditRules
from reader_stories.moderation.report import counted, describe, describe_done, not_done
from reader_stories.moderation.search_terms import ALL, CONTAINS, EXACT, read_terms
from reader_stories.notify.messages import Mailer
from reader_stories.pages.republish import LivePages
from reader_stories.proxies import proxy_notice
from reader_stories.settings import SettingsError
from reader_stories.store import Store, StoryFilter, open_store
from reader_stories.validation import REPLY_TO_MAX

_ID_DIGITS = len(str(REPLY_TO_MAX))
# How the checks' field names read on the command line.
FIELD_NAMES = {"story": "--text", "name": "--name"}


def parse_ids(text: str | Iterable[str]) -> list[int]:
    """'3,4 5' or ['3', '4'] -> [3, 4, 5]; anything else is refused with the offending part."""
    parts = text.replace(",", " ").split() if isinstance(text, str) else list(text)
    ids = []
    for part in parts:
        # ASCII digits only (str.isdigit() also takes "²", which int() refuses), and few enough
        # for int() to read and a database column to hold.
        digits = part.isascii() and part.isdigit() and len(part) <= _ID_DIGITS
        if not digits or not 0 < int(part) <= REPLY_TO_MAX:
            raise ValueError(f"{part!r} is not a story id; ids are whole numbers like 12.")
        ids.append(int(part))
    if not ids:
        raise ValueError("Give at least one story id, e.g. 12 or 12,13.")
    return ids


MSG_NO_EDIT = (
    'Nothing to change: give the new text with --text "..." or --file FILE, or the writer\'s '
    'new name with --name "...".'
)
MSG_NO_REPLY = 'Give the reply\'s text with --text "..." or --file FILE.'
MSG_TEXT_TWICE = "Give the text once: with --text or with --file, not both."


def read_text_argument(text: str | None, file: str | None) -> str | None:
    """The text of --text or of the file named by --file (UTF-8); None when neither is given."""
    if text is not None and file is not None:
        raise ValueError(MSG_TEXT_TWICE)
    if file is not None:
        path = Path(file)
        if path.is_dir():
            raise ValueError(f"{file} is a folder; give --file the path of a text file.")
        if not path.is_file():
            raise ValueError(f"There is no file {file}; give --file the path of a text file.")
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ValueError(f"{file} is not UTF-8 text; save it as UTF-8 and try again.") from None
    return text


class Incomplete(Exception):
    """Part of what was asked was not done; the report above says which part and why."""


class Command:
    """One run of a command: its parsed arguments, the configuration and where output goes."""

    def __init__(
        self, args: argparse.Namespace, out: TextIO, err: TextIO, config: Config | None = None
    ) -> None:
        self.args = args
        self.out = out
        self.err = err
        self._config = config

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.args.settings)
        return self._config

    @contextmanager
    def moderating(self) -> Iterator[tuple[Store, LivePages | None]]:
        """The store, and what brings the live site up to date after a change."""
        with open_store(self.config.comments.database_url) as store:
            yield store, live_republisher(self.config)

    def mailer(self) -> Mailer:
        return Mailer.for_config(self.config)

    @property
    def actor(self) -> str:
        """The name the history records for this command's actions (--as, else the user's)."""
        return acting_name(self.args.actor)

    def say(self, *lines: str) -> None:
        print("\n".join(lines), file=self.out)


def search_terms(
    args: argparse.Namespace, status: str | None, by_score: bool = False
) -> StoryFilter:
    """The filter options as the admin's filters read them (``by_score``: the admin's
    order=score); any unusable value stops the command with what is wrong with it."""
    terms = read_terms(
        status=status,
        article=args.article,
        writer=args.writer,
        match=EXACT if args.exact else CONTAINS,
        text=args.text,
        network=args.network,
    )
    if terms.problems:
        raise ValueError("\n".join(terms.problems))
    return replace(terms.wanted, by_score=by_score)


MSG_HELD_BY_SCORE = (
    "--by-score orders the queue; the held bin is listed newest first, each story with its "
    "reasons. Leave out --by-score, or --held and --suspected."
)


def _pending(run: Command) -> None:
    if run.args.held or run.args.suspected:
        if run.args.by_score:
            raise ValueError(MSG_HELD_BY_SCORE)
        _held(run)
        return
    wanted = search_terms(run.args, Status.PENDING.value, by_score=run.args.by_score)
    threshold = run.config.comments.spam_threshold
    with run.moderating() as (store, _):
        run.say(pending_listing(store, run.args.json, wanted, threshold))
        notice = [] if run.args.json else held_notice(store)
        if notice:
            run.say(*notice)
        with store.reading() as tx:
            pushes = describe_pushes(run.config, tx.push_state(), tx.clock())
        pushes += proxy_notice(run.config.state)
        if run.args.json:  # standard output stays pure JSON
            for line in [*mail_report(store), *pushes]:
                print(line, file=run.err)
        elif pushes:
            run.say(*pushes)


def _held(run: Command) -> None:
    kind = HoldKind.SUSPECTED if run.args.suspected else None
    with run.moderating() as (store, _):
        run.say(held_listing(store, kind, as_json=run.args.json))


def _release(run: Command) -> None:
    ids = parse_ids(run.args.ids)
    with run.moderating() as (store, _):
        result = held.release_each(store, ids, actor=run.actor)
    outcome = service.Outcome(service.Done.RETURNED, skipped=result.skipped, missing=result.missing)
    if result.done:
        run.say(*held.describe_released(result.done))
    if not outcome.complete:
        left = len(result.skipped) + len(result.missing)
        summary = f"{left} of {counted(len(set(ids)), 'story', 'stories')} not put in the queue."
        raise Incomplete("\n".join([*not_done(outcome), summary]))


def _list(run: Command) -> None:
    wanted = search_terms(run.args, run.args.status)
    limit = whole_number(run.args.limit, "--limit", "100")
    if limit < 1:
        raise ValueError("--limit takes a whole number from 1 up, like --limit 100.")
    with run.moderating() as (store, _):
        run.say(story_listing(store, wanted, limit, as_json=run.args.json))


def _push(run: Command) -> None:
    """What the service's push worker does, once and at once (for a server without one)."""
    target = run.config.target
    if target is None or target.local_folder is not None:
        where = run.config.live_site
        run.say(f"The public site is {where}, rewritten in place: nothing waits to be pushed.")
        return
    with run.moderating() as (store, _):
        report = push_due(run.config, store, settle=timedelta(0))
    run.say(str(report) if report is not None else "Nothing waits to be pushed.")
    if report is not None and report.error:
        raise ValueError("The push failed; it is tried again later.")


def _show(run: Command) -> None:
    with run.moderating() as (store, _):
        threshold = run.config.comments.spam_threshold
        run.say(show_story(store, parse_ids(run.args.id)[0], threshold))


def _report(run: Command, outcome: service.Outcome, asked: int, verb: str) -> None:
    """Each id's line: what was done on standard output; what was not, and why, on standard
    error with a count, and exit status 1."""
    done = describe_done(outcome)
    if done:
        run.say(*done)
    if not outcome.complete:
        left = len(outcome.skipped) + len(outcome.missing)
        summary = f"{left} of {counted(asked, 'story', 'stories')} not {verb}."
        raise Incomplete("\n".join([*not_done(outcome), summary]))


def _move(run: Command, target: Status, verb: str, reason: str | None = None) -> None:
    ids = parse_ids(run.args.ids)
    mailer = run.mailer() if target == Status.APPROVED else None
    with run.moderating() as (store, site):
        outcome = service.move_each(store, site, ids, target, reason, mailer, run.actor)
    _report(run, outcome, len(set(ids)), verb)


def _approve(run: Command) -> None:
    _move(run, Status.APPROVED, "approved")


def _reject(run: Command) -> None:
    _move(run, Status.REJECTED, "rejected", run.args.reason or None)


def _spam(run: Command) -> None:
    _move(run, Status.SPAM, "marked as spam")


def _requeue(run: Command) -> None:
    _move(run, Status.PENDING, "returned to pending")


def _edit(run: Command) -> None:
    story_id = parse_ids(run.args.id)[0]
    text = read_text_argument(run.args.text, run.args.file)
    if text is None and run.args.name is None:
        raise ValueError(MSG_NO_EDIT)
    comments = run.config.comments
    rules = EditRules(comments.max_links, comments.author_name)
    with run.moderating() as (store, site):
        outcome = service.edit(store, site, story_id, text, rules, run.args.name, run.actor)
    run.say(*describe(outcome))


def _redact(run: Command) -> None:
    story_id = parse_ids(run.args.id)[0]
    comments = run.config.comments
    rules = EditRules(comments.max_links, comments.author_name)
    with run.moderating() as (store, site):
        outcome = service.redact(store, site, story_id, run.args.text, rules, run.actor)
    run.say(*describe(outcome))


def _reply(run: Command) -> None:
    story_id = parse_ids(run.args.id)[0]
    text = read_text_argument(run.args.text, run.args.file)
    if text is None:
        raise ValueError(MSG_NO_REPLY)
    author = run.args.author or run.config.comments.author_name
    actor, mailer = run.actor, run.mailer()
    with run.moderating() as (store, site):
        run.say(*describe(service.reply(store, site, story_id, text, author, mailer, actor)))


def _approve_change(run: Command) -> None:
    story_id = parse_ids(run.args.id)[0]
    with run.moderating() as (store, site):
        outcome = service.approve_change(store, site, story_id, run.mailer(), run.actor)
        run.say(*describe(outcome))


def _reject_change(run: Command) -> None:
    story_id = parse_ids(run.args.id)[0]
    with run.moderating() as (store, site):
        outcome = service.reject_change(
            store, site, story_id, run.args.reason or None, run.mailer(), run.actor
        )
    run.say(*describe(outcome))


def _delete(run: Command) -> None:
    ids = parse_ids(run.args.ids)
    with run.moderating() as (store, site):
        outcome = service.delete_each(store, site, ids, run.actor)
    _report(run, outcome, len(set(ids)), "deleted")


def _forget(run: Command) -> None:
    with run.moderating() as (store, site):
        run.say(*describe(service.forget(store, site, run.args.email)))


def whole_number(value: str, option: str, example: str) -> int:
    """An option's value as a whole number, or a message naming the option and what to write."""
    text = value.strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 9):
        raise ValueError(f"{option} takes a whole number, like {option} {example}; not {value!r}.")
    return int(text)


def _purge(run: Command) -> None:
    days = whole_number(run.args.days, "--days", "30")
    window = timedelta(seconds=run.config.comments.rate_limit.seconds)
    with run.moderating() as (store, site):
        run.say(*describe(service.purge(store, site, days, window)))
        held_days = run.config.comments.held_days
        run.say(held.describe_purged(held.purge(store, held_days), held_days))


def _export(run: Command) -> None:
    from reader_stories import archive

    with run.moderating() as (store, _):
        if run.args.path:
            tally = archive.export_to_file(store, Path(run.args.path))
            run.say(*archive.export_summary(tally, run.args.path))
        else:
            tally = archive.export_to_stream(store, run.out.buffer)
            print("\n".join(archive.export_summary(tally, "standard output")), file=run.err)


def _import(run: Command) -> None:
    from reader_stories.importers import FORMATS, OWN_FORMAT, import_path

    args = run.args
    if args.format not in FORMATS:
        raise ValueError(f"Unknown format {args.format!r}; use one of: {', '.join(FORMATS)}.")
    if args.format == OWN_FORMAT:
        if args.dry_run or args.map or args.author or args.author_email:
            raise ValueError(
                "--dry-run, --map, --author and --author-email are for --format isso, disqus "
                "or pelican-comment-system; an export is restored as it is."
            )
        with run.moderating() as (store, _):
            run.say(*import_path(store, Path(args.path), args.format))
        return
    _import_foreign(run)


def _import_foreign(run: Command) -> None:
    from reader_stories.importers import ImportOptions, import_foreign
    from reader_stories.importers.plan import Owner
    from reader_stories.importers.site_articles import built_site_articles
    from reader_stories.importers.url_map import UrlMap, read_map

    args = run.args
    site = built_site_articles(run.config.site)
    options = ImportOptions(
        site=site,
        url_map=read_map(Path(args.map), site) if args.map else UrlMap(),
        owner=Owner.of(args.author, args.author_email),
        timezone=run.config.site.timezone,
        dry_run=args.dry_run,
    )
    with run.moderating() as (store, _):
        result = import_foreign(store, Path(args.path), args.format, options)
    run.say(*result.lines)
    if result.shown_articles:
        count = len(result.shown_articles)
        articles = "1 article" if count == 1 else f"{count} articles"
        run.say(f"Run `invoke build` to show them on the site ({articles}).")


def _drop_unmapped(run: Command) -> None:
    from reader_stories.importers import FOREIGN

    source = run.args.source or None
    if source is not None and source not in FOREIGN:
        raise ValueError(f"Unknown source {source!r}; use one of: {', '.join(FOREIGN)}.")
    with run.moderating() as (store, _), store.writing() as tx:
        dropped = tx.drop_held(source)
    what = "comment" if dropped == 1 else "comments"
    run.say(f"Dropped {dropped} imported {what} that had no article here.")


def _send_mail(run: Command) -> None:
    from reader_stories.notify.smtp import SmtpTransport

    mailer = run.mailer()
    with run.moderating() as (store, _):
        run.say(*send_mail(store, mailer, SmtpTransport.from_settings(mailer.settings)))


def _backup(run: Command) -> None:
    from reader_stories.store.backup import take_backup

    keep = whole_number(run.args.keep, "--keep", "14")
    folder = Path(run.args.to) if run.args.to else run.config.state / "backups"
    backup = take_backup(run.config.comments.database_url, folder, keep)
    stories = counted(backup.stories, "story", "stories")
    run.say(f"Backed up {stories} to {backup.path} (owner-only).")
    if backup.removed:
        removed = counted(len(backup.removed), "older backup", "older backups")
        run.say(f"Removed {removed}; the newest {keep} stay.")


def _restore(run: Command) -> None:
    from reader_stories.store.backup import restore_backup

    run.say(restore_backup(run.config.comments.database_url, Path(run.args.path)))
    run.say("Publish the site again (invoke publish) so its pages show the restored stories.")


def _set_password(run: Command) -> None:
    """Needs no configuration: the hash goes beside the settings file (var/admin.env)."""
    from reader_stories.web.admin.passwords import read_new_password, set_password

    try:
        password = read_new_password(run.args.password_file)
    except EOFError:
        raise ValueError("No password was given; nothing was changed.") from None
    root = settings_file(run.args.settings).resolve().parent
    run.say(set_password(password, root, print_only=run.args.print_only))


def settings_file(named: str | None) -> Path:
    return settings_path(named)


COMMANDS: dict[str, tuple[Callable[[Command], None], str]] = {
    "pending": (_pending, "list the stories waiting for moderation, and mail not yet sent"),
    "list": (_list, "list stories of any status by article, writer, words or network"),
    "show": (_show, "show one story: its sanitised preview and its history"),
    "approve": (_approve, "approve stories (12 or 12,13): live at once, emails who asked"),
    "reject": (_reject, "reject stories; a published one leaves its page at once"),
    "spam": (_spam, "mark stories as spam"),
    "requeue": (_requeue, "undo a decision: the stories wait for moderation again"),
    "release": (_release, "put held stories (suspected spam, ...) in the moderation queue"),
    "edit": (_edit, "replace a story's text or name (shown as edited by a moderator)"),
    "redact": (_redact, "take a piece of personal data out of a story, wherever it stands"),
    "reply": (_reply, "publish the site author's reply under a story"),
    "approve-change": (_approve_change, "publish a writer's change to their published story"),
    "reject-change": (_reject_change, "drop a writer's change; the published story stays"),
    "delete": (_delete, "delete stories and their replies for good"),
    "export": (_export, "export every story and the moderation history (JSON Lines)"),
    "import": (_import, "restore an export, or import Isso, Disqus, pelican-comment-system"),
    "drop-unmapped": (_drop_unmapped, "drop the imported comments kept aside without an article"),
    "forget": (_forget, "remove every story written with an email address"),
    "purge": (_purge, "drop rejected, spam and never-moderated stories older than N days"),
    "send-mail": (_send_mail, "send the notification emails that are due (one pass)"),
    "push": (_push, "push changed pages to a public site published elsewhere, now"),
    "backup": (_backup, "a consistent copy of the store, taken while the service runs"),
    "restore": (_restore, "bring a backup back"),
    "set-password": (_set_password, "set the web admin's password (its hash, in var/admin.env)"),
    **cli_moderators.COMMANDS,
    **cli_blocks.COMMANDS,
}


def add_search_options(command: argparse.ArgumentParser) -> None:
    """The admin's filters, as options."""
    command.add_argument("--article", default="", help="only stories on this article (its slug)")
    command.add_argument(
        "--writer", default="", help="name or email contains this (case-insensitive)"
    )
    command.add_argument("--exact", action="store_true", help="--writer is the whole name or email")
    command.add_argument("--text", default="", help="the story's text contains this")
    command.add_argument("--network", default="", help="network hash, or its first 6+ characters")


@functools.cache
def parser() -> argparse.ArgumentParser:
    """Made once a process: the stories service runs a command for every moderation action
    typed while it is up, and building the parser took about 5 ms of each."""
    top = argparse.ArgumentParser(prog="reader-stories", description=__doc__.split("\n")[0])
    top.add_argument(
        "--settings", help=f"the Pelican settings file (default: ${SETTINGS_VARIABLE})"
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub = {name: commands.add_parser(name, help=text) for name, (_, text) in COMMANDS.items()}
    for name in ("pending", "list"):
        add_search_options(sub[name])
        sub[name].add_argument("--json", action="store_true", help="a JSON list on stdout")
    sub["list"].add_argument(
        "--status", default=ALL, help="pending, approved, rejected, spam or all (the default)"
    )
    sub["list"].add_argument("--limit", default="100", help="show at most this many (100)")
    sub["pending"].add_argument(
        "--held", action="store_true", help="the held bin instead: every kind, with reasons"
    )
    sub["pending"].add_argument(
        "--suspected", action="store_true", help="only the stories suspected of spam"
    )
    sub["pending"].add_argument(
        "--by-score", action="store_true", help="highest spam score first, unscored last"
    )
    sub["show"].add_argument("id")
    for name in ("approve", "reject", "spam", "requeue", "delete", "release"):
        sub[name].add_argument("ids", help="story ids: 12, or 12,13")
    sub["reject"].add_argument("--reason", default="", help="why, kept with the story")
    for name in ("edit", "reply"):
        sub[name].add_argument("id")
        sub[name].add_argument("--text", help="the new text (Markdown)")
        sub[name].add_argument("--file", help="read the text from this file (UTF-8)")
    sub["edit"].add_argument("--name", help="the writer's new name (recorded in the history)")
    for name in ("approve-change", "reject-change"):
        sub[name].add_argument("id", help="the published story's id")
    sub["reject-change"].add_argument("--reason", default="", help="why, kept in the history")
    sub["redact"].add_argument("id")
    sub["redact"].add_argument("text", help="the text to take out, as `show` lists it")
    sub["reply"].add_argument("--author", default="", help="the name shown (default: AUTHOR)")
    sub["export"].add_argument("--path", default="", help="a file (default: standard output)")
    sub["import"].add_argument("path")
    formats = "nextround (an export, the default), pelican-comment-system, isso or disqus"
    sub["import"].add_argument("--format", default="nextround", help=formats)
    sub["import"].add_argument(
        "--dry-run", action="store_true", help="report what the import would do; write nothing"
    )
    sub["import"].add_argument("--map", default="", help="a file of old address -> slug lines")
    sub["import"].add_argument(
        "--author", action="append", default=[], help="a name the site's author signed with"
    )
    sub["import"].add_argument(
        "--author-email", action="append", default=[], help="an address of the site's author"
    )
    sub["drop-unmapped"].add_argument(
        "--source", default="", help="only this format's (default: every format's)"
    )
    sub["forget"].add_argument("email")
    sub["purge"].add_argument("--days", default="30", help="keep this many days (default 30)")
    sub["backup"].add_argument("--to", default="", help="the folder (default: var/backups)")
    sub["backup"].add_argument("--keep", default="14", help="how many backups to keep (14)")
    sub["restore"].add_argument("path", help="a backup file (.sqlite3 or .jsonl)")
    sub["set-password"].add_argument("--password-file", default="", help="first line is used")
    sub["set-password"].add_argument("--print-only", action="store_true")
    cli_moderators.add_arguments(sub)
    cli_blocks.add_arguments(sub)
    return top


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    config: Config | None = None,
) -> int:
    """Run one command; 0 when it did all that was asked, 1 with what was not on stderr. The
    stories service passes its own ``config`` for the commands it runs for the command line."""
    args = parser().parse_args(argv)
    err = err or sys.stderr
    run = Command(args, out or sys.stdout, err, config)
    try:
        COMMANDS[args.command][0](run)
    except ValidationFailed as failed:
        for error in failed.errors:
            print(f"{FIELD_NAMES.get(error.field, error.field)}: {error.message}.", file=err)
        print("Nothing was changed.", file=err)
        return 1
    except (StoriesError, SettingsError, ValueError, LookupError, OSError, Incomplete) as problem:
        print(problem, file=err)
        return 1
    return 0
