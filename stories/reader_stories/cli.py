"""The moderation command line: `reader-stories COMMAND` (or `invoke comments.COMMAND`).

Every command reads the settings file once (--settings, else $PELICAN_SETTINGS, else
./pelicanconf.py), opens the store it names and, for changes readers see, rewrites the article
pages in the built site at once. The actions are moderation/service.py's and their outcomes are
put in words by moderation/report.py, which the admin shares; what only the commands print (the
queue, one story, the mail outbox) is here. Every failure is one line on standard error and
exit status 1, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from reader_stories.config import SETTINGS_VARIABLE, Config, load_config, settings_path
from reader_stories.errors import StoriesError
from reader_stories.live.push import describe_pushes, push_due
from reader_stories.live.site import live_republisher
from reader_stories.models import Story
from reader_stories.moderation import actions, service
from reader_stories.moderation.report import describe, when
from reader_stories.notify.messages import Mailer
from reader_stories.notify.records import OutboxState
from reader_stories.notify.sender import Transport, deliver, emails
from reader_stories.pages.republish import LivePages
from reader_stories.proxies import proxy_notice
from reader_stories.settings import SettingsError
from reader_stories.store import Store, open_store
from reader_stories.validation import REPLY_TO_MAX


def story_record(story: Story) -> dict[str, object]:
    """The JSON shape of a pending story (no email, no IP hash)."""
    return {
        "id": story.id,
        "article": story.article,
        "name": story.name,
        "story": story.body_markdown,
        "created": story.created.isoformat(timespec="seconds"),
        "reply_to": story.parent_id,
        "status": story.status.value,
    }


def pending_listing(store: Store, as_json: bool = False) -> str:
    """The moderation queue; as text, followed by any mail not delivered (JSON: stories only)."""
    stories = store.pending()
    if as_json:
        return json.dumps([story_record(s) for s in stories], ensure_ascii=False, indent=2)
    mail = mail_report(store) + held_report(store)
    if not stories:
        return "\n".join(["No stories are waiting for moderation.", *mail])
    from reader_stories.story_html import plain_text  # markdown-it: only listings need it

    lines = [f"{len(stories)} waiting for moderation (oldest first):"]
    for story in stories:
        reply = f" reply to #{story.parent_id}" if story.parent_id else ""
        lines.append(
            f"#{story.id:<5} {story.created:%Y-%m-%d %H:%M}  {story.article}{reply}  "
            f"by {story.name}: {plain_text(story.body_markdown, limit=60)}"
        )
    return "\n".join([*lines, *mail])


def describe_outbox(state: OutboxState, now: datetime) -> list[str]:
    """Mail not delivered yet, or given up, in a line each; nothing when all is well."""
    lines = []
    if state.waiting:
        waiting = f"{emails(state.waiting)} waiting to be sent"
        problem = state.waiting_problem
        if problem is not None and problem.at is not None:
            tried = f"attempt {problem.attempts}, next try {when(problem.at, now)}"
            lines.append(f"{waiting}; last error: {problem.last_error} ({tried})")
        elif state.next_attempt is not None:
            lines.append(f"{waiting} (next try {when(state.next_attempt, now)})")
        else:
            lines.append(f"{waiting}.")
    if state.held:
        lines.append(f"{emails(state.held)} held until the writer confirms their address.")
    failed = state.failed_problem
    if state.failed and failed is not None:
        verb = "was" if state.failed == 1 else "were"
        lines.append(
            f"{emails(state.failed)} could not be sent and {verb} given up; last: "
            f"{failed.subject!r} after {failed.attempts} attempts, error: {failed.last_error}"
        )
    return lines


def held_report(store: Store) -> list[str]:
    """Imported comments kept aside without an article, if any: the owner decides on them."""
    with store.reading() as tx:
        held = tx.held_counts().total()
    if not held:
        return []
    what = "comment is" if held == 1 else "comments are"
    return [
        f"{held} imported {what} kept aside without an article: import again with --map FILE "
        "to place them, or drop them with `invoke comments.drop-unmapped`."
    ]


def mail_report(store: Store) -> list[str]:
    with store.reading() as tx:
        return describe_outbox(tx.outbox_state(), tx.clock())


def send_mail(store: Store, mailer: Mailer, transport: Transport) -> list[str]:
    """One delivery pass (`comments.send-mail`), then whatever is still not delivered."""
    if not mailer.enabled:
        return ["Email is off: set COMMENTS_SMTP_HOST (see the README) to send any."]
    report = deliver(store, mailer, transport)
    return [str(report), *mail_report(store)]


def show_story(store: Store, story_id: int) -> str:
    story, events = actions.show(store, story_id)
    lines = [
        f"Story #{story.id} on {story.article} ({story.status.value})",
        f"By:      {story.name}",
        f"Written: {story.created:%Y-%m-%d %H:%M} UTC",
    ]
    if story.parent_id:
        lines.append(f"Reply to: #{story.parent_id}")
    if story.edited:
        lines.append("Edited by a moderator")
    if story.reject_reason:
        lines.append(f"Reason:  {story.reject_reason}")
    lines += ["", "Preview (sanitised HTML, as it will be published):", story.body_html, ""]
    lines.append("History:")
    lines += [
        f"  {e.at:%Y-%m-%d %H:%M} {e.action.value} by {e.actor}" + (f": {e.note}" if e.note else "")
        for e in events
    ]
    return "\n".join(lines)


_ID_DIGITS = len(str(REPLY_TO_MAX))


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


def read_text_argument(text: str, file: str) -> str:
    if file:
        return Path(file).read_text(encoding="utf-8")
    return text


class Command:
    """One run of a command: its parsed arguments, the configuration and where output goes."""

    def __init__(self, args: argparse.Namespace, out: TextIO, err: TextIO) -> None:
        self.args = args
        self.out = out
        self.err = err
        self._config: Config | None = None

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

    def say(self, *lines: str) -> None:
        print("\n".join(lines), file=self.out)


def _pending(run: Command) -> None:
    with run.moderating() as (store, _):
        run.say(pending_listing(store, as_json=run.args.json))
        with store.reading() as tx:
            pushes = describe_pushes(run.config, tx.push_state(), tx.clock())
        pushes += proxy_notice(run.config.state)
        if run.args.json:  # standard output stays pure JSON
            for line in [*mail_report(store), *pushes]:
                print(line, file=run.err)
        elif pushes:
            run.say(*pushes)


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
        run.say(show_story(store, parse_ids(run.args.id)[0]))


def _approve(run: Command) -> None:
    with run.moderating() as (store, site):
        run.say(*describe(service.approve(store, site, parse_ids(run.args.ids), run.mailer())))


def _reject(run: Command) -> None:
    with run.moderating() as (store, site):
        ids = parse_ids(run.args.ids)
        run.say(*describe(service.reject(store, site, ids, run.args.reason or None)))


def _spam(run: Command) -> None:
    with run.moderating() as (store, site):
        run.say(*describe(service.spam(store, site, parse_ids(run.args.ids))))


def _edit(run: Command) -> None:
    with run.moderating() as (store, site):
        text = read_text_argument(run.args.text, run.args.file)
        run.say(*describe(service.edit(store, site, parse_ids(run.args.id)[0], text)))


def _reply(run: Command) -> None:
    with run.moderating() as (store, site):
        author = run.args.author or run.config.comments.author_name
        text = read_text_argument(run.args.text, run.args.file)
        story_id = parse_ids(run.args.id)[0]
        run.say(*describe(service.reply(store, site, story_id, text, author, run.mailer())))


def _delete(run: Command) -> None:
    with run.moderating() as (store, site):
        run.say(*describe(service.delete(store, site, parse_ids(run.args.ids))))


def _forget(run: Command) -> None:
    with run.moderating() as (store, site):
        run.say(*describe(service.forget(store, site, run.args.email)))


def _purge(run: Command) -> None:
    window = timedelta(seconds=run.config.comments.rate_limit.seconds)
    with run.moderating() as (store, site):
        run.say(*describe(service.purge(store, site, run.args.days, window)))


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

    folder = Path(run.args.to) if run.args.to else run.config.state / "backups"
    backup = take_backup(run.config.comments.database_url, folder, run.args.keep)
    run.say(f"Backed up {backup.stories} stories to {backup.path} (owner-only).")
    if backup.removed:
        run.say(f"Removed {len(backup.removed)} older backups; the newest {run.args.keep} stay.")


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
    "show": (_show, "show one story: its sanitised preview and its history"),
    "approve": (_approve, "approve stories (12 or 12,13): live at once, emails who asked"),
    "reject": (_reject, "reject stories; a published one leaves its page at once"),
    "spam": (_spam, "mark stories as spam"),
    "edit": (_edit, "replace a story's text (shown as edited by a moderator)"),
    "reply": (_reply, "publish the site author's reply under a story"),
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
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="reader-stories", description=__doc__.split("\n")[0])
    top.add_argument(
        "--settings", help=f"the Pelican settings file (default: ${SETTINGS_VARIABLE})"
    )
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub = {name: commands.add_parser(name, help=text) for name, (_, text) in COMMANDS.items()}
    sub["pending"].add_argument("--json", action="store_true", help="a JSON list on stdout")
    sub["show"].add_argument("id")
    for name in ("approve", "reject", "spam", "delete"):
        sub[name].add_argument("ids", help="story ids: 12, or 12,13")
    sub["reject"].add_argument("--reason", default="", help="why, kept with the story")
    for name in ("edit", "reply"):
        sub[name].add_argument("id")
        sub[name].add_argument("--text", default="")
        sub[name].add_argument("--file", default="", help="read the text from this file")
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
    sub["purge"].add_argument("--days", type=int, default=30, help="keep this many days")
    sub["backup"].add_argument("--to", default="", help="the folder (default: var/backups)")
    sub["backup"].add_argument("--keep", type=int, default=14, help="how many backups to keep")
    sub["restore"].add_argument("path", help="a backup file (.sqlite3 or .jsonl)")
    sub["set-password"].add_argument("--password-file", default="", help="first line is used")
    sub["set-password"].add_argument("--print-only", action="store_true")
    return top


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run one command; 0 when it did what was asked, 1 with one line on stderr when not."""
    args = parser().parse_args(argv)
    err = err or sys.stderr
    run = Command(args, out or sys.stdout, err)
    try:
        COMMANDS[args.command][0](run)
    except (StoriesError, SettingsError, ValueError, OSError) as problem:
        print(problem, file=err)
        return 1
    return 0
