"""Author and maintainer tasks. Run `invoke --list`; each task's docstring is its help text.

The tasks are thin: the work happens in plain functions in sitetools/, stories/ and tips/.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
from datetime import datetime
from pathlib import Path

from invoke import Collection, Exit, task

from reader_stories.config import point_settings_at, settings_path
from reader_stories.env_file import apply_environment, forget_environment, point_environment_at
from reader_stories.settings import SettingsError

ROOT = Path(__file__).resolve().parent
# On a server, the production environment file `invoke use-settings --env-file` recorded: the
# secret, SITEURL and PUBLISH_TARGET for every task, as systemd gives them to the service.
try:
    apply_environment(ROOT)
except SettingsError as problem:
    raise SystemExit(str(problem)) from None

CONFIG = {
    "settings": ROOT / "pelicanconf.py",
    "publish_settings": ROOT / "publishconf.py",
    "output": ROOT / "output",
    "content": ROOT / "content" / "articles",
    "staging": ROOT / "var" / "publish",
    "screenshots": ROOT / "docs" / "screenshots",
    "host": "127.0.0.1",
    "port": 8000,
}
# The settings file the stories service and `invoke comments.*` read: PELICAN_SETTINGS, else what
# `invoke use-settings` pointed this checkout at (publishconf.py on a server), else pelicanconf.py.
SETTINGS_FOR_COMMENTS = settings_path(folder=ROOT)


def _build(settings: Path, output: Path) -> None:
    from pelican.log import init as init_logging

    from sitetools.build import BuildFailed, build_site

    init_logging(level=logging.WARNING)
    try:
        report = build_site(settings, output)
    except BuildFailed as failure:
        raise Exit(str(failure), code=1) from None
    print(f"Built {output.relative_to(ROOT)}/ in {report.seconds:.2f} s")


def _config():
    """The settings file the comments tasks name, for `invoke intake`."""
    from reader_stories.config import load_config
    from reader_stories.settings import SettingsError

    try:
        return load_config(SETTINGS_FOR_COMMENTS)
    except SettingsError as problem:
        raise Exit(str(problem), code=1) from None


def _say_mail(comments) -> None:
    if comments.mail_enabled and comments.mail_interval > 0:
        print(f"Sending notification emails every {comments.mail_interval} s in the background.")


@task
def clean(c):
    """Remove the generated site (output/)."""
    shutil.rmtree(CONFIG["output"], ignore_errors=True)


@task
def build(c):
    """Build the site into output/ with the development settings, then index it for search."""
    _build(CONFIG["settings"], CONFIG["output"])


@task(pre=[clean, build])
def rebuild(c):
    """Remove output/ and build the site from scratch."""


def _watched() -> list[Path]:
    """What a rebuild follows: content, theme and the project's own code."""
    return [ROOT / name for name in ("content", "theme", "plugins", "tips", "stories")]


@task
def regenerate(c):
    """Rebuild whenever content, theme or settings change (no server); Ctrl+C stops.

    A saved article's page is rewritten first, in a fraction of a second; a full build follows.
    """
    import threading

    from pelican.log import init as init_logging

    from sitetools.build import BuildFailed
    from sitetools.reload.live import restart
    from sitetools.reload.rebuilder import Rebuilder
    from sitetools.reload.watch import SiteWatcher

    init_logging(level=logging.WARNING)
    rebuilder = Rebuilder(CONFIG["settings"], CONFIG["output"])
    watcher = SiteWatcher(rebuilder, _watched(), on_code=restart)
    try:
        report = rebuilder.full()
        print(f"Built {CONFIG['output'].relative_to(ROOT)}/ in {report.seconds:.2f} s")
    except BuildFailed as failure:
        print(failure)
    print("Watching content, theme, settings and code for changes (Ctrl+C stops).")
    with contextlib.suppress(KeyboardInterrupt):
        watcher.run(threading.Event())


@task(help={"build": "build the site first (default); --no-build serves output/ as it is"})
def serve(c, build=True):
    """Build, then serve the site at http://127.0.0.1:8000 until Ctrl+C."""
    import uvicorn
    from pelican.log import init as init_logging

    from reader_stories.settings import SettingsError
    from sitetools.build import BuildFailed
    from sitetools.serve import ADMIN_PATH, development_server

    init_logging(level=logging.WARNING)
    build = build or not CONFIG["output"].is_dir()
    try:
        server = development_server(CONFIG["settings"], CONFIG["output"], build=build)
    except (BuildFailed, SettingsError) as problem:
        raise Exit(str(problem), code=1) from None
    if server.build is not None:
        print(f"Built {CONFIG['output'].relative_to(ROOT)}/ in {server.build.seconds:.2f} s")
    _say_mail(server.config.comments)
    print(f"Serving the site and story intake at http://{CONFIG['host']}:{CONFIG['port']}/")
    print(
        f"Moderate in the browser at http://{CONFIG['host']}:{CONFIG['port']}{ADMIN_PATH}/ "
        "(once `invoke comments.add-moderator NAME --owner` has made an account)."
    )
    print("Moderate with `invoke comments.pending` and `invoke comments.approve ID`. Ctrl+C stops.")
    uvicorn.run(
        server.app,
        host=CONFIG["host"],
        port=CONFIG["port"],
        proxy_headers=False,
        log_level="warning",
    )


@task(
    help={
        "host": "address to listen on",
        "port": "port to listen on",
        "workers": "worker processes on one store (one per core uses every core; default 1)",
    }
)
def intake(c, host="127.0.0.1", port=8001, workers=1):
    """Run the stories service (intake at /stories, admin at /admin) behind a reverse proxy.

    Reads PELICAN_SETTINGS (default pelicanconf.py); with publishconf.py it needs
    COMMENTS_SECRET_KEY in the environment. With mail set up, it sends notifications too.
    Any ASGI server can run the same app: uvicorn --factory reader_stories.web:create_app,
    with the flags docs/operations.md gives for the limits below.
    """
    import uvicorn

    from reader_stories.config import SETTINGS_VARIABLE
    from reader_stories.web.app import create_service
    from reader_stories.web.server import server_options
    from reader_stories.web.workers import PortTaken, run_workers

    config = _config()  # read here too, so a wrong setting is one line before any worker starts
    _say_mail(config.comments)
    workers = int(workers)
    if workers < 1:
        raise Exit("--workers must be 1 or more.", code=1)
    print(f"Story intake listening on http://{host}:{port}/stories/ (Ctrl+C stops)")
    # Timeouts and connection limits for slow clients, and no access log (every reader's IP
    # address): see reader_stories/web/server.py.
    options = {"log_level": "info", **server_options()}
    if workers == 1:
        uvicorn.run(create_service(config), host=host, port=int(port), **options)
        return
    # Each worker process reads the same settings file: the one this task read. Each listens on
    # a socket of its own, so connections spread evenly (reader_stories/web/workers.py).
    os.environ[SETTINGS_VARIABLE] = str(SETTINGS_FOR_COMMENTS)
    try:
        status = run_workers("reader_stories.web:create_app", workers, host, int(port), options)
    except PortTaken as exc:
        raise Exit(f"{exc}: stop what listens there, or choose another --port.", code=1) from None
    if status:
        raise Exit("The stories service could not start: see the error above.", code=status)


@task
def livereload(c):
    """Serve at http://127.0.0.1:8000 (stories too) and rebuild and reload on every save.

    A saved article's page is rewritten and reloaded first, in a fraction of a second; a full
    build follows and reloads any other open page it changed.
    """
    import threading

    import uvicorn
    from pelican.log import init as init_logging

    from reader_stories.settings import SettingsError
    from sitetools.build import BuildFailed
    from sitetools.reload.live import live_server, restart

    init_logging(level=logging.WARNING)
    try:
        live = live_server(CONFIG["settings"], CONFIG["output"], _watched(), on_code=restart)
    except (BuildFailed, SettingsError) as problem:
        raise Exit(str(problem), code=1) from None
    print(f"Built {CONFIG['output'].relative_to(ROOT)}/ in {live.build.seconds:.2f} s")
    _say_mail(live.config.comments)
    stop = threading.Event()
    threading.Thread(target=live.watcher.run, args=(stop,), daemon=True).start()
    print(f"Serving and reloading at http://{CONFIG['host']}:{CONFIG['port']}/ (Ctrl+C stops)")
    try:
        uvicorn.run(
            live.app,
            host=CONFIG["host"],
            port=CONFIG["port"],
            proxy_headers=False,
            log_level="warning",
            timeout_graceful_shutdown=1,  # open pages keep their event streams open
        )
    finally:
        stop.set()


@task
def preview(c):
    """Build the production version (publishconf.py) into output/ to look at before publishing."""
    _build(CONFIG["publish_settings"], CONFIG["output"])


@task(
    help={
        "target": "override PUBLISH_TARGET",
        "method": "override PUBLISH_METHOD (rsync|git)",
        "force": "publish even if the live site shows stories this store has never held",
    }
)
def publish(c, target="", method="", force=False):
    """Build with publishconf.py into a fresh staging folder, check it, then deploy it.

    A failed build or check deploys nothing, so the previous deployment stays whole; neither
    does a build from a store that lacks stories the live site shows (unless --force).
    """
    from pelican.log import init as init_logging

    from sitetools.publish import PublishFailed, publish_site

    init_logging(level=logging.WARNING)
    overrides = {}
    if target:
        overrides["PUBLISH_TARGET"] = target
    if method:
        overrides["PUBLISH_METHOD"] = method
    try:
        deployed = publish_site(
            CONFIG["publish_settings"], CONFIG["staging"], overrides, force=force
        )
    except PublishFailed as failure:
        raise Exit(str(failure), code=1) from None
    print(f"Published to {deployed} ({deployed.method})")


@task(
    name="use-settings",
    help={
        "file": "the settings file: publishconf.py on a server, pelicanconf.py to undo",
        "env-file": "the production environment file (secrets, SITEURL) every task then reads",
    },
)
def use_settings(c, file, env_file=""):
    """Make this checkout's tasks and stories service read FILE (and an environment file)."""
    from reader_stories.config import SETTINGS_POINTER
    from reader_stories.env_file import read_environment

    if not (ROOT / file).is_file():
        raise Exit(f"{file} does not exist in {ROOT}.", code=1)
    if Path(file) == Path("pelicanconf.py"):
        (ROOT / SETTINGS_POINTER).unlink(missing_ok=True)
        forget_environment(ROOT)
        print("The comments tasks and the stories service read pelicanconf.py again.")
        return
    pointer = point_settings_at(Path(file), ROOT)
    print(f"The comments tasks and the stories service now read {file} ({pointer}).")
    if env_file:
        try:
            names = sorted(read_environment(Path(env_file)))
        except SettingsError as problem:
            raise Exit(str(problem), code=1) from None
        point_environment_at(Path(env_file), ROOT)
        print(f"Every task now reads {env_file} first ({len(names)} variables).")


@task(help={"title": "the article's title", "category": "its category"})
def new(c, title, category="Career Growth"):
    """Scaffold a dated draft article in content/articles/ from a title."""
    from sitetools.scaffold import new_article

    try:
        path = new_article(title, CONFIG["content"], datetime.now(), category=category)
    except (ValueError, FileExistsError) as problem:
        raise Exit(str(problem), code=1) from None
    print(f"Created {path.relative_to(ROOT)}")


@task
def check(c):
    """Check output/: every internal link, anchor and asset resolves; feeds and sitemap parse."""
    from sitetools.build import load_settings
    from sitetools.check import check_site

    settings = load_settings(CONFIG["settings"])
    if not (CONFIG["output"] / "index.html").is_file():
        raise Exit("output/ has no site yet: run `invoke build` first.", code=1)
    problems = check_site(CONFIG["output"], settings["SITEURL"], settings["SITE_ROOT"])
    for problem in problems:
        print(problem)
    if problems:
        raise Exit(f"{len(problems)} problem(s) found.", code=1)
    print("All links, anchors, assets, feeds and the sitemap check out.")


@task
def screenshots(c):
    """Build the site and refresh the README screenshots in docs/screenshots/."""
    from sitetools.screenshots import take_screenshots

    _build(CONFIG["settings"], CONFIG["output"])
    for path in take_screenshots(CONFIG["output"], CONFIG["screenshots"]):
        print(f"Wrote {path.relative_to(ROOT)}")


# Moderation: `invoke comments.pending`, `invoke comments.approve 12,13`, ... Each task runs the
# stories package's command line (reader_stories/cli.py, also installed as `reader-stories`).


def _cli(*argv: str) -> None:
    """One moderation command on the settings the comments tasks read; failures exit 1. The
    running stories service takes the moderation actions when it can, at once
    (reader_stories/control.py); otherwise, or if it reads another store, they run here."""
    from reader_stories.control import DELEGATED, delegate

    if argv and argv[0] in DELEGATED:
        from reader_stories.config import load_config

        try:
            answer = delegate(load_config(SETTINGS_FOR_COMMENTS), argv)
        except SettingsError:
            answer = None  # the command, run here, says what is wrong with the settings
        if answer is not None:
            print(answer.out, end="")
            print(answer.err, end="", file=sys.stderr)
            if answer.code != 0:
                raise Exit(code=1)
            return
    from reader_stories.cli import main

    if main(["--settings", str(SETTINGS_FOR_COMMENTS), *argv]) != 0:
        raise Exit(code=1)


def _text(text: str, file: str) -> list[str]:
    """--text and --file as given; neither when both are empty, so the command says what to give."""
    return [*(["--text", text] if text else []), *(["--file", file] if file else [])]


def _as(actor: str) -> list[str]:
    """--as NAME when given: the name the story's history records (default: the system user)."""
    return ["--as", actor] if actor else []


AS_HELP = "the name the history records (default: your system user name)"


SEARCH_HELP = {
    "article": "only stories on this article (its slug)",
    "writer": "only stories whose writer's name or email contains this (any case)",
    "exact": "--writer is the whole name or email, not a part",
    "text": "only stories whose text contains this (any case)",
    "network": "only stories from this network hash (or its first 6 or more characters)",
    "json": "print a JSON list instead of a table",
}


def _search(article: str, writer: str, exact: bool, text: str, network: str) -> list[str]:
    """The filter options given, as the command line takes them."""
    given = [("--article", article), ("--writer", writer), ("--text", text), ("--network", network)]
    options = [part for name, value in given if value for part in (name, value)]
    return options + (["--exact"] if exact else [])


@task(
    name="pending",
    help={
        **SEARCH_HELP,
        "held": "list the held bin instead (suspected spam, blocked, listed), with reasons",
        "suspected": "list only the stories suspected of spam, with reasons",
        "by_score": "highest spam score first, unscored last (the admin's order=score)",
    },
)
def comments_pending(
    c,
    article="",
    writer="",
    exact=False,
    text="",
    network="",
    json=False,
    held=False,
    suspected=False,
    by_score=False,
):
    """List the stories waiting for moderation, newest first, each with its spam score and
    reasons, and any email not yet delivered."""
    options = _search(article, writer, exact, text, network)
    flags = {"--json": json, "--held": held, "--suspected": suspected, "--by-score": by_score}
    _cli("pending", *options, *(flag for flag, wanted in flags.items() if wanted))


@task(
    name="list",
    help={
        **SEARCH_HELP,
        "status": "pending, approved, rejected, spam or all (the default)",
        "limit": "show at most this many (default 100)",
    },
)
def comments_list(
    c,
    status="all",
    article="",
    writer="",
    exact=False,
    text="",
    network="",
    limit="100",
    json=False,
):
    """List stories of any status by article, writer, words or network, as the admin finds them."""
    options = _search(article, writer, exact, text, network)
    _cli("list", "--status", status, "--limit", str(limit), *options, *(["--json"] if json else []))


@task(name="send-mail")
def comments_send_mail(c):
    """Send the notification emails that are due: one pass (serve and intake also send them)."""
    _cli("send-mail")


@task(name="show")
def comments_show(c, id):
    """Show one story: its spam score, the sanitised preview as it would be published, and
    its history."""
    _cli("show", id)


@task(name="approve", help={"as_": AS_HELP})
def comments_approve(c, ids, as_=""):
    """Approve stories (ids like 12 or 12,13), update their pages at once, email who asked."""
    _cli("approve", ids, *_as(as_))


@task(name="reject", help={"reason": "why, kept with the story for the record", "as_": AS_HELP})
def comments_reject(c, ids, reason="", as_=""):
    """Reject stories; an already published one is taken off its page at once."""
    _cli("reject", ids, "--reason", reason, *_as(as_))


@task(name="spam", help={"as_": AS_HELP})
def comments_spam(c, ids, as_=""):
    """Mark stories as spam; they never reach the site."""
    _cli("spam", ids, *_as(as_))


@task(
    name="edit",
    help={
        "text": "the new text",
        "file": "read the new text from a file",
        "name": "the writer's new name",
        "as_": AS_HELP,
    },
)
def comments_edit(c, id, text="", file="", name="", as_=""):
    """Replace a story's text or its writer's name (shown as edited by a moderator)."""
    _cli("edit", id, *_text(text, file), *(["--name", name] if name else []), *_as(as_))


@task(
    name="redact",
    help={"text": "the personal detail to take out, as comments.show lists it", "as_": AS_HELP},
)
def comments_redact(c, id, text, as_=""):
    """Take a personal detail (a name, an address) out of a story: "[name removed]" in its place."""
    _cli("redact", id, text, *_as(as_))


@task(
    name="reply",
    help={"text": "the reply", "file": "read it from a file", "author": "name", "as_": AS_HELP},
)
def comments_reply(c, id, text="", file="", author="", as_=""):
    """Publish the site author's reply under a story, shown with an Author badge."""
    _cli("reply", id, *_text(text, file), "--author", author, *_as(as_))


@task(name="requeue", help={"as_": AS_HELP})
def comments_requeue(c, ids, as_=""):
    """Undo a decision: the stories wait for moderation again (a published one leaves its page)."""
    _cli("requeue", ids, *_as(as_))


@task(name="approve-change", help={"as_": AS_HELP})
def comments_approve_change(c, id, as_=""):
    """Publish a writer's change to their published story; its page is updated at once."""
    _cli("approve-change", id, *_as(as_))


@task(name="reject-change", help={"reason": "why, kept in the story's history", "as_": AS_HELP})
def comments_reject_change(c, id, reason="", as_=""):
    """Drop a writer's change to their published story; the published version stays."""
    _cli("reject-change", id, "--reason", reason, *_as(as_))


@task(name="release", help={"as_": AS_HELP})
def comments_release(c, ids, as_=""):
    """Put held stories (suspected spam, ...) in the moderation queue, like any other story."""
    _cli("release", ids, *_as(as_))


@task(name="delete", help={"as_": AS_HELP})
def comments_delete(c, ids, as_=""):
    """Delete stories and their replies for good (e.g. at the writer's request)."""
    _cli("delete", ids, *_as(as_))


@task(name="export", help={"path": "write to this file; without it, to standard output"})
def comments_export(c, path=""):
    """Export every story, in every status, and the moderation history as JSON Lines."""
    _cli("export", "--path", path)


@task(
    name="import",
    iterable=["author", "author_email"],
    help={
        "path": "the file (or, for pelican-comment-system, the comments folder) to import",
        "format": "nextround (a comments.export file, the default), pelican-comment-system, "
        "isso or disqus",
        "dry_run": "report what the import would do, per old address; write nothing",
        "map": "a file of 'old-address slug' lines for addresses that do not map by themselves",
        "author": "a name the site's author signed comments with (repeatable): Author badge",
        "author_email": "an address the site's author commented with (repeatable)",
    },
)
def comments_import(
    c, path, format="nextround", dry_run=False, map="", author=None, author_email=None
):
    """Restore a comments.export file, or import Isso, Disqus or pelican-comment-system comments."""
    argv = ["import", path, "--format", format, *(["--dry-run"] if dry_run else [])]
    argv += ["--map", map] if map else []
    argv += [part for name in author or [] for part in ("--author", name)]
    argv += [part for email in author_email or [] for part in ("--author-email", email)]
    _cli(*argv)


@task(name="drop-unmapped", help={"source": "only this format's: isso, disqus, ..."})
def comments_drop_unmapped(c, source=""):
    """Drop the imported comments kept aside because no article here has their address."""
    _cli("drop-unmapped", "--source", source)


@task(name="push")
def comments_push(c):
    """Push the pages moderation changed to a public site published elsewhere, now."""
    _cli("push")


@task(name="backup", help={"to": "the folder (default var/backups)", "keep": "how many to keep"})
def comments_backup(c, to="", keep="14"):
    """Back up the story store while the service keeps running; keeps the newest 14."""
    # A text default: invoke would turn "--keep abc" into a traceback; the command says why.
    _cli("backup", "--to", to, "--keep", keep)


@task(name="restore")
def comments_restore(c, path):
    """Bring a backup of the story store back (then publish the site again)."""
    _cli("restore", path)


@task(name="forget")
def comments_forget(c, email):
    """Remove every story written with an email address, and the replies under them."""
    _cli("forget", email)


@task(name="purge", help={"days": "keep this many days (default 30)"})
def comments_purge(c, days="30"):
    """Drop rejected, spam and never-moderated stories older than N days (default 30)."""
    # A text default: invoke would turn "--days abc" into a traceback; the command says why.
    _cli("purge", "--days", days)


@task(
    name="block",
    help={
        "email": "the address the writer gave",
        "network": "the network hash the store keeps",
        "story": "the writer of this story (its address and network)",
        "days": "how many days the block lasts",
        "forever": "block for good",
        "note": "why, for the moderators",
    },
)
def comments_block(c, email="", network="", story="", days="", forever=False, note=""):
    """Hold a writer's new stories for review (they are not told), for N days or for good."""
    who = [*(["--email", email] if email else []), *(["--network", network] if network else [])]
    who += ["--story", story] if story else []
    how_long = ["--forever"] if forever else (["--days", days] if days else [])
    _cli("block", *who, *how_long, "--note", note)


@task(
    name="unblock",
    help={
        "email": "lift the blocks on this address",
        "network": "lift the blocks on this network hash",
        "story": "lift the blocks on this story's writer",
    },
)
def comments_unblock(c, id="", email="", network="", story=""):
    """Lift a block, by its number (comments.blocks lists them) or by the writer."""
    who = [*(["--email", email] if email else []), *(["--network", network] if network else [])]
    _cli("unblock", *([id] if id else []), *who, *(["--story", story] if story else []))


@task(name="blocks")
def comments_blocks(c):
    """List the blocks on writers: active, expired and lifted."""
    _cli("blocks")


@task(
    name="hold-list",
    iterable=["add_word", "add_domain", "remove_word", "remove_domain"],
    help={
        "add-word": "hold stories with this word or phrase (repeatable)",
        "add-domain": "hold stories linking to this domain or its subdomains (repeatable)",
        "remove-word": "take a word off the list (repeatable)",
        "remove-domain": "take a domain off the list (repeatable)",
    },
)
def comments_hold_list(c, add_word=None, add_domain=None, remove_word=None, remove_domain=None):
    """Change and print the list of words and link domains that hold a story for review."""
    argv: list[str] = []
    for option, values in (
        ("--add-word", add_word),
        ("--add-domain", add_domain),
        ("--remove-word", remove_word),
        ("--remove-domain", remove_domain),
    ):
        for value in values or []:
            argv += [option, value]
    _cli("hold-list", *argv)


@task(name="close")
def comments_close(c, slug):
    """Close an article's stories: its page shows a note instead of the form, at once."""
    _cli("close", slug)


@task(name="reopen")
def comments_reopen(c, slug):
    """Open an article's stories again: its form is back, at once."""
    _cli("reopen", slug)


@task(
    name="set-password",
    help={
        "password_file": "read the password from the first line of this file (for scripts)",
        "print_only": "print the line for a production environment; write nothing",
    },
)
def comments_set_password(c, password_file="", print_only=False):
    """Set the admin's single password (before accounts): asks twice, hash to var/admin.env."""
    _cli(
        "set-password", "--password-file", password_file, *(["--print-only"] if print_only else [])
    )


@task(name="moderators")
def comments_moderators(c):
    """List the moderator accounts: name, role, when created, last login."""
    _cli("moderators")


@task(
    name="add-moderator",
    help={
        "name": "the moderator's name, as the history will show it",
        "owner": "an owner, who can also add and remove moderators",
        "password_file": "read the password from this file's first line (- for standard input)",
        "from_admin_password": "keep the password set with comments.set-password for this account",
    },
)
def comments_add_moderator(c, name, owner=False, password_file="", from_admin_password=False):
    """Add a moderator account; asks for its password twice."""
    _cli(
        "add-moderator",
        name,
        *(["--owner"] if owner else []),
        *(["--password-file", password_file] if password_file else []),
        *(["--from-admin-password"] if from_admin_password else []),
    )


@task(
    name="set-moderator-password",
    help={"password_file": "read the password from this file's first line (- for standard input)"},
)
def comments_set_moderator_password(c, name, password_file=""):
    """Set or reset a moderator's password (asked twice); their sessions end."""
    _cli("set-moderator-password", name, "--password-file", password_file)


@task(name="set-role", help={"role": "owner or moderator"})
def comments_set_role(c, name, role):
    """Make a moderator an owner, or an owner a moderator (never the last owner)."""
    _cli("set-role", name, role)


@task(name="remove-moderator")
def comments_remove_moderator(c, name):
    """Remove a moderator account (never the last owner); its sessions end."""
    _cli("remove-moderator", name)


comments = Collection(
    "comments",
    comments_pending,
    comments_list,
    comments_show,
    comments_approve,
    comments_reject,
    comments_spam,
    comments_requeue,
    comments_release,
    comments_edit,
    comments_redact,
    comments_reply,
    comments_approve_change,
    comments_reject_change,
    comments_delete,
    comments_export,
    comments_import,
    comments_drop_unmapped,
    comments_forget,
    comments_purge,
    comments_push,
    comments_backup,
    comments_restore,
    comments_send_mail,
    comments_set_password,
    comments_moderators,
    comments_add_moderator,
    comments_set_moderator_password,
    comments_set_role,
    comments_remove_moderator,
    comments_block,
    comments_unblock,
    comments_blocks,
    comments_hold_list,
    comments_close,
    comments_reopen,
)


@task(
    help={
        "sizes": "comma-separated corpus sizes (default 100,1000,5000)",
        "runs": "runs per size below 5000 (default 3)",
        "skip_isso": "do not install and run Isso (the intake peer)",
        "skip_hugo": "do not install and run Hugo (the build's reference row)",
        "quick": "sizes 100,1000, one run, a shorter intake load",
        "profile": "profile whatever misses its target (default on)",
    }
)
def bench(c, sizes="", runs=0, skip_isso=False, skip_hugo=False, quick=False, profile=True):
    """Benchmark the site against plain Pelican, Hugo and Isso; writes bench/results/latest.*"""
    from bench import harness

    harness.main(
        sizes=sizes,
        runs=int(runs),
        skip_isso=skip_isso,
        skip_hugo=skip_hugo,
        quick=quick,
        profile=profile,
    )


namespace = Collection(
    clean,
    build,
    rebuild,
    regenerate,
    serve,
    intake,
    livereload,
    preview,
    publish,
    use_settings,
    new,
    check,
    screenshots,
    bench,
)
namespace.add_collection(comments)
