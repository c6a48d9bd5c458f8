"""The attendwise command line, end to end."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from attendwise import cli
from attendwise.cli import main
from attendwise.store import Store
from tests.conftest import value
from tests.registers import Register


def run(store: Path, *args: str) -> tuple[int, str]:
    cli.console.width = 200  # as a data officer's terminal, not CliRunner's 80 columns
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    return result.exit_code, result.output


def test_import_then_measures_csv(tmp_path: Path, base: Register) -> None:
    """Given a register folder, when I import it and ask for measures by FSM as CSV,
    then I get DfE columns with one row per FSM group."""
    store = tmp_path / "s.duckdb"
    code, out = run(store, "import", str(base.write(tmp_path / "in")))
    assert code == 0, out
    assert "20 marks added" in out
    code, out = run(store, "measures", "--by", "fsm", "--format", "csv")
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out))
    assert list(frame.fsm) == ["FSM eligible", "FSM not eligible"]
    assert frame.sess_possible.sum() == 20


def test_memory_limit(tmp_path: Path, base: Register, monkeypatch) -> None:
    """--memory-limit caps what the store may hold in memory (DuckDB spills beyond it); a size that is
    not one is refused before anything runs."""
    monkeypatch.setenv("ATTENDWISE_MEMORY_LIMIT", "")  # so the option's setting is undone after the test
    store = tmp_path / "s.duckdb"
    code, out = run(store, "--memory-limit", "lots", "import", str(base.write(tmp_path / "in")))
    assert code == 2 and "memory limit 'lots' is not a size such as 2GB" in out
    assert not store.exists()
    code, out = run(store, "--memory-limit", "300MB", "import", str(base.write(tmp_path / "in")))
    assert code == 0, out
    with Store(store, read_only=True) as opened:  # the option set the environment for this process
        assert value(opened, "SELECT current_setting('memory_limit')") in {"286.1 MiB", "300.0 MB"}
    with Store(store, read_only=True, memory_limit="1GB") as opened:
        assert value(opened, "SELECT current_setting('memory_limit')") in {"953.6 MiB", "1000.0 MB"}


def test_measures_json_and_table(tmp_path: Path, base: Register) -> None:
    store = tmp_path / "s.duckdb"
    run(store, "import", str(base.write(tmp_path / "in")))
    code, out = run(store, "measures", "--period", "2024/25-autumn", "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert rows[0]["time_identifier"] == "2024/25 autumn term" and rows[0]["sess_overall"] == 4
    code, out = run(store, "measures", "--by", "school")
    assert code == 0 and "Overall absence %" in out and "School 100001" in out


def test_reimport_says_nothing_changed(tmp_path: Path, base: Register) -> None:
    store, folder = tmp_path / "s.duckdb", base.write(tmp_path / "in")
    run(store, "import", str(folder))
    code, out = run(store, "import", str(folder))
    assert code == 0 and "Nothing changed" in out


def test_bad_import_exits_non_zero_with_the_problem(tmp_path: Path, base: Register) -> None:
    base.marks[3]["code"] = "H"
    code, out = run(tmp_path / "s.duckdb", "import", str(base.write(tmp_path / "in")))
    assert code == 1
    assert "marks.csv line 5, field 'code': 'H' is a 2006 attendance code" in out
    assert "nothing was imported" in out
    assert "Traceback" not in out


def test_bands_by_school(tmp_path: Path, base: Register) -> None:
    store = tmp_path / "s.duckdb"
    run(store, "import", str(base.write(tmp_path / "in")))
    code, out = run(store, "bands", "--scheme", "three-stages", "--by", "school", "--format", "csv")
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out))
    assert frame.enrolments.sum() == 2 and len(frame) == 3


def test_friendly_errors(tmp_path: Path, base: Register) -> None:
    store = tmp_path / "s.duckdb"
    code, out = run(store, "measures")
    assert code == 1 and "run 'attendwise import FOLDER' first" in out
    run(store, "import", str(base.write(tmp_path / "in")))
    code, out = run(store, "measures", "--by", "postcode")
    assert code == 1 and "cannot group by 'postcode'" in out
    code, out = run(store, "measures", "--period", "2024/25-winter")
    assert code == 1 and "is not a term" in out


def test_codes_and_status(tmp_path: Path, base: Register) -> None:
    code, out = run(tmp_path / "s.duckdb", "codes", "--set", "2006")
    assert code == 0 and "Agreed family holiday" in out
    store = tmp_path / "s.duckdb"
    run(store, "import", str(base.write(tmp_path / "in")))
    code, out = run(store, "status")
    assert code == 0 and "2 pupils" in out and "20 marks" in out


def test_installed_command_runs(tmp_path: Path, base: Register) -> None:
    """The real console script, in a subprocess, as a data officer would run it."""
    exe = Path(sys.executable).with_name("attendwise")
    folder = base.write(tmp_path / "in")
    env_store = str(tmp_path / "s.duckdb")
    done = subprocess.run(
        [str(exe), "--store", env_store, "import", str(folder)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    done = subprocess.run(
        [str(exe), "--store", env_store, "measures", "--format", "csv"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "sess_overall_percent" in done.stdout


def test_disproportionality_command(tmp_path: Path) -> None:
    reg = Register()
    reg.school()
    for i in range(24):
        reg.sessions(reg.pupil(fsm="Y" if i < 12 else "N"), ("II" + "/" * 8) if i < 12 else "/" * 10)
    store = tmp_path / "s.duckdb"
    run(store, "import", str(reg.write(tmp_path / "in")))
    code, out = run(store, "disproportionality", "--characteristics", "fsm,sex", "--format", "csv")
    assert code == 0, out
    frame = pd.read_csv(io.StringIO(out))
    assert frame.set_index("group").loc["FSM eligible", "pa_flag"] == "over-represented"
    code, out = run(store, "disproportionality", "--adjust", "fsm=FSM eligible")
    assert code == 0 and "Before adjustment" in out
    code, out = run(store, "disproportionality", "--characteristics", "postcode")
    assert code == 1 and "unknown characteristic 'postcode'" in out


def test_trends_compare_and_reference(tmp_path: Path, base: Register) -> None:
    store = tmp_path / "s.duckdb"
    run(store, "import", str(base.write(tmp_path / "in")))
    code, out = run(store, "trends", "--level", "term", "--format", "csv")
    assert code == 0, out
    assert pd.read_csv(io.StringIO(out)).period.tolist() == ["2024/25 autumn term (to 06 Sep 2024)"]
    code, out = run(store, "trends", "--change")
    assert code == 0 and "same point last year" in out
    code, out = run(store, "compare", "--format", "csv")
    assert code == 0 and "England" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("x,y\n1,2\n")
    code, out = run(store, "reference", str(bad))
    assert code == 1 and "not a DfE absence file" in out


def test_demo_end_to_end_on_a_small_city(tmp_path: Path) -> None:
    """`attendwise demo` generates a city, imports it through the real checks and prints what it finds.

    By default the city is as an LA's store stands mid-year: 2023/24 whole and 2024/25 to the last
    school day before the February half term.  (`--no-serve` stops it before the web app, which
    tests/web/test_browser.py drives in a real browser.)
    """
    code, out = run(
        tmp_path / "unused.duckdb",
        *("demo", "--pupils", "600", "--schools", "6", "--folder", str(tmp_path / "demo"), "--no-serve"),
    )
    assert code == 0, out
    assert "2023/24 whole and 2024/25 to 14 Feb 2025" in out
    assert "marks added" in out
    assert "2024/25 year to date (01 Aug 2024 to 14 Feb 2025)" in out
    assert "England 2024/25 (whole year)" in out  # the headline table sits beside the national figures
    assert "same point last year" in out and "2023/24 to 14 Feb" in out
    assert "serve --demo" in out
    with Store(tmp_path / "demo" / "demo.duckdb", read_only=True) as store:
        assert store.mark_range() == (dt.date(2023, 9, 5), dt.date(2025, 2, 14))


def test_demo_whole_years_and_a_bad_until(tmp_path: Path) -> None:
    """`--until none` gives whole years (the report is then the whole latest year); a date outside
    the years is refused with the reason."""
    folder = tmp_path / "demo"
    args = ("demo", "--pupils", "300", "--schools", "3", "--folder", str(folder), "--no-serve")
    args = (*args, "--first-year", "2024", "--years", "1")
    code, out = run(tmp_path / "unused.duckdb", *args, "--until", "none")
    assert code == 0, out
    assert "3 schools, 2024/25)" in out
    assert "Headline absence, 2024/25 (01 Aug 2024 to 31 Jul 2025)" in out and "England 2024/25 " in out
    assert "same point last year" not in out
    with Store(folder / "demo.duckdb", read_only=True) as store:
        latest = store.latest_mark()
    assert latest is not None and latest >= dt.date(2025, 7, 15)
    code, out = run(tmp_path / "unused.duckdb", *args, "--until", "2026-01-05")
    assert code == 2 and "must fall within the generated years" in out
    code, out = run(tmp_path / "unused.duckdb", *args, "--until", "mid-February")
    assert code == 2 and "is not a date" in out


def test_serve_is_a_command() -> None:
    code, out = run(Path("unused.duckdb"), "serve", "--help")
    assert code == 0, out
    assert "--demo" in out


def _school_commands() -> list[str]:
    """Every command with an option named --school."""
    return sorted(
        name
        for name, command in main.commands.items()
        if any("--school" in getattr(p, "opts", []) for p in command.params)
    )


@pytest.mark.parametrize("command", _school_commands())
@pytest.mark.parametrize(
    "urn", ["+104109", "104_109", " 104109", "0104109", "104109.0", "1.04109e5", "١٠٤١٠٩", "9" * 400]
)
def test_a_school_is_given_by_its_urn_spelled_one_way(tmp_path: Path, command: str, urn: str) -> None:
    """--school is read by parse_urn: int() would read several of these as 104109."""
    code, out = run(tmp_path / "s.duckdb", command, "--school", urn)
    assert code == 2, out
    assert "is not a URN" in out and "9" * 50 not in out


def test_every_school_option_is_a_urn() -> None:
    from attendwise.cli.common import URN

    options = [p for c in main.commands.values() for p in c.params if "--school" in getattr(p, "opts", [])]
    assert len(options) >= 4 and all(p.type is URN for p in options)
    assert URN.convert("104109", None, None) == 104109
