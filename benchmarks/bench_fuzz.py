"""Fuzz the importer at scale: N mutated register folders through ``import_folder``, and the counts.

Run with ``python benchmarks/bench_fuzz.py`` (``--cases 1000 --seed 1`` by default; the issue's figure is
``--cases 10000``). It uses the fuzz test's own generator (``tests/fuzzing.py``): each case is a small
valid register, already stored, with one to three mutations of its files (truncated, bytes flipped,
columns swapped, dropped or given twice, re-encoded, huge fields, many lines, empty files, hostile values,
gzipped or a gzip bomb, files missing, given twice or replaced by a folder), imported into a fresh copy of
the store. Case ``i`` of seed ``s`` is the same on every machine (``random.Random(f"{s}-{i}")``);
``--case i`` runs that one alone and prints what was done and what came of it.

It prints how many cases were imported and refused (and the refusals by kind of message, values taken
out), and the failures, each of which must be 0: tracebacks (any exception but the importer's
IngestError), refusals that changed the store, and unclear refusals (a problem naming no file of the
folder, no line or field when it is not about the whole file, or longer than 500 characters). The exit
status is 1 if there is any failure.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the tests package, for its generator


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--case", type=int, default=None, help="run this one case alone, and say what it did")
    parser.add_argument("--kinds", type=int, default=25, help="how many kinds of refusal to list")
    args = parser.parse_args()

    from tests.fuzzing import RandomChoices, fuzz_register, mutate, run_case

    from attendwise.ingest import import_folder
    from attendwise.store import Store

    work = Path(tempfile.mkdtemp(prefix="attendwise-fuzz-"))
    try:
        base = fuzz_register().write(work / "register")
        with Store(work / "base.duckdb") as store:
            import_folder(store, base)

        def case(i: int):
            folder = work / f"case{i}"
            shutil.copytree(base, folder)
            done = mutate(folder, RandomChoices(random.Random(f"{args.seed}-{i}")))
            shutil.copy(work / "base.duckdb", work / "case.duckdb")
            with Store(work / "case.duckdb") as store:
                outcome = run_case(store, folder)
            shutil.rmtree(folder)
            return done, outcome

        if args.case is not None:
            done, outcome = case(args.case)
            print(f"case {args.case} of seed {args.seed}: {'; '.join(done)}")
            print(f"{outcome.kind}: {', '.join(outcome.kinds)}\n{outcome.detail}")
            return 0 if outcome.ok else 1

        print(f"attendwise fuzz benchmark: {args.cases:,} cases, seed {args.seed}")
        outcomes: Counter[str] = Counter()
        kinds: Counter[str] = Counter()
        failures: list[tuple[int, list[str], str, str]] = []
        times: list[float] = []
        started = time.perf_counter()
        for i in range(args.cases):
            begun = time.perf_counter()
            done, outcome = case(i)
            times.append(time.perf_counter() - begun)
            outcomes[outcome.kind] += 1
            kinds.update(outcome.kinds)
            if not outcome.ok:
                failures.append((i, done, outcome.kind, outcome.detail))
            if (i + 1) % 500 == 0:
                print(f"  {i + 1:,} cases, {time.perf_counter() - started:,.0f} s", flush=True)
        total = time.perf_counter() - started

        print(f"cases                        {args.cases:7,}")
        print(f"imported                     {outcomes['imported']:7,}")
        print(f"refused                      {outcomes['refused']:7,}")
        print(f"tracebacks                   {outcomes['traceback']:7,}   (must be 0)")
        print(f"store changed after refusal  {outcomes['changed']:7,}   (must be 0)")
        print(f"unclear refusals             {outcomes['unclear']:7,}   (must be 0)")
        ordered = sorted(times)
        print(
            f"time per case                {statistics.mean(times) * 1000:7,.0f} ms mean, "
            f"{ordered[len(ordered) // 2] * 1000:,.0f} median, {ordered[int(len(ordered) * 0.95)] * 1000:,.0f} p95, "
            f"{ordered[-1] * 1000:,.0f} worst; {total:,.0f} s in all"
        )
        print(f"refusals by kind (cases naming each; the {args.kinds} most common of {len(kinds)}):")
        for kind, n in kinds.most_common(args.kinds):
            print(f"  {n:6,}  {kind}")
        for i, done, kind, detail in failures[:20]:
            print(f"\nFAILED case {i} ({kind}): {'; '.join(done)}\n{detail}")
        return 1 if failures else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
