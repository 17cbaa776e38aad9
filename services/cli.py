"""The `pakn` command."""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import sys
from pathlib import Path

from services.kit.errors import PaknError

EMBEDDED_DATA = Path("var/embedded")  # where `pakn embedded` keeps its SQLite files
SERVICES = ("intake", "router", "notifier")


class OperatorError(PaknError):
    """A mistake an operator can fix (a missing file, no database, a bad setting): a
    clear message and exit 2, never a traceback."""


def _configured(service: str) -> bool:
    """Whether this service's database URL is set (environment or `.env`)."""
    key = f"PAKN_{service.upper()}_DATABASE_URL"
    if os.environ.get(key):
        return True
    env = Path(".env")
    try:
        lines = env.read_text(encoding="utf-8").splitlines() if env.is_file() else []
    except OSError:
        return False
    return any(line.strip().startswith(f"{key}=") for line in lines)


def use_data(
    data: str | None, *, services: tuple[str, ...] = SERVICES, create: bool = False
) -> dict[str, str]:
    """Point the settings of `services` at an embedded data folder: `--data DIR` if given,
    else `var/embedded` (what `pakn embedded` uses) for each of them whose database URL is
    not configured. The environment variables set (to restore them after the command)."""
    from services.kit.settings import data_dir_url

    folder = Path(data) if data else EMBEDDED_DATA
    services = services if data else tuple(s for s in services if not _configured(s))
    if not services:
        return {}
    if not folder.is_dir():
        if not create:
            raise OperatorError(
                f"không có thư mục dữ liệu {folder}: chạy `pakn embedded --data {folder}` một "
                "lần (tạo cơ sở dữ liệu và tài khoản thử), hoặc `pakn migrate --data "
                f"{folder}`, hoặc đặt PAKN_<SERVICE>_DATABASE_URL trong .env"
            )
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    urls = {f"PAKN_{s.upper()}_DATABASE_URL": data_dir_url(folder, s) for s in services}
    os.environ.update(urls)
    return urls


def _services_of(args: argparse.Namespace) -> tuple[str, ...]:
    """The services whose databases a command uses."""
    if args.command == "import":
        return ("intake",)
    if args.command == "migrate":
        return SERVICES if args.service == "all" else (args.service,)
    return ("router",)  # accounts, holidays, cutover


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
        print(f"đã cập nhật cấu trúc cơ sở dữ liệu {url.split('@')[-1]}")
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
            run_import(
                path,
                settings=IntakeSettings(),
                err=sys.stderr,
                progress=not args.quiet,
                notify=not args.no_notify,
            )
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
    i = sub.add_parser(
        "import",
        parents=[_data_option()],
        help="nhập tệp phẳng (.jsonl/.csv) vào cơ sở dữ liệu tiếp nhận",
        description="Đăng ký từng dòng của tệp nhập phẳng (định dạng của interfaces.md §2): "
        "mỗi phản ánh, kiến nghị được cấp mã tra cứu, tiếp nhận hoặc từ chối, rồi định tuyến. "
        "Chạy lại cùng tệp không đăng ký trùng.",
        epilog="Ví dụ:\n  pakn import hop-thu-2023.jsonl\n"
        "  pakn import --no-notify --data var/embedded ton-dong-2023.csv\n"
        "Mã thoát: 0 đã đọc tệp; 1 không đọc được dòng nào; 2 không dùng được tệp hoặc "
        "cơ sở dữ liệu.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("file", help="tệp .jsonl hoặc .csv theo định dạng nhập phẳng")
    i.add_argument(
        "--json", action="store_true", help="in bản tổng hợp dưới dạng một đối tượng JSON"
    )
    i.add_argument("--quiet", action="store_true", help="không hiện thanh tiến độ")
    i.add_argument(
        "--no-notify",
        action="store_true",
        help="hồ sơ tồn đọng: không gửi thư cho người gửi (biên nhận, chuyển xử lý, trả lời…); "
        "cơ quan vẫn nhận hồ sơ như thường",
    )
    i.set_defaults(func=_import)


def _data_option() -> argparse.ArgumentParser:
    """`--data DIR`, shared by the commands that use the databases."""
    d = argparse.ArgumentParser(add_help=False)
    d.add_argument(
        "--data",
        metavar="DIR",
        help="thư mục dữ liệu của bản chạy gộp (pakn embedded). Mặc định: var/embedded cho "
        "mỗi dịch vụ chưa đặt PAKN_<SERVICE>_DATABASE_URL (môi trường hoặc .env)",
    )
    return d


def _topics(args: argparse.Namespace) -> int:
    from schemas.topics import Topics
    from services.intake.settings import IntakeSettings
    from services.notifier.settings import NotifierSettings
    from services.provision import (
        TopicConfigError,
        create_topics,
        deduplicated_topics,
        replay_horizons,
        replay_problems,
        wanted_topics,
    )
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
    consumed = deduplicated_topics(Topics(settings.topic_namespace))
    try:
        horizons = asyncio.run(
            replay_horizons(
                settings.kafka_bootstrap, consumed, client=settings.kafka_security().aiokafka()
            )
        )
    except TopicConfigError as error:
        print(f"không đọc được cấu hình topic {error}", file=sys.stderr)
        return 1
    remembered = {
        "intake": IntakeSettings().dedupe_days,
        "router": settings.dedupe_days,
        "notifier": NotifierSettings().dedupe_days,
    }
    problems = replay_problems(horizons, remembered)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


def _acls(args: argparse.Namespace) -> int:
    from schemas.topics import Topics
    from services.acls import apply, connection_from_env, describe, plan
    from services.router.cutover import all_agencies
    from services.router.settings import RouterSettings

    topics = Topics(RouterSettings().topic_namespace)
    wanted = plan(topics, all_agencies())
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


_RAW = argparse.RawDescriptionHelpFormatter
DATA_COMMANDS = {"migrate", "import", "accounts", "holidays", "cutover"}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="pakn",
        description="PAKN Gia Lai: tiếp nhận, định tuyến, thông báo phản ánh, kiến nghị.",
        epilog="Ví dụ:\n"
        "  pakn embedded                      cả hệ thống trên máy này, http://127.0.0.1:8000/\n"
        "  pakn embedded --port 8080 --data /tmp/pakn\n"
        "  pakn accounts create --agency STC --username ketoan --role officer\n"
        "  pakn import --no-notify ton-dong-2023.jsonl\n"
        "Không đặt PAKN_<SERVICE>_DATABASE_URL thì các lệnh dùng dữ liệu của bản chạy gộp "
        "(var/embedded, hoặc --data DIR).",
        formatter_class=_RAW,
    )
    p.add_argument("-v", "--verbose", action="store_true", help="ghi nhật ký chi tiết")
    sub = p.add_subparsers(dest="command", required=True, metavar="LỆNH")
    data = _data_option()

    e = sub.add_parser(
        "embedded",
        help="cả hệ thống trong một tiến trình, không cần dịch vụ ngoài",
        description="Chạy ba dịch vụ trong một tiến trình: SQLite trong thư mục dữ liệu, bus "
        "trong bộ nhớ thay Kafka, thư điện tử ghi thành tệp .eml trong DIR/mail. Lần đầu "
        "tạo tài khoản thử, danh sách trong DIR/tai-khoan-thu.tsv.",
        epilog="Ví dụ:\n  pakn embedded\n  pakn embedded --port 8080 --data /tmp/pakn",
        formatter_class=_RAW,
    )
    e.add_argument(
        "--data", metavar="DIR", default=str(EMBEDDED_DATA), help="thư mục dữ liệu (var/embedded)"
    )
    e.add_argument("--host", default="127.0.0.1", help="địa chỉ lắng nghe (127.0.0.1)")
    e.add_argument("--port", type=int, default=8000, help="cổng của các trang (8000)")
    e.set_defaults(func=_embedded)

    r = sub.add_parser(
        "run",
        help="chạy một dịch vụ với Kafka (cấu hình qua biến môi trường)",
        epilog="Ví dụ:\n  pakn run router",
        formatter_class=_RAW,
    )
    r.add_argument("service", choices=["intake", "router", "notifier"], help="dịch vụ")
    r.set_defaults(func=_run)

    t = sub.add_parser("topics", help="tạo mọi topic (theo cấu hình của router: broker, tiền tố)")
    t.add_argument("--partitions", type=int, help="mặc định: TOPIC_PARTITIONS (3)")
    t.add_argument(
        "--replication", type=int, help="mặc định: TOPIC_REPLICATION (1; 3 trên cụm máy)"
    )
    t.set_defaults(func=_topics)

    k = sub.add_parser(
        "acls", help="principal và ACL trên cụm Kafka bảo mật, theo danh mục cơ quan"
    )
    k.add_argument("--dry-run", action="store_true", help="chỉ in các quyền, không thay đổi gì")
    k.add_argument(
        "--credentials",
        default="var/kafka-credentials",
        help="thư mục ghi mật khẩu của principal mới (var/kafka-credentials)",
    )
    k.add_argument(
        "--rotate",
        action="append",
        metavar="PRINCIPAL",
        help="cấp mật khẩu mới cho principal này (tệp được ghi lại); lặp lại được",
    )
    k.set_defaults(func=_acls)

    c = sub.add_parser(
        "classify",
        help="chạy thử tiếp nhận và định tuyến trên một tệp nhập phẳng (không ghi gì)",
        epilog="Ví dụ:\n  pakn classify tests/data/pakn-holdout.jsonl",
        formatter_class=_RAW,
    )
    c.add_argument("file", help="tệp .jsonl hoặc .csv theo định dạng nhập phẳng")
    c.set_defaults(func=_classify)

    h = sub.add_parser("holidays", help="router: nạp lịch nghỉ chính thức, xem nhật ký")
    hs = h.add_subparsers(dest="action", required=True, metavar="VIỆC")
    hl = hs.add_parser(
        "load",
        parents=[data],
        help="kiểm tra FILE, tính lại thời hạn hồ sơ đang mở, ghi nhật ký",
        epilog="Ví dụ:\n  pakn holidays load lich-nghi-2027.yaml --by nguyenvana --dry-run",
        formatter_class=_RAW,
    )
    hl.add_argument(
        "file", help="YAML có danh sách `years`, như services/router/data/holidays.yaml"
    )
    hl.add_argument("--by", default="", help="người nạp (tên hoặc tài khoản): bắt buộc khi nạp")
    hl.add_argument("--dry-run", action="store_true", help="chỉ kiểm tra và hiện thay đổi")
    hs.add_parser("log", parents=[data], help="các lần thay đổi lịch nghỉ, mới nhất trước")
    h.set_defaults(func=_holidays)

    a = sub.add_parser("accounts", help="router: tài khoản cán bộ và mã API của cơ quan")
    acts = a.add_subparsers(dest="action", required=True, metavar="VIỆC")
    ac = acts.add_parser(
        "create",
        parents=[data],
        help="tạo một tài khoản cán bộ",
        epilog="Ví dụ:\n  pakn accounts create --agency STC --username ketoan --role officer\n"
        "  pakn accounts create --data /tmp/pakn --agency VPUB --username vanthu "
        "--role supervisor --password-file mk.txt",
        formatter_class=_RAW,
    )
    ac.add_argument("--agency", required=True, help="mã cơ quan, ví dụ STNMT")
    ac.add_argument("--username", required=True, help="tên đăng nhập")
    ac.add_argument(
        "--role",
        required=True,
        choices=["officer", "head", "supervisor"],
        help="officer (chuyên viên), head (lãnh đạo: duyệt trả lời), supervisor (Văn phòng)",
    )
    ac.add_argument("--name", default="", help="họ tên cán bộ")
    ac.add_argument("--password-file", help="đọc mật khẩu từ tệp này (không có: hỏi khi chạy)")
    ab = acts.add_parser(
        "bootstrap", parents=[data], help="mỗi cơ quan một tài khoản lãnh đạo, mật khẩu ngẫu nhiên"
    )
    ab.add_argument("--out", required=True, help="tệp mới ghi mật khẩu (quyền 600)")
    at = acts.add_parser("token", parents=[data], help="cấp mã API cho hệ thống của một cơ quan")
    at.add_argument("--agency", required=True, help="mã cơ quan")
    at.add_argument("--label", required=True, help="hệ thống nào dùng mã này")
    at.add_argument("--by", required=True, help="người cấp")
    acts.add_parser("list", parents=[data], help="liệt kê tài khoản")
    a.set_defaults(func=_accounts)

    _add_import(sub)

    co = sub.add_parser(
        "cutover",
        parents=[data],
        help="router: chuyển hồ sơ đang mở của cơ quan đã giải thể sang cơ quan kế nhiệm",
        epilog="Ví dụ:\n  pakn cutover --on 2025-07-01 --dry-run\n"
        "  pakn cutover --on 2025-07-01 --by nguyenvana",
        formatter_class=_RAW,
    )
    co.add_argument("--on", help="ngày chuyển, YYYY-MM-DD (mặc định: hôm nay, giờ Việt Nam)")
    co.add_argument("--dry-run", action="store_true", help="chỉ hiện các hồ sơ sẽ chuyển")
    co.add_argument("--by", default="", help="người thực hiện (tên hoặc tài khoản): bắt buộc")
    co.set_defaults(func=_cutover)

    m = sub.add_parser(
        "migrate",
        parents=[data],
        help="áp dụng các bản cập nhật cấu trúc cơ sở dữ liệu",
        epilog="Ví dụ:\n  pakn migrate\n  pakn migrate router\n  pakn migrate --data /tmp/pakn",
        formatter_class=_RAW,
    )
    m.add_argument(
        "service",
        nargs="?",
        default="all",
        choices=["all", "intake", "router", "notifier"],
        help="dịch vụ (mặc định: all)",
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
    saved = dict(os.environ)
    try:
        if args.command in DATA_COMMANDS:
            data, services = getattr(args, "data", None), _services_of(args)
            use_data(data, services=services, create=args.command == "migrate")
        status = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here, not at exit with a traceback
    except BrokenPipeError:
        return _reader_went_away()
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if args.verbose or (message := operator_message(error)) is None:
            raise
        print(f"pakn {args.command}: {message}", file=sys.stderr)
        return 2
    finally:
        os.environ.clear()
        os.environ.update(saved)  # `main` runs in tests too: leave the environment as found
    return status


def operator_message(error: BaseException) -> str | None:
    """What an operator's mistake means, in Vietnamese; None for a bug (the traceback)."""
    from pydantic import ValidationError
    from sqlalchemy.exc import DBAPIError

    if isinstance(error, OperatorError):
        return str(error)
    if isinstance(error, ValidationError):
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'giá trị'}: {e['msg']}" for e in error.errors()
        )
        return f"cấu hình không hợp lệ ({problems})"
    if isinstance(error, DBAPIError):
        return (
            f"lỗi cơ sở dữ liệu ({type(error.orig).__name__}: {str(error.orig)[:200]}). "
            "Đã chạy `pakn migrate` (hoặc `pakn embedded` một lần) chưa? Dữ liệu của bản chạy "
            "gộp: --data DIR (mặc định var/embedded)"
        )
    if isinstance(error, FileNotFoundError):
        return f"không có tệp {error.filename}"
    if isinstance(error, OSError):
        return f"không dùng được {error.filename or 'tệp'}: {error.strerror or error}"
    return None


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
