"""cohorts.csv: the LA's priority cohorts' dated memberships, checked by line and field, sent by LA staff only,
every change kept in the history and the import log."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest

from attendwise.core.cohorts import load_cohorts
from attendwise.ingest import ImportScope, IngestError, import_folder
from attendwise.store import Store
from tests.conftest import snapshot
from tests.registers import Register

OURS = 100001
SCHOOL = ImportScope(who="head@ours", via="web", schools=frozenset({OURS}), la_data=False, source="upload")
OFFICER = ImportScope(who="officer@la", via="web", schools=frozenset({OURS}), la_data=False, source="upload")
HEADER = ["upn", "cohort", "start_date", "end_date", "source"]


@pytest.fixture
def reg(store: Store, write) -> Register:
    """A school with two pupils, imported; the first in EBSA for the autumn term and again from Easter."""
    reg = Register()
    reg.school(OURS)
    first, second = reg.pupil(OURS), reg.pupil(OURS)
    reg.sessions(first, "//////////", dt.date(2024, 9, 2))
    reg.cohort(first, "ebsa", "2024-09-01", "2024-12-20", source="EBSA panel")
    reg.cohort(first, "ebsa", "2025-04-22")
    reg.cohort(second, "youth_justice", "2024-10-01")
    import_folder(store, write(reg))
    return reg


def upn_of(reg: Register, n: int) -> str:
    return str(reg.pupils[n]["upn"])


def cohorts_csv(folder: Path, rows: list[dict[str, object]], header: list[str] = HEADER) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "cohorts.csv").open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return folder


def refused(store: Store, folder: Path, scope: ImportScope | None = None) -> list[str]:
    before = snapshot(store)
    with pytest.raises(IngestError) as info:
        import_folder(store, folder, scope=scope)
    assert snapshot(store) == before, "a refused import changed the store"
    return [str(p) for p in info.value.problems]


def members(store: Store) -> list[tuple]:
    return (
        store.duckdb_connection()
        .execute("SELECT upn, cohort, start_date, end_date, source FROM cohort_members ORDER BY 1, 2, 3")
        .fetchall()
    )


def history(store: Store) -> list[tuple]:
    return (
        store.duckdb_connection()
        .execute("SELECT upn, cohort, start_date, end_date, removed FROM cohort_member_history ORDER BY 1, 2, 3")
        .fetchall()
    )


def test_memberships_are_stored_with_their_dates(store: Store, reg: Register) -> None:
    first, second = upn_of(reg, 0), upn_of(reg, 1)
    assert members(store) == sorted(
        [
            (first, "ebsa", dt.date(2024, 9, 1), dt.date(2024, 12, 20), "EBSA panel"),
            (first, "ebsa", dt.date(2025, 4, 22), None, None),
            (second, "youth_justice", dt.date(2024, 10, 1), None, None),
        ]
    )
    log = store.import_log(limit=1)[0]
    assert "Cohort memberships (ebsa, youth_justice): 3 added." in log.changes
    assert log.schools_touched == (OURS,)


def test_a_file_gives_its_cohorts_whole_and_keeps_what_it_replaces(store: Store, reg: Register, tmp_path: Path) -> None:
    """The EBSA list sent again: the autumn period's end moved, the Easter one gone; youth justice untouched."""
    first, second = upn_of(reg, 0), upn_of(reg, 1)
    again = [dict(reg.cohorts[0], end_date="2025-02-14")]
    result = import_folder(store, cohorts_csv(tmp_path / "again", again))
    assert result.changes() == ["Cohort memberships (ebsa): 1 changed, 1 removed (the old ones kept in the history)."]
    assert members(store) == sorted(
        [
            (first, "ebsa", dt.date(2024, 9, 1), dt.date(2025, 2, 14), "EBSA panel"),
            (second, "youth_justice", dt.date(2024, 10, 1), None, None),
        ]
    )
    assert history(store) == [
        (first, "ebsa", dt.date(2024, 9, 1), dt.date(2024, 12, 20), False),
        (first, "ebsa", dt.date(2025, 4, 22), None, True),
    ]
    same = import_folder(store, cohorts_csv(tmp_path / "same", again))
    assert same.changes() == ["Nothing changed: everything in the files was already stored."]


@pytest.mark.parametrize(
    ("row", "field", "says"),
    [
        ({"cohort": "carers"}, "cohort", "'carers' is not one of the LA's cohorts (ebsa, youth_justice)"),
        ({"upn": "A123"}, "upn", "UPN"),
        ({"start_date": "01/09/2024"}, "start_date", "is not a date (expected YYYY-MM-DD)"),
        ({"start_date": ""}, "start_date", "a date is required"),
        ({"end_date": "2024-08-31"}, "end_date", "2024-08-31 is before the start date 2025-01-06"),
        ({"source": "panel\x0bminutes"}, "source", "control character"),
    ],
)
def test_a_bad_row_is_refused_by_line_and_field_with_nothing_stored(
    store: Store, reg: Register, tmp_path: Path, row: dict[str, str], field: str, says: str
) -> None:
    good = {"upn": upn_of(reg, 1), "cohort": "ebsa", "start_date": "2024-09-01", "end_date": "", "source": ""}
    problems = refused(store, cohorts_csv(tmp_path / "bad", [good, {**good, "start_date": "2025-01-06", **row}]))
    assert len(problems) == 1
    assert problems[0].startswith(f"cohorts.csv line 3, field '{field}': ")
    assert says in problems[0]


def test_overlapping_periods_for_one_pupil_and_cohort_are_refused(store: Store, reg: Register, tmp_path: Path) -> None:
    upn = upn_of(reg, 1)
    rows = [
        {"upn": upn, "cohort": "ebsa", "start_date": "2024-09-01", "end_date": "2024-12-20"},
        {"upn": upn, "cohort": "youth_justice", "start_date": "2024-10-01"},  # another cohort: fine
        {"upn": upn, "cohort": "ebsa", "start_date": "2024-12-20"},  # starts on the day the first ends
        {"upn": upn, "cohort": "ebsa", "start_date": "2025-06-01"},  # after a period with no end
    ]
    problems = refused(store, cohorts_csv(tmp_path / "overlap", rows))
    assert problems == [
        f"cohorts.csv line 4, field 'start_date': pupil {upn}'s period in ebsa from 2024-12-20 overlaps the one "
        "from 2024-09-01 to 2024-12-20 on line 2",
        f"cohorts.csv line 5, field 'start_date': pupil {upn}'s period in ebsa from 2025-06-01 overlaps the one "
        "from 2024-12-20 with no end date on line 4",
    ]


def test_a_pupil_neither_stored_nor_imported_is_refused(store: Store, reg: Register, tmp_path: Path) -> None:
    from tests.registers import make_upn

    stranger = make_upn(99)
    problems = refused(
        store, cohorts_csv(tmp_path / "x", [{"upn": stranger, "cohort": "ebsa", "start_date": "2024-09-01"}])
    )
    assert problems == [f"cohorts.csv line 2, field 'upn': pupil {stranger} is not in pupils.csv or the store"]


@pytest.mark.parametrize("scope", [SCHOOL, OFFICER], ids=["school", "officer with some schools"])
def test_only_la_staff_with_every_school_may_send_cohorts(
    store: Store, reg: Register, tmp_path: Path, scope: ImportScope
) -> None:
    """A school (or an officer with some schools) sending its own pupil's membership is refused all the same."""
    row = {"upn": upn_of(reg, 0), "cohort": "ebsa", "start_date": "2024-09-01"}
    problems = refused(store, cohorts_csv(tmp_path / "school", [row]), scope)
    assert problems == ["cohorts.csv: only LA staff may send the LA's priority cohorts (cohorts.csv)"]


def test_an_las_own_cohorts_are_what_the_file_may_name(store: Store, reg: Register, tmp_path: Path) -> None:
    ours = tmp_path / "ours.toml"
    ours.write_text('[[cohort]]\nkey = "carers"\nlabel = "Young carers"\n', encoding="utf-8")
    folder = cohorts_csv(tmp_path / "carers", [{"upn": upn_of(reg, 0), "cohort": "Carers", "start_date": "2024-09-01"}])
    result = import_folder(store, folder, cohorts=load_cohorts(ours))
    assert result.changes() == ["Cohort memberships (carers): 1 added."]
    with pytest.raises(IngestError, match="'ebsa' is not one of the LA's cohorts \\(carers\\)"):
        import_folder(store, cohorts_csv(tmp_path / "ebsa", reg.cohorts[:1]), cohorts=load_cohorts(ours))
