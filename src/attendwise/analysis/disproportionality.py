"""Which groups of pupils are disproportionately persistently or severely absent, and how sure we are.

For each pupil characteristic (and pairs of them), each group's share of all pupils is set against its
share of persistent (PA) and severe (SA) absentees, and the group's rate against everyone else's:

* the **risk ratio** (RR): the group's PA rate over the rate among all other pupils in scope, with a
  95% confidence interval (Katz's log method, with a 0.5 correction where a cell is empty);
* **Fisher's exact test** of the 2x2 table (valid for small counts), with the Benjamini-Hochberg false
  discovery rate controlled across every group tested in the same table, so testing 40 groups does not
  flag two of them on chance alone;
* the **absence rate gap** in percentage points.

A group is flagged as over-represented only when the test is clear (FDR-adjusted q below 0.05), the
risk ratio is above 1, and enough pupils stand behind it (by default 10 in the group and 5 absentees):
a group of three pupils is never flagged, however high its rate.

The **adjusted view** answers "is the gap still there once FSM and SEN are accounted for?" with a
logistic regression (statsmodels) of PA on group membership plus the controls, reported as an odds
ratio with its interval and as an adjusted risk ratio (the average predicted risk of the group's pupils
against the same pupils' predicted risk were they outside the group), in words.

:func:`schools_driving_gap` shows which schools contribute the excess absentees behind an LA-wide gap.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.multitest import multipletests

from attendwise.core.calendar import Period
from attendwise.core.cohorts import GROUPING_PREFIX, Cohort
from attendwise.core.errors import AttendwiseError
from attendwise.measures.absence import Population, enrolment_absence
from attendwise.store import Store

__all__ = [
    "CHARACTERISTICS",
    "AdjustedEffect",
    "Thresholds",
    "adjusted_effect",
    "cohort_frames",
    "disproportionality",
    "disproportionality_table",
    "disproportionality_within",
    "enrolment_frame",
    "group_label",
    "schools_driving_gap",
]

#: Characteristics a user may ask about, and the enrolment column each is in.
CHARACTERISTICS: dict[str, str] = {
    "sex": "sex",
    "fsm": "fsm",
    "sen": "sen_provision",
    "need": "sen_primary_need",
    "ethnicity": "ethnicity_major",
    "ethnicity_minor": "ethnicity_minor",
    "cla": "cla",
    "cin": "cin",
    "cpp": "cpp",
    "year": "nc_year",
    "language": "first_language",
    "phase": "education_phase",
}
DEFAULT_CHARACTERISTICS = (
    "sex",
    "fsm",
    "sen",
    "need",
    "ethnicity",
    "ethnicity_minor",
    "cla",
    "cin",
    "cpp",
    "year",
    "language",
)
OUTCOMES = {"pa": ("pa_10", "persistently absent"), "sa": ("pa_50", "severely absent")}


class DisproportionalityError(AttendwiseError):
    """A disproportionality question that cannot be answered as asked."""


@dataclass(frozen=True)
class Thresholds:
    """When a group may be flagged."""

    min_group: int = 10
    min_outcome: int = 5
    alpha: float = 0.05
    confidence: float = 0.95


def enrolment_frame(
    store: Store, period: Period, population: Population | None = None, cohort: Cohort | None = None
) -> pd.DataFrame:
    """The counted enrolments of a period as a pandas frame (one row each), for the analysis.

    With a ``cohort``, a member's enrolment is two rows, its sessions inside their dates and the rest
    (:func:`attendwise.measures.absence.enrolment_absence`), with the cohort's column.
    """
    cols = [
        "enrolment_id",
        "upn",
        "school_urn",
        "school_name",
        "education_phase",
        "nc_year",
        "sex",
        "fsm",
        "sen_provision",
        "sen_primary_need",
        "ethnicity_major",
        "ethnicity_minor",
        "first_language",
        "cla",
        "cin",
        "cpp",
        "sess_possible",
        "sess_overall",
        "sess_authorised",
        "sess_unauthorised",
        "pa_10",
        "pa_50",
    ]
    if cohort is not None:
        cols.append(cohort.column)
    return enrolment_absence(store, period, population, cohort=cohort).select(*cols).to_pandas()


#: Each of the LA's priority cohorts with its frame (:func:`enrolment_frame` split by it).
CohortFrames = Sequence[tuple[Cohort, pd.DataFrame]]


def cohort_frames(
    store: Store, period: Period, cohorts: Sequence[Cohort], population: Population | None = None
) -> list[tuple[Cohort, pd.DataFrame]]:
    """:func:`enrolment_frame` split by each of ``cohorts``, for :func:`disproportionality`."""
    return [(c, enrolment_frame(store, period, population, c)) for c in cohorts]


def _column(characteristic: str) -> str:
    """The enrolment column of a characteristic, or of a cohort (``cohort:ebsa``: ``cohort_ebsa``)."""
    if characteristic.startswith(GROUPING_PREFIX):
        return f"cohort_{characteristic[len(GROUPING_PREFIX) :]}"
    if characteristic not in CHARACTERISTICS:
        raise DisproportionalityError(
            f"unknown characteristic {characteristic!r}: choose from {', '.join(CHARACTERISTICS)} or cohort:KEY"
        )
    return CHARACTERISTICS[characteristic]


def _katz(a: int, n1: int, c: int, n2: int, z: float) -> tuple[float, float, float]:
    """Risk ratio of a/n1 against c/n2 with a Katz log interval (0.5 added to every cell if one is 0)."""
    if n1 == 0 or n2 == 0:
        return math.nan, math.nan, math.nan
    if a == 0 or c == 0 or a == n1 or c == n2:
        a, c, n1, n2 = a + 0.5, c + 0.5, n1 + 1, n2 + 1
    rr = (a / n1) / (c / n2)
    se = math.sqrt(max(1 / a - 1 / n1 + 1 / c - 1 / n2, 0.0))
    return rr, rr * math.exp(-z * se), rr * math.exp(z * se)


def group_label(characteristic: str, value: str) -> str:
    """How a group of a characteristic is named in the ``group`` column (``Year 4`` for year 4)."""
    return f"{value}" if characteristic not in ("year",) else f"Year {value}"


def disproportionality(
    frame: pd.DataFrame,
    characteristics: Sequence[str] = DEFAULT_CHARACTERISTICS,
    *,
    pairs: bool = False,
    thresholds: Thresholds | None = None,
    cohorts: CohortFrames = (),
) -> pd.DataFrame:
    """Disproportionality of PA and SA for every group of the characteristics (and, optionally, pairs).

    Args:
        frame: enrolment rows (:func:`enrolment_frame`), already restricted to the scope (LA, school, phase).
        characteristics: keys of :data:`CHARACTERISTICS`.
        pairs: also test every pair of characteristics (e.g. FSM eligible and SEN support).
        thresholds: minimum counts and the test level.
        cohorts: the LA's priority cohorts to test, each with its frame (:func:`cohort_frames`, restricted to
            the same scope): each cohort's members (their sessions inside their dates) against everyone else,
            with the same intervals and tests, the false discovery rate held across them and the groups.

    Returns one row per group with its shares, rates, risk ratios with intervals, q-values, flags and a
    sentence saying what it means.
    """
    scoped = frame.assign(_scope=0)
    within = [(c, f.assign(_scope=0)) for c, f in cohorts]
    out = disproportionality_within(
        scoped, "_scope", characteristics, pairs=pairs, thresholds=thresholds, cohorts=within
    )
    return out.drop(columns="_scope") if not out.empty else pd.DataFrame()


def disproportionality_within(
    frame: pd.DataFrame,
    scope: str,
    characteristics: Sequence[str] = DEFAULT_CHARACTERISTICS,
    *,
    pairs: bool = False,
    thresholds: Thresholds | None = None,
    cohorts: CohortFrames = (),
) -> pd.DataFrame:
    """:func:`disproportionality` within every value of the ``scope`` column (each school, say) at once.

    Each scope is tested on its own, exactly as if :func:`disproportionality` were called on its rows (the
    false discovery rate is controlled within each scope), but the groups of every scope are counted in one
    grouped pass, so the figures for 130 schools cost little more than for one. The result has a ``scope``
    column first.
    """
    t = thresholds or Thresholds()
    unknown = [c for c in characteristics if c not in CHARACTERISTICS]
    if unknown:
        raise DisproportionalityError(
            f"unknown characteristic {unknown[0]!r}: choose from {', '.join(CHARACTERISTICS)}"
        )
    specs: list[tuple[str, list[str]]] = [(c, [CHARACTERISTICS[c]]) for c in characteristics]
    if pairs:
        specs += [(f"{a} x {b}", [CHARACTERISTICS[a], CHARACTERISTICS[b]]) for a, b in combinations(characteristics, 2)]
    g = _group_counts(frame, scope, specs, cohorts)
    if g.empty:
        return pd.DataFrame()
    out = _group_figures(g, scope, z=stats.norm.ppf(0.5 + t.confidence / 2))
    for k in OUTCOMES:
        _flag(out, scope, k, t)
    out["summary"] = out.apply(_sentence, axis=1, t=t)
    return out


def _group_counts(
    frame: pd.DataFrame, scope: str, specs: Sequence[tuple[str, list[str]]], cohorts: CohortFrames = ()
) -> pd.DataFrame:
    """Each group's enrolments, PA, SA and sessions, beside its scope's totals, in one grouped pass a grouping.

    One row per (scope, characteristic, group), in the order of ``specs`` (then ``cohorts``: each cohort's
    members alone, against the totals of its own frame) within each scope; empty when the frame or the
    specs are.
    """
    totals = _totals(frame, scope)
    parts = [_counts_of(frame, scope, name, cols, totals) for name, cols in specs]
    for cohort, split in cohorts:
        counted = _counts_of(split, scope, cohort.grouping, [cohort.column], _totals(split, scope))
        parts.append(counted[counted.group == cohort.label])
    parts = [p.assign(_order=i) for i, p in enumerate(parts) if not p.empty]
    if not parts:
        return pd.DataFrame()
    g = pd.concat(parts, ignore_index=True)
    return g.sort_values([scope, "_order"], kind="stable").reset_index(drop=True)


def _totals(frame: pd.DataFrame, scope: str) -> pd.DataFrame:
    """Each scope's enrolments, PA, SA and sessions."""
    return frame.groupby(scope).agg(
        n_all=("enrolment_id", "size"),
        pa_all=("pa_10", "sum"),
        sa_all=("pa_50", "sum"),
        possible_all=("sess_possible", "sum"),
        overall_all=("sess_overall", "sum"),
    )


def _counts_of(frame: pd.DataFrame, scope: str, name: str, cols: list[str], totals: pd.DataFrame) -> pd.DataFrame:
    """The groups of one characteristic (or pair) in each scope, with the scope's ``totals``."""
    grouped = (
        frame.groupby([scope, *cols], dropna=False, sort=True)
        .agg(
            enrolments=("enrolment_id", "size"),
            pa=("pa_10", "sum"),
            sa=("pa_50", "sum"),
            possible=("sess_possible", "sum"),
            overall=("sess_overall", "sum"),
        )
        .reset_index()
    )
    names = name.split(" x ")
    grouped.insert(
        0,
        "group",
        [
            " & ".join(group_label(c, str(v)) for c, v in zip(names, values, strict=True))
            for values in zip(*(grouped[c] for c in cols), strict=True)
        ],
    )
    grouped.insert(0, "characteristic", name)
    return grouped.drop(columns=cols).join(totals, on=scope)


def _group_figures(g: pd.DataFrame, scope: str, z: float) -> pd.DataFrame:
    """Shares, rates, risk ratios against everyone else in the scope (Katz intervals at ``z``) and Fisher p-values."""
    n1 = g.enrolments.to_numpy(dtype=np.int64)
    n2 = g.n_all.to_numpy(dtype=np.int64) - n1
    with np.errstate(invalid="ignore", divide="ignore"):
        out = pd.DataFrame(
            {
                scope: g[scope],
                "characteristic": g.characteristic,
                "group": g.group,
                "enrolments": n1,
                "share_of_pupils": np.where(g.n_all > 0, 100 * n1 / g.n_all, np.nan),
                "absence_rate": np.where(g.possible > 0, 100 * g.overall / g.possible, np.nan),
                "absence_rate_others": np.where(
                    g.possible_all - g.possible > 0,
                    100 * (g.overall_all - g.overall) / (g.possible_all - g.possible),
                    np.nan,
                ),
            }
        )
        out["absence_gap_points"] = out.absence_rate - out.absence_rate_others
        for k in OUTCOMES:
            a = g[k].to_numpy(dtype=np.int64)
            total = g[f"{k}_all"].to_numpy(dtype=np.int64)
            c = total - a
            katz = [
                _katz(int(ai), int(n1i), int(ci), int(n2i), z) for ai, n1i, ci, n2i in zip(a, n1, c, n2, strict=True)
            ]
            p = [
                stats.fisher_exact([[ai, n1i - ai], [ci, n2i - ci]])[1] if n1i and n2i else math.nan
                for ai, n1i, ci, n2i in zip(a, n1, c, n2, strict=True)
            ]
            out[f"{k}_enrolments"] = a
            out[f"share_of_{k}"] = np.where(total > 0, 100 * a / np.where(total > 0, total, 1), np.nan)
            out[f"{k}_rate"] = np.where(n1 > 0, 100 * a / np.where(n1 > 0, n1, 1), np.nan)
            out[f"{k}_rate_others"] = np.where(n2 > 0, 100 * c / np.where(n2 > 0, n2, 1), np.nan)
            out[f"{k}_risk_ratio"] = [r[0] for r in katz]
            out[f"{k}_rr_low"] = [r[1] for r in katz]
            out[f"{k}_rr_high"] = [r[2] for r in katz]
            out[f"{k}_p_value"] = p
    return out


def _flag(out: pd.DataFrame, scope: str, k: str, t: Thresholds) -> None:
    """Add outcome ``k``'s q-values (Benjamini-Hochberg within each scope) and its flag to ``out``."""
    q = np.full(len(out), np.nan)
    for positions in out.groupby(scope, sort=False).indices.values():
        pv = out[f"{k}_p_value"].to_numpy(dtype=float)[positions]
        ok = ~np.isnan(pv)
        if ok.any():
            q[positions[ok]] = multipletests(pv[ok], alpha=t.alpha, method="fdr_bh")[1]
    out[f"{k}_q_value"] = q
    enough = (out.enrolments >= t.min_group) & (out[f"{k}_enrolments"] >= t.min_outcome)
    clear = out[f"{k}_q_value"] < t.alpha
    out[f"{k}_flag"] = np.select(
        [enough & clear & (out[f"{k}_risk_ratio"] > 1), enough & clear & (out[f"{k}_risk_ratio"] < 1), ~enough],
        ["over-represented", "under-represented", "too few pupils to say"],
        default="",
    )


def _sentence(r: pd.Series, t: Thresholds) -> str:
    """What a group's PA figures mean, in words."""
    group, n = r["group"], r["enrolments"]
    if r["pa_flag"] == "too few pupils to say":
        return (
            f"{group}: {n} pupil{'s' if n != 1 else ''}, {r['pa_enrolments']} persistently absent; too few to "
            f"draw a conclusion (at least {t.min_group} pupils and {t.min_outcome} absentees needed)."
        )
    words = (
        f"{group} make up {r['share_of_pupils']:.1f}% of pupils but {r['share_of_pa']:.1f}% of persistent "
        f"absentees: {r['pa_rate']:.1f}% are persistently absent against {r['pa_rate_others']:.1f}% of other "
        f"pupils ({r['pa_risk_ratio']:.2f} times as likely, 95% CI {r['pa_rr_low']:.2f} to "
        f"{r['pa_rr_high']:.2f})."
    )
    verdict = {
        "over-represented": " The over-representation is statistically clear.",
        "under-represented": " They are clearly under-represented.",
    }
    return words + verdict.get(r["pa_flag"], " The difference could be chance.")


@dataclass(frozen=True)
class AdjustedEffect:
    """A group's effect on an outcome before and after adjusting for other characteristics."""

    group: str
    outcome: str
    controls: tuple[str, ...]
    enrolments: int
    unadjusted_risk_ratio: float
    odds_ratio: float
    odds_ratio_low: float
    odds_ratio_high: float
    p_value: float
    adjusted_risk_ratio: float

    @property
    def remains(self) -> bool:
        """True if the adjusted effect is clearly above 1."""
        return self.odds_ratio_low > 1

    @property
    def estimable(self) -> bool:
        """False where the group is perfectly separated (all or none of it absent): no finite odds ratio."""
        return all(map(math.isfinite, (self.odds_ratio, self.odds_ratio_low, self.odds_ratio_high)))

    def describe(self) -> str:
        words = OUTCOMES[self.outcome][1]
        controls = _join(self.controls)
        if not self.estimable:
            return (
                f"Before adjustment, {self.group} pupils are {self.unadjusted_risk_ratio:.2f} times as likely to "
                f"be {words} as other pupils. An adjusted figure cannot be estimated: all or none of the "
                f"{self.enrolments} pupils in the group are {words}."
            )
        base = (
            f"Before adjustment, {self.group} pupils are {self.unadjusted_risk_ratio:.2f} times as likely to be "
            f"{words} as other pupils. Once {controls} are taken into account, "
        )
        if self.remains:
            return base + (
                f"they are still {self.adjusted_risk_ratio:.2f} times as likely as similar pupils "
                f"(odds ratio {self.odds_ratio:.2f}, 95% CI {self.odds_ratio_low:.2f} to "
                f"{self.odds_ratio_high:.2f}): the gap is not explained by {controls}."
            )
        if self.odds_ratio_high < 1:
            return base + (
                f"they are less likely than similar pupils (adjusted risk ratio "
                f"{self.adjusted_risk_ratio:.2f}, odds ratio 95% CI {self.odds_ratio_low:.2f} to "
                f"{self.odds_ratio_high:.2f})."
            )
        return base + (
            f"the difference is no longer clear (adjusted risk ratio {self.adjusted_risk_ratio:.2f}, "
            f"odds ratio 95% CI {self.odds_ratio_low:.2f} to {self.odds_ratio_high:.2f}): the gap is "
            f"largely explained by {controls}."
        )


def _join(items: Sequence[str]) -> str:
    names = {
        "fsm": "FSM eligibility",
        "sen": "SEN provision",
        "year": "year group",
        "sex": "sex",
        "phase": "phase",
        "cla": "being looked after",
        "cin": "being a child in need",
        "ethnicity": "ethnicity",
        "language": "first language",
        "need": "primary SEN need",
    }
    words = [names.get(i, i) for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def adjusted_effect(
    frame: pd.DataFrame,
    characteristic: str,
    group: str,
    *,
    outcome: str = "pa",
    controls: Sequence[str] = ("fsm", "sen", "year"),
) -> AdjustedEffect:
    """Logistic regression of the outcome on membership of ``group`` plus ``controls``.

    Args:
        frame: enrolment rows (:func:`enrolment_frame`).
        characteristic: the characteristic the group belongs to (``ethnicity_minor``, say), or a cohort
            (``cohort:ebsa``, with ``frame`` split by it: :func:`enrolment_frame`).
        group: the group's label as it appears in that column (``Gypsy / Roma``).
        outcome: ``pa`` or ``sa``.
        controls: characteristics to adjust for (not the one being tested).
    """
    import statsmodels.api as sm

    col = _column(characteristic)
    y = frame[OUTCOMES[outcome][0]].astype(float).to_numpy()
    member = (frame[col].astype(str) == group).astype(float)
    if member.sum() == 0:
        raise DisproportionalityError(f"no pupils in {group!r} ({characteristic})")
    controls = tuple(c for c in controls if c != characteristic)
    dummies = [
        pd.get_dummies(frame[CHARACTERISTICS[c]].astype(str), prefix=c, drop_first=True, dtype=float) for c in controls
    ]
    x = pd.concat([member.rename("member"), *dummies], axis=1)
    x = x.loc[:, (x != 0).any(axis=0)]
    x = sm.add_constant(x, has_constant="add")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, x, family=sm.families.Binomial()).fit()
    beta, (lo, hi) = model.params["member"], model.conf_int().loc["member"]
    a, n1 = y[member == 1].sum(), (member == 1).sum()
    if a in (0, n1):  # perfect separation: the fitted coefficient runs off to infinity
        beta, lo, hi = (math.copysign(math.inf, a - 0.5),) * 3
    in_group = x[member == 1]
    p1 = model.predict(in_group).mean()
    p0 = model.predict(in_group.assign(member=0.0)).mean()
    c, n2 = y[member == 0].sum(), (member == 0).sum()
    return AdjustedEffect(
        group=group,
        outcome=outcome,
        controls=controls,
        enrolments=int(n1),
        unadjusted_risk_ratio=_katz(int(a), int(n1), int(c), int(n2), 1.96)[0],
        odds_ratio=_exp(beta),
        odds_ratio_low=_exp(lo),
        odds_ratio_high=_exp(hi),
        p_value=float(model.pvalues["member"]),
        adjusted_risk_ratio=float(p1 / p0) if p0 else math.nan,
    )


def _exp(x: float) -> float:
    return math.inf if x > 700 else (0.0 if x < -700 else math.exp(x))


def schools_driving_gap(frame: pd.DataFrame, characteristic: str, group: str, *, outcome: str = "pa") -> pd.DataFrame:
    """Which schools contribute the excess absentees behind an LA-wide gap for ``group``.

    For each school, the group's absentees there against the number expected if they were absent at the
    rate of the school's other pupils; the excess, and its share of the LA-wide excess.
    """
    col, flag = _column(characteristic), OUTCOMES[outcome][0]
    f = frame.assign(member=frame[col].astype(str) == group)
    per = f.groupby(["school_urn", "school_name", "member"])[flag].agg(["size", "sum"]).unstack("member", fill_value=0)
    per.columns = [f"{stat}_{'group' if m else 'others'}" for stat, m in per.columns]
    for name in ("size_group", "sum_group", "size_others", "sum_others"):
        if name not in per:
            per[name] = 0
    per = per[per.size_group > 0]
    rate_others = np.where(
        per.size_others > 0,
        per.sum_others / per.size_others.where(per.size_others > 0, 1),
        f.loc[~f.member, flag].mean(),
    )
    out = pd.DataFrame(
        {
            "group_enrolments": per.size_group,
            "group_absentees": per.sum_group,
            "expected_absentees": per.size_group * rate_others,
        }
    )
    out["excess_absentees"] = out.group_absentees - out.expected_absentees
    total = out.excess_absentees.clip(lower=0).sum()
    out["share_of_excess"] = np.where(total > 0, 100 * out.excess_absentees.clip(lower=0) / total, np.nan)
    return out.sort_values("excess_absentees", ascending=False).reset_index()


def disproportionality_table(
    store: Store,
    period: Period,
    characteristics: Sequence[str] = DEFAULT_CHARACTERISTICS,
    *,
    school: int | None = None,
    phase: str | None = None,
    pairs: bool = False,
    thresholds: Thresholds | None = None,
    cohorts: Sequence[Cohort] = (),
) -> pd.DataFrame:
    """Disproportionality for the LA, one school (URN) or one phase, for a period; each of ``cohorts`` (the
    LA's priority cohorts) is tested against everyone else too."""

    def scoped(frame: pd.DataFrame) -> pd.DataFrame:
        if school is not None:
            frame = frame[frame.school_urn == school]
        if phase is not None:
            labels = {"primary": "State-funded primary", "secondary": "State-funded secondary", "special": "Special"}
            frame = frame[frame.education_phase == labels.get(phase, phase)]
        return frame

    frame = scoped(enrolment_frame(store, period))
    if school is not None and frame.empty:
        raise DisproportionalityError(f"no counted pupils at school {school} in {period.label}")
    split = [(c, scoped(f)) for c, f in cohort_frames(store, period, cohorts)]
    return disproportionality(frame, characteristics, pairs=pairs, thresholds=thresholds, cohorts=split)
