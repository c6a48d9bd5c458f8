"""What an import may change: a school sends its own registers and nothing else, checked on the values the
import parses and stores (so no spelling of another school's URN gets through), and every import is logged."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
from pathlib import Path

import pytest

from attendwise.ingest import ImportScope, IngestError, import_folder
from attendwise.store import Store, StoreError
from tests.conftest import snapshot, value
from tests.registers import Register
from tests.strategies import other_spellings

OURS, THEIRS = 100001, 100002
SCHOOL = ImportScope(who="head@ours", via="web", schools=frozenset({OURS}), la_data=False, source="upload")


@pytest.fixture
def two_schools(store: Store, write) -> Register:
    """Two schools of one LA, a pupil at each, a week of marks, term dates and a closure at each school."""
    reg = Register()
    reg.school(OURS)
    reg.school(THEIRS, phase="secondary")
    ours = reg.pupil(OURS)
    theirs = reg.pupil(THEIRS, nc_year="8")
    reg.sessions(ours, "//////////", dt.date(2024, 9, 2), urn=OURS)
    reg.sessions(theirs, "//////////", dt.date(2024, 9, 2), urn=THEIRS)
    reg.half_terms_2024_25()
    reg.closures += [
        {"urn": OURS, "start_date": "2024-10-21", "end_date": "", "session": "", "reason": "INSET"},
        {"urn": THEIRS, "start_date": "2024-10-22", "end_date": "", "session": "", "reason": "INSET"},
    ]
    import_folder(store, write(reg))
    return reg


def _write_csv(folder: Path, name: str, header: list[str], rows: list[list[object]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / name).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return folder


def refused_for(store: Store, folder: Path, scope: ImportScope = SCHOOL) -> IngestError:
    before = snapshot(store)
    with pytest.raises(IngestError) as info:
        import_folder(store, folder, scope=scope)
    assert snapshot(store) == before, "a refused import changed the store"
    return info.value


def _their_upn(reg: Register) -> str:
    return str(next(p["upn"] for p in reg.pupils if p["urn"] == THEIRS))


@pytest.mark.parametrize("spelling", [str(THEIRS), *other_spellings(THEIRS)])
def test_no_spelling_of_another_schools_urn_reaches_its_marks(
    store: Store, two_schools: Register, tmp_path: Path, spelling: str
) -> None:
    """The hole found: '+100002' or '100002.0' passed a text check and was cast to 100002 on import."""
    folder = _write_csv(
        tmp_path / "up", "marks.csv", ["upn", "urn", "date", "session", "code"],
        [[_their_upn(two_schools), spelling, "2024-09-02", "AM", "N"]],
    )  # fmt: skip
    err = refused_for(store, folder)
    assert err.total == 1, err.report()
    problem = err.problems[0]
    assert (problem.file, problem.line, problem.field) == ("marks.csv", 2, "urn")
    # Spaces around a value are not part of it (the CSV layout), so " 100002" is school 100002 and refused
    # as another school's; any other spelling is not a URN at all. Never is it imported.
    if spelling.strip(" ") == str(THEIRS):
        assert problem.message == f"school {THEIRS} is not one of your schools"
    else:
        assert "is not a URN" in problem.message, problem.message


@pytest.mark.parametrize("spelling", [str(THEIRS), f"+{THEIRS}", f"{THEIRS}.0", f"0{THEIRS}", f" {THEIRS}\t"])
def test_no_spelling_of_another_schools_urn_reaches_its_pupils_or_closures(
    store: Store, two_schools: Register, tmp_path: Path, spelling: str
) -> None:
    pupil = dict(next(p for p in two_schools.pupils if p["urn"] == THEIRS), urn=spelling, fsm="Y")
    folder = _write_csv(tmp_path / "pupils", "pupils.csv", list(pupil), [list(pupil.values())])
    err = refused_for(store, folder)
    assert [(p.file, p.line, p.field) for p in err.problems] == [("pupils.csv", 2, "urn")]
    closures = _write_csv(tmp_path / "closures", "closures.csv", ["urn", "start_date"], [[spelling, "2024-11-11"]])
    err = refused_for(store, closures)
    assert ("closures.csv", 2, "urn") in [(p.file, p.line, p.field) for p in err.problems]


def test_a_school_may_not_change_master_data(store: Store, two_schools: Register, tmp_path: Path) -> None:
    """A school's schools.csv renamed the LA and schools for everyone."""
    folder = _write_csv(
        tmp_path / "up", "schools.csv", ["urn", "name", "phase", "la_code", "la_name"],
        [
            [OURS, "School 100001", "primary", "999", "Testshire"],  # as stored: fine
            [OURS, "Renamed Academy", "primary", "999", "Hackshire"],
            [THEIRS, "Not Yours", "special", "999", "Testshire"],
            [100003, "New School", "primary", "999", "Testshire"],
        ],
    )  # fmt: skip
    err = refused_for(store, folder)
    where = {(p.line, p.field) for p in err.problems}
    assert {(3, "name"), (3, "la_name"), (4, "urn"), (5, "urn")} <= where, err.report()
    assert any("only LA staff may change the LA's name" in p.message for p in err.problems)


@pytest.mark.parametrize(
    ("field", "changed"),
    [
        ("forename", "Renamed"),
        ("surname", "Otherfamily"),
        ("date_of_birth", "2013-01-01"),
        ("sex", "M"),
        ("ethnicity", "WOTH"),
        ("first_language", "OTH"),
    ],
)
def test_a_school_may_not_change_the_details_of_another_schools_pupil(
    store: Store, two_schools: Register, tmp_path: Path, field: str, changed: str
) -> None:
    """A pupil's own details are seen by every school they are on roll at: enrolling another school's pupil
    at one's own school (a move) is allowed, but only as the pupil is stored, or LA staff change them."""
    theirs = next(p for p in two_schools.pupils if p["urn"] == THEIRS)
    moved = dict(theirs, urn=str(OURS), admission_date="2024-09-16")
    assert moved.get(field, "") != changed
    hostile = dict(moved, **{field: changed})
    folder = _write_csv(tmp_path / "up", "pupils.csv", list(hostile), [list(hostile.values())])
    err = refused_for(store, folder)
    assert [(p.file, p.line, p.field) for p in err.problems] == [("pupils.csv", 2, field)], err.report()
    assert "on roll at another school too" in err.problems[0].message
    if theirs.get(field):
        assert str(theirs[field]) not in err.problems[0].message, "the message told one school what another holds"

    as_stored = _write_csv(tmp_path / "move", "pupils.csv", list(moved), [list(moved.values())])
    result = import_folder(store, as_stored, scope=SCHOOL)
    assert result.enrolments_added == 1 and result.pupils_changed == 0
    la = import_folder(store, folder)
    assert la.pupils_changed == 1
    assert str(value(store, f"SELECT {field} FROM pupils WHERE upn = ?", [theirs["upn"]])) == changed


def test_a_school_may_change_the_details_of_its_own_pupils(store: Store, two_schools: Register, tmp_path: Path) -> None:
    ours = next(p for p in two_schools.pupils if p["urn"] == OURS)
    renamed = dict(ours, surname="Newname")
    folder = _write_csv(tmp_path / "up", "pupils.csv", list(renamed), [list(renamed.values())])
    assert import_folder(store, folder, scope=SCHOOL).pupils_changed == 1
    assert value(store, "SELECT surname FROM pupils WHERE upn = ?", [ours["upn"]]) == "Newname"


def test_a_school_may_resend_its_school_row_unchanged(store: Store, two_schools: Register, tmp_path: Path) -> None:
    folder = _write_csv(
        tmp_path / "up", "schools.csv", ["urn", "name", "phase", "la_code"], [[OURS, "School 100001", "primary", "999"]]
    )
    ours = next(p for p in two_schools.pupils if p["urn"] == OURS)
    _write_csv(folder, "pupils.csv", list(ours), [list(ours.values())])
    result = import_folder(store, folder, scope=SCHOOL)
    assert result.changes() == ["Nothing changed: everything in the files was already stored."]
    assert value(store, "SELECT la_name FROM schools WHERE urn = ?", [OURS]) == "Testshire", "a blank LA name kept"


def test_a_school_may_not_change_the_la_calendar(store: Store, two_schools: Register, tmp_path: Path) -> None:
    folder = _write_csv(
        tmp_path / "up", "terms.csv", ["academic_year", "term", "half_term", "start_date", "end_date"],
        [["2024/25", "autumn", "1", "2024-09-03", "2024-10-25"]],
    )  # fmt: skip
    _write_csv(folder, "closures.csv", ["urn", "start_date"], [["", "2024-11-11"]])
    err = refused_for(store, folder)
    assert {(p.file, p.field) for p in err.problems} == {("terms.csv", None), ("closures.csv", "urn")}


def test_a_schools_closures_replace_only_its_own(store: Store, two_schools: Register, tmp_path: Path) -> None:
    """A closures file replaced every stored closure, another school's included."""
    folder = _write_csv(
        tmp_path / "up", "closures.csv", ["urn", "start_date", "reason"], [[OURS, "2024-11-15", "INSET"]]
    )
    ours = next(p for p in two_schools.pupils if p["urn"] == OURS)
    _write_csv(folder, "pupils.csv", list(ours), [list(ours.values())])
    result = import_folder(store, folder, scope=SCHOOL)
    stored = store.duckdb_connection().execute("SELECT urn, start_date FROM closures ORDER BY urn").fetchall()
    assert stored == [(OURS, dt.date(2024, 11, 15)), (THEIRS, dt.date(2024, 10, 22))]
    assert "1 closure stored in place of the 1 stored before." in result.changes()


def test_la_staff_change_master_data_and_are_told(store: Store, two_schools: Register, tmp_path: Path) -> None:
    folder = _write_csv(
        tmp_path / "up", "schools.csv", ["urn", "name", "phase", "la_code", "la_name"],
        [[OURS, "Renamed Academy", "primary", "999", "New Testshire"], [100003, "New School", "special", "999", ""]],
    )  # fmt: skip
    la = ImportScope(who="admin", via="web", source="upload")
    result = import_folder(store, folder, scope=la)
    changes = result.changes()
    assert "1 school added." in changes
    assert (
        "Changed school 100001 (School 100001): name 'School 100001' to 'Renamed Academy', "
        "la name 'Testshire' to 'New Testshire'." in changes
    )


def test_every_import_is_logged_with_who_how_and_what(store: Store, two_schools: Register, tmp_path: Path) -> None:
    ours = next(p for p in two_schools.pupils if p["urn"] == OURS)
    folder = _write_csv(tmp_path / "up", "marks.csv", ["upn", "urn", "date", "session", "code"],
                        [[ours["upn"], OURS, "2024-09-02", "AM", "N"]])  # fmt: skip
    import_folder(store, folder, scope=SCHOOL)
    web, cli = store.import_log(limit=2)
    assert (web.imported_by, web.via, web.source, web.files, web.schools_touched) == (
        "head@ours", "web", "upload", "marks.csv", (OURS,)
    )  # fmt: skip
    assert web.changes == ("0 marks added, 1 corrected, 0 unchanged (1 read).",)
    assert web.imported_at is not None
    assert (cli.imported_by, cli.via, cli.schools_touched) == (getpass.getuser(), "cli", (OURS, THEIRS))
    assert str(tmp_path) in cli.source, "the CLI's log names the folder it imported"
    # A school's own import history holds only imports that touched no other school.
    assert [e.import_id for e in store.import_log(only_schools=frozenset({OURS}))] == [web.import_id]
    assert store.import_log(only_schools=frozenset({THEIRS})) == []


def test_a_refused_import_never_names_the_servers_folder(store: Store, tmp_path: Path) -> None:
    folder = tmp_path / "attendwise-upload-abc123"
    folder.mkdir()
    err = refused_for(store, folder, ImportScope(who="x", via="web", source="upload"))
    assert "attendwise-upload" not in err.report() and str(tmp_path) not in err.report()
    assert err.report().endswith(
        "upload: holds no register files (schools.csv, pupils.csv, marks.csv, terms.csv, closures.csv, contacts.csv, "
        "cohorts.csv; see docs/csv-layout.md)"
    )


class TestFilesThatHoldNothing:
    def test_an_empty_marks_file(self, store: Store, two_schools: Register, tmp_path: Path) -> None:
        folder = tmp_path / "up"
        folder.mkdir()
        (folder / "marks.csv").write_bytes(b"")
        assert str(refused_for(store, folder).problems[0]) == (
            "marks.csv line 1: the file is empty (expected a header row)"
        )

    def test_a_marks_file_with_only_its_header(self, store: Store, two_schools: Register, tmp_path: Path) -> None:
        folder = _write_csv(tmp_path / "up", "marks.csv", ["upn", "urn", "date", "session", "code"], [])
        assert "holds no rows below its header" in str(refused_for(store, folder).problems[0])

    @pytest.mark.parametrize("name", ["schools.csv", "pupils.csv", "terms.csv", "closures.csv"])
    def test_a_small_file_with_only_its_header(
        self, store: Store, two_schools: Register, tmp_path: Path, name: str
    ) -> None:
        folder = tmp_path / "up"
        two_schools.write(folder)
        (folder / name).write_text((folder / name).read_text().splitlines()[0] + "\n")
        err = refused_for(store, folder, ImportScope(who="admin", via="cli"))
        assert str(err.problems[0]) == f"{name}: holds no rows below its header: there is nothing to import from it"


class TestHugeFields:
    """A field over 128 KiB crashed the small files' reader and gave the engine's own words for marks.csv."""

    @pytest.mark.parametrize("name", ["schools.csv", "pupils.csv", "closures.csv", "terms.csv"])
    def test_in_a_small_file(self, store: Store, two_schools: Register, tmp_path: Path, name: str) -> None:
        folder = tmp_path / "up"
        two_schools.write(folder)
        text = (folder / name).read_text().splitlines()
        text[1] = "9" * 200_000 + text[1]
        (folder / name).write_text("\n".join(text) + "\n")
        err = refused_for(store, folder, ImportScope(who="admin", via="cli"))
        (problem,) = err.problems
        assert (problem.file, problem.line) == (name, 2)
        assert "longer than 131,072 characters" in problem.message
        assert len(err.report()) < 300

    @pytest.mark.parametrize("size", [200_000, 3_000_000])
    def test_in_marks(self, store: Store, two_schools: Register, tmp_path: Path, size: int) -> None:
        upn = two_schools.pupils[0]["upn"]
        rows = [[upn, OURS, "2024-09-02", "AM", "/"], [upn, OURS, "2024-09-02", "PM", "X" * size]]
        folder = _write_csv(tmp_path / "up", "marks.csv", ["upn", "urn", "date", "session", "code"], rows)
        err = refused_for(store, folder)
        (problem,) = err.problems
        assert (problem.file, problem.line) == ("marks.csv", 3)
        assert "longer than" in problem.message and "Possible Solution" not in problem.message
        assert len(err.report()) < 400


def test_a_store_in_use_is_refused_in_words(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "busy.duckdb"
    Store(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb, sys, time; c = duckdb.connect({str(path)!r}); print('open'); "
         "sys.stdout.flush(); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="in use by another attendwise process"):
            Store(path)
    finally:
        holder.kill()
        holder.wait()
