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
# Held in memory, the 45,000 extra lines would add some 45 MB (measured); streamed, nothing.
MAX_GROWTH_MB = 15
# The time of the last tenth of the batches against the first: a register lookup that
# scanned its table (it once did, before statistics caught up) made it 10×; linear is ~1×.
MAX_SLOWDOWN = 3
# Runs `pakn import`, timing each batch; its last stderr line: the seconds taken by the
# first and the last tenth of the batches, and the peak memory in kB (VmHWM: getrusage's
# maxrss would include the forked pytest process, as Linux keeps it across exec).
RUNNER = """
import re, sys, time
from services.intake import bulk_import
took = []
batch = bulk_import.Importer.import_batch
async def timed(self, lines):
    start = time.perf_counter()
    await batch(self, lines)
    took.append(time.perf_counter() - start)
bulk_import.Importer.import_batch = timed
from services.cli import main
code = main(sys.argv[1:])
tenth = max(1, len(took) // 10)
with open("/proc/self/status") as status:
    peak = re.search(r"VmHWM:\\s+(\\d+) kB", status.read()).group(1)
print(sum(took[:tenth]), sum(took[-tenth:]), peak, file=sys.stderr)
sys.exit(code)
"""


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
) -> tuple[dict[str, Any], float, float, str]:
    """The summary, the slowdown, the peak memory in MB and stderr of a `pakn import`."""
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
    first, last, peak = err.decode().strip().splitlines()[-1].split()
    return json.loads(out), float(last) / float(first), int(peak) / 1024, err.decode()


async def test_a_50k_line_csv_is_imported_streaming_and_its_events_published(
    kafka: str, topics: Topics, pg_url: str, tmp_path: Path
) -> None:
    small, path = tmp_path / "tong-dai-thang-1.csv", tmp_path / "tong-dai-2023.csv"
    write_export(small, lines=LINES // 10)
    write_export(path)
    _, _, small_peak_mb, _ = await pakn_import(
        small, database_url=await _pg_database(), namespace=topics.namespace
    )
    started = time.monotonic()
    summary, slowdown, peak_mb, err = await pakn_import(
        path, database_url=pg_url, namespace=topics.namespace
    )
    elapsed = time.monotonic() - started
    valid = LINES // VALID_EVERY
    assert (summary["read"], summary["accepted"], summary["malformed"]) == (
        LINES, valid, LINES - valid,
    )  # fmt: skip
    assert summary["malformed_lines"][0]["line"] == 3  # the header is line 1, CALL-0 line 2
    assert len(summary["malformed_lines"]) == 1000  # the rest are counted, not listed
    assert "%|" in err  # the progress bar went to standard error
    print(
        f"{LINES} lines in {elapsed:.1f}s, last tenth {slowdown:.1f}× the first; peak memory "
        f"{peak_mb:.0f} MB ({small_peak_mb:.0f} MB for {LINES // 10} lines)"
    )
    assert peak_mb - small_peak_mb < MAX_GROWTH_MB
    assert slowdown < MAX_SLOWDOWN

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
