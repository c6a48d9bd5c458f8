"""Checks against the DfE's real published data in ../shared/data/external.

These tests skip (with the reason) where the shared folder is absent, e.g. in a bare clone.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from attendwise.core.calendar import parse_period
from attendwise.core.codes import Category, lookup
from attendwise.ingest import import_folder
from attendwise.measures.absence import measure_table
from attendwise.store import Store
from tests.registers import make_upn, school_days

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "external"
BANDS_ZIP = SHARED / "dfe-absence-bands" / "absence_bands_distributions.zip"
DAILY = SHARED / "dfe-daily-attendance-la"

BAND_COLUMNS = [
    "pct5_OARate",
    "pct10_OARate",
    "pct15_OARate",
    "pct20_OARate",
    "pct25_OARate",
    "pct30_OARate",
    "pct35_OARate",
    "pct40_OARate",
    "pct45_OARate",
    "pct50_OARate",
    "pct50plus_OARate",
]
COLUMNS = [
    "time_identifier",
    "time_period",
    "geographic_level",
    "country_code",
    "country_name",
    "region_name",
    "region_code",
    "old_la_code",
    "new_la_code",
    "la_name",
    "school_type",
    "fsm_eligible",
    "sen_status",
    "gender",
    "NCyearActual",
    *BAND_COLUMNS,
]
PHASE = {"State-funded primary": "primary", "State-funded secondary": "secondary", "Special": "special"}


def need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"published data not present: {path}")
    return path


@pytest.fixture(scope="module")
def rutland_2022_23(tmp_path_factory: pytest.TempPathFactory) -> tuple[Store, pd.DataFrame]:
    """Rutland's 2022/23 enrolments rebuilt from the DfE's absence-band counts.

    Each enrolment gets 20 possible sessions in September 2022, with k sessions of illness for
    an enrolment counted in band k (0-4.99% -> 0 of 20, 5-9.99% -> 1, ..., 50%+ -> 10), so its
    own absence rate falls inside the band the DfE counted it in.
    """
    frame = pd.read_csv(need(BANDS_ZIP), header=None, names=COLUMNS)
    frame = frame[(frame.time_period == 202223) & (frame.old_la_code == 857)].reset_index(drop=True)
    folder = tmp_path_factory.mktemp("rutland")
    days = school_days(dt.date(2022, 9, 5), 10)
    urns = {"primary": 900001, "secondary": 900002, "special": 900003}
    serial = 0
    with (folder / "schools.csv").open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["urn", "name", "phase", "la_code", "la_name"])
        for phase, urn in urns.items():
            w.writerow([urn, f"Rutland {phase}", phase, "857", "Rutland"])
    with (folder / "pupils.csv").open("w", newline="") as pf, (folder / "marks.csv").open("w", newline="") as mf:
        pw, mw = csv.writer(pf), csv.writer(mf)
        pw.writerow(["upn", "urn", "date_of_birth", "sex", "ethnicity", "fsm", "sen", "nc_year", "admission_date"])
        mw.writerow(["upn", "urn", "date", "session", "code"])
        for row in frame.itertuples():
            urn = urns[PHASE[row.school_type]]
            nc = int(row.NCyearActual)
            dob = dt.date(2022 - nc - 5, 10, 1)  # aged nc + 4 on 31 August 2022
            sex = {"Male": "M", "Female": "F"}.get(row.gender, "U")
            fsm = "Y" if row.fsm_eligible == "Eligible" else "N"
            sen = "K" if row.sen_status.startswith("Any") else "N"
            for k, band in enumerate(BAND_COLUMNS):
                for _ in range(getattr(row, band)):
                    serial += 1
                    upn = make_upn(serial % 1000, la="857", estab=f"{1000 + serial // 1000}", year="22")
                    pw.writerow([upn, urn, dob, sex, "WBRI", fsm, sen, nc, "2022-09-01"])
                    for i in range(20):
                        code = "I" if i < k else ("/" if i % 2 == 0 else "\\")
                        mw.writerow([upn, urn, days[i // 2], "AM" if i % 2 == 0 else "PM", code])
    store = Store(":memory:")
    import_folder(store, folder)
    return store, frame


def published(frame: pd.DataFrame, key: str | None) -> pd.DataFrame:
    f = frame.assign(
        enrolments=frame[BAND_COLUMNS].sum(axis=1), pa=frame[BAND_COLUMNS[2:]].sum(axis=1), sa=frame["pct50plus_OARate"]
    )
    return f.groupby(key)[["enrolments", "pa", "sa"]].sum() if key else f[["enrolments", "pa", "sa"]].sum()


def test_persistent_and_severe_counts_match_published_rutland(rutland_2022_23) -> None:
    """Rutland 2022/23: enrolments, PA and SA in total and by phase, sex, FSM and SEN equal the DfE's counts."""
    store, frame = rutland_2022_23
    year = parse_period("2022/23")
    total = measure_table(store, year).iloc[0]
    want = published(frame, None)
    assert (total.enrolments, total.enrolments_pa_10_exact, total.enrolments_pa_50_exact) == (
        want.enrolments,
        want.pa,
        want.sa,
    )
    checks = [
        ("phase", "education_phase", "school_type", lambda v: v),
        ("sex", "sex", "gender", lambda v: v if v in ("Male", "Female") else "Unclassified"),
        ("fsm", "fsm", "fsm_eligible", lambda v: "FSM eligible" if v == "Eligible" else "FSM not eligible"),
        ("sen", "sen_provision", "sen_status", lambda v: "SEN support" if v.startswith("Any") else "No identified SEN"),
    ]
    for by, ours, theirs, relabel in checks:
        got = measure_table(store, year, by).set_index(ours)
        pub = published(frame.assign(**{theirs: frame[theirs].map(relabel)}), theirs)
        assert got.enrolments.to_dict() == pub.enrolments.to_dict(), by
        assert got.enrolments_pa_10_exact.to_dict() == pub.pa.to_dict(), by
        assert got.enrolments_pa_50_exact.to_dict() == pub.sa.to_dict(), by


def test_published_rutland_rate_is_reproduced(rutland_2022_23) -> None:
    """The PA rate is PA enrolments over enrolments (the DfE's definition), not an average of rates."""
    store, frame = rutland_2022_23
    want = published(frame, None)
    got = measure_table(store, parse_period("2022/23")).iloc[0]
    assert got.enrolments_pa_10_exact_percent == pytest.approx(100 * want.pa / want.enrolments)


_REASON = re.compile(r"^reason_([a-z0-9]+)_(authorised|unauthorised|aea)_")


def test_code_categories_match_the_daily_data_columns() -> None:
    """Every code the DfE's 2024/25 daily data names in a reason column has that column's category in our
    2024 code set (J and H, which it still lists for history, in our 2006 set)."""
    header = pd.read_csv(need(DAILY / "EES_ytd_data_2024-25.csv"), nrows=0).columns
    expected = {"authorised": Category.AUTHORISED, "unauthorised": Category.UNAUTHORISED, "aea": Category.AEA}
    seen = 0
    for col in header:
        if m := _REASON.match(col):
            code, category = m.group(1).upper(), expected[m.group(2)]
            day = dt.date(2023, 9, 1) if code in {"J", "H"} else dt.date(2024, 9, 2)
            assert lookup(code, day).category is category, col
            seen += 1
    # 11 authorised, 6 AEA, and G and U; O and N are named differently (reason_o_other_unauthorised,
    # reason_n_no_reason_yet) and sum into unauthorised_absence (next test).
    assert seen == 19
    assert (
        lookup("O", dt.date(2024, 9, 2)).category
        is lookup("N", dt.date(2024, 9, 2)).category
        is (Category.UNAUTHORISED)
    )


def test_daily_data_sums_use_our_categories() -> None:
    """In the DfE's own national 2024/25 rows, possible = attendance + absence and unauthorised = G+U+O+N:
    the identities our categories encode."""
    frame = pd.read_csv(need(DAILY / "EES_ytd_data_2024-25.csv"))
    nat = frame[frame.geographic_level == "National"].apply(pd.to_numeric, errors="coerce")
    assert (nat.possible_sessions == nat.overall_attendance + nat.overall_absence).all()
    assert (
        nat.unauthorised_absence
        == nat.reason_g_unauthorised_holiday
        + nat.reason_o_other_unauthorised
        + nat.reason_u_unauthorised_late_after_registers_closed
        + nat.reason_n_no_reason_yet
    ).all()
    aea = [
        "reason_b_aea_education_off_site",
        "reason_j_aea_interview",
        "reason_p_aea_approved_sporting_activity",
        "reason_v_aea_educational_visit_trip",
        "reason_w_aea_work_experience",
        "reason_k_aea_education_arranged_by_la",
    ]
    assert (nat.approved_educational_activity == nat[aea].sum(axis=1)).all()


def test_persistent_absence_over_a_year_is_not_the_mean_of_terms(store: Store, write) -> None:
    """PA is recomputed over the whole period: a pupil absent for much of autumn only is PA in autumn,
    not over the year, while the mean of term flags would say a third."""
    from tests.registers import Register

    reg = Register()
    reg.school()
    p = reg.pupil()
    reg.sessions(p, "I" * 20 + "/" * 80, dt.date(2024, 9, 2))
    reg.sessions(p, "/" * 100, dt.date(2025, 1, 6))
    reg.sessions(p, "/" * 100, dt.date(2025, 4, 22))
    import_folder(store, write(reg))
    terms = [
        measure_table(store, parse_period(f"2024/25-{t}")).iloc[0].enrolments_pa_10_exact_percent
        for t in ("autumn", "spring", "summer")
    ]
    year = measure_table(store, parse_period("2024/25")).iloc[0]
    assert terms == [100.0, 0.0, 0.0]
    assert year.enrolments_pa_10_exact_percent == 0.0
