"""An honest backtest of early warning, runnable by any LA on its own store.

For a test year, the model is trained on the earlier years only, and every pupil is scored from the
first N school weeks of the test year, from a grid built with **no marks after week N** (so nothing
later can leak in). The scores are then judged against how each enrolment actually ended the year:

* **AUC** for ending the year persistently (and severely) absent, beside the AUC of the natural simple
  score (attendance so far);
* **precision among the top-k**: of the 10% of pupils ranked highest, how many ended the year PA;
* **calibration**: predicted risk against the observed rate in ten bands, and the Brier score;
* **weeks of warning**: for pupils who were not yet persistently absent at week N but became so later,
  how many weeks before they crossed 10% (for good) they were flagged by the model (risk above the
  threshold, re-scored every week as marks arrive) and by the simple rule "already below 90%".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from attendwise.analysis.early_warning import (
    EarlyWarningError,
    EarlyWarningModel,
    YearGrid,
    features_at,
    outcomes,
    train_model,
    year_grid,
)
from attendwise.core.calendar import AcademicYear
from attendwise.store import Store

__all__ = ["BacktestReport", "backtest", "score_at"]


@dataclass
class BacktestReport:
    test_year: str
    trained_on: tuple[str, ...]
    threshold: float
    summary: pd.DataFrame  # one row per N
    calibration: dict[int, pd.DataFrame] = field(default_factory=dict)

    def describe(self) -> str:
        lines = [f"Backtest on {self.test_year}, model trained on {', '.join(self.trained_on)} only."]
        for r in self.summary.itertuples():
            lines += [
                f"After {r.weeks} school weeks ({r.pupils:,} pupils, {r.ended_pa:,} ended the year persistently "
                "absent):",
                f"  AUC {r.auc_pa:.3f} for persistent absence (attendance so far alone {r.auc_pa_rule:.3f}); "
                f"{r.auc_sa:.3f} for severe (alone {r.auc_sa_rule:.3f}); Brier {r.brier_pa:.3f}.",
                f"  Of the top {r.top_k:,} by risk, {r.precision_top_k:.0%} ended the year persistently absent "
                f"(top {r.top_k:,} by attendance so far: {r.precision_top_k_rule:.0%}).",
                f"  {r.later_crossers:,} pupils were above 90% then and fell to 90% or below later. "
                f"'Already below 90%' gives them no warning. Flagging at {self.threshold:.0%} risk "
                f"({r.flagged:,} pupils, {r.precision_flagged:.0%} of whom ended PA) warned "
                f"{r.model_warning_weeks:.1f} weeks ahead on "
                f"average. The 'at risk' band (below 95%: {r.band_flagged:,} pupils, "
                f"{r.band_precision:.0%} ended PA) "
                f"warned {r.band_warning_weeks:.1f} weeks ahead; the model flagging as many pupils "
                f"(risk {r.matched_threshold:.0%}+, {r.matched_precision:.0%} ended PA) warned "
                f"{r.model_warning_weeks_matched:.1f} weeks ahead.",
                f"  Severe absence: of {r.later_crossers_sa:,} pupils who fell to 50% or below later, the model "
                f"warned {r.model_warning_weeks_sa:.1f} weeks ahead; 'below 80%' warned {r.band_warning_weeks_sa:.1f}.",
            ]
        return "\n".join(lines)


def _auc(y: np.ndarray, score: np.ndarray) -> float:
    from sklearn.metrics import roc_auc_score

    ok = ~np.isnan(score)
    return float(roc_auc_score(y[ok], score[ok])) if len(set(y[ok])) == 2 else float("nan")


def _last_day_before(grid: YearGrid, week: int) -> dt.date:
    """The last day of the first ``week`` school weeks (the day before the next school week starts)."""
    if week < grid.weeks:
        return grid.week_starts[week] - dt.timedelta(days=1)
    return grid.year.end


def score_at(store: Store, full: YearGrid, week: int, model: EarlyWarningModel) -> pd.DataFrame:
    """Every pupil's features and risks after ``week`` school weeks of ``full``'s year, from a grid that
    physically holds no marks after that week (so nothing later can leak in)."""
    seen = year_grid(store, full.year, as_of=_last_day_before(full, week))
    feats = features_at(seen, week)
    return feats.merge(model.predict(feats), on="enrolment_id")


def backtest(
    store: Store,
    weeks: tuple[int, ...] = (4, 8, 12),
    *,
    test_year: AcademicYear | None = None,
    threshold: float = 0.5,
    top_share: float = 0.1,
    history_years: int = 2,
    model: EarlyWarningModel | None = None,
    seed: int = 0,
) -> BacktestReport:
    """Backtest early warning on ``test_year`` (default: the latest complete year with an earlier one)."""
    first, latest = store.mark_range()
    if first is None:
        raise EarlyWarningError("the store holds no marks")
    if test_year is None:
        last_full = AcademicYear.containing(latest)
        if latest < dt.date(last_full.start_year + 1, 7, 1):
            last_full = AcademicYear(last_full.start_year - 1)
        test_year = last_full
    earlier = [
        AcademicYear(y)
        for y in range(test_year.start_year - history_years, test_year.start_year)
        if AcademicYear(y).end >= first
    ]
    if model is None:
        if not earlier:
            raise EarlyWarningError(f"no year before {test_year.label} in the store to train on")
        model = train_model([year_grid(store, y) for y in earlier], seed=seed)
    full = year_grid(store, test_year)
    ends = outcomes(full).set_index("enrolment_id")
    rows, calibration = [], {}
    for n in weeks:
        if n >= full.weeks:
            continue
        scored = score_at(store, full, n, model).join(ends, on="enrolment_id")
        y_pa, y_sa = scored.end_pa.to_numpy(bool), scored.end_sa.to_numpy(bool)
        k = max(round(top_share * len(scored)), 1)
        top_model = scored.nlargest(k, "risk_pa")
        top_rule = scored.nlargest(k, "absence_rate")
        bins = pd.qcut(scored.risk_pa.rank(method="first"), 10, labels=False)
        calibration[n] = (
            scored.groupby(bins)
            .agg(pupils=("risk_pa", "size"), mean_predicted=("risk_pa", "mean"), observed=("end_pa", "mean"))
            .reset_index(drop=True)
        )
        warn = _warning(full, model, n, threshold)
        # The same workload as the 'at risk' band: flag as many pupils at week N as are below 95% then.
        band = scored.absence_rate >= 0.05
        matched = float(scored.risk_pa.nlargest(max(int(band.sum()), 1)).min())
        warn |= _warning(full, model, n, matched, "_matched")
        warn |= {
            "band_flagged": int(band.sum()),
            "band_precision": float(scored.loc[band, "end_pa"].mean()),
            "matched_threshold": matched,
            "matched_precision": float(scored.loc[scored.risk_pa >= matched, "end_pa"].mean()),
        }
        rows.append(
            {
                "weeks": n,
                "pupils": len(scored),
                "ended_pa": int(y_pa.sum()),
                "ended_sa": int(y_sa.sum()),
                "auc_pa": _auc(y_pa, scored.risk_pa.to_numpy()),
                "auc_pa_rule": _auc(y_pa, scored.absence_rate.to_numpy()),
                "auc_sa": _auc(y_sa, scored.risk_sa.to_numpy()),
                "auc_sa_rule": _auc(y_sa, scored.absence_rate.to_numpy()),
                "top_k": k,
                "precision_top_k": float(top_model.end_pa.mean()),
                "precision_top_k_rule": float(top_rule.end_pa.mean()),
                "flagged": int((scored.risk_pa >= threshold).sum()),
                "precision_flagged": float(scored.loc[scored.risk_pa >= threshold, "end_pa"].mean()),
                "brier_pa": float(np.mean((scored.risk_pa - y_pa) ** 2)),
                "brier_sa": float(np.mean((scored.risk_sa - y_sa) ** 2)),
                **warn,
            }
        )
    return BacktestReport(test_year.label, model.trained_years, threshold, pd.DataFrame(rows), calibration)


def _warning(full: YearGrid, model: EarlyWarningModel, n: int, threshold: float, suffix: str = "") -> dict[str, float]:
    """Weeks of warning for pupils below the line after week N who cross it later in the year.

    A pupil "crosses" in the first week after N at which their attendance so far falls to 90% or less
    (50% or less for severe absence), among those who end the year on the wrong side of it. Each week
    from N on, every such pupil is re-scored from the weeks before (``features_at`` reads no later week),
    and a method's warning is the crossing week minus the first week it flagged the pupil:

    * the model flags at ``threshold`` risk;
    * the simple rule "already below 90%" flags at the crossing itself, so it gives no warning;
    * a stronger simple comparator flags pupils in the "at risk" band (below 95%, or below 80% for severe).
    """
    cum_poss, cum_abs = np.cumsum(full.possible, axis=1), np.cumsum(full.absent, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(cum_poss > 0, cum_abs / np.maximum(cum_poss, 1), np.nan)  # column w-1: after w weeks
    ends = outcomes(full)
    weeks = range(n, full.weeks + 1)
    risk = {
        "pa": np.full((len(ids := full.enrolments.enrolment_id.to_numpy()), full.weeks + 1), np.nan),
        "sa": np.full((len(ids), full.weeks + 1), np.nan),
    }
    for w in weeks:
        scored = model.predict(features_at(full, w))
        rows = scored.enrolment_id.map(full.index).to_numpy()
        risk["pa"][rows, w], risk["sa"][rows, w] = scored.risk_pa, scored.risk_sa
    out: dict[str, float] = {}
    for key, line, band, ended in (("pa", 0.1, 0.05, ends.end_pa.to_numpy()), ("sa", 0.5, 0.2, ends.end_sa.to_numpy())):
        after = rate[:, n - 1]
        candidates = np.flatnonzero(ended & ~(after >= line))
        leads_model, leads_band = [], []
        for e in candidates:
            crossed = [w for w in weeks if w > n and rate[e, w - 1] >= line]
            if not crossed:
                continue
            c = crossed[0]
            flagged = [w for w in range(n, c + 1) if risk[key][e, w] >= threshold]
            banded = [w for w in range(n, c + 1) if rate[e, w - 1] >= band]
            leads_model.append(c - flagged[0] if flagged else 0)
            leads_band.append(c - banded[0] if banded else 0)
        m, b = np.array(leads_model, dtype=float), np.array(leads_band, dtype=float)
        tag = suffix + ("" if key == "pa" else "_sa")
        out |= {
            f"later_crossers{tag}": len(m),
            f"model_warning_weeks{tag}": float(m.mean()) if len(m) else float("nan"),
            f"rule_warning_weeks{tag}": 0.0,
            f"band_warning_weeks{tag}": float(b.mean()) if len(b) else float("nan"),
            f"model_warned_4w{tag}": float((m >= 4).mean()) if len(m) else float("nan"),
        }
    return out
