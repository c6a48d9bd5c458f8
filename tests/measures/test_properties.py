"""Invariants of the measures on random registers (hypothesis), checked against tests/reference.py."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from attendwise.core.calendar import easter_sunday, parse_period, spring_bank_holiday
from attendwise.core.codes import Category, lookup
from attendwise.ingest import import_folder
from attendwise.measures.absence import Population, enrolment_absence, measure_table
from attendwise.store import BLOCK_COUNTS, SUMMER2_COUNTS, Store
from tests import reference
from tests.conftest import value
from tests.registers import Register
from tests.strategies import CODES_2024, RANGE, YEAR_DAYS, registers, year_registers


def load(reg: Register) -> tuple[Store, Path, tempfile.TemporaryDirectory]:
    tmp = tempfile.TemporaryDirectory()
    folder = reg.write(Path(tmp.name))
    store = Store(":memory:")
    import_folder(store, folder)
    return store, folder, tmp


PROPERTY = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(registers())
def test_measures_equal_the_plain_reference(reg: Register) -> None:
    """The Ibis measures give exactly what counting marks by hand gives."""
    store, folder, tmp = load(reg)
    with tmp, store:
        got = measure_table(store, RANGE).iloc[0]
        want = reference.headline(folder, RANGE.start, RANGE.end)
        for key, value in want.items():
            assert got[key] == value, key


@PROPERTY
@given(registers())
def test_identities_and_ranges(reg: Register) -> None:
    """authorised + unauthorised = overall; every rate within 0-100; SA enrolments are PA enrolments."""
    store, _, tmp = load(reg)
    with tmp, store:
        frame = measure_table(store, RANGE, "school,fsm,sen", Population.all_ages())
        assert (frame.sess_authorised + frame.sess_unauthorised == frame.sess_overall).all()
        rates = frame.filter(regex=r"(_percent|_rate|_distribution)$").stack().dropna()
        assert ((rates >= 0) & (rates <= 100)).all()
        rows = enrolment_absence(store, RANGE, Population.all_ages()).to_pandas()
        assert (rows.pa_10 >= rows.pa_50).all()


@PROPERTY
@given(registers(), st.integers(1, 100))
def test_splitting_a_period_sums_to_the_whole(reg: Register, cut: int) -> None:
    """Sessions over two halves of a period add up to the whole period's sessions."""
    store, _, tmp = load(reg)
    with tmp, store:
        mid = RANGE.start + dt.timedelta(days=cut)
        first = parse_period(f"{RANGE.start}..{mid}")
        second = parse_period(f"{mid + dt.timedelta(days=1)}..{RANGE.end}")
        everyone = Population.all_ages()
        whole = measure_table(store, RANGE, population=everyone).iloc[0]
        parts = [measure_table(store, p, population=everyone).iloc[0] for p in (first, second)]
        for col in ("sess_possible", "sess_overall", "sess_authorised", "sess_unauthorised", "sess_auth_illness"):
            assert parts[0][col] + parts[1][col] == whole[col], col


@PROPERTY
@given(registers(), st.sampled_from(["school", "fsm", "sen", "sex", "phase", "school,sex"]))
def test_groups_sum_to_the_total(reg: Register, by: str) -> None:
    """Counts over the groups of any grouping add up to the total (enrolments partition)."""
    store, _, tmp = load(reg)
    with tmp, store:
        everyone = Population.all_ages()
        total = measure_table(store, RANGE, population=everyone).iloc[0]
        groups = measure_table(store, RANGE, by, everyone)
        for col in ("enrolments", "sess_possible", "sess_overall", "enrolments_pa_10_exact", "enrolments_pa_50_exact"):
            assert groups[col].sum() == total[col], col


@PROPERTY
@given(registers(), st.lists(st.sampled_from(["D", "X", "Q", "Y1", "Y4", "Z", "#"]), min_size=1, max_size=10))
def test_not_possible_codes_never_move_a_rate(reg: Register, extra: list[str]) -> None:
    """Adding sessions coded D, X, Q, Y1-Y7, Z or # changes no measure."""
    store, _, tmp = load(reg)
    with tmp, store:
        before = measure_table(store, RANGE, "school", Population.all_ages())
    p = reg.pupils[0]
    reg.sessions(p["upn"], extra, dt.date(2024, 12, 2), urn=p["urn"])
    reg.marks = [
        m for m in reg.marks if not (m["upn"] == p["upn"] and m["date"] >= "2024-12-02" and m["code"] not in extra)
    ]
    store, _, tmp = load(reg)
    with tmp, store:
        after = measure_table(store, RANGE, "school", Population.all_ages())
    pd.testing.assert_frame_equal(before, after)


@PROPERTY
@given(
    registers(),
    st.sampled_from(
        ["2024/25", "2024/25-autumn", "2024/25-spring", "2024-09-02..2024-10-27", "2024-09-09..2024-12-31"]
    ),
)
def test_session_blocks_give_the_same_measures_as_marks(reg: Register, period_text: str) -> None:
    """Measures read from the session blocks equal measures read from the marks, for every period the
    blocks cover (years, census terms, Monday-to-Sunday ranges)."""
    from attendwise.measures.absence import absence_measures

    store, _, tmp = load(reg)
    with tmp, store:
        period = parse_period(period_text)
        assert store.blocks_cover(period.start, period.end)
        for population in (Population(), Population.all_ages()):
            by_blocks = absence_measures(
                enrolment_absence(store, period, population, source="blocks"), ["school_urn", "fsm"]
            ).to_pandas()
            by_marks = absence_measures(
                enrolment_absence(store, period, population, source="marks"), ["school_urn", "fsm"]
            ).to_pandas()
            pd.testing.assert_frame_equal(by_blocks, by_marks)


def census_block_start(day: dt.date) -> dt.date:
    """The first day of the census block holding ``day`` (autumn, spring, the halves of summer)."""
    if day.month >= 8:
        return dt.date(day.year, 8, 1)
    for start in (spring_bank_holiday(day.year), easter_sunday(day.year) + dt.timedelta(days=1)):
        if day >= start:
            return start
    return dt.date(day.year, 1, 1)


def census_blocks_by_hand(store: Store, marks: list[dict]) -> dict[tuple[int, dt.date], dict[str, int]]:
    """Count marks by enrolment and census block in plain Python, as census_blocks should hold them."""
    ids = {
        (upn, urn): e
        for e, upn, urn in store.duckdb_connection().execute("SELECT enrolment_id, upn, urn FROM enrolments").fetchall()
    }
    out: dict[tuple[int, dt.date], dict[str, int]] = {}
    for m in marks:
        day = dt.date.fromisoformat(m["date"])
        code = lookup(m["code"], day)
        row = out.setdefault((ids[m["upn"], int(m["urn"])], census_block_start(day)), dict.fromkeys(BLOCK_COUNTS, 0))
        row["sess_possible"] += code.category.counts_as_possible
        row["sess_present"] += code.category is Category.PRESENT
        row["sess_aea"] += code.category is Category.AEA
        row["sess_authorised"] += code.category is Category.AUTHORISED
        row["sess_unauthorised"] += code.category is Category.UNAUTHORISED
        if code.reason:
            row[code.reason] += 1
    return out


def census_blocks_stored(store: Store) -> dict[tuple[int, dt.date], dict[str, int]]:
    frame = store.duckdb_connection().execute("SELECT * EXCLUDE (block_end) FROM census_blocks").df()
    return {
        (int(r.enrolment_id), r.block_start.date()): {c: int(r[c]) for c in BLOCK_COUNTS} for _, r in frame.iterrows()
    }


def year_blocks_by_hand(census: dict[tuple[int, dt.date], dict[str, int]]) -> dict[tuple[int, dt.date], dict[str, int]]:
    """Census blocks added up by enrolment and academic year, as year_blocks should hold them: the
    year's counts, then the second half of summer's on their own (``summer2_*``)."""
    out: dict[tuple[int, dt.date], dict[str, int]] = {}
    for (enrolment, start), counts in census.items():
        year = dt.date(start.year - (start.month < 8), 8, 1)
        row = out.setdefault((enrolment, year), dict.fromkeys(BLOCK_COUNTS + SUMMER2_COUNTS, 0))
        summer2 = start == spring_bank_holiday(start.year)
        for c in BLOCK_COUNTS:
            row[c] += counts[c]
            row[f"summer2_{c}"] += counts[c] if summer2 else 0
    return out


def year_blocks_stored(store: Store) -> dict[tuple[int, dt.date], dict[str, int]]:
    frame = store.duckdb_connection().execute("SELECT * FROM year_blocks").df()
    assert (
        frame.block_end.dt.date
        == frame.block_start.dt.date.map(lambda d: d.replace(year=d.year + 1) - dt.timedelta(days=1))
    ).all()
    return {
        (int(r.enrolment_id), r.block_start.date()): {c: int(r[c]) for c in BLOCK_COUNTS + SUMMER2_COUNTS}
        for _, r in frame.iterrows()
    }


@PROPERTY
@given(year_registers(), st.data())
def test_census_and_year_blocks_equal_the_marks(reg: Register, data: st.DataObject) -> None:
    """The census blocks hold each enrolment's sessions per census block, counted from the marks by hand,
    the year blocks the same per academic year (and for the second half of summer alone), and both
    still do after a later file corrects some of the marks."""
    store, _, tmp = load(reg)
    with tmp, store:
        assert census_blocks_stored(store) == census_blocks_by_hand(store, reg.marks)
        assert year_blocks_stored(store) == year_blocks_by_hand(census_blocks_by_hand(store, reg.marks))
        changed = data.draw(st.lists(st.sampled_from(range(len(reg.marks))), max_size=5, unique=True))
        correction = Register()
        for i in changed:
            reg.marks[i] = {**reg.marks[i], "code": data.draw(st.sampled_from(CODES_2024))}
            correction.marks.append(reg.marks[i])
        if correction.marks:
            import_folder(store, correction.write(Path(tmp.name) / "correction"))
        assert census_blocks_stored(store) == census_blocks_by_hand(store, reg.marks)
        assert year_blocks_stored(store) == year_blocks_by_hand(census_blocks_by_hand(store, reg.marks))


@PROPERTY
@given(
    year_registers(),
    st.sampled_from(
        ["2024/25", "2024/25-ytd", "2024/25-autumn", "2024/25-spring", "2024/25-summer", "2024/25-summer-2"]
    ),
)
def test_census_and_year_blocks_give_the_same_measures_as_marks(reg: Register, period_text: str) -> None:
    """Measures read from the census blocks, and from the year blocks where they cover the period (the
    year, the year to date), equal measures read from the marks, summer rules included."""
    from attendwise.measures.absence import absence_measures

    store, _, tmp = load(reg)
    with tmp, store:
        period = parse_period(period_text, latest_mark=store.latest_mark())
        assert store.blocks_cover(period.start, period.end, "census")
        year = store.blocks_cover(period.start, period.end, "year")
        # (a census term covers the year blocks too when every mark falls inside it)
        assert year or period_text not in {"2024/25", "2024/25-ytd"}
        sources = ["year", "census", "marks"] if year else ["census", "marks"]
        for population in (Population(), Population.all_ages()):
            frames = [
                absence_measures(
                    enrolment_absence(store, period, population, source=s), ["school_urn", "fsm"]
                ).to_pandas()
                for s in sources
            ]
            for frame in frames[1:]:
                pd.testing.assert_frame_equal(frames[0], frame)


def test_blocks_are_kept_current_through_corrections(store, base, write) -> None:
    """A correcting import updates the blocks in the same transaction as the marks."""
    from tests.registers import Register as R

    import_folder(store, write(base))
    year = parse_period("2024/25")
    upn = base.pupils[0]["upn"]
    import_folder(
        store, write(R(marks=[{"upn": upn, "urn": 100001, "date": "2024-09-02", "session": "AM", "code": "O"}]))
    )
    blocks = measure_table(store, year).iloc[0]
    marks = absence_measures_from_marks(store, year)
    assert blocks.sess_unauthorised == marks.sess_unauthorised == 3


def absence_measures_from_marks(store, period):  # type: ignore[no-untyped-def]
    from attendwise.measures.absence import absence_measures

    return absence_measures(enrolment_absence(store, period, source="marks")).to_pandas().iloc[0]


@PROPERTY
@given(year_registers(), st.data())
def test_corrected_enrolment_dates_keep_every_mark_counted_or_in_the_history(
    reg: Register, data: st.DataObject
) -> None:
    """A later pupils.csv correcting enrolments' dates keeps each enrolment (same id); the stored marks
    outside the corrected dates move to the history and every other stays; the blocks count exactly
    the marks left."""
    store, _, tmp = load(reg)
    with tmp, store:
        ids = store.duckdb_connection().execute("SELECT upn, enrolment_id FROM enrolments ORDER BY ALL").fetchall()
        spans = {}
        for pupil in reg.pupils:
            if data.draw(st.booleans()):
                admission = data.draw(st.sampled_from(YEAR_DAYS[:-1]))
                leaving = data.draw(st.none() | st.sampled_from([d for d in YEAR_DAYS if d >= admission]))
                pupil["admission_date"] = admission.isoformat()
                pupil["leaving_date"] = leaving.isoformat() if leaving else ""
            spans[pupil["upn"]] = (pupil["admission_date"], pupil["leaving_date"] or "9999-12-31")
        result = import_folder(store, Register(schools=reg.schools, pupils=reg.pupils).write(Path(tmp.name) / "fix"))
        kept = [m for m in reg.marks if spans[m["upn"]][0] <= m["date"] <= spans[m["upn"]][1]]
        assert (
            store.duckdb_connection().execute("SELECT upn, enrolment_id FROM enrolments ORDER BY ALL").fetchall() == ids
        )
        assert value(store, "SELECT count(*) FROM marks") == len(kept)
        assert result.marks_removed == len(reg.marks) - len(kept)
        assert value(store, "SELECT count(*) FROM mark_history WHERE superseded_by = ?", [result.import_id]) == (
            result.marks_removed
        )
        assert census_blocks_stored(store) == census_blocks_by_hand(store, kept)
        assert year_blocks_stored(store) == year_blocks_by_hand(census_blocks_by_hand(store, kept))
