"""Benchmark the penalty notice threshold on the demo city: one day for every pupil, and every school day of a term.

Run with ``python benchmarks/bench_legal.py`` (``--pupils 60000 --schools 130`` by default; ``--store PATH`` to
use a store already imported, such as ``bench_core.py``'s). It times:

* the threshold for every pupil as at one day (best of ``--repeat``; the first run, which builds the Ibis
  expression, is printed too);
* the baseline in the same run: the same day one school at a time (``--school``), timed on a few schools and
  scaled to every school, with the ratio; the schools' lists are checked to equal their rows of the LA's;
* the threshold as at every school day of a term (an officer's weekly run, done for each day of a term) in one
  query (``penalty_thresholds``), and beside it ``--per-day`` of those days one query a day, scaled to the term,
  each day's list checked to equal its rows of the term's.

Targets (issue 13): one day for every pupil under 5 s; every school day of a term under 60 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=60_000)
    parser.add_argument("--schools", type=int, default=130)
    parser.add_argument("--store", type=Path, help="an imported store to use (default: generate and import the city)")
    parser.add_argument("--as-at", type=dt.date.fromisoformat, default=dt.date(2025, 1, 24))
    parser.add_argument("--term", default="2024/25-spring", help="the term whose every school day is run")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--baseline", type=int, default=3, help="schools timed one at a time for the baseline")
    parser.add_argument("--per-day", type=int, default=5, help="days of the term also run one at a time, to compare")
    parser.add_argument("--work", default=str(HERE / "out" / "legal"))
    args = parser.parse_args()

    from attendwise.core.calendar import parse_period
    from attendwise.demo import CitySpec, generate_city
    from attendwise.ingest import import_folder
    from attendwise.measures.penalty_threshold import penalty_threshold, penalty_thresholds
    from attendwise.store import Store

    print(f"attendwise penalty threshold benchmark: as at {args.as_at}, term {args.term}")
    store_path = args.store
    if store_path is None:
        work = Path(args.work)
        city, store_path = work / "city", work / "legal.duckdb"
        if not store_path.exists():
            shutil.rmtree(work, ignore_errors=True)
            started = time.perf_counter()
            generate_city(city, CitySpec(pupils=args.pupils, schools=args.schools, years=1))
            with Store(store_path) as store:
                import_folder(store, city)
            print(f"generate + import  {time.perf_counter() - started:6.1f} s")
            shutil.rmtree(city, ignore_errors=True)

    with Store(store_path, read_only=True) as store:
        s = store.summary()
        print(f"store              {s.schools} schools, {s.enrolments:,} enrolments, {s.marks:,} marks")
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            pupils, sessions = penalty_threshold(store, args.as_at)
            times.append(time.perf_counter() - started)
        one_day = min(times)
        print(
            f"one day, all       {one_day:6.2f} s   best of {args.repeat} (first {times[0]:.2f} s); "
            f"{len(pupils):,} pupils meet it, {len(sessions):,} sessions of evidence   (target < 5 s)"
        )
        urns = list(store.school_urns())[: args.baseline]
        started = time.perf_counter()
        for urn in urns:
            alone = penalty_threshold(store, args.as_at, school=urn)[0]
            theirs = pupils[pupils.school_urn == urn].reset_index(drop=True)
            assert alone.upn.tolist() == theirs.upn.tolist(), f"school {urn}'s list differs from the LA's"
        per_school = (time.perf_counter() - started) / len(urns)
        scaled = per_school * s.schools
        print(
            f"baseline           {scaled:6.1f} s   one school at a time "
            f"({per_school:.2f} s each, mean of {len(urns)}), "
            f"scaled to {s.schools} schools; all at once is {scaled / one_day:.0f}x faster; the lists agree"
        )
        period = parse_period(args.term, half_term_starts=store.half_term_starts())
        days = sorted({d for urn in store.school_urns()[:1] for d in store.school_days(urn, period.start, period.end)})
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            every_day, evidence = penalty_thresholds(store, days)
            times.append(time.perf_counter() - started)
        term = min(times)
        print(
            f"every day of term  {term:6.1f} s   {len(days)} school days of {args.term} in one query, best of "
            f"{args.repeat} (first {times[0]:.1f} s); {len(every_day):,} pupil-days meeting it, "
            f"{len(evidence):,} session-days of evidence   (target < 60 s)"
        )
        sample = days[:: max(1, len(days) // args.per_day)][: args.per_day]
        started = time.perf_counter()
        for day in sample:
            alone = penalty_threshold(store, day)[0]
            theirs = every_day[every_day.as_at == day].drop(columns="as_at").reset_index(drop=True)
            assert alone.equals(theirs), f"the term's run differs from the day's own on {day}"
        per_day = (time.perf_counter() - started) / max(len(sample), 1)
        print(
            f"baseline           {per_day * len(days):6.1f} s   one day at a time ({per_day:.2f} s a day, mean of "
            f"{len(sample)} days, scaled to {len(days)}); the term in one query is "
            f"{per_day * len(days) / term:.0f}x faster; the days' lists agree"
        )
    print(f"peak memory        {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
