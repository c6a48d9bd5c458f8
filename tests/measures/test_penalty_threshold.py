"""The National Framework's penalty notice threshold: the reference's worked examples, its edges, and a
property against the plain-Python reference in ``tests/reference.py``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendwise.ingest import import_folder
from attendwise.measures.penalty_threshold import (
    COLUMNS,
    LockedSession,
    ThresholdError,
    ThresholdRules,
    main_reason,
    penalty_threshold,
    penalty_thresholds,
)
from attendwise.store import Store
from tests import reference
from tests.registers import Register

URN, OTHER = 100001, 100002


def _days(
    start: str, end: str, *, skip: tuple[tuple[str, str], ...] = (), closed: tuple[str, ...] = ()
) -> list[dt.date]:
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    gaps = [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in skip]
    out, day = [], first
    while day <= last:
        if day.weekday() < 5 and not any(a <= day <= b for a, b in gaps) and day.isoformat() not in closed:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


#: The reference's illustrative calendar (casework-and-registers.md section 6): 2025/26, and autumn 2026.
CALENDAR = [
    *_days("2025-09-03", "2025-12-19", skip=(("2025-10-27", "2025-10-31"),)),
    *_days("2026-01-05", "2026-03-27", skip=(("2026-02-16", "2026-02-20"),)),
    *_days(
        "2026-04-13",
        "2026-07-17",
        skip=(("2026-05-25", "2026-05-29"),),
        closed=("2026-04-13", "2026-06-01", "2026-05-04"),
    ),
    *_days("2026-09-02", "2026-10-16"),
]


def _register(absences: dict[tuple[str, str], str], *, urn: int = URN, upn: str | None = None) -> tuple[Register, str]:
    """One pupil present at every session of :data:`CALENDAR` but the ``absences`` (``{(date, AM|PM): code}``),
    and a classmate present throughout (so the school's calendar does not depend on the pupil)."""
    reg = Register()
    reg.school(urn)
    pupil = reg.pupil(urn, admission="2025-09-01", dob="2015-03-01", upn=upn)
    mate = reg.pupil(urn, admission="2025-09-01", dob="2015-05-01")
    for day in CALENDAR:
        for session in ("AM", "PM"):
            code = absences.get((day.isoformat(), session), "/" if session == "AM" else "\\")
            reg.marks.append({"upn": pupil, "urn": urn, "date": day.isoformat(), "session": session, "code": code})
            reg.marks.append(
                {
                    "upn": mate,
                    "urn": urn,
                    "date": day.isoformat(),
                    "session": session,
                    "code": "/" if session == "AM" else "\\",
                }
            )
    return reg, pupil


def _both(day: str, code: str) -> dict[tuple[str, str], str]:
    return {(day, "AM"): code, (day, "PM"): code}


#: E1: 4 O (3 and 4 Nov 2025), 2 U (17 and 18 Dec, AM), 4 G (22 and 23 Jan 2026).
E1 = {
    **_both("2025-11-03", "O"),
    **_both("2025-11-04", "O"),
    ("2025-12-17", "AM"): "U",
    ("2025-12-18", "AM"): "U",
    **_both("2026-01-22", "G"),
    **_both("2026-01-23", "G"),
}


def _met(store: Store, folder: Path, as_at: str, **kw):
    pupils, sessions = penalty_threshold(store, dt.date.fromisoformat(as_at), **kw)
    return pupils, sessions


def test_e1_a_window_across_christmas_counts_school_weeks_not_calendar_weeks(store: Store, write) -> None:
    reg, upn = _register(E1)
    folder = write(reg)
    import_folder(store, folder)
    pupils, sessions = _met(store, folder, "2026-01-23")
    assert list(pupils.columns) == COLUMNS
    assert len(pupils) == 1, pupils
    row = pupils.iloc[0]
    assert row.upn == upn and row.school_urn == URN
    # The 10 school weeks w/c 3 Nov ... w/c 19 Jan: w/c 22 Dec and 29 Dec have no sessions and are skipped.
    assert row.window_start == dt.date(2025, 11, 3) and row.window_end == dt.date(2026, 1, 23)
    assert (row.school_weeks, row.sessions, row.codes) == (10, 10, "G 4, O 4, U 2")
    assert row.reached_on == "2026-01-23 PM"
    assert row.route == "unauthorised absence"
    assert list(sessions.code) == ["O"] * 4 + ["U"] * 2 + ["G"] * 4
    assert sessions.date.iloc[0] == dt.date(2025, 11, 3) and (sessions.date.iloc[-1], sessions.session.iloc[-1]) == (
        dt.date(2026, 1, 23),
        "PM",
    )
    # Not yet on the Thursday (9), and no longer a week later (the 3 Nov week has left the window).
    assert _met(store, folder, "2026-01-22")[0].empty
    assert _met(store, folder, "2026-01-30")[0].empty


@pytest.mark.parametrize(
    "rules",
    [ThresholdRules(), ThresholdRules(weeks="pupil"), ThresholdRules(combine_schools=True)],
    ids=["school weeks", "pupil weeks", "combined schools"],
)
def test_many_days_in_one_query_equal_each_day_on_its_own(store: Store, write, rules: ThresholdRules) -> None:
    """The officer's run over every school day (one query) gives, for each day, exactly that day's own list."""
    reg, _ = _register({**E1, **_both("2026-01-26", "N"), **_both("2026-02-02", "O")})
    import_folder(store, write(reg))
    days = [d for d in CALENDAR if dt.date(2026, 1, 19) <= d <= dt.date(2026, 3, 6)]
    pupils, sessions = penalty_thresholds(store, days, rules=rules)
    assert list(pupils.columns) == ["as_at", *COLUMNS]
    met_on = sorted(set(pupils.as_at))
    assert met_on[0] == dt.date(2026, 1, 23) and len(met_on) > 5
    for day in days:
        alone, evidence = penalty_threshold(store, day, rules=rules)
        theirs = pupils[pupils.as_at == day].drop(columns="as_at").reset_index(drop=True)
        assert (alone.empty and theirs.empty) or alone.equals(theirs), day
        mine = sessions[sessions.as_at == day].drop(columns="as_at").reset_index(drop=True)
        assert (evidence.empty and mine.empty) or evidence.equals(mine), day


def test_e2_nine_is_not_ten_after_a_recoding(store: Store, write) -> None:
    reg, _ = _register({**E1, ("2025-11-03", "AM"): "I"})
    import_folder(store, write(reg))
    assert _met(store, Path(), "2026-01-23")[0].empty


def test_e3_a_window_across_the_summer_and_two_school_years(store: Store, write) -> None:
    absences = {("2026-07-13", "AM"): "U", ("2026-07-14", "AM"): "U"}
    absences |= {(d.isoformat(), s): "O" for d in _days("2026-09-07", "2026-09-10") for s in ("AM", "PM")}
    reg, _ = _register(absences)
    import_folder(store, write(reg))
    pupils, _ = _met(store, Path(), "2026-09-10")
    assert len(pupils) == 1
    assert pupils.iloc[0].sessions == 10 and pupils.iloc[0].window_start < dt.date(2026, 7, 13)
    assert pupils.iloc[0].reached_on == "2026-09-10 PM"


def test_late_and_authorised_codes_never_count_and_u_does(store: Store, write) -> None:
    days = _days("2026-03-02", "2026-03-06")
    late = {(d.isoformat(), s): "L" for d in days for s in ("AM", "PM")}
    ill = {(d.isoformat(), s): "I" for d in _days("2026-03-09", "2026-03-13") for s in ("AM", "PM")}
    reg, _ = _register({**late, **ill})
    import_folder(store, write(reg))
    assert _met(store, Path(), "2026-03-13")[0].empty
    reg, _ = _register({(d.isoformat(), s): "U" for d in days for s in ("AM", "PM")})
    with Store(":memory:") as fresh:
        import_folder(fresh, write(reg))
        pupils, _ = penalty_threshold(fresh, dt.date(2026, 3, 6))
        assert pupils.iloc[0].main_reason == "arriving late"


def test_half_term_and_holiday_weeks_are_not_school_weeks(store: Store, write) -> None:
    """5 O in w/c 26 Jan and 5 in w/c 20 Apr: the ten school weeks ending w/c 20 Apr are w/c 26 Jan, 2 Feb,
    9 Feb, 23 Feb, 2, 9, 16 and 23 Mar, 13 Apr (Tuesday to Friday: the INSET Monday has no session) and
    20 Apr, skipping the February half term and the two Easter weeks, so the window reaches back to 26 Jan."""
    start = {(d.isoformat(), "AM"): "O" for d in _days("2026-01-26", "2026-01-30")}
    end = {(d.isoformat(), "PM"): "O" for d in _days("2026-04-20", "2026-04-24")}
    reg, _ = _register({**start, **end})
    import_folder(store, write(reg))
    pupils, _ = _met(store, Path(), "2026-04-24")
    assert len(pupils) == 1 and pupils.iloc[0].window_start == dt.date(2026, 1, 26)
    assert pupils.iloc[0].school_weeks == 10
    assert _met(store, Path(), "2026-05-01")[0].empty, "a week later, w/c 26 Jan has left the window"


def test_sessions_an_earlier_notice_relied_on_are_locked(store: Store, write) -> None:
    reg, upn = _register(E1)
    import_folder(store, write(reg))
    locked = [LockedSession(upn, dt.date(2025, 11, 3), "AM")]
    assert _met(store, Path(), "2026-01-23", locked=locked)[0].empty
    other = [LockedSession(upn, dt.date(2025, 11, 5), "AM")]  # a session the window does not use
    assert len(_met(store, Path(), "2026-01-23", locked=other)[0]) == 1


def test_the_leave_of_absence_route(store: Store, write) -> None:
    holiday = {(d.isoformat(), s): "G" for d in _days("2026-06-08", "2026-06-12") for s in ("AM", "PM")}
    reg, _ = _register(holiday)
    import_folder(store, write(reg))
    row = _met(store, Path(), "2026-06-12")[0].iloc[0]
    assert (row.route, row.main_reason, row.codes) == ("leave of absence", "unauthorised family holiday", "G 10")


def test_a_pupil_who_moved_school_mid_window(store: Store, write) -> None:
    """5 O at the first school, then a move and 5 O at the second: one enrolment at a time (the default)
    neither meets it; with ``combine_schools`` the pupil does, listed by the school they are at now."""
    reg = Register()
    reg.school(URN)
    reg.school(OTHER)
    upn = reg.pupil(URN, admission="2025-09-01", leaving="2025-11-07")
    reg.pupil(OTHER, admission="2025-11-10", upn=upn)
    for day in _days("2025-09-03", "2025-12-19", skip=(("2025-10-27", "2025-10-31"),)):
        urn = URN if day <= dt.date(2025, 11, 7) else OTHER
        for session in ("AM", "PM"):
            absent = dt.date(2025, 11, 3) <= day <= dt.date(2025, 11, 4) or dt.date(2025, 11, 10) <= day <= dt.date(
                2025, 11, 10
            )
            code = "O" if absent or (day == dt.date(2025, 11, 5) and session == "AM") else "/"
            reg.marks.append({"upn": upn, "urn": urn, "date": day.isoformat(), "session": session, "code": code})
    folder = write(reg)
    import_folder(store, folder)
    as_at = dt.date(2025, 11, 14)
    assert penalty_threshold(store, as_at)[0].empty
    combined = ThresholdRules(combine_schools=True, sessions=7)
    pupils, sessions = penalty_threshold(store, as_at, rules=combined)
    assert len(pupils) == 1 and pupils.iloc[0].school_urn == OTHER and pupils.iloc[0].sessions == 7
    assert set(sessions.school_urn) == {URN, OTHER}
    assert penalty_threshold(store, as_at, school=OTHER, rules=combined)[0].upn.tolist() == [upn]
    assert penalty_threshold(store, as_at, school=URN, rules=combined)[0].empty


def test_one_school_lists_only_its_own_pupils(store: Store, write) -> None:
    reg, upn = _register(E1)
    import_folder(store, write(reg))
    assert penalty_threshold(store, dt.date(2026, 1, 23), school=URN)[0].upn.tolist() == [upn]
    assert penalty_threshold(store, dt.date(2026, 1, 23), school=OTHER)[0].empty


@pytest.mark.parametrize(
    ("codes", "reason"),
    [("GGGGUUUUUU", "arriving late"), ("GGGGGUUUUU", ""), ("NOOG", "other unauthorised circumstances"), ("", "")],
)
def test_e18_the_main_reason_suggested_by_the_majority(codes: str, reason: str) -> None:
    assert main_reason(codes) == reason


@pytest.mark.parametrize(
    ("settings_", "message"),
    [
        ({"sessions": 0}, "sessions must be a whole number"),
        ({"weeks": "calendar"}, "weeks must be 'school' or 'pupil'"),
        ({"codes": ["Q9"]}, "Q9 is not an attendance code"),
        ({"codes": "GNOU"}, "codes must be a list"),
        ({"window": 10}, "unknown setting 'window'"),
        ({"lookback_weeks": 5}, "lookback_weeks must be at least school_weeks"),
    ],
)
def test_rules_that_cannot_be_used_are_refused_in_words(settings_: dict, message: str) -> None:
    with pytest.raises(ThresholdError, match=message):
        ThresholdRules.from_mapping(settings_)


def test_rules_from_an_la_settings_file(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_text('[penalty_threshold]\ncombine_schools = true\ncodes = ["g", "n", "o", "u"]\n', encoding="utf-8")
    assert ThresholdRules.from_file(path) == ThresholdRules(combine_schools=True)
    path.write_text("[penalty_threshold\n", encoding="utf-8")
    with pytest.raises(ThresholdError, match="cannot be read as TOML"):
        ThresholdRules.from_file(path)


# -- against the plain-Python reference ------------------------------------------------------------------------

_TERM_DAYS = _days("2025-09-03", "2026-03-27", skip=(("2025-10-27", "2025-10-31"), ("2026-02-16", "2026-02-20")))


@st.composite
def _registers(draw: st.DrawFn) -> tuple[Register, dt.date]:
    """Two schools with a few pupils each; school days drawn from the autumn and spring terms (so weeks with
    no session fall anywhere), absences drawn mostly from the codes that count."""
    reg = Register()
    schools = [URN, OTHER]
    for urn in schools:
        reg.school(urn)
    days = sorted(draw(st.sets(st.sampled_from(_TERM_DAYS), min_size=5, max_size=60)))
    for urn in schools:
        for _ in range(draw(st.integers(1, 3))):
            upn = reg.pupil(urn, admission=draw(st.sampled_from(["2025-09-01", "2025-10-06", "2025-12-01"])))
            admitted = dt.date.fromisoformat(str(reg.pupils[-1]["admission_date"]))
            weights = st.sampled_from(["/", "/", "G", "N", "O", "U", "L", "I", "M"])
            for day in days:
                if day < admitted:
                    continue
                for session in ("AM", "PM"):
                    code = draw(weights)
                    if code == "/" and session == "PM":
                        code = "\\"
                    reg.marks.append(
                        {"upn": upn, "urn": urn, "date": day.isoformat(), "session": session, "code": code}
                    )
    as_at = draw(st.sampled_from(days))
    return reg, as_at


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_registers(), sessions=st.integers(3, 10), weeks=st.integers(1, 10))
def test_the_threshold_equals_the_plain_python_reference(tmp_path_factory, case, sessions: int, weeks: int) -> None:
    reg, as_at = case
    if not reg.marks:
        return
    folder = reg.write(tmp_path_factory.mktemp("threshold"))
    with Store(":memory:") as store:
        import_folder(store, folder)
        pupils, evidence = penalty_threshold(store, as_at, rules=ThresholdRules(sessions=sessions, school_weeks=weeks))
    expected = reference.penalty_threshold(folder, as_at, sessions=sessions, school_weeks=weeks)
    got = {(r.upn, r.school_urn): (r.window_start, r.school_weeks, r.sessions) for r in pupils.itertuples(index=False)}
    assert got == expected
    assert len(evidence) == sum(n for _, _, n in expected.values())
