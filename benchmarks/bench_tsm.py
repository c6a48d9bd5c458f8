"""Benchmark Targeting Support Meeting packs: every school's pack for a term, on the demo city.

Run with ``python benchmarks/bench_tsm.py`` (``--pupils 60000 --schools 130`` by default). It generates
the city (or reuses one with ``--reuse``), imports it, then times:

* computing the packs of every school for the term (:func:`attendwise.reports.tsm.tsm_packs`: one pass over the
  store for all schools, not one query per pupil or per school);
* the baseline in the same run: one school's pack on its own (:func:`attendwise.reports.tsm.tsm_pack`), timed on a
  few schools and scaled to every school, and the ratio;
* writing every pack as XLSX and as HTML.

Target (issue 5): the packs of all ~130 schools in under 10 s.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=60_000)
    parser.add_argument("--schools", type=int, default=130)
    parser.add_argument("--term", default="2024/25-autumn")
    parser.add_argument("--work", default=str(HERE / "out" / "tsm"))
    parser.add_argument("--reuse", action="store_true", help="reuse the city and store from an earlier run")
    parser.add_argument("--baseline", type=int, default=3, help="schools timed one at a time for the baseline")
    args = parser.parse_args()

    from attendwise.demo import CitySpec, generate_city
    from attendwise.ingest import import_folder
    from attendwise.reports.tsm import tsm_pack, tsm_packs, write_packs
    from attendwise.store import Store

    work = Path(args.work)
    city, store_path = work / "city", work / "tsm.duckdb"
    print(f"attendwise TSM benchmark: {args.pupils:,} pupils, {args.schools} schools, term {args.term}")
    if not (args.reuse and store_path.exists()):
        shutil.rmtree(work, ignore_errors=True)
        started = time.perf_counter()
        generate_city(city, CitySpec(pupils=args.pupils, schools=args.schools, years=1))
        print(f"generate           {time.perf_counter() - started:6.1f} s")
        started = time.perf_counter()
        with Store(store_path) as store:
            import_folder(store, city)
        print(f"import             {time.perf_counter() - started:6.1f} s")
        shutil.rmtree(city, ignore_errors=True)  # the store holds it all; the CSV is gigabytes

    with Store(store_path, read_only=True) as store:
        s = store.summary()
        print(f"store              {s.schools} schools, {s.enrolments:,} enrolments, {s.marks:,} marks")
        started = time.perf_counter()
        packs = tsm_packs(store, args.term)
        every = time.perf_counter() - started
        pupils = sum(len(p.severely_absent) + len(p.persistently_absent) for p in packs.values())
        as_at = next(iter(packs.values())).as_at
        print(
            f"packs, all schools {every:6.2f} s   {len(packs)} packs as at {as_at:%d %b %Y}, "
            f"{every / len(packs) * 1000:.0f} ms a pack, {pupils:,} severely or persistently absent pupils listed"
            f"   (target < 10 s)"
        )
        # Baseline, same run: each school's pack on its own (what a per-school report would do), timed on
        # a few schools (the one with the longest lists among them) and scaled to them all.
        sample = [max(packs, key=lambda u: len(packs[u].persistently_absent)), *list(packs)[: args.baseline - 1]]
        started = time.perf_counter()
        for urn in sample:
            tsm_pack(store, urn, args.term)
        one = (time.perf_counter() - started) / len(sample)
        print(f"pack, one school   {one:6.2f} s   (mean of {len(sample)}, one at a time: the baseline)")
        print(
            f"baseline, all      {one * len(packs):6.1f} s   one school at a time, scaled to {len(packs)} schools; "
            f"all at once is {one * len(packs) / every:.0f}x faster"
        )
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in ("xlsx", "html"):
            started = time.perf_counter()
            written = write_packs(list(packs.values()), Path(tmp) / fmt, fmt)
            size = sum(p.stat().st_size for p in written) / 1e6
            seconds = time.perf_counter() - started
            print(f"write {fmt:<4}         {seconds:6.2f} s   {len(written)} files, {size:.1f} MB")
    print(f"peak memory        {peak_mb():,.0f} MB")


if __name__ == "__main__":
    main()
