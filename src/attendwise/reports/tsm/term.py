"""The term's packs: :class:`TermPacks` computes, once, what every school's pack for a term needs, then
builds each school's pack from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import ibis
import numpy as np
import pandas as pd

from attendwise.bands import BandScheme, band_counts, load_scheme
from attendwise.calendar import AcademicYear, Period
from attendwise.characteristics import PHASES
from attendwise.codes import ABSENCE_REASONS, code_set_sql, with_meaning
from attendwise.disproportionality import disproportionality_within
from attendwise.measures import Population, absence_measures, enrolment_absence
from attendwise.pupils import BandAt, ReasonCount
from attendwise.reference import TERM_IDENTIFIERS, national_figures
from attendwise.reports.tsm.cohorts import COHORTS, cohort_frame, cohort_sums
from attendwise.reports.tsm.dates import block_aligned_end, half_terms, pack_dates, same_point_last_year
from attendwise.reports.tsm.figures import Headlines, area_figures, float_or_none
from attendwise.reports.tsm.inputs import CMEExclusion, PreviousAction, TSMError, TSMInputs, cme_predicate
from attendwise.reports.tsm.pack import (
    ActionReview,
    AreaFigures,
    AttendanceTrend,
    BandCount,
    CategoriesSection,
    CohortFigures,
    DiscussedPupil,
    LastYearComparison,
    NoAttendanceRecently,
    NoAttendanceSection,
    OverallAttendance,
    PupilAtRisk,
    PupilSummary,
    TSMPack,
    ZeroAttendance,
    pct,
)
from attendwise.store import Store

#: School days in the "no attendance, unauthorised only" window (three school weeks).
WINDOW_SCHOOL_DAYS = 15
#: School weeks compared for each pupil's trend (the last N against the N before).
TREND_WEEKS = 4
#: School days before a previous action that give the "before" attendance rate.
BASELINE_DAYS = 30
#: School weeks assumed in a year when there is no learned model to say (190 days / 5, rounded up).
DEFAULT_WEEKS_IN_YEAR = 39


class TermPacks:
    """Computes, once, everything the packs of one term need for every school, then builds each pack.

    ``TermPacks(store, term, ...)`` does the heavy work (one pass over the store for every school);
    :meth:`pack` then builds one school's pack with its case-store inputs cheaply, so a service that
    keeps the object can rebuild a pack each time a meeting's pupils or actions change. :meth:`pack`
    reads the store for previous actions' attendance, so callers on several threads share one
    ``TermPacks`` under a lock.
    """

    def __init__(
        self,
        store: Store,
        term: str | Period,
        *,
        as_at: dt.date | None,
        urns: Sequence[int] | None,
        scheme: BandScheme | str,
        population: Population | None,
        exclude_cme: CMEExclusion,
        risk_threshold: float,
        baseline_days: int,
    ) -> None:
        self.store = store
        self.term, self.as_at = pack_dates(store, term, as_at)
        self.year = self.term.academic_year
        self.ytd = Period(f"{self.year.label} year to {self.as_at:%d %b %Y}", self.year.start, self.as_at)
        self.term_to_date = Period(
            f"{self.term.label} to {self.as_at:%d %b %Y}", self.term.start, min(self.term.end, self.as_at)
        )
        self.scheme = scheme if isinstance(scheme, BandScheme) else load_scheme(scheme)
        self.population = population or Population()
        self.is_cme = cme_predicate(exclude_cme)
        self.risk_threshold = risk_threshold
        self.baseline_days = baseline_days
        self.schools = self._schools(urns)
        self.urns = list(self.schools.index)
        self.la_name = ", ".join(sorted({str(n) for n in self.schools_all.la_name})) or "the LA"
        self.half_terms = half_terms(store, self.year, self.as_at)
        self.notes: list[str] = []

        # Measures read the store's weekly session blocks when a period ends at a block boundary; a pack as
        # at a Friday with nothing marked over the weekend measures exactly the same sessions to the Sunday.
        end = block_aligned_end(store, self.as_at)
        with store.materialised(
            enrolment_absence(store, Period(self.ytd.label, self.ytd.start, end), self.population)
        ) as ytd_rows:
            self.ytd_headlines = self._headlines(ytd_rows, self.ytd)
            self.ytd_bands = self._bands(ytd_rows)
            frame = store.ibis.to_pyarrow(ytd_rows).to_pandas()
        term_period = Period(self.term_to_date.label, self.term_to_date.start, min(end, self.term.end))
        with store.materialised(enrolment_absence(store, term_period, self.population)) as term_rows:
            self.term_headlines = self._headlines(term_rows, self.term_to_date)
            self.term_bands = self._bands(term_rows)
        self.rows = self._with_people(frame)
        self.records = _Records(self.rows)
        slim = pd.DataFrame(
            {c: self.rows[c].to_numpy(dtype=object if c in ("upn", "nc_year") else None) for c in _SLIM_COLUMNS}
        )
        self.rows_by_school = {int(urn): g for urn, g in slim.groupby("school_urn")}
        cohort_rows = cohort_frame(self.rows)
        self.la_cohorts = {name: cohort_sums(cohort_rows, column, group) for name, (column, group) in COHORTS.items()}
        mine = cohort_rows[cohort_rows.school_urn.isin(self.urns)]
        self.cohort_sums = {
            (int(u), name): cohort_sums(g, column, group)
            for u, g in mine.groupby("school_urn")
            for name, (column, group) in COHORTS.items()
        }
        self.school_sums = {int(u): cohort_sums(g, "school_urn", u) for u, g in mine.groupby("school_urn")}
        tested = disproportionality_within(mine, "school_urn", ["fsm", "sen", "cla", "cin"])
        self.tested = (
            {
                (int(u), str(g)): (str(f), str(text), float_or_none(rr))
                for u, g, f, text, rr in zip(
                    tested.school_urn, tested.group, tested.pa_flag, tested.summary, tested.pa_risk_ratio, strict=True
                )
            }
            if not tested.empty
            else {}
        )
        self._national_cache: dict[tuple[str, bool], tuple[AreaFigures, str]] = {}
        self.last_year, self.last_year_label = self._last_year()
        self.windows, self.days = self._pupil_windows()
        self.window_records = _Records(self.windows.reset_index())
        by_urn = self.days.groupby("urn").date
        self.first_day, self.last_day = by_urn.min().to_dict(), by_urn.max().to_dict()
        window = self.days[self.days.day_rank < WINDOW_SCHOOL_DAYS].groupby("urn").date
        self.window_days = {
            int(u): (first, last, n)
            for u, first, last, n in zip(window.min().index, window.min(), window.max(), window.size(), strict=True)
        }
        self.risk, self.risk_basis = self._early_warning()
        if not self.risk.empty:
            flagged = self.risk[
                (self.risk.projected_absence >= 0.1) | (self.risk.risk_pa.fillna(0) >= self.risk_threshold)
            ]
            self.risk = flagged

    # -- reading -------------------------------------------------------------------------------
    def _schools(self, urns: Sequence[int] | None) -> pd.DataFrame:
        self.schools_all = self.store.table("schools").to_pandas().set_index("urn")
        if urns is None:
            return self.schools_all
        unknown = [u for u in urns if u not in self.schools_all.index]
        if unknown:
            raise TSMError(f"no school with URN {unknown[0]} in the store")
        return self.schools_all.loc[list(urns)]

    def _headlines(self, rows: ibis.Table, period: Period) -> Headlines:
        by = absence_measures(rows, ["school_urn", "school_name", "education_phase"]).to_pandas()
        return Headlines(period, by.set_index("school_urn"))

    def _bands(self, rows: ibis.Table) -> dict[int, tuple[BandCount, ...]]:
        frame = band_counts(rows, self.scheme, ["school_urn"]).to_pandas()
        colours = {b.key: b.colour for b in self.scheme.bands}
        out: dict[int, tuple[BandCount, ...]] = {}
        for urn, g in frame.groupby("school_urn"):
            out[int(urn)] = tuple(
                BandCount(r.band, r.band_name, colours[r.band], int(r.enrolments), float_or_none(r.percent))
                for r in g.itertuples()
            )
        return out

    def _with_people(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The year-to-date enrolment rows with names and admission and leaving dates."""
        e, p = self.store.table("enrolments"), self.store.table("pupils")
        people = (
            e.join(p, "upn").select("enrolment_id", "forename", "surname", "admission_date", "leaving_date").to_pandas()
        )
        rows = frame.merge(people, on="enrolment_id", how="left")
        rows["admission_date"] = pd.to_datetime(rows.admission_date).dt.date
        leaving = pd.to_datetime(rows.leaving_date)
        # On roll at the as-at date: no leaving date, or leaving on or after it.
        rows["on_roll"] = leaving.isna() | (leaving >= pd.Timestamp(self.as_at))
        rows["leaving_date"] = [None if pd.isna(d) else d.date() for d in leaving]
        rows["sess_attended"] = rows.sess_present + rows.sess_aea
        return rows

    def _last_year(self) -> tuple[Headlines, str]:
        """Last year to the same point (1 August to the same date a year earlier), by school: the comparison
        of :func:`attendwise.trends.change_on_last_year`, measured once for every school."""
        then = same_point_last_year(self.as_at)
        last = AcademicYear(self.year.start_year - 1)
        label = f"{last.label} to {then:%d %b}"
        period = Period(label, last.start, then)
        return self._headlines(enrolment_absence(self.store, period, self.population), period), label

    def _pupil_windows(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """One pass over the year's marks: each enrolment's sessions in every window the pack needs.

        Returns the per-enrolment windows and the school days (``urn``, ``date``, ``day_rank``,
        ``week_rank``; ranks count back from the as-at date, 0 being the latest).
        """
        marks = self.store.table("marks")
        enrolments = self.store.table("enrolments").select("enrolment_id", "urn")
        if len(self.urns) < len(self.schools_all):
            enrolments = enrolments.filter(enrolments.urn.isin(self.urns))
        m = marks.filter(marks.date.between(self.year.start, self.as_at)).join(enrolments, "enrolment_id")

        # The school days: dates on which each school's register holds marks, ranked back from as-at.
        days = m.select("urn", "date").distinct().to_pandas()
        days["date"] = pd.to_datetime(days.date)
        days["week"] = days.date - pd.to_timedelta(days.date.dt.weekday, unit="D")
        days["day_rank"] = days.groupby("urn").date.rank(method="dense", ascending=False).astype("int64") - 1
        days["week_rank"] = days.groupby("urn").week.rank(method="dense", ascending=False).astype("int64") - 1
        days["period"] = -1
        for i, (_, start, end) in enumerate(self.half_terms):
            days.loc[days.date.between(pd.Timestamp(start), pd.Timestamp(end)), "period"] = i
        days["date"] = days.date.dt.date
        day_table = ibis.memtable(days[["urn", "date", "day_rank", "week_rank", "period"]])

        m = with_meaning(m)
        m = m.join(day_table, ["urn", "date"])
        poss, att = m.is_possible, m.is_attendance
        auth, unauth = m.is_authorised, m.is_unauthorised
        window = m.day_rank < WINDOW_SCHOOL_DAYS
        recent = m.week_rank < TREND_WEEKS
        previous = (m.week_rank >= TREND_WEEKS) & (m.week_rank < 2 * TREND_WEEKS)
        unauth_reasons = [r for r in ABSENCE_REASONS if r.startswith("sess_unauth_")]
        aggs = {
            "first_possible": m.date.min(where=poss == 1),
            "w_possible": poss.sum(where=window),
            "w_attended": att.sum(where=window),
            "w_authorised": auth.sum(where=window),
            "w_unauthorised": unauth.sum(where=window),
            **{f"w_{r}": (m.reason == r).fill_null(False).cast("int64").sum(where=window) for r in unauth_reasons},
            "r_possible": poss.sum(where=recent),
            "r_attended": att.sum(where=recent),
            "p_possible": poss.sum(where=previous),
            "p_attended": att.sum(where=previous),
        }
        for i in range(len(self.half_terms)):
            aggs[f"h{i}_possible"] = poss.sum(where=m.period == i)
            aggs[f"h{i}_overall"] = (auth + unauth).sum(where=m.period == i)
        per = self.store.ibis.to_pyarrow(m.group_by("enrolment_id").aggregate(**aggs)).to_pandas()
        counts = [c for c in per.columns if c not in ("enrolment_id", "first_possible")]
        per[counts] = per[counts].fillna(0).astype("int64")
        per["first_possible"] = pd.to_datetime(per.first_possible).dt.date
        return per.set_index("enrolment_id"), days

    def _early_warning(self) -> tuple[pd.DataFrame, str]:
        """Early-warning features, projections and (with an earlier year to learn from) model risks."""
        from attendwise.early_warning import (
            EarlyWarningError,
            features_at,
            model_for,
            projected_absence,
            year_grid,
        )

        try:
            grid = year_grid(self.store, self.year, as_of=self.as_at)
        except EarlyWarningError:
            return pd.DataFrame(), "no marks this year to project from"
        feats = features_at(grid, grid.week_of(self.as_at))
        try:
            model = model_for(self.store, self.year)
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
                f"{self.risk_threshold:.0%} from the model trained on {', '.join(model.trained_years)}."
            )
        feats["projected_absence"] = projected_absence(feats, weeks)
        feats["weeks_in_year"] = weeks
        return feats.set_index("enrolment_id"), basis

    # -- one pack ------------------------------------------------------------------------------
    def pack(self, urn: int, inputs: TSMInputs | None = None, *, store: Store | None = None) -> TSMPack:
        """One school's pack with its case-store inputs.

        ``store``: the caller's own connection to the same store, for the few reads a pack makes (a
        DuckDB connection must not be used by two threads at once); default the one it was built with.
        """
        if store is None or store is self.store:
            return self._pack(urn, inputs)
        built_with, self.store = self.store, store
        try:
            return self._pack(urn, inputs)
        finally:
            self.store = built_with

    def _pack(self, urn: int, inputs: TSMInputs | None) -> TSMPack:
        inputs = inputs or TSMInputs()
        school = self.schools.loc[urn]
        phase_label = PHASES.get(school.phase, school.phase)
        rows = self.rows_by_school.get(int(urn), self.rows.iloc[:0])
        listed = rows[rows.on_roll]
        last_mark = self.last_day.get(int(urn))
        notes = list(self.notes)
        if last_mark is None:
            notes.append(f"The store holds no marks for this school in {self.year.label} up to {self.as_at:%d %b %Y}.")
        elif last_mark < self.as_at:
            notes.append(
                f"This school's registers end on {last_mark:%d %b %Y}, before the pack's date "
                f"({self.as_at:%d %b %Y}); its lists are as at {last_mark:%d %b %Y}."
            )
        overall, national_note = self._overall(urn, str(school["name"]), phase_label)
        notes.append(national_note)

        summaries: dict[int, PupilSummary] = {}

        def summary(enrolment_id: int) -> PupilSummary:
            if enrolment_id not in summaries:
                summaries[enrolment_id] = self._summary(self.records[enrolment_id])
            return summaries[enrolment_id]

        severe = listed[listed.pa_50 == 1]
        severe = severe.assign(_rate=severe.sess_attended / severe.sess_possible).sort_values(["_rate", "upn"])
        persistent = listed[(listed.pa_10 == 1) & (listed.pa_50 == 0)]
        persistent = persistent.assign(_rate=persistent.sess_attended / persistent.sess_possible).sort_values(
            ["_rate", "upn"]
        )
        return TSMPack(
            urn=int(urn),
            school_name=str(school["name"]),
            phase=str(school.phase),
            la_name=self.la_name,
            term=self.term,
            as_at=self.as_at,
            school_last_mark=last_mark,
            year_to_date=self.ytd,
            term_to_date=self.term_to_date,
            population=self.population.describe(),
            overall=overall,
            categories=CategoriesSection(
                self.scheme.name, self._band_counts(self.ytd_bands, urn), self._band_counts(self.term_bands, urn)
            ),
            severely_absent=tuple(summary(int(e)) for e in severe.enrolment_id),
            persistently_absent=tuple(summary(int(e)) for e in persistent.enrolment_id),
            zero_attendance=self._zero_attendance(listed, summary),
            no_attendance_recently=self._no_attendance(urn, listed, summary),
            at_risk=self._at_risk(listed, summary),
            at_risk_basis=self.risk_basis,
            cohorts=self._cohorts(urn),
            discussed=self._discussed(rows, inputs.discuss, summary),
            previous_actions=self._actions(urn, rows, inputs.previous_actions, summary),
            notes=tuple(notes),
        )

    def _band_counts(self, bands: dict[int, tuple[BandCount, ...]], urn: int) -> tuple[BandCount, ...]:
        if urn in bands:
            return bands[urn]
        return tuple(BandCount(b.key, b.name, b.colour, 0, None) for b in self.scheme.bands)

    def _overall(self, urn: int, name: str, phase_label: str) -> tuple[OverallAttendance, str]:
        who = self.population.describe()
        sections = []
        national_note = ""
        for headlines, is_term in ((self.ytd_headlines, False), (self.term_headlines, True)):
            dates = f"{headlines.period.start:%d %b %Y} to {headlines.period.end:%d %b %Y}"
            similar, n_similar = headlines.similar(urn, phase_label)
            national, national_note = self._national(phase_label, is_term=is_term)
            sections.append(
                (
                    area_figures(name, "school", f"{who}, {dates}, from the registers", headlines.school(urn)),
                    area_figures(self.la_name, "la", f"all schools in the LA, {who}, {dates}", headlines.la()),
                    area_figures(
                        f"Other {phase_label.lower()} schools in {self.la_name}",
                        "similar",
                        f"the {n_similar} other schools of the same phase in the LA, pooled, {dates}",
                        similar if n_similar else None,
                    ),
                    national,
                )
            )
        now_label = f"{self.year.label} to {self.as_at:%d %b}"
        school_then = self.last_year.school(urn)
        la_then = self.last_year.la()
        comparisons = (
            LastYearComparison(
                name,
                now_label,
                self.last_year_label,
                sections[0][0],
                None
                if school_then is None or not school_then["enrolments"]
                else area_figures(name, "school", self.last_year_label, school_then),
            ),
            LastYearComparison(
                self.la_name,
                now_label,
                self.last_year_label,
                sections[0][1],
                None if not la_then["enrolments"] else area_figures(self.la_name, "la", self.last_year_label, la_then),
            ),
        )
        return OverallAttendance(sections[0], sections[1], comparisons), national_note

    def _national(self, phase_label: str, *, is_term: bool) -> tuple[AreaFigures, str]:
        """England for the school's phase: a figure loaded into the store (``attendwise reference``) for the
        term or year if there is one, else the shipped full-year figure (the nearest year shipped), with the
        basis saying which."""
        key = (phase_label, is_term)
        if key not in self._national_cache:
            self._national_cache[key] = self._read_national(phase_label, is_term=is_term)
        return self._national_cache[key]

    def _read_national(self, phase_label: str, *, is_term: bool) -> tuple[AreaFigures, str]:
        year = self.year.time_period
        identifier = next(
            (label for t, label in TERM_IDENTIFIERS.items() if self.year.term(t) == (self.term.start, self.term.end)),
            None,
        )
        loaded = self.store.con.execute(
            "SELECT * FROM reference_figures WHERE geographic_level = 'National' AND time_period = ? "
            "AND time_identifier = ? AND education_phase = ?",
            [year, identifier if is_term else "Academic year", phase_label],
        ).df()
        if not loaded.empty:
            r = loaded.iloc[0]
            source = f"{r.source}, {r.time_identifier.lower()} {self.year.label}"
        else:
            shipped = national_figures(year)
            match = shipped[shipped.education_phase == phase_label]
            if match.empty:
                match = shipped[shipped.education_phase == "Total"]
            r = match.iloc[0]
            source = str(r.source)
        overall = float_or_none(r.get("sess_overall_percent"))
        figures = AreaFigures(
            area=f"England ({r.education_phase})",
            kind="national",
            basis=source,
            enrolments=None,
            attendance_percent=None if overall is None else 100.0 - overall,
            overall_absence_percent=overall,
            authorised_absence_percent=float_or_none(r.get("sess_authorised_percent")),
            unauthorised_absence_percent=float_or_none(r.get("sess_unauthorised_percent")),
            persistent_absence_percent=float_or_none(r.get("enrolments_pa_10_exact_percent")),
            severe_absence_percent=float_or_none(r.get("enrolments_pa_50_exact_percent")),
        )
        note = (
            f"England's figures are the DfE's published figures ({source}), not the same dates as the "
            "school's; load the DfE's term files with 'attendwise reference' for a closer comparison."
            if loaded.empty
            else f"England's figures: {source}."
        )
        return figures, note

    def _summary(self, r: dict[str, Any]) -> PupilSummary:
        enrolment_id = int(r["enrolment_id"])
        w = self.window_records.get(enrolment_id)
        band = self.scheme.band_for(int(r["sess_attended"]), int(r["sess_possible"]))
        history = []
        if w is not None:
            by_key = {b.key: b for b in self.scheme.bands}
            for i, (label, start, end) in enumerate(self.half_terms):
                possible, overall = int(w[f"h{i}_possible"]), int(w[f"h{i}_overall"])
                if possible == 0:
                    continue
                b = by_key[self.scheme.band_for(possible - overall, possible).key]
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
            enrolment_id=enrolment_id,
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

    def _zero_attendance(
        self, listed: pd.DataFrame, summary: Callable[[int], PupilSummary]
    ) -> tuple[ZeroAttendance, ...]:
        zero = listed[(listed.sess_attended == 0) & (listed.sess_possible > 0)].sort_values(["nc_year", "upn"])
        out = []
        for e, urn in zip(zero.enrolment_id, zero.school_urn, strict=True):
            since = (self.window_records.get(int(e)) or {}).get("first_possible") or self.year.start
            first_day = self.first_day.get(int(urn), since)
            out.append(ZeroAttendance(summary(int(e)), since, since > first_day))
        return tuple(out)

    def _no_attendance(
        self, urn: int, listed: pd.DataFrame, summary: Callable[[int], PupilSummary]
    ) -> NoAttendanceSection:
        if int(urn) not in self.window_days:
            return NoAttendanceSection(None, None, 0, (), ())
        start, end, n_days = self.window_days[int(urn)]
        w = self.windows.reindex(listed.enrolment_id.astype(int))
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

    def _at_risk(self, listed: pd.DataFrame, summary: Callable[[int], PupilSummary]) -> tuple[PupilAtRisk, ...]:
        from attendwise.early_warning import reasons

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

    def _cohorts(self, urn: int) -> tuple[CohortFigures, ...]:
        urn = int(urn)
        out = []
        total = self.school_sums.get(urn, (0, 0, 0, 0, 0))
        for cohort, (_, group) in COHORTS.items():
            pupils, attended, possible, pa, sa = self.cohort_sums.get((urn, cohort), (0, 0, 0, 0, 0))
            others = [t - c for t, c in zip(total, (pupils, attended, possible, pa, sa), strict=True)]
            la_pupils, la_attended, la_possible, la_pa, _ = self.la_cohorts[cohort]
            if not pupils:
                flag, summary_text, rr = "", f"No pupils in this school are {cohort.lower()}.", None
            else:
                flag, summary_text, rr = self.tested[(urn, group)]
            out.append(
                CohortFigures(
                    cohort=cohort,
                    pupils=pupils,
                    attendance_percent=pct(attended, possible),
                    persistently_absent=pa,
                    persistent_absence_percent=pct(pa, pupils),
                    severely_absent=sa,
                    severe_absence_percent=pct(sa, pupils),
                    others_attendance_percent=pct(others[1], others[2]),
                    others_persistent_absence_percent=pct(others[3], others[0]),
                    la_pupils=la_pupils,
                    la_attendance_percent=pct(la_attended, la_possible),
                    la_persistent_absence_percent=pct(la_pa, la_pupils),
                    risk_ratio=rr,
                    flag=flag,
                    summary=summary_text,
                )
            )
        return tuple(out)

    def _discussed(
        self, rows: pd.DataFrame, upns: Iterable[str], summary: Callable[[int], PupilSummary]
    ) -> tuple[DiscussedPupil, ...]:
        out = []
        for upn in upns:
            upn = upn.strip().upper()
            found = rows[rows.upn == upn]
            if found.empty:
                out.append(DiscussedPupil(upn, None, f"not counted at this school in {self.ytd.label}"))
                continue
            r = found.sort_values("admission_date").iloc[-1]
            note = "" if r.on_roll else f"left the school on {r.leaving_date:%d %b %Y}"
            out.append(DiscussedPupil(upn, summary(int(r.enrolment_id)), note))
        return tuple(out)

    def _actions(
        self,
        urn: int,
        rows: pd.DataFrame,
        actions: Sequence[PreviousAction],
        summary: Callable[[int], PupilSummary],
    ) -> tuple[ActionReview, ...]:
        if not actions:
            return ()
        upns = sorted({a.upn.strip().upper() for a in actions})
        earliest = min(a.agreed_on for a in actions)
        # The school's days, and its pupils' marks, from well before the earliest action to as-at.
        since = earliest - dt.timedelta(days=7 * (self.baseline_days // 5 + 12))
        placeholders = ",".join("?" * len(upns))
        with self.store.code_meanings() as codes:
            marks = self.store.con.execute(
                f"""SELECT e.upn, m.date, c.is_possible, c.is_attendance
                    FROM marks m JOIN enrolments e USING (enrolment_id)
                    JOIN {codes} c ON c.code = m.code
                     AND c.code_set = {code_set_sql("m.date")}
                    WHERE e.urn = ? AND e.upn IN ({placeholders}) AND m.date BETWEEN ? AND ?""",
                [urn, *upns, since, self.as_at],
            ).df()
            school_days = [
                d
                for (d,) in self.store.con.execute(
                    """SELECT DISTINCT m.date FROM marks m JOIN enrolments e USING (enrolment_id)
                       WHERE e.urn = ? AND m.date BETWEEN ? AND ? ORDER BY 1""",
                    [urn, since, self.as_at],
                ).fetchall()
            ]
        marks["date"] = pd.to_datetime(marks.date).dt.date
        out = []
        for action in actions:
            upn = action.upn.strip().upper()
            found = rows[rows.upn == upn]
            pupil = summary(int(found.sort_values("admission_date").iloc[-1].enrolment_id)) if len(found) else None
            before_days = [d for d in school_days if d < action.agreed_on][-self.baseline_days :]
            mine = marks[marks.upn == upn]
            before = mine[mine.date.isin(set(before_days))]
            after = mine[mine.date >= action.agreed_on]
            out.append(
                ActionReview(
                    action=action,
                    pupil=pupil,
                    before_start=before_days[0] if before_days else None,
                    before_possible=int(before.is_possible.sum()),
                    before_attended=int((before.is_possible * before.is_attendance).sum()),
                    since_possible=int(after.is_possible.sum()),
                    since_attended=int((after.is_possible * after.is_attendance).sum()),
                )
            )
        return tuple(out)


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


class _Records:
    """Rows of a frame by ``enrolment_id``, each read as a dict on demand (plain numpy columns: reading rows
    of a frame of pyarrow-backed columns one at a time is slow, and converting them all is wasted work)."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.columns = {c: frame[c].to_numpy(dtype=object) for c in frame.columns}
        self.position = {int(e): i for i, e in enumerate(frame.enrolment_id)}

    def get(self, enrolment_id: int) -> dict[str, Any] | None:
        i = self.position.get(int(enrolment_id))
        return None if i is None else {c: values[i] for c, values in self.columns.items()}

    def __getitem__(self, enrolment_id: int) -> dict[str, Any]:
        row = self.get(enrolment_id)
        if row is None:
            raise KeyError(enrolment_id)
        return row
