"""The pupil lists: every pupil's summary (figures for the year, trend, band history, reasons), and the
severely and persistently absent, no attendance this year, no attendance in the last three school weeks
(unauthorised only, children missing education left out) and at risk of persistent absence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from attendwise.core.codes import ABSENCE_REASONS
from attendwise.measures.bands import BandScheme
from attendwise.measures.pupils import BandAt, ReasonCount
from attendwise.reports.tsm.dates import HalfTerm, PackDates
from attendwise.reports.tsm.pack import (
    AttendanceTrend,
    NoAttendanceRecently,
    NoAttendanceSection,
    PupilAtRisk,
    PupilSummary,
    ZeroAttendance,
    float_or_none,
)
from attendwise.reports.tsm.windows import TREND_WEEKS, Records, Windows
from attendwise.store import Store

#: School weeks assumed in a year when there is no learned model to say (190 days / 5, rounded up).
DEFAULT_WEEKS_IN_YEAR = 39

#: The per-pupil columns the pack filters on, kept as plain numpy columns per school.
_SLIM_COLUMNS = [
    "enrolment_id",
    "school_urn",
    "upn",
    "nc_year",
    "on_roll",
    "pa_10",
    "pa_50",
    "sess_attended",
    "sess_possible",
    "admission_date",
    "leaving_date",
]

#: Builds (once) the summary of a pupil by enrolment id, for every list of one pack that shows them.
Summary = Callable[[int], PupilSummary]


def with_people(store: Store, frame: pd.DataFrame, as_at: dt.date) -> pd.DataFrame:
    """The year-to-date enrolment rows with names, admission and leaving dates, whether the pupil is on roll
    at the as-at date, and sessions attended."""
    e, p = store.table("enrolments"), store.table("pupils")
    people = (
        e.join(p, "upn").select("enrolment_id", "forename", "surname", "admission_date", "leaving_date").to_pandas()
    )
    rows = frame.merge(people, on="enrolment_id", how="left")
    rows["admission_date"] = pd.to_datetime(rows.admission_date).dt.date
    leaving = pd.to_datetime(rows.leaving_date)
    # On roll at the as-at date: no leaving date, or leaving on or after it.
    rows["on_roll"] = leaving.isna() | (leaving >= pd.Timestamp(as_at))
    rows["leaving_date"] = [None if pd.isna(d) else d.date() for d in leaving]
    rows["sess_attended"] = rows.sess_present + rows.sess_aea
    return rows


def pupil_summary(
    r: dict[str, Any], w: dict[str, Any] | None, scheme: BandScheme, half_terms: tuple[HalfTerm, ...]
) -> PupilSummary:
    """One pupil's summary from their year-to-date row ``r`` and their windows ``w`` (None without marks)."""
    band = scheme.band_for(int(r["sess_attended"]), int(r["sess_possible"]))
    history = []
    if w is not None:
        by_key = {b.key: b for b in scheme.bands}
        for i, (label, start, end) in enumerate(half_terms):
            possible, overall = int(w[f"h{i}_possible"]), int(w[f"h{i}_overall"])
            if possible == 0:
                continue
            b = by_key[scheme.band_for(possible - overall, possible).key]
            history.append(BandAt(label, "half term", start, end, possible, overall, b.key, b.name, b.colour))
    overall = int(r["sess_overall"])
    reasons = sorted(
        (
            ReasonCount(
                reason, label, reason.startswith("sess_auth_"), int(r[reason]), 100.0 * int(r[reason]) / overall
            )
            for reason, label in ABSENCE_REASONS.items()
            if int(r[reason]) > 0
        ),
        key=lambda c: (-c.sessions, c.label),
    )[:3]
    trend = AttendanceTrend(
        TREND_WEEKS,
        *(int(w[c]) if w is not None else 0 for c in ("r_possible", "r_attended", "p_possible", "p_attended")),
    )
    return PupilSummary(
        enrolment_id=int(r["enrolment_id"]),
        upn=str(r["upn"]),
        forename=None if pd.isna(r["forename"]) else str(r["forename"]),
        surname=None if pd.isna(r["surname"]) else str(r["surname"]),
        nc_year=str(r["nc_year"]),
        admission_date=r["admission_date"],
        leaving_date=r["leaving_date"],
        fsm=r["fsm"] == "FSM eligible",
        sen=str(r["sen_provision"]),
        cla=r["cla"] == "Looked after",
        cin=r["cin"] == "Child in need",
        cpp=r["cpp"] == "Child protection plan",
        sess_possible=int(r["sess_possible"]),
        sess_attended=int(r["sess_attended"]),
        sess_authorised=int(r["sess_authorised"]),
        sess_unauthorised=int(r["sess_unauthorised"]),
        band_key=band.key,
        band_name=band.name,
        band_colour=band.colour,
        trend=trend,
        band_history=tuple(history),
        reasons=tuple(reasons),
    )


def early_warning(store: Store, dates: PackDates, risk_threshold: float) -> tuple[pd.DataFrame, str]:
    """Early-warning features, projections and (with an earlier year to learn from) model risks, by
    enrolment, of the pupils early warning flags; and how they were decided, in words."""
    from attendwise.analysis.early_warning import (
        EarlyWarningError,
        features_at,
        model_for,
        projected_absence,
        year_grid,
    )

    try:
        grid = year_grid(store, dates.year, as_of=dates.as_at)
    except EarlyWarningError:
        return pd.DataFrame(), "no marks this year to project from"
    feats = features_at(grid, grid.week_of(dates.as_at))
    try:
        model = model_for(store, dates.year)
    except EarlyWarningError as exc:
        feats = feats.assign(risk_pa=np.nan, risk_sa=np.nan)
        weeks = DEFAULT_WEEKS_IN_YEAR
        basis = (
            "Projected from attendance so far and its recent trend (early warning's trajectory rules); "
            f"no learned model: {exc}."
        )
    else:
        feats = feats.merge(model.predict(feats), on="enrolment_id")
        weeks = model.weeks_in_year
        basis = (
            "Projected from attendance so far and its recent trend, or a risk of at least "
            f"{risk_threshold:.0%} from the model trained on {', '.join(model.trained_years)}."
        )
    feats["projected_absence"] = projected_absence(feats, weeks)
    feats["weeks_in_year"] = weeks
    risk = feats.set_index("enrolment_id")
    return risk[(risk.projected_absence >= 0.1) | (risk.risk_pa.fillna(0) >= risk_threshold)], basis


def _lowest_first(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(_rate=frame.sess_attended / frame.sess_possible).sort_values(["_rate", "upn"])


class TermPupils:
    """The term's pupils in every school: their year-to-date rows, windows and early-warning risks; builds
    each school's pupil lists.

    Args:
        rows: the year-to-date enrolment rows (:func:`with_people`).
        windows: the term's windows (:class:`~attendwise.reports.tsm.windows.Windows`).
        risk: the flagged pupils' early-warning figures by enrolment and how they were decided
            (:func:`early_warning`).
        is_cme: whether a UPN is recorded as a child missing education.
    """

    def __init__(
        self,
        rows: pd.DataFrame,
        windows: Windows,
        risk: tuple[pd.DataFrame, str],
        *,
        dates: PackDates,
        scheme: BandScheme,
        risk_threshold: float,
        is_cme: Callable[[str], bool],
    ) -> None:
        self.rows = rows
        self.records = Records(rows)
        slim = pd.DataFrame(
            {c: rows[c].to_numpy(dtype=object if c in ("upn", "nc_year") else None) for c in _SLIM_COLUMNS}
        )
        self.rows_by_school = {int(urn): g for urn, g in slim.groupby("school_urn")}
        self.windows = windows
        self.risk, self.at_risk_basis = risk
        self.dates = dates
        self.scheme = scheme
        self.risk_threshold = risk_threshold
        self.is_cme = is_cme

    def school_rows(self, urn: int) -> pd.DataFrame:
        """The school's pupils counted this year (on roll or not), as the lists filter them."""
        return self.rows_by_school.get(int(urn), self.rows.iloc[:0])

    def summaries(self) -> Summary:
        """A pupil's summary by enrolment id, built once however many of one pack's lists show them."""
        built: dict[int, PupilSummary] = {}

        def summary(enrolment_id: int) -> PupilSummary:
            if enrolment_id not in built:
                built[enrolment_id] = pupil_summary(
                    self.records[enrolment_id],
                    self.windows.records.get(enrolment_id),
                    self.scheme,
                    self.dates.half_terms,
                )
            return built[enrolment_id]

        return summary

    def severely_absent(self, listed: pd.DataFrame, summary: Summary) -> tuple[PupilSummary, ...]:
        """Attendance of 50% or less, lowest first."""
        severe = _lowest_first(listed[listed.pa_50 == 1])
        return tuple(summary(int(e)) for e in severe.enrolment_id)

    def persistently_absent(self, listed: pd.DataFrame, summary: Summary) -> tuple[PupilSummary, ...]:
        """Attendance of 90% or less and over 50% (the severely absent have their own list), lowest first."""
        persistent = _lowest_first(listed[(listed.pa_10 == 1) & (listed.pa_50 == 0)])
        return tuple(summary(int(e)) for e in persistent.enrolment_id)

    def zero_attendance(self, listed: pd.DataFrame, summary: Summary) -> tuple[ZeroAttendance, ...]:
        zero = listed[(listed.sess_attended == 0) & (listed.sess_possible > 0)].sort_values(["nc_year", "upn"])
        out = []
        for e, urn in zip(zero.enrolment_id, zero.school_urn, strict=True):
            since = (self.windows.records.get(int(e)) or {}).get("first_possible") or self.dates.year.start
            first_day = self.windows.first_day.get(int(urn), since)
            out.append(ZeroAttendance(summary(int(e)), since, since > first_day))
        return tuple(out)

    def no_attendance_recently(self, urn: int, listed: pd.DataFrame, summary: Summary) -> NoAttendanceSection:
        if int(urn) not in self.windows.window_days:
            return NoAttendanceSection(None, None, 0, (), ())
        start, end, n_days = self.windows.window_days[int(urn)]
        w = self.windows.by_enrolment.reindex(listed.enrolment_id.astype(int))
        hit = w[(w.w_possible > 0) & (w.w_attended == 0) & (w.w_authorised == 0) & (w.w_unauthorised > 0)]
        upns = dict(zip(listed.enrolment_id.astype(int), listed.upn, strict=True))
        pupils, left_out = [], []
        labels = {r: ABSENCE_REASONS[r] for r in ABSENCE_REASONS if r.startswith("sess_unauth_")}
        for enrolment_id, row in hit.iterrows():
            upn = upns[int(enrolment_id)]
            if self.is_cme(upn):
                left_out.append(upn)
                continue
            by_reason = tuple(
                sorted(
                    ((label, int(row[f"w_{r}"])) for r, label in labels.items() if row[f"w_{r}"] > 0),
                    key=lambda x: -x[1],
                )
            )
            pupils.append(NoAttendanceRecently(summary(int(enrolment_id)), start, end, int(row.w_possible), by_reason))
        pupils.sort(key=lambda p: (p.pupil.nc_year, p.pupil.upn))
        return NoAttendanceSection(start, end, int(n_days), tuple(pupils), tuple(sorted(left_out)))

    def at_risk(self, listed: pd.DataFrame, summary: Summary) -> tuple[PupilAtRisk, ...]:
        from attendwise.analysis.early_warning import reasons

        if self.risk.empty:
            return ()
        candidates = listed[listed.pa_10 == 0]
        feats = self.risk.reindex(candidates.enrolment_id.astype(int)).dropna(subset=["absence_rate"])
        flagged = feats[(feats.projected_absence >= 0.1) | (feats.risk_pa.fillna(0) >= self.risk_threshold)]
        out = []
        for row in flagged.itertuples():
            enrolment_id = row.Index
            words = reasons(row, int(row.weeks_in_year))  # type: ignore[arg-type]
            if pd.notna(row.risk_pa) and row.risk_pa >= self.risk_threshold:
                words.append(f"the learned model gives a {row.risk_pa:.0%} risk of ending the year persistently absent")
            out.append(
                PupilAtRisk(
                    pupil=summary(int(enrolment_id)),
                    projected_attendance_percent=100.0 * (1 - float(row.projected_absence)),
                    risk_pa=float_or_none(row.risk_pa),
                    risk_sa=float_or_none(row.risk_sa),
                    reasons=tuple(words),
                )
            )
        out.sort(key=lambda p: (p.projected_attendance_percent, p.pupil.upn))
        return tuple(out)
