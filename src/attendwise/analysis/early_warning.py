"""Early warning: who is heading into persistent or severe absence, with reasons a person can act on.

Two layers, both built only on marks up to the moment of prediction:

1. **Trajectory rules** (transparent): where the pupil's attendance so far and its recent trend project
   them by the end of the year, and plain-English reasons ("attendance fell from 96% to 88% over the
   last 6 weeks", "7 Mondays missed this term", "was persistently absent last year", ...).
2. **A learned model** (scikit-learn gradient boosting, calibrated with isotonic regression) trained on
   earlier years in the store: snapshots of every enrolment at many points of each earlier year, labelled
   with whether the enrolment ended that year persistently (10%+) or severely (50%+) absent.

Time is counted in **school weeks**: the weeks of the academic year in which the LA's schools met (weeks
with marks), so "8 weeks" means 8 weeks of school whatever the holiday dates. All features for week N
use weeks before N only; :mod:`attendwise.analysis.backtest` checks predictions never see later marks.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from attendwise.core.calendar import AcademicYear
from attendwise.core.codes import with_meaning
from attendwise.core.errors import AttendwiseError
from attendwise.store import Store

__all__ = [
    "FEATURES",
    "LIKELY",
    "NOT_YET_PA",
    "SCHOOL_WEEKS",
    "EarlyWarningModel",
    "YearGrid",
    "at_risk",
    "cohort_features",
    "features_at",
    "heading_into_pa",
    "model_for",
    "reasons",
    "train_model",
    "transition",
    "year_grid",
]

_EPOCH_MONDAY = dt.date(1970, 1, 5)  # a Monday, for week arithmetic
#: School weeks in a year when no earlier year says otherwise: 190 teaching days and the INSET days
#: fall in about 39 weeks with marks.
SCHOOL_WEEKS = 39
#: Attendance above this is "not yet persistently absent": the early-warning list proper.
NOT_YET_PA = 90.0
#: A pupil not yet persistently absent is listed when their trajectory ends the year at 90% or below, or
#: the learned model gives them at least this chance of it (at 50% the backtest found 77% did end PA).
LIKELY = 0.5


class EarlyWarningError(AttendwiseError):
    """Early warning cannot run as asked (no marks for the year, no earlier year to learn from, ...)."""


def _monday_on_or_before(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class YearGrid:
    """Every enrolment's sessions in one academic year, week by school week (numpy arrays, enrolment x week)."""

    year: AcademicYear
    enrolments: pd.DataFrame  # one row per enrolment: ids, characteristics, last-year history
    week_starts: list[dt.date]  # the Monday of each school week
    possible: np.ndarray
    absent: np.ndarray
    unauthorised: np.ndarray
    monday_absent: np.ndarray
    friday_absent: np.ndarray
    illness: np.ndarray
    index: dict[int, int] = field(default_factory=dict)  # enrolment_id -> row
    #: The LA's priority cohorts' dated memberships (``upn``, ``cohort``, ``start_date``, ``end_date``), and
    #: every cohort the store holds (each a feature, ``cohort_KEY``: in it on the snapshot's Monday).
    memberships: pd.DataFrame = field(default_factory=pd.DataFrame)
    cohort_keys: tuple[str, ...] = ()

    @property
    def weeks(self) -> int:
        return len(self.week_starts)

    def week_of(self, day: dt.date) -> int:
        """How many school weeks have begun on or before ``day`` (0 before the first)."""
        return sum(1 for start in self.week_starts if start <= day)


def year_grid(store: Store, year: AcademicYear, *, as_of: dt.date | None = None) -> YearGrid:
    """Build a year's weekly grid from the store, using marks up to ``as_of`` only (default: all)."""
    end = min(year.end, as_of) if as_of else year.end
    marks = store.table("marks")
    m = with_meaning(marks.filter(marks.date.between(year.start, end)))
    monday = (m.date.epoch_days() - (_EPOCH_MONDAY - dt.date(1970, 1, 1)).days) // 7
    m = m.mutate(
        week_monday=monday, dow=m.date.day_of_week.index(), absent=(m.is_authorised + m.is_unauthorised).cast("int64")
    )
    weekly = store.ibis.to_pyarrow(  # Arrow straight to pandas: Ibis's own conversion took ~1 s for a city
        m.group_by(["enrolment_id", "week_monday"]).aggregate(
            possible=m.is_possible.sum(),
            absent=m.absent.sum(),
            unauthorised=m.is_unauthorised.sum(),
            monday_absent=(m.absent * (m.dow == 0).cast("int64")).sum(),
            friday_absent=(m.absent * (m.dow == 4).cast("int64")).sum(),
            illness=(m.reason == "sess_auth_illness").fill_null(False).cast("int64").sum(),
        )
    ).to_pandas()
    if weekly.empty:
        raise EarlyWarningError(f"no marks in {year.label}" + (f" up to {as_of}" if as_of else ""))
    week_ids = sorted(weekly.week_monday.unique())
    week_starts = [_EPOCH_MONDAY + dt.timedelta(weeks=int(w)) for w in week_ids]
    col = {w: i for i, w in enumerate(week_ids)}
    people = _enrolments(store, year, end)
    people = people[people.enrolment_id.isin(weekly.enrolment_id.unique())].reset_index(drop=True)
    index = {int(e): i for i, e in enumerate(people.enrolment_id)}
    weekly = weekly[weekly.enrolment_id.isin(index)]
    rows = weekly.enrolment_id.map(index).to_numpy()
    cols = weekly.week_monday.map(col).to_numpy()
    arrays = {}
    for name in ("possible", "absent", "unauthorised", "monday_absent", "friday_absent", "illness"):
        grid = np.zeros((len(people), len(week_ids)), dtype=np.int32)
        grid[rows, cols] = weekly[name].to_numpy()  # one row per (enrolment, week) after the group_by
        arrays[name] = grid
    members = store.table("cohort_members").select("upn", "cohort", "start_date", "end_date").to_pandas()
    keys = tuple(sorted(members.cohort.unique())) if len(members) else ()
    return YearGrid(year, people, week_starts, index=index, **arrays, memberships=members, cohort_keys=keys)


#: What early warning reads of each enrolment of the year.
_PEOPLE = (
    *("enrolment_id", "upn", "urn", "school_name", "phase", "nc_year", "fsm", "sen", "cla", "cin", "cpp"),
    *("admission_date", "leaving_date", "date_of_birth", "forename", "surname"),
)


def _enrolments(store: Store, year: AcademicYear, end: dt.date) -> pd.DataFrame:
    """Enrolments of the year with characteristics and the pupil's record in the previous year."""
    e, p, s = store.table("enrolments"), store.table("pupils"), store.table("schools")
    on_roll = e.filter(
        ~e.boarder & (e.admission_date <= end) & (e.leaving_date.fill_null(dt.date(9999, 12, 31)) >= year.start)
    )
    people = (
        on_roll.join(p, "upn")
        .join(s.select("urn", school_name=s.name, phase=s.phase), "urn")
        .select(*_PEOPLE)
        .to_pandas()
    )
    last = AcademicYear(year.start_year - 1)
    schools = s.select("urn", "phase")
    if store.blocks_cover(last.start, last.end, "census"):
        # Last year's counts from the census blocks (four rows per enrolment) instead of a year of marks:
        # the same sums (the blocks are the marks counted by category), about ten times faster.
        b = store.table("census_blocks")
        rows = (
            b.filter((b.block_start >= last.start) & (b.block_end <= last.end))
            .join(e.select("enrolment_id", "upn", "urn"), "enrolment_id")
            .join(schools, "urn")
        )
        rows = rows.mutate(
            possible=rows.sess_possible,
            absent=rows.sess_authorised + rows.sess_unauthorised,
            unauthorised=rows.sess_unauthorised,
        )
    else:
        m = store.table("marks")
        rows = (
            with_meaning(m.filter(m.date.between(last.start, last.end)))
            .join(e.select("enrolment_id", "upn", "urn"), "enrolment_id")
            .join(schools, "urn")
        )
        rows = rows.mutate(
            possible=rows.is_possible,
            absent=rows.is_authorised + rows.is_unauthorised,
            unauthorised=rows.is_unauthorised,
        )
    hist = (
        rows.group_by("upn")
        .aggregate(
            ly_possible=rows.possible.sum(),
            ly_absent=rows.absent.sum(),
            ly_unauth=rows.unauthorised.sum(),
            ly_phase=rows.phase.max(),
            ly_schools=rows.urn.nunique(),
        )
        .to_pandas()
    )
    return people.merge(hist, on="upn", how="left")


#: Model features, in order.
FEATURES = [
    "week",
    "possible",
    "absence_rate",
    "authorised_rate",
    "unauthorised_rate",
    "recent_rate",
    "earlier_rate",
    "trend",
    "unauth_recent4",
    "unauth_prev4",
    "unauth_last10",
    "mondays_recent",
    "fridays_recent",
    "whole_weeks_recent",
    "illness_rate",
    "ly_rate",
    "ly_unauth_rate",
    "ly_pa",
    "ly_sa",
    "has_history",
    "fsm",
    "sen",
    "cla",
    "cin",
    "cpp",
    "year_group",
    "new_to_school",
    "moved_phase",
    "phase",
]
_NC = {"N1": -2, "N2": -1, "R": 0}
_PHASE = {"primary": 0, "secondary": 1, "special": 2}


def features_at(grid: YearGrid, week: int) -> pd.DataFrame:
    """Features of every enrolment on roll after ``week`` school weeks, from weeks before ``week`` only."""
    if not 1 <= week <= grid.weeks:
        raise EarlyWarningError(f"week {week} is outside 1-{grid.weeks} for {grid.year.label}")

    def cum(a: np.ndarray, lo: int, hi: int) -> np.ndarray:
        """Sum of weeks lo..hi-1, clamped to the weeks already seen (a negative end must not wrap round
        to the end of the year: that would read the future)."""
        lo, hi = max(lo, 0), min(max(hi, 0), week)
        return a[:, lo:hi].sum(axis=1) if hi > lo else np.zeros(a.shape[0], dtype=a.dtype)

    poss, absent = cum(grid.possible, 0, week), cum(grid.absent, 0, week)
    unauth = cum(grid.unauthorised, 0, week)
    recent_poss, recent_abs = cum(grid.possible, week - 6, week), cum(grid.absent, week - 6, week)
    earlier_poss, earlier_abs = cum(grid.possible, 0, week - 6), cum(grid.absent, 0, week - 6)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(poss > 0, absent / poss, np.nan)
        recent = np.where(recent_poss > 0, recent_abs / recent_poss, np.nan)
        earlier = np.where(earlier_poss > 0, earlier_abs / earlier_poss, np.nan)
    p = grid.enrolments
    week_start = grid.week_starts[week - 1]
    whole = (
        (grid.absent[:, max(week - 8, 0) : week] >= 0.8 * grid.possible[:, max(week - 8, 0) : week])
        & (grid.possible[:, max(week - 8, 0) : week] > 0)
    ).sum(axis=1)
    ly_rate = p.ly_absent / p.ly_possible.where(p.ly_possible > 0)
    frame = pd.DataFrame(
        {
            "enrolment_id": p.enrolment_id,
            "week": week,
            "possible": poss,
            "absence_rate": rate,
            "authorised_rate": np.where(poss > 0, (absent - unauth) / np.maximum(poss, 1), np.nan),
            "unauthorised_rate": np.where(poss > 0, unauth / np.maximum(poss, 1), np.nan),
            "recent_rate": recent,
            "earlier_rate": earlier,
            "trend": recent - earlier,
            "unauth_recent4": cum(grid.unauthorised, week - 4, week),
            "unauth_prev4": cum(grid.unauthorised, week - 8, week - 4),
            "unauth_last10": cum(grid.unauthorised, week - 10, week),
            "mondays_recent": cum(grid.monday_absent, week - 8, week) / 2,
            "fridays_recent": cum(grid.friday_absent, week - 8, week) / 2,
            "whole_weeks_recent": whole,
            "illness_rate": np.where(poss > 0, cum(grid.illness, 0, week) / np.maximum(poss, 1), np.nan),
            "ly_rate": ly_rate,
            "ly_unauth_rate": p.ly_unauth / p.ly_possible.where(p.ly_possible > 0),
            "ly_pa": (ly_rate >= 0.1).astype(float).where(ly_rate.notna()),
            "ly_sa": (ly_rate >= 0.5).astype(float).where(ly_rate.notna()),
            "has_history": ly_rate.notna().astype(int),
            "fsm": p.fsm.astype(int),
            "sen": p.sen.map({"N": 0, "K": 1, "E": 2}).fillna(0),
            "cla": p.cla.astype(int),
            "cin": p.cin.astype(int),
            "cpp": p.cpp.astype(int),
            "year_group": p.nc_year.map(lambda v: _NC.get(v, int(v) if str(v).isdigit() else np.nan)),
            "new_to_school": (pd.to_datetime(p.admission_date) >= pd.Timestamp(grid.year.start)).astype(int),
            "moved_phase": (
                (p.phase == "secondary") & (p.nc_year == "7") | (p.ly_phase.fillna("") != p.phase) & p.ly_phase.notna()
            ).astype(int),
            "phase": p.phase.map(_PHASE),
        }
    )
    for key, flag in _cohort_flags(grid, week_start).items():
        frame[f"cohort_{key}"] = flag
    on_roll = (
        (pd.to_datetime(p.admission_date) <= pd.Timestamp(week_start))
        & (p.leaving_date.isna() | (pd.to_datetime(p.leaving_date) >= pd.Timestamp(week_start)))
        & (poss > 0)
    )
    return frame[on_roll.to_numpy()].reset_index(drop=True)


def _cohort_flags(grid: YearGrid, day: dt.date) -> dict[str, np.ndarray]:
    """For each priority cohort the store holds: whether each enrolment's pupil is in it on ``day`` (a member
    counts only inside their dates, so a snapshot before their start date does not know of it)."""
    out = {}
    upns = grid.enrolments.upn
    for key in grid.cohort_keys:
        m = grid.memberships[grid.memberships.cohort == key]
        ends = pd.to_datetime(m.end_date).fillna(pd.Timestamp.max)
        inside = m[(pd.to_datetime(m.start_date) <= pd.Timestamp(day)) & (ends >= pd.Timestamp(day))]
        out[key] = upns.isin(set(inside.upn)).astype(int).to_numpy()
    return out


def cohort_features(grids: Sequence[YearGrid]) -> tuple[str, ...]:
    """The priority cohorts' features of the grids (``cohort_KEY``), beside :data:`FEATURES`."""
    return tuple(f"cohort_{k}" for k in sorted({k for g in grids for k in g.cohort_keys}))


def outcomes(grid: YearGrid) -> pd.DataFrame:
    """Whether each enrolment ended the year persistently (10%+) or severely (50%+) absent."""
    poss, absent = grid.possible.sum(axis=1), grid.absent.sum(axis=1)
    return pd.DataFrame(
        {
            "enrolment_id": grid.enrolments.enrolment_id,
            "end_possible": poss,
            "end_pa": (absent * 10 >= poss) & (poss > 0),
            "end_sa": (absent * 2 >= poss) & (poss > 0),
        }
    )


# ----------------------------------------------------------------------------------------------
# Layer 1: trajectory rules and reasons
# ----------------------------------------------------------------------------------------------
def projected_absence(features: pd.DataFrame, weeks_in_year: int) -> pd.Series:
    """Absence rate at the end of the year if the pupil carries on as lately (recent weeks weigh more)."""
    remaining = np.maximum(weeks_in_year - features.week, 0) * 10
    pace = 0.6 * features.recent_rate.fillna(features.absence_rate) + 0.4 * features.absence_rate
    absent_so_far = features.absence_rate * features.possible
    return (absent_so_far + pace * remaining) / (features.possible + remaining)


def reasons(row: pd.Series, weeks_in_year: int) -> list[str]:
    """Plain-English reasons for a pupil's risk, most telling first."""
    out = []
    att_now = 100 * (1 - row.absence_rate)
    if row.absence_rate >= 0.5:
        out.append(f"already severely absent: {att_now:.0f}% attendance this year")
    elif row.absence_rate >= 0.1:
        out.append(f"already persistently absent: {att_now:.0f}% attendance this year")
    if pd.notna(row.earlier_rate) and pd.notna(row.recent_rate) and row.recent_rate - row.earlier_rate >= 0.05:
        out.append(
            f"attendance fell from {100 * (1 - row.earlier_rate):.0f}% to {100 * (1 - row.recent_rate):.0f}% "
            "over the last 6 weeks"
        )
    proj = row.projected_absence
    if row.absence_rate < 0.1 <= proj:
        out.append(f"on course to end the year at {100 * (1 - proj):.0f}% attendance")
    if row.mondays_recent >= 3:
        out.append(f"{row.mondays_recent:.0f} Mondays missed in the last 8 weeks")
    if row.fridays_recent >= 3:
        out.append(f"{row.fridays_recent:.0f} Fridays missed in the last 8 weeks")
    if row.unauth_recent4 >= 2 and row.unauth_recent4 > row.unauth_prev4:
        out.append(
            f"unauthorised absence rising ({row.unauth_prev4:.0f} to {row.unauth_recent4:.0f} sessions "
            "in successive 4-week spells)"
        )
    if row.unauth_last10 >= 10:
        out.append(
            f"{row.unauth_last10:.0f} unauthorised sessions in the last 10 school weeks (the penalty notice threshold)"
        )
    if row.whole_weeks_recent >= 1:
        out.append(
            f"missed {row.whole_weeks_recent:.0f} whole week{'s' if row.whole_weeks_recent > 1 else ''} in the last 8"
        )
    if row.ly_sa == 1:
        out.append(f"was severely absent last year ({100 * (1 - row.ly_rate):.0f}% attendance)")
    elif row.ly_pa == 1:
        out.append(f"was persistently absent last year ({100 * (1 - row.ly_rate):.0f}% attendance)")
    if row.moved_phase == 1 and row.year_group == 7:
        out.append("moved to secondary school this year")
    elif row.moved_phase == 1:
        out.append("changed phase this year")
    elif row.new_to_school == 1 and row.year_group not in (0, 7):
        out.append("joined this school this year")
    return out


# ----------------------------------------------------------------------------------------------
# Layer 2: the learned model
# ----------------------------------------------------------------------------------------------
@dataclass
class EarlyWarningModel:
    """Calibrated classifiers for ending the year PA and SA, and what they were trained on."""

    pa: object
    sa: object
    trained_years: tuple[str, ...]
    training_rows: int
    weeks_in_year: int
    #: The features the models use: those that varied in the training years (a first year has no history).
    features: tuple[str, ...] = tuple(FEATURES)

    def predict(self, features: pd.DataFrame) -> pd.DataFrame:
        x = features[list(self.features)].to_numpy(dtype=float)
        return pd.DataFrame(
            {
                "enrolment_id": features.enrolment_id.to_numpy(),
                "risk_pa": self.pa.predict_proba(x)[:, 1],  # type: ignore[attr-defined]
                "risk_sa": self.sa.predict_proba(x)[:, 1],
            }
        )  # type: ignore[attr-defined]


class _Calibrated:
    """A fitted classifier whose scores are mapped to probabilities by isotonic regression."""

    def __init__(self, base: object, isotonic: object) -> None:
        self.base, self.isotonic = base, isotonic

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        raw = self.base.predict_proba(x)[:, 1]  # type: ignore[attr-defined]
        p = self.isotonic.predict(raw)  # type: ignore[attr-defined]
        return np.column_stack([1 - p, p])


def _fit_calibrated(x: np.ndarray, y: np.ndarray, seed: int) -> _Calibrated:
    """Gradient boosting fitted on three quarters of the rows (with early stopping), then calibrated with
    isotonic regression on the held-out quarter, so a predicted 30% means about 30%."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.isotonic import IsotonicRegression
    from sklearn.model_selection import train_test_split

    x_fit, x_cal, y_fit, y_cal = train_test_split(x, y, test_size=0.25, random_state=seed, stratify=y)
    base = HistGradientBoostingClassifier(
        max_iter=300,
        learning_rate=0.08,
        max_leaf_nodes=31,
        l2_regularization=1.0,
        early_stopping=True,
        validation_fraction=0.1,
        n_iter_no_change=15,
        random_state=seed,
    ).fit(x_fit, y_fit)
    isotonic = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip").fit(
        base.predict_proba(x_cal)[:, 1], y_cal
    )
    return _Calibrated(base, isotonic)


def training_frame(grids: list[YearGrid], *, every: int = 2, max_rows: int = 250_000, seed: int = 0) -> pd.DataFrame:
    """Snapshots of every enrolment every ``every`` school weeks of each year, labelled with its year's end."""
    frames = []
    for grid in grids:
        ends = outcomes(grid)
        for week in range(2, grid.weeks, every):
            frames.append(features_at(grid, week).merge(ends, on="enrolment_id"))
    frame = pd.concat(frames, ignore_index=True)
    if len(frame) > max_rows:
        frame = frame.sample(max_rows, random_state=seed)
    return frame


def train_model(grids: list[YearGrid], *, seed: int = 0) -> EarlyWarningModel:
    """Fit the PA and SA models on snapshots of earlier years (each grid a whole year)."""
    if not grids:
        raise EarlyWarningError("the model needs at least one earlier year of marks to learn from")
    frame = training_frame(grids, seed=seed)
    used = tuple(f for f in (*FEATURES, *cohort_features(grids)) if frame[f].nunique(dropna=True) > 1)
    x = frame[list(used)].to_numpy(dtype=float)
    models = []
    for label in ("end_pa", "end_sa"):
        y = frame[label].to_numpy()
        if y.min() == y.max():
            raise EarlyWarningError(f"every training enrolment has {label} = {bool(y[0])}: nothing to learn")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            models.append(_fit_calibrated(x, y, seed))
    weeks = int(np.median([g.weeks for g in grids]))
    return EarlyWarningModel(models[0], models[1], tuple(g.year.label for g in grids), len(frame), weeks, used)


# ----------------------------------------------------------------------------------------------
# Scoring
# ----------------------------------------------------------------------------------------------
def at_risk(
    store: Store,
    *,
    as_of: dt.date | None = None,
    school: int | None = None,
    model: EarlyWarningModel | None = None,
    history_years: int = 2,
    require_model: bool = True,
) -> pd.DataFrame:
    """Every enrolment on roll at ``as_of`` (default: the latest mark), with its risks and reasons.

    The model is trained on up to ``history_years`` complete earlier years in the store unless one is
    given. Ordered by risk of persistent absence, highest first.

    With ``require_model=False`` a store holding no earlier year (an LA's first year in attendwise)
    still gets the trajectory rules and their reasons: ``risk_pa`` and ``risk_sa`` are then missing,
    the year is assumed to have :data:`SCHOOL_WEEKS` school weeks, and pupils are ordered by
    projected absence instead.
    """
    latest = as_of or store.latest_mark()
    if latest is None:
        raise EarlyWarningError("the store holds no marks")
    year = AcademicYear.containing(latest)
    grid = year_grid(store, year, as_of=latest)
    week = grid.week_of(latest)
    if model is None:
        try:
            model = model_for(store, year, history_years=history_years)
        except EarlyWarningError:
            if require_model:
                raise
    feats = features_at(grid, week)
    if model is not None:
        scored = feats.merge(model.predict(feats), on="enrolment_id")
        weeks_in_year = model.weeks_in_year
    else:
        scored = feats.assign(risk_pa=np.nan, risk_sa=np.nan)
        weeks_in_year = max(SCHOOL_WEEKS, grid.weeks)
    scored["projected_absence"] = projected_absence(scored, weeks_in_year)
    people = grid.enrolments.set_index("enrolment_id")
    scored = scored.join(people[["upn", "urn", "school_name", "nc_year", "forename", "surname"]], on="enrolment_id")
    if school is not None:
        scored = scored[scored.urn == school]
    scored["attendance_percent"] = 100 * (1 - scored.absence_rate)
    scored["projected_attendance_percent"] = 100 * (1 - scored.projected_absence)
    scored["rule"] = np.select(
        [
            scored.absence_rate >= 0.5,
            scored.absence_rate >= 0.1,
            scored.projected_absence >= 0.5,
            scored.projected_absence >= 0.1,
        ],
        ["severely absent", "persistently absent", "projected severe absence", "projected persistent absence"],
        default="",
    )
    scored["reasons"] = ["; ".join(reasons(r, weeks_in_year)) for r in scored.itertuples(index=False)]  # type: ignore[arg-type]
    scored["as_of"] = latest
    scored["school_week"] = week
    scored["last_year_attendance_percent"] = 100 * (1 - scored.ly_rate)
    cols = [
        "upn",
        "forename",
        "surname",
        "urn",
        "school_name",
        "nc_year",
        "attendance_percent",
        "projected_attendance_percent",
        "last_year_attendance_percent",
        "risk_pa",
        "risk_sa",
        "rule",
        "reasons",
        "as_of",
        "school_week",
        "enrolment_id",
    ]
    order = ["risk_pa", "risk_sa"] if model is not None else ["projected_attendance_percent"]
    return scored.sort_values(order, ascending=model is None)[cols].reset_index(drop=True)


def heading_into_pa(frame: pd.DataFrame) -> pd.DataFrame:
    """The early-warning list: the pupils of an :func:`at_risk` frame not yet persistently absent, and
    projected to be (or likely, by the model)."""
    not_yet = frame[frame.attendance_percent > NOT_YET_PA]
    return not_yet[(not_yet.projected_attendance_percent <= NOT_YET_PA) | (not_yet.risk_pa >= LIKELY)]


def model_for(store: Store, year: AcademicYear, *, history_years: int = 2) -> EarlyWarningModel:
    """The model for scoring ``year``: trained on up to ``history_years`` earlier years in the store.

    A trained model is kept beside the store (``<store>.models/``) and reused until an import changes the
    store, so scoring every pupil each week does not retrain.
    """
    import joblib

    first, _ = store.mark_range()
    earlier = [
        AcademicYear(y)
        for y in range(year.start_year - history_years, year.start_year)
        if first is not None and AcademicYear(y).end >= first and _has_marks(store, AcademicYear(y))
    ]
    if not earlier:
        raise EarlyWarningError(
            f"no year before {year.label} in the store to learn from: import earlier years' "
            "registers for the learned model"
        )
    stamp = store.latest_import_id()
    cache = None
    if store.path is not None:
        name = f"early_warning-{'-'.join(str(y.start_year) for y in earlier)}-import{stamp}.joblib"
        cache = store.path.with_name(store.path.name + ".models") / name
        if cache.exists():
            return joblib.load(cache)
    model = train_model([year_grid(store, y) for y in earlier])
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        for old in cache.parent.glob("early_warning-*.joblib"):
            old.unlink()
        joblib.dump(model, cache)
    return model


#: Transition points: the year groups a pupil enters at a change of school or stage.
TRANSITIONS = {"secondary": ("7",), "infant": ("R", "1")}


def transition(
    store: Store, *, into: str = "secondary", as_of: dt.date | None = None, model: EarlyWarningModel | None = None
) -> pd.DataFrame:
    """Pupils at a transition point (Year 7, or Reception and Year 1) with last year's attendance beside this
    year's and their risk, riskiest first: those whose pattern last year says to watch them now."""
    if into not in TRANSITIONS:
        raise EarlyWarningError(f"unknown transition {into!r}: choose from {', '.join(TRANSITIONS)}")
    frame = at_risk(store, as_of=as_of, model=model)
    frame = frame[frame.nc_year.isin(TRANSITIONS[into])].copy()
    frame["change_points"] = frame.attendance_percent - frame.last_year_attendance_percent
    return frame.reset_index(drop=True)


def _has_marks(store: Store, year: AcademicYear) -> bool:
    return store.has_marks(year.start, year.end)
