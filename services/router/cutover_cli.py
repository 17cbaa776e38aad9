"""`pakn cutover [--on DATE] [--dry-run] [--by WHO]`: show, then apply, the passage of open
cases from agencies that ceased to exist to their successors (see `services.router.cutover`).

It works on the router's database (settings from `PAKN_ROUTER_*`); the running router's
relay publishes the events staged here, and the notifier mails each submitter once.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
from datetime import date
from typing import TextIO

from services.kit.columns import utc_now
from services.router import cutover
from services.router.domain.calendar import local_date
from services.router.service import RouterService
from services.router.settings import RouterSettings


def run_cutover(args: argparse.Namespace, *, out: TextIO, err: TextIO) -> int:
    try:
        day = date.fromisoformat(args.on) if args.on else local_date(utc_now())
    except ValueError:
        print(f"pakn cutover: ngày không hợp lệ: {args.on} (dạng YYYY-MM-DD)", file=err)
        return 2
    if not args.dry_run and not args.by.strip():
        print("pakn cutover: cho biết ai thực hiện: --by TÊN (hoặc chạy thử --dry-run)", file=err)
        return 2
    return asyncio.run(_main(RouterService(RouterSettings()), args=args, day=day, out=out))


async def _main(service: RouterService, *, args: argparse.Namespace, day: date, out: TextIO) -> int:
    try:
        moves = await cutover.plan(service.db, day=day)
        print_plan(moves, day=day, out=out)
        if args.dry_run:
            print("(chạy thử: chưa chuyển hồ sơ nào)", file=out)
            return 0
        async with service.db.session() as session:
            core = await service.current_core(session)
        applied = await cutover.apply(service.db, core=core, day=day, by=args.by.strip())
        print(
            f"Đã chuyển {len(applied.moved)} hồ sơ (người thực hiện: {args.by.strip()}).",
            file=out,
        )
        if applied.retired:
            print(
                "Cơ quan chấm dứt hoạt động, tài khoản và khóa API chỉ còn xem hồ sơ cũ: "
                + ", ".join(applied.retired),
                file=out,
            )
        return 0
    finally:
        await service.db.dispose()


def print_plan(moves: Sequence[cutover.Move], *, day: date, out: TextIO) -> None:
    if not moves:
        print(f"Ngày {day:%d/%m/%Y}: không có hồ sơ đang mở nào cần chuyển.", file=out)
        return
    print(f"Ngày {day:%d/%m/%Y}: {len(moves)} hồ sơ đang mở cần chuyển.", file=out)
    print("Mã hồ sơ\tTừ\tĐến\tLý do", file=out)
    for move in moves:
        print(
            f"{move.tracking_code}\t{move.from_agency}\t"
            f"{move.to_agency} {cutover.name_of(move.to_agency)}\t{move.why}",
            file=out,
        )
    triage = sum(1 for m in moves if m.to_triage)
    if triage:
        print(f"{triage} hồ sơ chuyển về hàng chờ phân loại của Văn phòng UBND tỉnh.", file=out)
