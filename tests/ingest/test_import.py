"""Importing registers: every kind of bad input is refused with file, line and field, storing nothing."""

from __future__ import annotations

import datetime as dt
import gzip
import shutil
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendwise.ingest import IngestError, import_folder
from attendwise.store import Store
from tests.conftest import one_week, snapshot, value
from tests.registers import Register, make_upn


def refused(store: Store, folder: Path) -> IngestError:
    """Import ``folder`` expecting refusal; assert the store did not change at all."""
    before = snapshot(store)
    with pytest.raises(IngestError) as info:
        import_folder(store, folder)
    assert snapshot(store) == before, "a refused import changed the store"
    return info.value


def only_problem(err: IngestError) -> str:
    assert err.total == 1, err.report()
    return str(err.problems[0])


def append_mark(folder: Path, line: str) -> int:
    """Append a raw line to marks.csv; return its line number."""
    path = folder / "marks.csv"
    text = path.read_text()
    path.write_text(text + line + "\n")
    return text.count("\n") + 1


class TestGoodImports:
    def test_counts(self, store: Store, base: Register, write) -> None:
        result = import_folder(store, write(base))
        assert (result.marks_added, result.pupils_added, result.enrolments_added, result.schools) == (20, 2, 2, 1)
        s = store.summary()
        assert (s.schools, s.pupils, s.enrolments, s.marks) == (1, 2, 2, 20)

    def test_reimport_changes_nothing(self, store: Store, base: Register, write) -> None:
        """Importing the same files twice leaves every stored row as it was (import ids included)."""
        folder = write(base)
        import_folder(store, folder)
        marks = store.duckdb_connection().execute("SELECT * FROM marks ORDER BY ALL").fetchall()
        enrolments = store.duckdb_connection().execute("SELECT * FROM enrolments ORDER BY ALL").fetchall()
        again = import_folder(store, folder)
        assert not again.changed_anything
        assert again.marks_unchanged == 20
        assert store.duckdb_connection().execute("SELECT * FROM marks ORDER BY ALL").fetchall() == marks
        assert store.duckdb_connection().execute("SELECT * FROM enrolments ORDER BY ALL").fetchall() == enrolments

    def test_correction_supersedes_and_keeps_history(self, store: Store, base: Register, write, tmp_path) -> None:
        """A later file recoding a present mark as I supersedes it; the old mark stays in the history."""
        upn = base.pupils[0]["upn"]
        first = import_folder(store, write(base))
        fix = Register(marks=[{"upn": upn, "urn": 100001, "date": "2024-09-04", "session": "AM", "code": "I"}])
        second = import_folder(store, write(fix))
        assert (second.marks_changed, second.marks_added) == (1, 0)
        row = (
            store.duckdb_connection()
            .execute(
                """SELECT m.code, m.import_id FROM marks m JOIN enrolments e USING (enrolment_id)
                                   WHERE e.upn = ? AND m.date = DATE '2024-09-04' AND m.session = 'AM'""",
                [upn],
            )
            .fetchone()
        )
        assert row == ("I", second.import_id)
        history = (
            store.duckdb_connection().execute("SELECT code, import_id, superseded_by FROM mark_history").fetchall()
        )
        assert history == [("/", first.import_id, second.import_id)]

    def test_new_marks_for_stored_pupils(self, store: Store, base: Register, write) -> None:
        """A school's next daily file needs only marks.csv: pupils and schools come from the store."""
        import_folder(store, write(base))
        upn = base.pupils[0]["upn"]
        nxt = Register()
        nxt.sessions(upn, "//", dt.date(2024, 9, 9))
        assert import_folder(store, write(nxt)).marks_added == 2

    def test_utf8_bom_and_gzip_accepted(self, store: Store, base: Register, write) -> None:
        folder = write(base)
        pupils = folder / "pupils.csv"
        pupils.write_bytes(b"\xef\xbb\xbf" + pupils.read_bytes())
        with (folder / "marks.csv").open("rb") as src, gzip.open(folder / "marks.csv.gz", "wb") as dst:
            shutil.copyfileobj(src, dst)
        (folder / "marks.csv").unlink()
        assert import_folder(store, folder).marks_added == 20

    def test_every_file_may_be_gzipped(self, store: Store, base: Register, write) -> None:
        folder = write(base)
        for path in list(folder.glob("*.csv")):
            with path.open("rb") as src, gzip.open(path.with_name(path.name + ".gz"), "wb") as dst:
                shutil.copyfileobj(src, dst)
            path.unlink()
        result = import_folder(store, folder)
        assert (result.marks_added, result.pupils_added, result.schools) == (20, 2, 1)

    def test_blank_dash_marks_are_skipped(self, store: Store, base: Register, write) -> None:
        folder = write(base)
        append_mark(folder, f"{base.pupils[0]['upn']},100001,2024-09-09,AM,-")
        result = import_folder(store, folder)
        assert (result.marks_added, result.marks_blank) == (20, 1)

    def test_leaving_date_update(self, store: Store, base: Register, write) -> None:
        import_folder(store, write(base))
        base.pupils[0]["leaving_date"] = "2024-09-30"
        result = import_folder(store, write(base))
        assert result.enrolments_changed == 1
        assert value(store, "SELECT count(*) FROM enrolments WHERE leaving_date = DATE '2024-09-30'") == 1


class TestEnrolmentCorrections:
    """A later pupils.csv may correct an enrolment's dates: it stays the same enrolment, with its marks."""

    def ids(self, store: Store) -> list[tuple]:
        return (
            store.duckdb_connection()
            .execute("SELECT enrolment_id, upn, admission_date FROM enrolments ORDER BY ALL")
            .fetchall()
        )

    def possible(self, store: Store, source: str = "auto") -> int:
        from attendwise.core.calendar import parse_period
        from attendwise.measures.absence import Population, absence_measures, enrolment_absence

        rows = enrolment_absence(store, parse_period("2024/25"), Population.all_ages(), source=source)  # type: ignore[arg-type]
        return int(absence_measures(rows).to_pandas().iloc[0].sess_possible)

    def test_earlier_admission_date(self, store: Store, base: Register, write) -> None:
        base.pupils[0]["admission_date"] = "2024-09-02"
        import_folder(store, write(base))
        before = self.ids(store)
        base.pupils[0]["admission_date"] = "2024-08-28"
        result = import_folder(store, write(base))
        assert (result.enrolments_added, result.enrolments_changed, result.marks_removed) == (0, 1, 0)
        after = self.ids(store)
        assert [r[:2] for r in after] == [r[:2] for r in before]  # same enrolments, same ids
        assert dt.date(2024, 8, 28) in [r[2] for r in after]
        assert value(store, "SELECT count(*) FROM marks") == 20
        assert not import_folder(store, write(base)).changed_anything

    def test_later_admission_date_moves_earlier_marks_to_the_history(self, store: Store, base: Register, write) -> None:
        """Corrected from 2 to 4 September: the four sessions of 2 and 3 September were never the pupil's
        at this school; they leave the counts and stay in the history."""
        upn = base.pupils[0]["upn"]
        base.pupils[0]["admission_date"] = "2024-09-02"
        first = import_folder(store, write(base))
        assert self.possible(store) == 20
        base.pupils[0]["admission_date"] = "2024-09-04"
        base.marks = [m for m in base.marks if not (m["upn"] == upn and m["date"] < "2024-09-04")]
        second = import_folder(store, write(base))
        assert (second.enrolments_added, second.enrolments_changed, second.marks_removed) == (0, 1, 4)
        assert second.marks_unchanged == 16
        history = (
            store.duckdb_connection()
            .execute("SELECT date, import_id, superseded_by FROM mark_history ORDER BY ALL")
            .fetchall()
        )
        assert [(str(d), i, s) for d, i, s in history] == [
            (day, first.import_id, second.import_id) for day in ["2024-09-02"] * 2 + ["2024-09-03"] * 2
        ]
        assert self.possible(store) == self.possible(store, "marks") == self.possible(store, "blocks") == 16

    def test_earlier_leaving_date_moves_later_marks_to_the_history(self, store: Store, base: Register, write) -> None:
        import_folder(store, write(base))
        base.pupils[1]["leaving_date"] = "2024-09-04"
        result = import_folder(store, write(Register(schools=base.schools, pupils=base.pupils)))
        assert (result.enrolments_changed, result.marks_removed) == (1, 4)
        assert self.possible(store) == self.possible(store, "marks") == 16

    def test_two_enrolments_overlapping_one_stored_are_refused(self, store: Store, base: Register, write) -> None:
        """Two of the file's enrolments both overlapping one stored enrolment is not a correction either
        could be: the file is refused, naming both lines."""
        import_folder(store, write(base))
        upn = base.pupils[0]["upn"]
        base.pupils[0] = {**base.pupils[0], "admission_date": "2019-09-02", "leaving_date": "2020-07-31"}
        base.pupils.append({**base.pupils[0], "admission_date": "2020-09-01", "leaving_date": ""})
        err = refused(store, write(Register(schools=base.schools, pupils=base.pupils)))
        assert [(p.file, p.line, p.field) for p in err.problems] == [("pupils.csv", 4, "admission_date")]
        assert f"enrolments of {upn} at 100001 on lines 2, 4 all overlap the stored enrolment 2019-09-01 to now" in str(
            err.problems[0]
        )


class TestBadMarks:
    @pytest.fixture
    def stored(self, store: Store, base: Register, write) -> Path:
        """The base register is already stored; each test adds one bad line to a new import of it."""
        import_folder(store, write(base))
        return write(base)

    def test_unknown_code(self, store: Store, stored: Path, base: Register) -> None:
        line = append_mark(stored, f"{base.pupils[0]['upn']},100001,2024-09-09,AM,A")
        msg = only_problem(refused(store, stored))
        assert msg == f"marks.csv line {line}, field 'code': 'A' is not a national attendance code"

    def test_legacy_code_after_switch(self, store: Store, stored: Path, base: Register) -> None:
        line = append_mark(stored, f"{base.pupils[0]['upn']},100001,2024-09-09,AM,H")
        msg = only_problem(refused(store, stored))
        assert msg == (
            f"marks.csv line {line}, field 'code': 'H' is a 2006 attendance code, only valid before 19 August 2024"
        )

    def test_2024_code_before_switch(self, store: Store, base: Register, write) -> None:
        base.sessions(base.pupils[0]["upn"], ["C2"], dt.date(2024, 7, 1))
        msg = only_problem(refused(store, write(base)))
        assert "'C2' is a 2024 attendance code, only valid from 19 August 2024" in msg

    def test_invalid_upn_check_letter(self, store: Store, stored: Path, base: Register) -> None:
        good = base.pupils[0]["upn"]
        bad = ("A" if good[0] != "A" else "B") + good[1:]
        line = append_mark(stored, f"{bad},100001,2024-09-09,AM,/")
        msg = only_problem(refused(store, stored))
        assert msg.startswith(f"marks.csv line {line}, field 'upn': '{bad}' has check letter")

    def test_session_not_am_pm(self, store: Store, stored: Path, base: Register) -> None:
        line = append_mark(stored, f"{base.pupils[0]['upn']},100001,2024-09-09,EVE,/")
        assert only_problem(refused(store, stored)) == f"marks.csv line {line}, field 'session': 'EVE' is not AM or PM"

    def test_malformed_date(self, store: Store, stored: Path, base: Register) -> None:
        line = append_mark(stored, f"{base.pupils[0]['upn']},100001,09/09/2024,AM,/")
        msg = only_problem(refused(store, stored))
        assert msg == f"marks.csv line {line}, field 'date': '09/09/2024' is not a date (expected YYYY-MM-DD)"

    def test_impossible_date(self, store: Store, stored: Path, base: Register) -> None:
        line = append_mark(stored, f"{base.pupils[0]['upn']},100001,2024-02-30,AM,/")
        assert f"line {line}, field 'date'" in only_problem(refused(store, stored))

    def test_date_outside_enrolment(self, store: Store, base: Register, write) -> None:
        base.pupils[0]["leaving_date"] = "2024-09-04"
        msg = refused(store, write(base)).problems[0]
        assert msg.field == "date"
        assert "2024-09-05 is outside" in msg.message and "2019-09-01 to 2024-09-04" in msg.message

    def test_mark_for_unknown_pupil(self, store: Store, stored: Path) -> None:
        stranger = make_upn(999)
        line = append_mark(stored, f"{stranger},100001,2024-09-09,AM,/")
        assert only_problem(refused(store, stored)) == (
            f"marks.csv line {line}, field 'upn': pupil {stranger} is not in pupils.csv or the store"
        )

    def test_unknown_school(self, store: Store, stored: Path, base: Register) -> None:
        line = append_mark(stored, f"{base.pupils[0]['upn']},199999,2024-09-09,AM,/")
        assert only_problem(refused(store, stored)) == (
            f"marks.csv line {line}, field 'urn': school 199999 is not in schools.csv or the store"
        )

    def test_duplicated_session(self, store: Store, stored: Path, base: Register) -> None:
        upn = base.pupils[0]["upn"]
        line = append_mark(stored, f"{upn},100001,2024-09-02,AM,I")
        msg = only_problem(refused(store, stored))
        assert (
            msg
            == f"marks.csv line {line}, field 'session': {upn} at 100001 on 2024-09-02 AM is already given on line 2"
        )

    def test_closure_day(self, store: Store, base: Register, write) -> None:
        base.closures.append(
            {"urn": 100001, "start_date": "2024-09-04", "end_date": "", "session": "", "reason": "INSET"}
        )
        err = refused(store, write(base))
        assert err.total == 4  # two pupils, two sessions
        assert all(p.field == "date" and "closure day for this school (INSET)" in p.message for p in err.problems)

    def test_closure_over_several_days_and_one_session(self, store: Store, base: Register, write) -> None:
        """A school's PM closure from Tuesday to Thursday catches exactly those three afternoons, and is
        named before an LA-wide closure on the same session."""
        base.closures += [
            {"urn": 100001, "start_date": "2024-09-03", "end_date": "2024-09-05", "session": "PM", "reason": "Works"},
            {"urn": "", "start_date": "2024-09-05", "end_date": "", "session": "PM", "reason": "LA"},
            {"urn": 100002, "start_date": "2024-09-02", "end_date": "2024-09-06", "session": "", "reason": "Other"},
        ]
        base.school(100002)  # closed all week, but nobody there has marks
        err = refused(store, write(base))
        got = sorted((p.line, p.message.split(" is ")[0]) for p in err.problems)
        days = ["2024-09-03", "2024-09-04", "2024-09-05"]
        want = [(i + 2, m["date"]) for i, m in enumerate(base.marks) if m["session"] == "PM" and m["date"] in days]
        assert err.total == 6 and got == sorted(want)
        assert all(p.message.endswith("(Works)") for p in err.problems)

    def test_closure_hash_code_is_allowed(self, store: Store, base: Register, write) -> None:
        base.closures.append({"urn": "", "start_date": "2024-09-09", "end_date": "", "session": "AM", "reason": "x"})
        base.marks.append(
            {"upn": base.pupils[0]["upn"], "urn": 100001, "date": "2024-09-09", "session": "AM", "code": "#"}
        )
        assert import_folder(store, write(base)).marks_added == 21

    @pytest.mark.parametrize("newline", ["\n", "\r\n"])
    def test_line_numbers_count_empty_lines(self, store: Store, base: Register, write, newline: str) -> None:
        """The CSV reader skips empty lines; problems after them still name the line in the file."""
        folder = write(base)
        path = folder / "marks.csv"
        lines = path.read_text().splitlines()
        upn = base.pupils[0]["upn"]
        bad = f"{upn},100001,2024-09-09,AM,A"
        # empty lines at the top of the data, twice in a row in the middle, and before the bad line
        text = [lines[0], "", *lines[1:5], "", "", *lines[5:], "", bad, lines[1]]
        path.write_bytes(newline.join(text).encode() + newline.encode())
        err = refused(store, folder)
        assert [(p.line, p.field) for p in err.problems] == [(len(text) - 1, "code"), (len(text), "session")]
        assert err.problems[1].message.endswith("is already given on line 3")

    @pytest.mark.parametrize(
        ("row", "what"),
        [
            ("{upn},100001,2024-09-09,AM,/,extra", "6 fields where the header has 5"),
            ("{upn},100001", "2 fields where the header has 5"),
            ("   ", "1 field where the header has 5"),
            ('"{upn},100001,2024-09-09,AM,/', 'a quoted value is never closed (a " with no closing ")'),
        ],
    )
    def test_malformed_row(self, store: Store, stored: Path, base: Register, row: str, what: str) -> None:
        """A row the CSV reader cannot split into the header's fields is named by its line."""
        line = append_mark(stored, row.format(upn=base.pupils[0]["upn"]))
        append_mark(stored, f"{base.pupils[0]['upn']},100001,2024-09-10,AM,/")
        assert (
            only_problem(refused(store, stored)) == f"marks.csv line {line}: the file is not a well-formed CSV: {what}"
        )

    def test_missing_value(self, store: Store, stored: Path, base: Register) -> None:
        line = append_mark(stored, f"{base.pupils[0]['upn']},100001,2024-09-09,AM,")
        assert only_problem(refused(store, stored)) == f"marks.csv line {line}, field 'code': a value is required"

    def test_wrong_encoding(self, store: Store, stored: Path, base: Register) -> None:
        path = stored / "marks.csv"
        path.write_bytes(
            path.read_bytes() + f"{base.pupils[0]['upn']},100001,2024-09-09,AM,/ caf\xe9\n".encode("latin-1")
        )
        msg = only_problem(refused(store, stored))
        assert msg.startswith("marks.csv line 22: not valid UTF-8 (byte 0xe9)")

    def test_missing_column(self, store: Store, stored: Path) -> None:
        path = stored / "marks.csv"
        lines = path.read_text().splitlines()
        path.write_text(
            "\n".join(["upn,urn,date,code"] + [",".join(x.split(",")[:3] + x.split(",")[4:]) for x in lines[1:]]) + "\n"
        )
        assert only_problem(refused(store, stored)) == "marks.csv line 1: missing column: session"

    def test_all_problems_listed_with_a_cap(self, store: Store, stored: Path, base: Register) -> None:
        """Every problem is counted; the first 100 are listed."""
        upn = base.pupils[0]["upn"]
        for day in range(150):
            append_mark(stored, f"{upn},100001,2024-10-{1 + day % 28:02d},{['AM', 'XX'][day >= 28]},A")
        err = refused(store, stored)
        assert err.total > 150 and len(err.problems) == 100
        assert "more" in err.report().splitlines()[-1]


class TestBadPupilsAndSchools:
    def test_unquoted_comma_in_a_name(self, store: Store, base: Register, write) -> None:
        """A school name with an unquoted comma would shift every later field: the row is refused."""
        folder = write(base)
        path = folder / "schools.csv"
        path.write_text(path.read_text() + "100002,St Mary's, Anytown,primary,999,Testshire\n")
        assert only_problem(refused(store, folder)) == (
            "schools.csv line 3: 6 fields where the header has 5 (a comma in a value must be inside double quotes: "
            '"Smith, Jr")'
        )

    def test_half_terms_that_overlap(self, store: Store, base: Register, write) -> None:
        folder = write(base)
        (folder / "terms.csv").write_text(
            "academic_year,term,half_term,start_date,end_date\n"
            "2024/25,autumn,1,2024-09-02,2024-10-25\n"
            "2024/25,autumn,2,2024-10-21,2024-12-20\n"
        )
        assert only_problem(refused(store, folder)) == (
            "terms.csv line 3, field 'start_date': half term 2 starts on 2024-10-21, before half term 1 (line 2) "
            "ends on 2024-10-25"
        )

    def test_bad_pupil_fields(self, store: Store, base: Register, write) -> None:
        base.pupils[0].update(
            date_of_birth="2015-31-01", sex="X", ethnicity="ZZZZ1", sen="Q", nc_year="Y15", fsm="maybe"
        )
        err = refused(store, write(base))
        fields = sorted(p.field for p in err.problems if p.line == 2)
        assert fields == ["date_of_birth", "ethnicity", "fsm", "nc_year", "sen", "sex"]

    def test_bad_upn_in_pupils(self, store: Store, base: Register, write) -> None:
        base.pupils[1]["upn"] = "A999100024002"
        err = refused(store, write(base))
        assert any(p.file == "pupils.csv" and p.line == 3 and p.field == "upn" for p in err.problems)

    def test_conflicting_pupil_details(self, store: Store, base: Register, write) -> None:
        base.pupil(upn=base.pupils[0]["upn"], urn=100001, dob="2014-01-01", admission="2025-01-01")
        err = refused(store, write(base))
        assert any(p.line == 4 and p.field == "date_of_birth" and "line 2" in p.message for p in err.problems)

    def test_overlapping_enrolments(self, store: Store, base: Register, write) -> None:
        base.pupil(upn=base.pupils[0]["upn"], urn=100001, admission="2024-01-01")
        err = refused(store, write(base))
        assert any(p.field == "admission_date" and "overlaps" in p.message for p in err.problems)

    def test_bad_school(self, store: Store, base: Register, write) -> None:
        base.schools[0].update(phase="nursery", la_code="99")
        err = refused(store, write(base))
        assert {p.field for p in err.problems if p.file == "schools.csv"} == {"phase", "la_code"}

    def test_not_a_folder(self, store: Store, tmp_path: Path) -> None:
        with pytest.raises(IngestError, match="is not a folder"):
            import_folder(store, tmp_path / "nope")


def test_refused_import_after_partial_success_leaves_earlier_import_intact(store: Store, base: Register, write) -> None:
    """A bad file late in a batch (after good pupils and schools) stores none of the good ones either."""
    import_folder(store, write(base))
    more = Register()
    more.school(100002)
    p = more.pupil(urn=100002)
    more.sessions(p, "////", urn=100002)
    more.marks[-1]["code"] = "BAD"
    refused(store, write(more))
    assert value(store, "SELECT count(*) FROM schools") == 1


class TestEmptyLines:
    """Empty lines are found wherever the file is cut into chunks, and line numbers count past them."""

    @settings(max_examples=200, deadline=None)
    @given(
        lines=st.lists(st.sampled_from(["", "a,b", "x"]), min_size=1, max_size=30),
        newline=st.sampled_from(["\n", "\r\n", "\r"]),
        chunk=st.integers(1, 9),
    )
    def test_found_across_chunks(self, tmp_path_factory, lines: list[str], newline: str, chunk: int) -> None:
        from attendwise.ingest import files
        from attendwise.ingest.outcomes import Problems

        path = tmp_path_factory.mktemp("csv") / "f.csv"
        path.write_bytes("".join(line + newline for line in lines).encode())
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(files, "_CHUNK", chunk)
            runs = files.check_utf8(path, Problems(10))
        found = [first + k for first, n in runs for k in range(n)]
        assert found == [i + 1 for i, line in enumerate(lines) if line == ""]
        assert all(first + n < later for (first, n), (later, _) in pairwise(runs))

    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def test_problems_name_the_line_in_the_file(self, tmp_path_factory, data: st.DataObject) -> None:
        """Whatever the empty lines, and whatever ends the lines (a file whose lines end in CR alone had its
        line numbers counted by LF, so every problem after an empty line named a line too early)."""
        reg = one_week()
        folder = reg.write(tmp_path_factory.mktemp("import"))
        path = folder / "marks.csv"
        header, *rows = path.read_text().splitlines()
        bad = data.draw(st.integers(0, len(rows)))
        rows.insert(bad, f"{reg.pupils[0]['upn']},100001,2024-09-09,AM,A")
        text = [header]
        for row in rows:
            text += [""] * data.draw(st.integers(0, 2)) + [row]
        newline = data.draw(st.sampled_from(["\n", "\r\n", "\r"]))
        path.write_bytes((newline.join(text) + newline).encode())
        with Store(":memory:") as store, pytest.raises(IngestError) as info:
            import_folder(store, folder)
        assert [p.line for p in info.value.problems] == [text.index(rows[bad]) + 1]
