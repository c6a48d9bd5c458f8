"""Names a school supplies come out of every export as text, never as formulas: the TSM workbook and the CLI's CSV.

The LA below is imported through the normal import path with school and pupil names that a spreadsheet would
run (``=HYPERLINK(...)``, ``+1+1``, ``-2+3``, ``@SUM(A1)``, and a tab or carriage return before ``=``), and its
previous TSM actions carry the same texts. Every cell of every pack and every CSV the CLI writes is checked.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from attendwise.cli import main
from attendwise.ingest import import_folder
from attendwise.reports.tsm import PreviousAction, TSMInputs, tsm_packs, write_packs
from attendwise.store import Store
from tests.registers import Register
from tests.reports.tsm.tsm_school import both_halves

ATTACKS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
#: What a spreadsheet may read as the start of a formula (OWASP): the tests' own list, not the module's.
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
SCHOOLS = {100001: ATTACKS[0], 100002: "+1+1 & Co", 100003: "@SUM(A1)"}
TERM = "2024/25-autumn"
AGREED = dt.date(2024, 11, 4)


def quoted(text: str) -> str:
    """How an export must write a text that starts with a dangerous character."""
    return "'" + text if text.startswith(DANGEROUS) else text


def lines(text: str) -> str:
    """Text as it reads back from a workbook or a CSV export: carriage returns become line feeds."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def unsafe_csv_cells(text: str) -> list[str]:
    """Every cell of a CSV a spreadsheet could run: text (not a number) starting with a dangerous character."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [c for row in rows for c in row if c.startswith(DANGEROUS) and not is_number(c)]


@pytest.fixture(scope="module")
def la(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """Three schools and their pupils, every name an attack; the store path and each attack's pupil (UPN)."""
    root = tmp_path_factory.mktemp("exports")
    reg = Register()
    reg.half_terms_2024_25()
    for urn, name in SCHOOLS.items():
        reg.school(urn, "secondary" if urn == 100003 else "primary", name)
    upns: dict[str, str] = {}
    for i, attack in enumerate(ATTACKS):
        upns[attack] = reg.pupil(100001)
        reg.pupils[-1] |= {"forename": attack, "surname": ATTACKS[-1 - i]}
        # Severely absent (on the pack's lists); the last pupil attends until the action, then stops.
        if i < len(ATTACKS) - 1:
            both_halves(reg, upns[attack], "/" * 30 + "O" * 50, "O" * 20)
        else:
            both_halves(reg, upns[attack], "/" * 80, "O" * 20)
    for urn in (100002, 100003):
        upn = reg.pupil(urn, dob="2011-03-01" if urn == 100003 else "2015-03-01", nc_year="8" if urn == 100003 else "4")
        reg.pupils[-1] |= {"forename": "", "surname": ATTACKS[2]}  # a name that is the surname alone
        both_halves(reg, upn, "/" * 40 + "O" * 40, "O" * 20, urn=urn)
    path = root / "store.duckdb"
    with Store(path) as store:
        import_folder(store, reg.write(root / "registers"))
    return path, upns


def test_every_tsm_workbook_holds_text_not_formulas(la: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    path, upns = la
    actions = tuple(PreviousAction(upn, AGREED, attack, attack) for attack, upn in upns.items())
    with Store(path, read_only=True) as store:
        packs = tsm_packs(store, TERM, inputs={100001: TSMInputs(tuple(upns.values())[:2], actions)})
    written = write_packs(list(packs.values()), tmp_path)
    assert len(written) == 3
    for file in written:
        wb = openpyxl.load_workbook(file)
        cells = [cell for ws in wb for row in ws.iter_rows() for cell in row if cell.value is not None]
        assert [c.coordinate for c in cells if c.data_type == "f"] == [], file.name
        text = [c.value for c in cells if isinstance(c.value, str)]
        assert [t for t in text if t.startswith(DANGEROUS)] == [], file.name

    # In a printed page's header & starts a code (&B is bold): the school's & is written &&.
    header = openpyxl.load_workbook(next(f for f in written if "-100002-" in f.name))["Summary"].oddHeader
    assert "+1+1 && Co" in header.center.text

    wb = openpyxl.load_workbook(next(f for f in written if "-100001-" in f.name))
    summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=4, values_only=True)}
    assert summary["School"] == "'" + SCHOOLS[100001] + " (URN 100001)"
    assert wb["Overall attendance"]["B4"].value == "'" + SCHOOLS[100001]
    severe = [r[1] for r in wb["Severely absent"].iter_rows(min_row=4, values_only=True)]
    assert len(severe) == 5 and all(name[0] == "'" and name[1:].startswith(DANGEROUS) for name in severe)
    rows = {r[0]: r for r in wb["Previous actions"].iter_rows(min_row=4, values_only=True)}
    for attack, upn in upns.items():
        assert rows[upn][2] == rows[upn][3] == lines(quoted(attack))  # the action and its lead
    # A fall in attendance is a number, negative, not text.
    change = wb["Previous actions"].cell(row=4 + list(rows).index(upns[ATTACKS[-1]]), column=8)
    assert change.data_type == "n" and change.value == pytest.approx(-100)


def run(store: Path, *args: str) -> str:
    result = CliRunner().invoke(main, ["--store", str(store), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    "args",
    [
        ["measures", "--by", "school"],
        ["measures", "--by", "school,fsm", "--period", TERM],
        ["bands", "--by", "school"],
        ["trends", "--by", "school"],
        ["trends", "--change", "--by", "school"],
        ["disproportionality"],
        ["disproportionality", "--school", "100001", "--pairs"],
        ["compare"],
    ],
    ids=" ".join,
)
def test_every_cli_csv_holds_text_not_formulas(la: tuple[Path, dict[str, str]], args: list[str]) -> None:
    out = run(la[0], *args, "--format", "csv")
    assert unsafe_csv_cells(out) == []
    if "school" in args:
        names = {row["school_name"] for row in csv.DictReader(io.StringIO(out, newline=""))}
        assert names == {quoted(n) for n in SCHOOLS.values()}


def test_a_cli_csv_written_to_a_file(la: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    out = tmp_path / "by_school.csv"
    run(la[0], "measures", "--by", "school", "--format", "csv", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert unsafe_csv_cells(text) == [] and "'=HYPERLINK(" in text
