"""``attendwise penalty-threshold`` end to end: import a register, list who meets the threshold."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from attendwise.measures.penalty_threshold import COLUMNS
from tests.cli.test_cli import run
from tests.measures.test_penalty_threshold import E1, URN, _register


def test_penalty_threshold_as_csv_json_and_table(tmp_path: Path) -> None:
    reg, upn = _register(E1)
    store = tmp_path / "store.duckdb"
    assert run(store, "import", str(reg.write(tmp_path / "reg")))[0] == 0
    code, out = run(store, "penalty-threshold", "--as-at", "2026-01-23", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == COLUMNS
    assert [
        (r["upn"], r["school_urn"], r["window_start"], r["window_end"], r["sessions"], r["school_weeks"]) for r in rows
    ] == [(upn, str(URN), "2025-11-03", "2026-01-23", "10", "10")]
    data = json.loads(run(store, "penalty-threshold", "--as-at", "2026-01-23", "--format", "json")[1])
    assert data[0]["window_start"].startswith("2025-11-03") and data[0]["codes"] == "G 4, O 4, U 2"
    evidence = json.loads(run(store, "penalty-threshold", "--as-at", "2026-01-23", "--sessions", "--format", "json")[1])
    assert [e["code"] for e in evidence] == list("OOOOUUGGGG")
    code, table = run(store, "penalty-threshold", "--as-at", "2026-01-23", "--school", str(URN))
    assert code == 0 and upn in table and "1 pupils" in table
    assert "0 pupils" in run(store, "penalty-threshold", "--as-at", "2026-01-22")[1]


def test_penalty_threshold_refuses_bad_input_in_words(tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    code, out = run(store, "penalty-threshold", "--as-at", "23/01/2026")
    assert code == 2 and "YYYY-MM-DD" in out
    assert run(store, "penalty-threshold", "--as-at", "2026-01-23", "--school", "+100001")[0] == 2
    rules = tmp_path / "rules.toml"
    rules.write_text("[penalty_threshold]\nsessions = 0\n", encoding="utf-8")
    code, out = run(store, "penalty-threshold", "--as-at", "2026-01-23", "--rules", str(rules))
    assert code == 1 and "sessions must be a whole number" in out
