"""Benchmark the data core on the demo city: generate, import, and the full measure table.

Run with ``make bench`` (or ``python benchmarks/bench_core.py --pupils 60000``). Each stage runs in
its own process so its peak memory is its own. The full measure table (LA, school, phase, FSM, SEN,
ethnicity) is timed for attendwise (Ibis over DuckDB, straight from the store) and for a
straightforward pandas implementation (from DataFrames already in memory), in the same run; the
two results are checked to be equal before the ratio is printed.

Targets (issue 2): a full year of the city imports in under 60 s; the full measure table in under 2 s
and at least 20 times faster than the pandas baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
GROUPINGS = {
    "la": ["old_la_code"],
    "school": ["school_urn", "school_name"],
    "phase": ["education_phase"],
    "fsm": ["fsm"],
    "sen": ["sen_provision"],
    "ethnicity": ["ethnicity_major"],
}
CHECK_COLUMNS = [
    "enrolments",
    "sess_possible",
    "sess_overall",
    "sess_authorised",
    "sess_unauthorised",
    "enrolments_pa_10_exact",
    "enrolments_pa_50_exact",
]


# ----------------------------------------------------------------------------------------------
# Stages (each run in a child process: python bench_core.py --stage NAME ...)
# ----------------------------------------------------------------------------------------------
def stage_generate(args: argparse.Namespace) -> dict[str, float]:
    from attendwise.synthetic import CitySpec, generate_city

    started = time.perf_counter()
    summary = generate_city(Path(args.city), CitySpec(pupils=args.pupils, schools=args.schools, years=args.years))
    return {"seconds": time.perf_counter() - started, "marks": summary.marks, "enrolments": summary.enrolments}


def stage_import(args: argparse.Namespace) -> dict[str, float]:
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    for stale in (Path(args.store), Path(args.store + ".wal")):
        stale.unlink(missing_ok=True)
    with Store(args.store) as store:
        started = time.perf_counter()
        result = import_folder(store, args.city)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "marks": result.marks_added,
        "mb_csv": sum(f.stat().st_size for f in Path(args.city).glob("*.csv")) / 1e6,
    }


def _attendwise_tables(store, period) -> dict[str, object]:
    from attendwise.measures import absence_measures, enrolment_absence

    with store.materialised(enrolment_absence(store, period)) as rows:
        return {name: absence_measures(rows, cols).to_pandas() for name, cols in GROUPINGS.items()}


def stage_attendwise(args: argparse.Namespace) -> dict[str, float]:
    from attendwise.calendar import parse_period
    from attendwise.store import Store

    with Store(args.store, read_only=True) as store:
        period = parse_period(args.period)
        timings = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            tables = _attendwise_tables(store, period)
            timings.append(time.perf_counter() - started)
    _save(args, tables)
    return {"seconds": min(timings), "first": timings[0], "rows": sum(len(t) for t in tables.values())}


def stage_pandas(args: argparse.Namespace) -> dict[str, float]:
    """The baseline: the same definitions written plainly in pandas, from DataFrames in memory."""
    import pandas as pd

    from attendwise.calendar import parse_period
    from attendwise.characteristics import FSM_LABELS, PHASES, SEN_LABELS, ethnicity_groups
    from attendwise.codes import SWITCH_DATE, lookup_rows
    from attendwise.store import Store

    period = parse_period(args.period)
    with Store(args.store, read_only=True) as store:
        marks = store.con.execute(
            "SELECT enrolment_id, date, code FROM marks WHERE date BETWEEN ? AND ?", [period.start, period.end]
        ).df()
        enrolments = store.con.execute("SELECT * FROM enrolments").df()
        pupils = store.con.execute("SELECT * FROM pupils").df()
        schools = store.con.execute("SELECT * FROM schools").df()
    codes = pd.DataFrame(lookup_rows())
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        m = marks.assign(code_set=(marks.date >= pd.Timestamp(SWITCH_DATE)).map({True: "2024", False: "2006"}))
        m = m.merge(codes, on=["code_set", "code"])
        per = (
            m.groupby("enrolment_id")
            .agg(
                sess_possible=("is_possible", "sum"),
                sess_authorised=("is_authorised", "sum"),
                sess_unauthorised=("is_unauthorised", "sum"),
            )
            .reset_index()
        )
        e = enrolments.merge(pupils, on="upn").merge(schools, on="urn")
        dob = pd.to_datetime(e.date_of_birth)
        age = period.academic_year.age_date.year - dob.dt.year - (dob.dt.month >= 9).astype(int)
        summer2 = pd.Timestamp(period.academic_year.summer_second_half_start)
        e = e[(age >= 5) & (age <= 15) & ~e.boarder & (pd.to_datetime(e.admission_date) < summer2)]
        # (the summer half-term rule for 15-year-olds, as in attendwise)
        late = m[m.date >= summer2][["enrolment_id", "is_possible", "is_authorised", "is_unauthorised"]]
        age15 = set(e.loc[age[e.index] == 15, "enrolment_id"])
        late = late[late.enrolment_id.isin(age15)].groupby("enrolment_id").sum()
        per = per.set_index("enrolment_id")
        per.loc[late.index, ["sess_possible", "sess_authorised", "sess_unauthorised"]] -= late[
            ["is_possible", "is_authorised", "is_unauthorised"]
        ].to_numpy()
        per = per.reset_index()
        per = per[per.sess_possible > 0]
        per["sess_overall"] = per.sess_authorised + per.sess_unauthorised
        per["pa_10"] = (per.sess_overall * 10 >= per.sess_possible).astype(int)
        per["pa_50"] = (per.sess_overall * 2 >= per.sess_possible).astype(int)
        e = e.assign(
            old_la_code=e.la_code,
            school_urn=e.urn,
            school_name=e.name,
            education_phase=e.phase.map(PHASES),
            fsm=e.fsm.map(FSM_LABELS),
            sen_provision=e.sen.map(SEN_LABELS),
            ethnicity_major=e.ethnicity.map(lambda c: (ethnicity_groups(c) or ("Unclassified",))[0]),
        )
        rows = e.merge(per, on="enrolment_id")
        tables = {}
        for name, cols in GROUPINGS.items():
            g = (
                rows.groupby(cols)
                .agg(
                    enrolments=("enrolment_id", "size"),
                    sess_possible=("sess_possible", "sum"),
                    sess_overall=("sess_overall", "sum"),
                    sess_authorised=("sess_authorised", "sum"),
                    sess_unauthorised=("sess_unauthorised", "sum"),
                    enrolments_pa_10_exact=("pa_10", "sum"),
                    enrolments_pa_50_exact=("pa_50", "sum"),
                )
                .reset_index()
            )
            g["sess_overall_percent"] = 100 * g.sess_overall / g.sess_possible
            g["enrolments_pa_10_exact_percent"] = 100 * g.enrolments_pa_10_exact / g.enrolments
            g["enrolments_pa_50_exact_percent"] = 100 * g.enrolments_pa_50_exact / g.enrolments
            tables[name] = g
        timings.append(time.perf_counter() - started)
    _save(args, tables)
    return {"seconds": min(timings), "first": timings[0], "rows": sum(len(t) for t in tables.values())}


def _save(args: argparse.Namespace, tables: dict[str, object]) -> None:
    out = Path(args.work) / f"{args.stage}_tables"
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet")


STAGES = {"generate": stage_generate, "import": stage_import, "attendwise": stage_attendwise, "pandas": stage_pandas}


# ----------------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------------
def run_stage(name: str, args: argparse.Namespace) -> dict[str, float]:
    """Run one stage in a child process; return its figures plus its own peak RSS."""
    cmd = [
        sys.executable,
        __file__,
        "--stage",
        name,
        "--work",
        args.work,
        "--pupils",
        str(args.pupils),
        "--schools",
        str(args.schools),
        "--years",
        str(args.years),
        "--period",
        args.period,
        "--repeat",
        str(args.repeat),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"stage {name} failed:\n{out}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["peak_mb"] = usage.ru_maxrss / 1024
    return figures


def check_equal(work: Path) -> None:
    import pandas as pd

    for name, cols in GROUPINGS.items():
        ours = pd.read_parquet(work / "attendwise_tables" / f"{name}.parquet").sort_values(cols).reset_index(drop=True)
        base = pd.read_parquet(work / "pandas_tables" / f"{name}.parquet").sort_values(cols).reset_index(drop=True)
        for col in CHECK_COLUMNS:
            if not (ours[col].astype("int64").to_numpy() == base[col].astype("int64").to_numpy()).all():
                raise SystemExit(f"attendwise and the pandas baseline disagree on {name}.{col}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=60_000)
    parser.add_argument("--schools", type=int, default=130)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--period", default="2024/25")
    parser.add_argument("--repeat", type=int, default=3, help="timed repeats of each measure table (best is kept)")
    parser.add_argument("--work", default=str(HERE / "out"))
    parser.add_argument("--stage", choices=sorted(STAGES))
    args = parser.parse_args()
    args.city = str(Path(args.work) / "city")
    args.store = str(Path(args.work) / "bench.duckdb")
    if args.stage:
        print(json.dumps(STAGES[args.stage](args)))
        return

    Path(args.work).mkdir(parents=True, exist_ok=True)
    print(
        f"attendwise core benchmark: {args.pupils:,} pupils, {args.schools} schools, {args.years} year(s), "
        f"period {args.period}, {os.cpu_count()} cores"
    )
    gen = run_stage("generate", args)
    print(
        f"generate      {gen['seconds']:7.1f} s   {gen['marks']:,.0f} marks, {gen['enrolments']:,.0f} enrolments"
        f"   peak {gen['peak_mb']:,.0f} MB"
    )
    imp = run_stage("import", args)
    print(
        f"import        {imp['seconds']:7.1f} s   {imp['marks'] / imp['seconds']:,.0f} marks/s from "
        f"{imp['mb_csv']:,.0f} MB of CSV   peak {imp['peak_mb']:,.0f} MB   (target < 60 s)"
    )
    ours = run_stage("attendwise", args)
    base = run_stage("pandas", args)
    check_equal(Path(args.work))
    print(
        f"measures, attendwise (Ibis/DuckDB)  {ours['seconds']:6.2f} s best of {args.repeat} "
        f"(first {ours['first']:.2f} s), {ours['rows']:.0f} rows   peak {ours['peak_mb']:,.0f} MB   (target < 2 s)"
    )
    print(
        f"measures, pandas baseline           {base['seconds']:6.2f} s best of {args.repeat} "
        f"(first {base['first']:.2f} s)   peak {base['peak_mb']:,.0f} MB (with the marks in memory)"
    )
    print(
        f"speed-up over pandas: {base['seconds'] / ours['seconds']:.1f}x   (target >= 20x); results identical "
        f"on {', '.join(CHECK_COLUMNS)}"
    )


if __name__ == "__main__":
    main()
