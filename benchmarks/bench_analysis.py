"""Benchmark the analysis on the demo city: disproportionality, at-risk scoring, and the backtest figures.

Run with ``python benchmarks/bench_analysis.py`` (``--pupils 60000 --years 3`` by default). It generates a
city of several years (so the model has earlier years to learn from), imports it, then times:

* disproportionality for the whole LA (every characteristic), against a straightforward baseline that
  recomputes each group's figures with a pandas filter per group, in the same run;
* at-risk scores for every pupil on roll: training the model on the earlier years (once per import),
  then scoring with the trained model (what an officer waits for each day);
* the backtest at 4, 8 and 12 school weeks, printing its figures (AUC, precision, calibration, warning).

Targets (issue 3): disproportionality under 5 s; at-risk scores for all pupils under 30 s; AUC at least
0.85 at 8 weeks; at least 4 weeks more warning than "already below 90%".
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def baseline_disproportionality(frame, characteristics):  # type: ignore[no-untyped-def]
    """Per group: filter, count, rates and Fisher's test, one group at a time."""
    from scipy import stats

    from attendwise.analysis.disproportionality import CHARACTERISTICS

    out = []
    n_all, pa_all = len(frame), int(frame.pa_10.sum())
    for c in characteristics:
        col = CHARACTERISTICS[c]
        for value in frame[col].unique():
            inside = frame[frame[col] == value]
            a, n1 = int(inside.pa_10.sum()), len(inside)
            out.append((c, value, n1, a, stats.fisher_exact([[a, n1 - a], [pa_all - a, n_all - n1 - pa_all + a]])[1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=60_000)
    parser.add_argument("--schools", type=int, default=130)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--first-year", type=int, default=2022)
    parser.add_argument("--work", default=str(HERE / "out" / "analysis"))
    parser.add_argument("--reuse", action="store_true", help="reuse the city and store from an earlier run")
    args = parser.parse_args()

    from attendwise.analysis.backtest import backtest
    from attendwise.analysis.disproportionality import DEFAULT_CHARACTERISTICS, disproportionality, enrolment_frame
    from attendwise.analysis.early_warning import at_risk, model_for
    from attendwise.core.calendar import AcademicYear
    from attendwise.demo import CitySpec, generate_city
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    work = Path(args.work)
    city, store_path = work / "city", work / "analysis.duckdb"
    print(
        f"attendwise analysis benchmark: {args.pupils:,} pupils, {args.schools} schools, {args.years} years "
        f"from {AcademicYear(args.first_year).label}"
    )
    if not (args.reuse and store_path.exists()):
        shutil.rmtree(work, ignore_errors=True)
        started = time.perf_counter()
        generate_city(
            city, CitySpec(pupils=args.pupils, schools=args.schools, years=args.years, first_year=args.first_year)
        )
        print(f"generate     {time.perf_counter() - started:6.1f} s")
        started = time.perf_counter()
        with Store(store_path) as store:
            result = import_folder(store, city)
        print(f"import       {time.perf_counter() - started:6.1f} s   {result.marks_added:,} marks")
        shutil.rmtree(city)

    with Store(store_path, read_only=True) as store:
        latest = store.latest_mark()
        year = AcademicYear.containing(latest)
        period_text = year.label
        from attendwise.core.calendar import parse_period

        period = parse_period(period_text)
        started = time.perf_counter()
        frame = enrolment_frame(store, period)
        table = disproportionality(frame, DEFAULT_CHARACTERISTICS)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        baseline_disproportionality(frame, DEFAULT_CHARACTERISTICS)
        base = time.perf_counter() - started
        flagged = int((table.pa_flag == "over-represented").sum())
        print(
            f"disproportionality, whole LA, {len(table)} groups ({flagged} flagged): {ours:.2f} s including "
            f"the measures scan (target < 5 s); per-group pandas baseline (counts and tests only, from the "
            f"same frame) {base:.2f} s"
        )

        started = time.perf_counter()
        model = model_for(store, year)
        train = time.perf_counter() - started
        started = time.perf_counter()
        scored = at_risk(store, model=model)
        score = time.perf_counter() - started
        print(
            f"at-risk: training on {', '.join(model.trained_years)} ({model.training_rows:,} snapshots) "
            f"{train:.1f} s, once per import; scoring all {len(scored):,} pupils on roll {score:.1f} s "
            f"(target < 30 s)   peak {peak_mb():,.0f} MB"
        )

        started = time.perf_counter()
        report = backtest(store, (4, 8, 12))
        print(f"backtest     {time.perf_counter() - started:6.1f} s")
        print(report.describe())
        for n, cal in report.calibration.items():
            pairs = ", ".join(f"{p:.0%}->{o:.0%}" for p, o in zip(cal.mean_predicted, cal.observed, strict=True))
            print(f"  calibration after {n} weeks (predicted->observed by tenth): {pairs}")


if __name__ == "__main__":
    main()
