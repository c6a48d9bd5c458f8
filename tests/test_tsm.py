"""Targeting Support Meeting packs on a small school checked by hand.

The school (URN 100001, primary) has one pupil for every rule in :mod:`attendwise.reports.tsm` and its edges.
Autumn half term 1 runs 2 Sep-25 Oct 2024 (40 school days, 80 sessions), half term 2 from 4 Nov; the
registers end on Friday 15 Nov, so every full-time pupil has 100 possible sessions (80 + 20) and the
pack is as at 15 Nov. The last 15 school days are 21-25 Oct and 4-15 Nov: the half-term holiday is not
a school day, so the window reaches back over it.
"""

from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from bs4 import BeautifulSoup
from click.testing import CliRunner

from attendwise.cli import main
from attendwise.errors import AttendwiseError
from attendwise.ingest import import_folder
from attendwise.measures import Population
from attendwise.reports.tsm import (
    COHORTS,
    PreviousAction,
    TSMError,
    TSMPack,
    pack_dates,
    pack_sections,
    read_previous_actions,
    tsm_pack,
    tsm_packs,
    write_pack,
)
from attendwise.store import Store
from tests.registers import Register

AUTUMN_1 = dt.date(2024, 9, 2)  # 40 weekdays to Fri 25 Oct: 80 sessions
AUTUMN_2 = dt.date(2024, 11, 4)  # 10 weekdays to Fri 15 Nov: 20 sessions
AS_AT = dt.date(2024, 11, 15)
URN = 100001


def both_halves(reg: Register, upn: str, first: list[str] | str, second: list[str] | str, urn: int = URN) -> None:
    """Marks for autumn 1 (80 sessions from 2 Sep) and autumn 2 (20 sessions from 4 Nov)."""
    first, second = list(first), list(second)
    assert len(first) == 80 and len(second) == 20
    reg.sessions(upn, first, AUTUMN_1, urn=urn)
    reg.sessions(upn, second, AUTUMN_2, urn=urn)


def build_school() -> tuple[Register, dict[str, str]]:
    reg = Register()
    reg.school(URN, "primary", "Oakfield Primary")
    reg.school(100002, "primary", "Elm Primary")
    reg.school(100003, "secondary", "Ash Secondary")
    reg.half_terms_2024_25()
    p: dict[str, str] = {}

    def pupil(key: str, **kw: str) -> str:
        p[key] = reg.pupil(kw.pop("urn", URN), **kw)  # type: ignore[arg-type]
        return p[key]

    # 100/100: expected attendance, on no list.
    both_halves(reg, pupil("regular"), "/" * 80, "/" * 20)
    # 40%: severely absent; the last 15 school days all unauthorised (O then N): on the 3-week list.
    both_halves(reg, pupil("severe", fsm="Y"), "/" * 40 + "I" * 20 + "O" * 20, "N" * 20)
    # 85%: persistently absent (G 10, I 5).
    both_halves(reg, pupil("persistent", cla="Y"), "/" * 70 + "G" * 10, "/" * 15 + "I" * 5)
    # Exactly 90%: persistently absent (90% or less).
    both_halves(reg, pupil("ninety"), "/" * 80, "/" * 10 + "I" * 10)
    # 91%: not persistently absent, but falling: at risk.
    both_halves(reg, pupil("ninety_one"), "/" * 80, "/" * 11 + "I" * 9)
    # 0%: never attended, all unauthorised: zero list, severe list, 3-week list.
    both_halves(reg, pupil("zero", sen="K"), "N" * 80, "O" * 20)
    # Came once (the very first session), then unauthorised: not zero; severe; on the 3-week list.
    both_halves(reg, pupil("came_once", sen="E", cin="Y"), "/" + "N" * 79, "N" * 20)
    # Came once, inside the window (the last session): not zero, not on the 3-week list.
    both_halves(reg, pupil("came_once_recently"), "O" * 80, "O" * 19 + "/")
    # Absent all through the window but authorised (illness): not on the 3-week list; 70%, persistent.
    both_halves(reg, pupil("authorised_only"), "/" * 70 + "I" * 10, "I" * 20)
    # Mixed codes in the window, one of them authorised: not listed; 70%.
    both_halves(reg, pupil("mixed_with_authorised"), "/" * 70 + "N" * 10, "N" * 19 + "I")
    # Mixed unauthorised codes (G, N, U, O) and a not-counted Y7 in the window: listed.
    both_halves(reg, pupil("mixed_unauthorised"), "/" * 70 + "O" * 10, ["N", "G", "U", "O", "Y7"] * 4)
    # Attendance fell in half term 2 after the action of 4 Nov... and one whose attendance rose after it.
    both_halves(reg, pupil("improving", cpp="Y"), "/" * 40 + "I" * 40, "/" * 20)
    # Late joiner (admitted Mon 7 Oct), never attended, all N: zero since 7 Oct and on the 3-week list.
    late = pupil("late_joiner", admission="2024-10-07")
    reg.sessions(late, "N" * 30, dt.date(2024, 10, 7))
    reg.sessions(late, "N" * 20, AUTUMN_2)
    # Joined inside the window (Mon 11 Nov), never attended: judged on the sessions since joining.
    newest = pupil("joined_in_window", admission="2024-11-11")
    reg.sessions(newest, "N" * 10, dt.date(2024, 11, 11))
    # Recorded as a child missing education: on the zero list, left out of the 3-week list.
    both_halves(reg, pupil("cme"), "O" * 80, "O" * 20)
    # Left on 11 Oct after 0% attendance: counted in the headline figures, on no list.
    gone = pupil("left", leaving="2024-10-11")
    reg.sessions(gone, "N" * 60, AUTUMN_1)
    # Only codes that are not possible sessions: not counted anywhere.
    both_halves(reg, pupil("not_counted"), ["Y7"] * 80, ["Y7"] * 20)
    # A reception child aged 4 (outside the DfE population) who has never attended.
    both_halves(reg, pupil("reception", dob="2020-03-01", nc_year="R"), "N" * 80, "N" * 20)

    # The rest of the LA: another primary (100% and 50%) and a secondary (90%).
    both_halves(reg, pupil("elm_full", urn=100002), "/" * 80, "/" * 20, urn=100002)
    both_halves(reg, pupil("elm_half", urn=100002), "/" * 40 + "I" * 40, "/" * 10 + "I" * 10, urn=100002)
    both_halves(reg, pupil("ash", urn=100003, dob="2012-03-01", nc_year="8"), "/" * 80, "/" * 10 + "I" * 10, urn=100003)
    return reg, p


@pytest.fixture(scope="module")
def school(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    root = tmp_path_factory.mktemp("tsm")
    reg, upns = build_school()
    path = root / "store.duckdb"
    with Store(path) as store:
        import_folder(store, reg.write(root / "csv"))
    return str(path), upns


DISCUSS_UNKNOWN = "A999999999999"


@pytest.fixture(scope="module")
def pack(school: tuple[str, dict[str, str]]) -> TSMPack:
    """Oakfield's autumn pack as at its last mark, with the CME pupil excluded and case-store inputs."""
    path, p = school
    actions = [
        PreviousAction(p["improving"], dt.date(2024, 11, 4), "Attendance contract agreed", "School"),
        PreviousAction(p["persistent"], dt.date(2024, 11, 4), "Early Help offered", "LA"),
        PreviousAction(DISCUSS_UNKNOWN, dt.date(2024, 11, 4), "Check with previous school"),
        PreviousAction(p["regular"], dt.date(2024, 11, 18), "Praise postcard"),
    ]
    with Store(path, read_only=True) as store:
        return tsm_pack(
            store,
            URN,
            "2024/25-autumn",
            discuss=[p["regular"], DISCUSS_UNKNOWN, p["left"]],
            previous_actions=actions,
            exclude_cme={p["cme"]},
        )


def keys(upns: dict[str, str], pupils: object) -> list[str]:
    """The test's names for the pupils of a list, in the list's order."""
    names = {v: k for k, v in upns.items()}
    return [names[getattr(x, "upn", None) or x.pupil.upn] for x in pupils]  # type: ignore[attr-defined]


class TestPackDates:
    def test_as_at_is_the_last_mark_in_the_term(self, pack: TSMPack) -> None:
        """With no date given, the pack is as at the last mark in the term, and every period ends there."""
        assert pack.as_at == AS_AT
        assert (pack.year_to_date.start, pack.year_to_date.end) == (dt.date(2024, 8, 1), AS_AT)
        assert (pack.term_to_date.start, pack.term_to_date.end) == (dt.date(2024, 8, 1), AS_AT)
        assert pack.school_last_mark == AS_AT

    def test_refuses_what_is_not_a_term_or_not_in_it(self, school: tuple[str, dict[str, str]]) -> None:
        """A year, a half term, a date outside the term, a term with no marks and an unknown school are refused."""
        with Store(school[0], read_only=True) as store:
            for term in ("2024/25", "2024/25-autumn-1", "autumn"):
                with pytest.raises(TSMError):
                    pack_dates(store, term)
            with pytest.raises(TSMError, match="is not in"):
                pack_dates(store, "2024/25-autumn", dt.date(2025, 1, 6))
            with pytest.raises(TSMError, match="no marks"):
                pack_dates(store, "2024/25-spring")
            with pytest.raises(TSMError, match="no school with URN 42"):
                tsm_pack(store, 42, "2024/25-autumn")

    def test_a_given_date_cuts_every_list(self, school: tuple[str, dict[str, str]]) -> None:
        """As at Fri 25 Oct, half term 2 has not happened: the improving pupil is at 50% and the window is
        the 15 school days 7-25 Oct."""
        path, p = school
        with Store(path, read_only=True) as store:
            early = tsm_pack(store, URN, "2024/25-autumn", as_at=dt.date(2024, 10, 25))
        assert early.as_at == dt.date(2024, 10, 25)
        improving = next(x for x in early.severely_absent if x.upn == p["improving"])
        assert (improving.sess_possible, improving.sess_attended) == (80, 40)
        section = early.no_attendance_recently
        assert (section.window_start, section.window_end, section.school_days) == (
            dt.date(2024, 10, 7),
            dt.date(2024, 10, 25),
            15,
        )


class TestOverall:
    # Oakfield, pupils aged 5-15 with possible sessions (16: the reception child and the pupil with only
    # Y7 marks are not counted): 1,416 possible sessions, 678 attended; 14 persistently absent, 8 severely.
    def test_school_la_and_similar_schools(self, pack: TSMPack) -> None:
        """The school's own figures, the LA's (all three schools) and Elm Primary's (the only other primary)."""
        school, la, similar, england = pack.overall.year_to_date
        assert (school.kind, school.area, school.enrolments) == ("school", "Oakfield Primary", 16)
        assert school.attendance_percent == pytest.approx(100 * 678 / 1416)
        assert (school.persistently_absent, school.severely_absent) == (14, 8)
        assert school.persistent_absence_percent == pytest.approx(100 * 14 / 16)
        assert (la.kind, la.enrolments) == ("la", 19)
        assert la.attendance_percent == pytest.approx(100 * (678 + 150 + 90) / (1416 + 200 + 100))
        assert (similar.kind, similar.enrolments, similar.attendance_percent) == ("similar", 2, pytest.approx(75.0))
        assert "1 other schools of the same phase" in similar.basis
        assert england.kind == "national" and england.area == "England (State-funded primary)"
        assert england.overall_absence_percent == pytest.approx(5.247) and "DfE" in england.basis

    def test_term_figures_and_last_year(self, pack: TSMPack) -> None:
        """This term is the autumn census term to date; there is no last year in the store to compare with."""
        assert pack.overall.this_term[0].attendance_percent == pytest.approx(100 * 678 / 1416)
        school, la = pack.overall.against_last_year
        assert school.compared_with == "2023/24 to 15 Nov" and school.last_year is None
        assert school.this_year.attendance_percent == pytest.approx(100 * 678 / 1416)
        assert la.attendance_change_points is None


class TestCategories:
    def test_five_categories_year_to_date(self, pack: TSMPack) -> None:
        """Regular; 91%; 85% and 90%; 60-73%; and the 8 at 50% or less (the leaver included, as counted)."""
        counts = {b.key: b.pupils for b in pack.categories.year_to_date}
        assert counts == {"expected": 1, "at_risk_pa": 1, "persistent": 2, "at_risk_sa": 4, "severe": 8}
        assert sum(b.percent for b in pack.categories.year_to_date) == pytest.approx(100)
        assert pack.categories.scheme == "Five attendance categories"


class TestSevereAndPersistent:
    def test_every_severely_absent_pupil_on_roll_lowest_first(self, pack: TSMPack, school) -> None:
        """The leaver and the reception child are not listed; a pupil who came once is (1%)."""
        upns = school[1]
        assert set(keys(upns, pack.severely_absent)) == {
            "severe",
            "zero",
            "came_once",
            "came_once_recently",
            "late_joiner",
            "joined_in_window",
            "cme",
        }
        rates = [x.attendance_percent for x in pack.severely_absent]
        assert rates == sorted(rates) and rates[-1] == pytest.approx(40.0)

    def test_persistently_absent_exactly_once(self, pack: TSMPack, school) -> None:
        """90% exactly is persistent, 91% is not; the severely absent are not repeated; with the leaver the
        two lists make the school's 14 persistently absent."""
        upns = school[1]
        assert keys(upns, pack.persistently_absent) == [
            "improving",
            "authorised_only",
            "mixed_with_authorised",
            "mixed_unauthorised",
            "persistent",
            "ninety",
        ]
        assert len(pack.severely_absent) + len(pack.persistently_absent) + 1 == pack.overall.school.persistently_absent

    def test_trend_band_history_and_reasons(self, pack: TSMPack, school) -> None:
        """The severely absent pupil: 50% in the 4 weeks before, 0% in the last 4; severe in both half terms;
        illness, N and O 20 sessions each."""
        severe = next(x for x in pack.severely_absent if x.upn == school[1]["severe"])
        assert (severe.sess_possible, severe.sess_attended, severe.sess_unauthorised) == (100, 40, 40)
        t = severe.trend
        assert (t.recent_possible, t.recent_attended, t.previous_possible, t.previous_attended) == (40, 0, 40, 20)
        assert t.direction == "falling" and t.change_points == pytest.approx(-50)
        assert [(b.period, b.sess_possible, b.sess_overall, b.band_key) for b in severe.band_history] == [
            ("Autumn 1", 80, 40, "severe"),
            ("Autumn 2", 20, 20, "severe"),
        ]
        assert [(r.label, r.sessions) for r in severe.reasons] == [
            ("Illness (not medical or dental appointments)", 20),
            ("No reason yet provided", 20),
            ("Other unauthorised absence", 20),
        ]
        assert severe.priority_groups == ("FSM",)
        improving = next(x for x in pack.persistently_absent if x.upn == school[1]["improving"])
        assert [b.band_key for b in improving.band_history] == ["severe", "expected"]
        assert improving.priority_groups == ("Social worker",)


class TestZeroAttendance:
    def test_who_has_not_attended_this_year(self, pack: TSMPack, school) -> None:
        """Listed: never attended, the late joiners (since their first session) and the CME pupil. Not listed:
        a pupil who came once (even long ago), the leaver, a pupil with no possible sessions, reception."""
        upns = school[1]
        got = dict(zip(keys(upns, pack.zero_attendance), pack.zero_attendance, strict=True))
        assert set(got) == {"zero", "late_joiner", "joined_in_window", "cme"}
        assert (got["zero"].since, got["zero"].late_joiner) == (dt.date(2024, 9, 2), False)
        assert (got["late_joiner"].since, got["late_joiner"].late_joiner) == (dt.date(2024, 10, 7), True)
        assert got["joined_in_window"].since == dt.date(2024, 11, 11)

    def test_all_ages_brings_in_reception(self, school: tuple[str, dict[str, str]]) -> None:
        """With every age counted, the reception child who never attended is listed too."""
        path, upns = school
        with Store(path, read_only=True) as store:
            wide = tsm_pack(store, URN, "2024/25-autumn", population=Population.all_ages())
        assert "reception" in keys(upns, wide.zero_attendance)


class TestNoAttendanceRecently:
    def test_the_window_is_15_school_days_over_the_holiday(self, pack: TSMPack) -> None:
        section = pack.no_attendance_recently
        assert (section.window_start, section.window_end, section.school_days) == (
            dt.date(2024, 10, 21),
            AS_AT,
            15,
        )

    def test_unauthorised_only_and_not_cme(self, pack: TSMPack, school) -> None:
        """Listed: every session in the window unauthorised (mixed G/N/U/O with a Y7 too; a pupil who came
        once before the window; late joiners judged since joining). Not listed: one attended session in the
        window, authorised absence only, one authorised session among unauthorised ones, the CME pupil."""
        upns = school[1]
        section = pack.no_attendance_recently
        assert set(keys(upns, section.pupils)) == {
            "severe",
            "zero",
            "came_once",
            "mixed_unauthorised",
            "late_joiner",
            "joined_in_window",
        }
        assert section.left_out_as_cme == (upns["cme"],)
        mixed = next(x for x in section.pupils if x.pupil.upn == upns["mixed_unauthorised"])
        assert mixed.sess_possible == 26  # 30 sessions less the 4 Y7, which are not possible sessions
        assert dict(mixed.unauthorised_by_reason) == {
            "Other unauthorised absence": 14,
            "No reason yet provided": 4,
            "Holiday not agreed": 4,
            "Late after registers closed": 4,
        }
        joined = next(x for x in section.pupils if x.pupil.upn == upns["joined_in_window"])
        assert joined.sess_possible == 10

    def test_cme_exclusion_by_predicate_or_not_at_all(self, school: tuple[str, dict[str, str]]) -> None:
        """A predicate excludes as a set does; without an exclusion the CME pupil is listed."""
        path, upns = school
        with Store(path, read_only=True) as store:
            by_predicate = tsm_pack(store, URN, "2024/25-autumn", exclude_cme=lambda upn: upn == upns["cme"])
            none = tsm_pack(store, URN, "2024/25-autumn")
        assert by_predicate.no_attendance_recently.left_out_as_cme == (upns["cme"],)
        assert "cme" in keys(upns, none.no_attendance_recently.pupils)
        assert none.no_attendance_recently.left_out_as_cme == ()


class TestAtRisk:
    def test_not_yet_persistent_but_projected(self, pack: TSMPack, school) -> None:
        """Without an earlier year there is no model: the 91% pupil, falling, is projected below 90%."""
        assert "no learned model" in pack.at_risk_basis
        assert keys(school[1], pack.at_risk) == ["ninety_one"]
        risk = pack.at_risk[0]
        assert risk.risk_pa is None and risk.projected_attendance_percent < 90
        assert any("on course to end the year" in r for r in risk.reasons)


class TestCohorts:
    def test_priority_cohorts_with_flags(self, pack: TSMPack) -> None:
        """One FSM pupil at 40%; two with a social worker (CIN at 1%, CPP at 60%); all too few to flag."""
        cohorts = {c.cohort: c for c in pack.cohorts}
        assert list(cohorts) == list(COHORTS)
        fsm = cohorts["FSM eligible"]
        assert (fsm.pupils, fsm.attendance_percent, fsm.persistently_absent) == (1, pytest.approx(40.0), 1)
        social = cohorts["With a social worker (CIN or CPP)"]
        assert (social.pupils, social.attendance_percent, social.severely_absent) == (2, pytest.approx(30.5), 1)
        assert social.la_pupils == 2
        assert {c.flag for c in pack.cohorts} == {"too few pupils to say"}
        assert cohorts["Looked after"].others_persistent_absence_percent == pytest.approx(100 * 13 / 15)


class TestCaseStoreInputs:
    def test_pupils_to_discuss(self, pack: TSMPack, school) -> None:
        """Known pupils come with their summary; an unknown UPN and a leaver say why."""
        regular, unknown, left = pack.discussed
        assert regular.pupil is not None and regular.pupil.attendance_percent == 100
        assert unknown.pupil is None and "not counted at this school" in unknown.note
        assert left.pupil is not None and left.note == "left the school on 11 Oct 2024"

    def test_improvement_since_each_action(self, pack: TSMPack) -> None:
        """Before = the 30 school days before 4 Nov (16 Sep to 25 Oct); since = 4 to 15 Nov."""
        improving, persistent, unknown, future = pack.previous_actions
        assert improving.before_start == dt.date(2024, 9, 16)
        assert (improving.before_possible, improving.before_attended) == (60, 20)
        assert (improving.since_possible, improving.since_attended) == (20, 20)
        assert improving.improved is True and improving.change_points == pytest.approx(100 - 100 / 3)
        assert improving.describe() == "attendance rose from 33% to 100% since 04 Nov 2024"
        assert (persistent.before_attended, persistent.since_attended) == (50, 15)
        assert persistent.improved is False
        assert unknown.pupil is None and unknown.improved is None
        assert future.since_possible == 0 and future.improved is None
        assert future.describe().startswith("no possible sessions since")

    def test_actions_from_csv(self, tmp_path) -> None:
        """The command line's CSV of actions; a bad date is named by file, line and field."""
        good = tmp_path / "actions.csv"
        good.write_text("upn,agreed_on,action,owner\nb999100024005,2024-11-04,Call home,LA\n", encoding="utf-8")
        assert read_previous_actions(good) == (
            PreviousAction("B999100024005", dt.date(2024, 11, 4), "Call home", "LA"),
        )
        bad = tmp_path / "bad.csv"
        bad.write_text("upn,agreed_on,action\nB999100024005,4/11/2024,Call\n", encoding="utf-8")
        with pytest.raises(TSMError, match=r"bad\.csv line 2, field 'agreed_on'"):
            read_previous_actions(bad)


class TestAllSchools:
    def test_every_school_in_one_pass_matches_one_school(self, school: tuple[str, dict[str, str]]) -> None:
        """Packs for every school agree with the single-school pack, and each school gets its own lists."""
        path, upns = school
        with Store(path, read_only=True) as store:
            packs = tsm_packs(store, "2024/25-autumn", exclude_cme={upns["cme"]})
            one = tsm_pack(store, URN, "2024/25-autumn", exclude_cme={upns["cme"]})
        assert sorted(packs) == [100001, 100002, 100003]
        assert packs[URN].severely_absent == one.severely_absent
        assert packs[URN].no_attendance_recently == one.no_attendance_recently
        assert keys(upns, packs[100002].severely_absent) == ["elm_half"]
        ash = packs[100003]
        assert ash.overall.year_to_date[2].enrolments is None  # no other secondary school in the LA
        assert ash.overall.year_to_date[3].area == "England (State-funded secondary)"


class TestExport:
    def test_xlsx_reads_back(self, pack: TSMPack, tmp_path) -> None:
        """One sheet per section, title and frozen bold header, percentages as fractions with a % format."""
        path = write_pack(pack, tmp_path / "pack.xlsx")
        wb = openpyxl.load_workbook(path)
        assert wb.sheetnames == [s.sheet for s in pack_sections(pack)]
        ws = wb["Severely absent"]
        assert ws["A1"].value == "Severely absent pupils" and ws.freeze_panes == "A4"
        headers = [c.value for c in ws[3]]
        assert headers[:5] == ["UPN", "Name", "Year", "Priority groups", "Attendance"]
        assert ws["A3"].font.bold
        rows = list(ws.iter_rows(min_row=4, values_only=True))
        assert len(rows) == len(pack.severely_absent) == 7
        last = rows[-1]
        assert last[0] == pack.severely_absent[-1].upn and last[4] == pytest.approx(0.40)
        assert ws.cell(row=4 + 6, column=5).number_format == "0.0%"
        assert "Autumn 1: 50%" in last[11] and "Illness" in last[12]
        summary = {r[0]: r[1] for r in wb["Summary"].iter_rows(min_row=4, values_only=True)}
        assert summary["School"] == "Oakfield Primary (URN 100001)"
        assert summary["As at"].date() == AS_AT
        actions = list(wb["Previous actions"].iter_rows(min_row=4, values_only=True))
        assert actions[0][8] == "Yes" and actions[0][7] == pytest.approx(100 - 100 / 3)
        empty = wb["To discuss"]
        assert empty.max_row >= 4
        categories = list(wb["Attendance categories"].iter_rows(min_row=4, values_only=True))
        assert categories[-1][:2] == ("Severe absence (50% or less)", 8)

    def test_html_is_printable_and_self_contained(self, pack: TSMPack, tmp_path) -> None:
        """Every section is a heading and a table (or says it is empty); print CSS; nothing fetched."""
        path = write_pack(pack, tmp_path / "pack.html")
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert soup.title.string == pack.title
        assert [h.get_text() for h in soup.find_all("h2")] == [s.title for s in pack_sections(pack)]
        severe = soup.find("section", id="severe")
        assert "new-page" in severe["class"]
        assert [th.get_text() for th in severe.thead.find_all("th")][:5] == [
            "UPN",
            "Name",
            "Year",
            "Priority groups",
            "Attendance",
        ]
        rows = severe.tbody.find_all("tr")
        assert len(rows) == 7 and rows[-1].find_all("td")[4].get_text() == "40.0%"
        cme = soup.find("section", id="no_attendance_3_weeks").find("p", class_="intro").get_text()
        assert "21 Oct to 15 Nov 2024, 15 school days" in cme and "children missing education" in cme
        style = soup.style.string
        assert "@media print" in style and "@page" in style and "table-header-group" in style
        assert not soup.find_all("script") and not soup.find_all("link")
        assert not soup.find_all(src=True)

    def test_an_unknown_extension_is_refused(self, pack: TSMPack, tmp_path) -> None:
        with pytest.raises(AttendwiseError, match=r"\.pdf"):
            write_pack(pack, tmp_path / "pack.pdf")


def run_cli(store: str, *args: str) -> tuple[int, str]:
    """Run the CLI; the output with rich's line wrapping undone (its width depends on the terminal)."""
    result = CliRunner().invoke(main, ["--store", store, *args])
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, " ".join(result.output.split())


class TestCommandLine:
    def test_one_school_with_inputs(self, school: tuple[str, dict[str, str]], tmp_path) -> None:
        """Given the store, when I ask for Oakfield's pack as XLSX with a CME file, a pupil to discuss and the
        previous actions, then the workbook holds them."""
        path, upns = school
        (tmp_path / "cme.txt").write_text(f"# CME register\n{upns['cme']}\n", encoding="utf-8")
        (tmp_path / "actions.csv").write_text(
            f"upn,agreed_on,action\n{upns['improving']},2024-11-04,Attendance contract\n", encoding="utf-8"
        )
        out = tmp_path / "oakfield.xlsx"
        code, output = run_cli(
            path,
            "tsm-pack",
            "--school",
            str(URN),
            "--term",
            "2024/25-autumn",
            "--out",
            str(out),
            "--cme",
            str(tmp_path / "cme.txt"),
            "--discuss",
            upns["regular"],
            "--actions",
            str(tmp_path / "actions.csv"),
        )
        assert code == 0, output
        assert "7 severely and 6 persistently absent" in output
        wb = openpyxl.load_workbook(out)
        assert wb["To discuss"]["A4"].value == upns["regular"]
        assert wb["Previous actions"]["I4"].value == "Yes"
        intro = wb["No attendance 3 weeks"]["A2"].value
        assert upns["cme"] in intro

    def test_all_schools(self, school: tuple[str, dict[str, str]], tmp_path) -> None:
        """Every school's pack, as HTML, into a folder."""
        code, output = run_cli(
            school[0],
            "tsm-pack",
            "--all-schools",
            "--term",
            "2024/25-autumn",
            "--out-dir",
            str(tmp_path / "packs"),
            "--format",
            "html",
        )
        assert code == 0, output
        names = sorted(p.name for p in (tmp_path / "packs").iterdir())
        assert names == [
            "tsm-2024-25-autumn-100001-oakfield-primary.html",
            "tsm-2024-25-autumn-100002-elm-primary.html",
            "tsm-2024-25-autumn-100003-ash-secondary.html",
        ]
        assert "Wrote 3 2024/25 autumn term packs" in output

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--term", "2024/25-autumn", "--out", "x.xlsx"], "either --school URN or --all-schools"),
            (["--school", "100001", "--term", "2024/25-autumn", "--out", "x.pdf"], ".xlsx or .html"),
            (["--school", "100001", "--term", "2024/25-autumn"], "needs --out"),
            (["--all-schools", "--term", "2024/25-autumn"], "needs --out-dir"),
            (["--school", "42", "--term", "2024/25-autumn", "--out", "x.xlsx"], "no school with URN 42"),
            (["--school", "100001", "--term", "2024/25", "--out", "x.xlsx"], "is not a term"),
        ],
    )
    def test_mistakes_are_explained_without_a_traceback(
        self, school: tuple[str, dict[str, str]], args: list[str], message: str
    ) -> None:
        code, output = run_cli(school[0], "tsm-pack", *args)
        assert code != 0 and message in output and "Traceback" not in output
