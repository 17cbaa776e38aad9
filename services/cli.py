"""The `pakn` command."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import sys
from datetime import datetime
from pathlib import Path


def _run(args: argparse.Namespace) -> int:
    from services.runners import run_on_kafka

    service = _service(args.service)
    s = service.settings
    asyncio.run(
        run_on_kafka(
            service,
            bootstrap=s.kafka_bootstrap,
            host=s.http_host,
            port=s.http_port,
            workers=s.consumer_workers,
            security=s.kafka_security(),
        )
    )
    return 0


def _service(name: str):  # type: ignore[no-untyped-def]
    if name == "intake":
        from services.intake.service import IntakeService
        from services.intake.settings import IntakeSettings

        return IntakeService(IntakeSettings())
    if name == "router":
        from services.router.service import RouterService
        from services.router.settings import RouterSettings

        return RouterService(RouterSettings())
    from services.notifier.service import NotifierService
    from services.notifier.settings import NotifierSettings

    return NotifierService(NotifierSettings())


def _migrate(args: argparse.Namespace) -> int:
    from services.intake.settings import IntakeSettings
    from services.kit.migrate import upgrade
    from services.notifier.settings import NotifierSettings
    from services.router.settings import RouterSettings

    settings = {"intake": IntakeSettings, "router": RouterSettings, "notifier": NotifierSettings}
    names = list(settings) if args.service == "all" else [args.service]
    for url in dict.fromkeys(settings[name]().database_url for name in names):
        upgrade(url)
        print(f"migrated {url.split('@')[-1]}")
    return 0


def _embedded(args: argparse.Namespace) -> int:
    from services.embedded import run_embedded

    asyncio.run(run_embedded(Path(args.data), host=args.host, port=args.port))
    return 0


def _classify(args: argparse.Namespace) -> int:
    from services.classify import run
    from services.intake.flatfile import FlatFileError

    try:
        return run(Path(args.file), out=sys.stdout, err=sys.stderr)
    except FlatFileError as error:
        print(f"pakn classify: {error}", file=sys.stderr)
        return 2


def _holidays(args: argparse.Namespace) -> int:
    from services.router.holidays_cli import run_holidays

    return run_holidays(args, out=sys.stdout, err=sys.stderr)


def _accounts(args: argparse.Namespace) -> int:
    from services.router.console.accounts_cli import run_accounts

    if args.action != "list":
        return run_accounts(args, out=sys.stdout, err=sys.stderr)
    # Written here, outside run_accounts' handling of OSError, so that a reader that closed
    # the pipe (`pakn accounts list | head`) ends the command quietly (see `main`).
    listing = io.StringIO()
    status = run_accounts(args, out=listing, err=sys.stderr)
    sys.stdout.write(listing.getvalue())
    return status


def _cutover(args: argparse.Namespace) -> int:
    from services.router.cutover_cli import run_cutover

    return run_cutover(args, out=sys.stdout, err=sys.stderr)


def _import(args: argparse.Namespace) -> int:
    """0: the file was read (items may have been refused or bad lines reported); 1: not one
    line could be read, or no item at all; 2: the file or the database cannot be used."""
    from services.intake.import_command import ImportFailed, failure, print_summary, run_import
    from services.intake.settings import IntakeSettings

    path = Path(args.file)
    try:
        summary = asyncio.run(
            run_import(path, settings=IntakeSettings(), err=sys.stderr, progress=not args.quiet)
        )
    except ImportFailed as error:
        print(f"pakn import: {error}", file=sys.stderr)
        return 2
    print_summary(summary, name=path.name, out=sys.stdout, as_json=args.json)
    if (why := failure(summary, name=path.name)) is not None:
        print(f"pakn import: {why}", file=sys.stderr)
        return 1
    return 0


def _add_import(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("import", help="register a flat import file into the intake database")
    i.add_argument("file", help=".jsonl or .csv in the flat import format")
    i.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    i.add_argument("--quiet", action="store_true", help="no progress bar")
    i.set_defaults(func=_import)


def _topics(args: argparse.Namespace) -> int:
    from schemas.topics import Topics
    from services.provision import create_topics, wanted_topics
    from services.router.cutover import all_agencies
    from services.router.domain.agencies import load_agencies
    from services.router.settings import RouterSettings

    settings = RouterSettings()
    file = settings.agencies_file
    agencies = load_agencies(file) if file else all_agencies()  # every period's agencies
    names = wanted_topics(Topics(settings.topic_namespace), agencies)
    created = asyncio.run(
        create_topics(
            settings.kafka_bootstrap,
            names,
            partitions=args.partitions or settings.topic_partitions,
            replication=args.replication or settings.topic_replication,
            client=settings.kafka_security().aiokafka(),
        )
    )
    print(f"{len(created)} topic(s) created, {len(names) - len(created)} already there")
    return 0


def _acls(args: argparse.Namespace) -> int:
    from schemas.timezone import VIETNAM
    from schemas.topics import Topics
    from services.acls import apply, connection_from_env, describe, plan
    from services.router.cutover import all_agencies
    from services.router.settings import RouterSettings

    topics = Topics(RouterSettings().topic_namespace)
    wanted = plan(topics, all_agencies(), datetime.now(VIETNAM).date())
    if args.dry_run:
        print(describe(wanted))
        print(f"{len(wanted)} grant(s)")
        return 0
    outcome = apply(
        connection_from_env(dict(os.environ)),
        topics,
        wanted,
        Path(args.credentials),
        rotate=args.rotate or (),
    )
    print(describe(outcome.added))
    print(
        f"{len(outcome.users_created)} principal(s) created (passwords in {args.credentials}), "
        f"{len(outcome.added)} grant(s) added, {len(outcome.removed)} removed"
    )
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pakn", description="PAKN Gia Lai: intake, routing, notices")
    p.add_argument("-v", "--verbose", action="store_true")
    sub = p.add_subparsers(dest="command", required=True)

    e = sub.add_parser("embedded", help="run the whole system in one process, no external services")
    e.add_argument("--data", default="var/embedded", help="folder for SQLite files and e-mails")
    e.add_argument("--host", default="127.0.0.1")
    e.add_argument("--port", type=int, default=8000)
    e.set_defaults(func=_embedded)

    r = sub.add_parser("run", help="run one service against Kafka (configured by environment)")
    r.add_argument("service", choices=["intake", "router", "notifier"])
    r.set_defaults(func=_run)

    t = sub.add_parser("topics", help="create every topic (router's settings: broker, namespace)")
    t.add_argument("--partitions", type=int, help="default: the TOPIC_PARTITIONS setting (3)")
    t.add_argument(
        "--replication", type=int, help="default: the TOPIC_REPLICATION setting (1; 3 on a cluster)"
    )
    t.set_defaults(func=_topics)

    k = sub.add_parser("acls", help="principals and ACLs on the secured cluster, from the agencies")
    k.add_argument("--dry-run", action="store_true", help="print the grants, change nothing")
    k.add_argument(
        "--credentials",
        default="var/kafka-credentials",
        help="folder for new principals' passwords",
    )
    k.add_argument(
        "--rotate",
        action="append",
        metavar="PRINCIPAL",
        help="give this principal a new password (its file is rewritten); repeatable",
    )
    k.set_defaults(func=_acls)

    c = sub.add_parser("classify", help="dry-run intake and routing on a flat import file")
    c.add_argument("file", help=".jsonl or .csv in the flat import format")
    c.set_defaults(func=_classify)

    h = sub.add_parser("holidays", help="router: load an official holiday schedule, see the log")
    hs = h.add_subparsers(dest="action", required=True)
    hl = hs.add_parser("load", help="validate FILE, recalculate open cases' deadlines, log it")
    hl.add_argument("file", help="YAML with a `years` list, as services/router/data/holidays.yaml")
    hl.add_argument("--by", default="", help="who loads it (name or account): required to load")
    hl.add_argument("--dry-run", action="store_true", help="validate and show the changes only")
    hs.add_parser("log", help="show the holiday-table changes, newest first")
    h.set_defaults(func=_holidays)

    a = sub.add_parser("accounts", help="router: officers' accounts and agencies' API tokens")
    acts = a.add_subparsers(dest="action", required=True)
    ac = acts.add_parser("create", help="create one officer account")
    ac.add_argument("--agency", required=True, help="agency code, e.g. STNMT")
    ac.add_argument("--username", required=True)
    ac.add_argument("--role", required=True, choices=["officer", "head", "supervisor"])
    ac.add_argument("--name", default="", help="the officer's full name")
    ac.add_argument("--password-file", help="read the password from this file (else a prompt)")
    ab = acts.add_parser("bootstrap", help="a head account per agency, random passwords")
    ab.add_argument("--out", required=True, help="a new file for the passwords (mode 600)")
    at = acts.add_parser("token", help="issue an API token for an agency's own system")
    at.add_argument("--agency", required=True)
    at.add_argument("--label", required=True, help="which system uses it")
    at.add_argument("--by", required=True, help="who issues it")
    acts.add_parser("list", help="list the accounts")
    a.set_defaults(func=_accounts)

    _add_import(sub)

    co = sub.add_parser(
        "cutover", help="router: move open cases of ended agencies to their successors"
    )
    co.add_argument("--on", help="the day of the cut-over, YYYY-MM-DD (default: today, Vietnam)")
    co.add_argument("--dry-run", action="store_true", help="show the moves, change nothing")
    co.add_argument("--by", default="", help="who applies it (name or account): required to apply")
    co.set_defaults(func=_cutover)

    m = sub.add_parser("migrate", help="apply the database migrations")
    m.add_argument(
        "service", nargs="?", default="all", choices=["all", "intake", "router", "notifier"]
    )
    m.set_defaults(func=_migrate)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if not args.verbose:  # each migration step is not news to an operator
        logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        status = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, not at exit with a traceback
    except BrokenPipeError:
        return _reader_went_away()
    return status


SIGPIPE_STATUS = 128 + 13  # what a shell reports for a command ended by SIGPIPE


def _reader_went_away() -> int:
    """`pakn accounts list | head`: the reader closed the pipe. End quietly, as a command
    killed by SIGPIPE would (https://docs.python.org/3/library/signal.html#note-on-sigpipe):
    standard output goes to /dev/null so that the interpreter's last flush cannot fail."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return SIGPIPE_STATUS


if __name__ == "__main__":
    sys.exit(main())
