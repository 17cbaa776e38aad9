"""`pakn classify FILE`: the fixed output shape of interfaces.md §2, line by line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

LETTER = {
    "id": "P-1",
    "channel": "post",
    "received_at": "2023-01-18T09:30:00+07:00",
    "name": "Rơ Mah Hlim",
    "address": "làng Bi, xã Ia Băng, huyện Đak Đoa, tỉnh Gia Lai",
    "phone": "0386.123.456",
    "title": "Thủ tục cấp phép khai thác nước dưới đất quá phức tạp",
    "content": (
        "Quy định hiện hành của UBND tỉnh về cấp giấy phép khai thác nước dưới đất cho hộ gia "
        "đình yêu cầu quá nhiều giấy tờ; đề nghị đơn giản hóa thủ tục và cho nộp hồ sơ trực "
        "tuyến. Liên hệ tôi: 0386 123 456."
    ),
}
FIELDS = {
    "id", "accepted", "reason", "class", "kind", "agency", "rule", "confidence",
    "due_classify", "due_forward", "due_answer", "public",
}  # fmt: skip


def _classify(path: Path) -> tuple[int, list[dict[str, object]], str]:
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "classify", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, [json.loads(x) for x in done.stdout.splitlines()], done.stderr


def test_each_line_gets_the_fixed_fields_in_input_order(tmp_path: Path) -> None:
    lines = [
        LETTER,
        {**LETTER, "id": "E-1", "channel": "email", "received_at": "2023-01-20T08:00:00+07:00"},
        {**LETTER, "id": "W-1", "channel": "post", "name": "ẩn danh"},
    ]
    source = tmp_path / "items.jsonl"
    source.write_text(
        "\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n{broken\n", "utf-8"
    )
    code, out, err = _classify(source)
    assert code == 0 and "line 4" in err
    first, copy, anonymous, broken = out
    assert set(first) == FIELDS and first["accepted"] is True and first["id"] == "P-1"
    assert first["due_forward"] == "2023-02-01"  # Tết 2023 is not counted
    assert "0386" not in json.dumps(first["public"]) and "Rơ Mah Hlim" not in json.dumps(first)
    assert (copy["accepted"], copy["reason"]) == (False, "duplicate")  # same letter, by e-mail
    assert (anonymous["reason"], anonymous["class"], anonymous["agency"]) == (
        "missing_contact",
        None,
        None,
    )
    assert broken == {"id": None, "line": 4, "error": broken["error"]} and broken["error"]


def test_an_unreadable_file_is_a_clear_error(tmp_path: Path) -> None:
    code, out, err = _classify(tmp_path / "missing.csv")
    assert code != 0 and out == [] and "missing.csv" in err
