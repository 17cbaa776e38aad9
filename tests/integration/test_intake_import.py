"""`pakn import` on a 50,000-line CSV against PostgreSQL: it streams (its memory is the
same for 5,000 lines and for 50,000), every line is registered or reported, and the
intake relay then publishes the cases' events on the real broker."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func
from sqlmodel import select

from schemas.topics import Topics
from services.intake.models import IntakeCase, RawPayload
from services.intake.service import IntakeService
from services.intake.settings import IntakeSettings
from tests.integration.conftest import _pg_database
from tests.support import RunningService, events_of, eventually, read_topic

LINES = 50_000
VALID_EVERY = 25  # the other lines are the junk real exports carry, reported by number
# Held in memory, the 45,000 extra lines would add some 50 MB (measured); streamed, nothing.
MAX_GROWTH_MB = 15
# Runs `pakn import` and reports the process's peak memory on the last line of stderr.
RUNNER = (
    "import resource, sys; from services.cli import main; code = main(sys.argv[1:]); "
    "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr); sys.exit(code)"
)


def write_export(path: Path, lines: int = LINES) -> None:
    columns = ["id", "channel", "received_at", "name", "address", "phone", "title", "content"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for i in range(lines):
            received = "2023-03-06T08:15:00+07:00" if i % VALID_EVERY == 0 else "06/03/2023"
            phone = f"09{i:08d}"
            writer.writerow([f"CALL-{i}", "hotline", received, f"Trần Văn Bình {i}",
                             f"thôn {i % 40}, xã Ia Kha, huyện Ia Grai", phone,
                             f"Chậm cấp giấy chứng nhận quyền sử dụng đất {i}",
                             f"Hồ sơ số {i} nộp tại bộ phận một cửa huyện quá hạn, đề nghị "
                             "kiểm tra thủ tục."])  # fmt: skip


async def pakn_import(
    path: Path, *, database_url: str, namespace: str
) -> tuple[dict[str, Any], float, str]:
    """The summary, the peak memory in MB and standard error of a `pakn import` process."""
    env = {
        **os.environ,
        "PAKN_INTAKE_DATABASE_URL": database_url,
        "PAKN_INTAKE_TOPIC_NAMESPACE": namespace,
    }
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", RUNNER, "import", str(path), "--json",
        env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await child.communicate()
    assert child.returncode == 0, err.decode()[-2000:]
    peak_mb = int(err.decode().strip().splitlines()[-1]) / 1024
    return json.loads(out), peak_mb, err.decode()


async def test_a_50k_line_csv_is_imported_streaming_and_its_events_published(
    kafka: str, topics: Topics, pg_url: str, tmp_path: Path
) -> None:
    small, path = tmp_path / "tong-dai-thang-1.csv", tmp_path / "tong-dai-2023.csv"
    write_export(small, lines=LINES // 10)
    write_export(path)
    _, small_peak_mb, _ = await pakn_import(
        small, database_url=await _pg_database(), namespace=topics.namespace
    )
    started = time.monotonic()
    summary, peak_mb, err = await pakn_import(path, database_url=pg_url, namespace=topics.namespace)
    elapsed = time.monotonic() - started
    valid = LINES // VALID_EVERY
    assert (summary["read"], summary["accepted"], summary["malformed"]) == (
        LINES, valid, LINES - valid,
    )  # fmt: skip
    assert summary["malformed_lines"][0]["line"] == 3  # the header is line 1, CALL-0 line 2
    assert len(summary["malformed_lines"]) == 1000  # the rest are counted, not listed
    assert "%|" in err  # the progress bar went to standard error
    print(
        f"{LINES} lines in {elapsed:.1f}s; peak memory {peak_mb:.0f} MB ({small_peak_mb:.0f} MB for {LINES // 10})"
    )
    assert peak_mb - small_peak_mb < MAX_GROWTH_MB and elapsed < 120

    intake = IntakeService(
        IntakeSettings(database_url=pg_url, kafka_bootstrap=kafka, topic_namespace=topics.namespace)
    )
    async with intake.db.session() as session:
        raws = (await session.exec(select(func.count()).select_from(RawPayload))).one()
        cases = (await session.exec(select(func.count()).select_from(IntakeCase))).one()
    assert (raws, cases) == (LINES, valid)  # every line archived, failed ones included
    async with RunningService(intake, bootstrap=kafka):

        async def published() -> int | None:
            records = await read_topic(kafka, topics.case_events, idle_s=0.5)
            count = len(events_of(records, "case.accepted"))
            return count if count >= valid else None

        assert await eventually(published, what="the imported cases' events", timeout_s=60) == valid
