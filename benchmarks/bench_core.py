"""Benchmark the data core on the demo city: generate, import, and the full measure table.

Run with ``make bench`` (or ``python benchmarks/bench_core.py --pupils 60000``). Each stage runs in
its own process so its peak memory is its own. The full measure table (LA, school, phase, FSM, SEN,
ethnicity) is timed for attendwise (Ibis over DuckDB, straight from the store) and for a
straightforward pandas implementation, in the same run; the two results are checked to be equal
before the ratio is printed.

The pandas baseline is what an analyst would write given the registers: it starts from the marks
(22.8 million rows, already in memory as a DataFrame, so reading them is not timed), looks each code up
in the code sets, counts sessions per enrolment and groups the counted enrolments. It starts from the
marks, not from attendwise's session or census blocks, because those summaries are attendwise's own
design: an analyst without attendwise has the marks. It computes the same columns as attendwise's
table (sessions by category and by each DfE reason, PA and SA, the PA enrolments' sessions, enrolments
with each reason, and every rate), and all its integer columns must equal attendwise's. The previous
baseline, which computed only the headline columns (possible, authorised, unauthorised, overall, PA
and SA), is still timed and printed beside it, with its ratio.

attendwise's figure is the best of ``--repeat`` runs in one process; the first run also builds and
compiles the Ibis expression (later runs reuse the compiled SQL, as a long-running service such as the
web application does), and is printed too.

With ``--memory-limit 2GB`` the import runs a second time under that DuckDB memory limit (as a data
officer on a small laptop would set ``--memory-limit``), and its time and peak are printed beside the
unlimited import's.

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
    from attendwise.demo import CitySpec, generate_city

    started = time.perf_counter()
    summary = generate_city(Path(args.city), CitySpec(pupils=args.pupils, schools=args.schools, years=args.years))
    return {"seconds": time.perf_counter() - started, "marks": summary.marks, "enrolments": summary.enrolments}


def stage_import(args: argparse.Namespace) -> dict[str, float]:
    from attendwise.ingest import import_folder
    from attendwise.store import Store

    # Under --memory-limit, into a store of its own (the measures read the unlimited import's).
    target = args.store + ".capped" if args.capped else args.store
    for stale in (Path(target), Path(target + ".wal")):
        stale.unlink(missing_ok=True)
    with Store(target, memory_limit=args.memory_limit if args.capped else None) as store:
        started = time.perf_counter()
        result = import_folder(store, args.city)
        seconds = time.perf_counter() - started
    if args.capped:
        Path(target).unlink()
    return {
        "seconds": seconds,
        "marks": result.marks_added,
        "mb_csv": sum(f.stat().st_size for f in Path(args.city).glob("*.csv")) / 1e6,
    }


def _attendwise_tables(store, period) -> dict[str, object]:
    from attendwise.measures.absence import measure_tables

    return measure_tables(store, period, {name: name for name in GROUPINGS})


def stage_attendwise(args: argparse.Namespace) -> dict[str, float]:
    from attendwise.core.calendar import parse_period
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


def _pandas_inputs(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from attendwise.core.calendar import parse_period
    from attendwise.store import Store

    period = parse_period(args.period)
    with Store(args.store, read_only=True) as store:
        marks = (
            store.duckdb_connection()
            .execute(
                "SELECT enrolment_id, date, code FROM marks WHERE date BETWEEN ? AND ?", [period.start, period.end]
            )
            .df()
        )
        enrolments = store.duckdb_connection().execute("SELECT * FROM enrolments").df()
        pupils = store.duckdb_connection().execute("SELECT * FROM pupils").df()
        schools = store.duckdb_connection().execute("SELECT * FROM schools").df()
    return period, marks, enrolments, pupils, schools


def _timed(args: argparse.Namespace, compute) -> dict[str, float]:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        tables = compute()
        timings.append(time.perf_counter() - started)
    _save(args, tables)
    return {"seconds": min(timings), "first": timings[0], "rows": sum(len(t) for t in tables.values())}


def flags_of_codes() -> list[str]:
    return ["is_possible", "is_present", "is_aea", "is_authorised", "is_unauthorised"]


def _counted(period, enrolments, pupils, schools):  # type: ignore[no-untyped-def]
    """Who the baselines count: aged 5-15 on 31 August, not boarding, not joining in the second half of
    summer. Returns the enrolments with their pupil and school, the 15-year-olds' enrolment ids, and the
    start of the second half of summer."""
    import pandas as pd

    e = enrolments.merge(pupils, on="upn").merge(schools, on="urn")
    dob = pd.to_datetime(e.date_of_birth)
    age = period.academic_year.age_date.year - dob.dt.year - (dob.dt.month >= 9).astype(int)
    summer2 = pd.Timestamp(period.academic_year.summer_second_half_start)
    e = e[(age >= 5) & (age <= 15) & ~e.boarder & (pd.to_datetime(e.admission_date) < summer2)]
    return e, e.loc[age[e.index] == 15, "enrolment_id"], summer2


def _labelled(e):  # type: ignore[no-untyped-def]
    """The enrolments with the DfE's group labels as the measure table names them."""
    from attendwise.core.characteristics import FSM_LABELS, PHASES, SEN_LABELS, ethnicity_groups

    return e.assign(
        old_la_code=e.la_code,
        school_urn=e.urn,
        school_name=e.name,
        education_phase=e.phase.map(PHASES),
        fsm=e.fsm.map(FSM_LABELS),
        sen_provision=e.sen.map(SEN_LABELS),
        ethnicity_major=e.ethnicity.map(lambda c: (ethnicity_groups(c) or ("Unclassified",))[0]),
    )


def stage_pandas(args: argparse.Namespace) -> dict[str, float]:
    """The baseline: the full measure table written plainly in pandas, from the marks in memory."""
    import numpy as np
    import pandas as pd

    from attendwise.core.codes import ABSENCE_REASONS, SWITCH_DATE, lookup_rows

    period, marks, enrolments, pupils, schools = _pandas_inputs(args)
    reasons = list(ABSENCE_REASONS)
    # Only the lookup columns used, and the reason as a category (grouping by it is then cheap).
    codes = pd.DataFrame(lookup_rows())[["code_set", "code", *flags_of_codes(), "reason"]]
    codes["reason"] = codes.reason.astype(pd.CategoricalDtype(reasons))
    flags = {
        "is_possible": "sess_possible",
        "is_present": "sess_present",
        "is_aea": "sess_aea",
        "is_authorised": "sess_authorised",
        "is_unauthorised": "sess_unauthorised",
    }

    def compute() -> dict[str, object]:
        e, age15, summer2 = _counted(period, enrolments, pupils, schools)

        # Each mark's category and reason from the code set in force on its date; 15-year-olds'
        # sessions in the second half of summer are removed.
        m = marks[~(marks.enrolment_id.isin(age15) & (marks.date >= summer2))]
        m = m.assign(code_set=np.where(m.date >= pd.Timestamp(SWITCH_DATE), "2024", "2006"))
        m = m.merge(codes, on=["code_set", "code"])
        per = m.groupby("enrolment_id")[list(flags)].sum().rename(columns=flags)
        by_reason = m.groupby(["enrolment_id", "reason"], observed=True).size().unstack(fill_value=0)
        per = per.join(by_reason.reindex(columns=reasons, fill_value=0)).fillna(0).astype("int64")
        per = per[per.sess_possible > 0]
        per["sess_overall"] = per.sess_authorised + per.sess_unauthorised
        per["enrolments_pa_10_exact"] = (per.sess_overall * 10 >= per.sess_possible).astype(int)
        per["enrolments_pa_50_exact"] = (per.sess_overall * 2 >= per.sess_possible).astype(int)
        pa = per.enrolments_pa_10_exact == 1
        for col in ("sess_possible", "sess_overall", "sess_authorised", "sess_unauthorised"):
            per[f"{col}_pa_10_exact"] = per[col].where(pa, 0)
        for col in ("sess_overall", "sess_authorised", "sess_unauthorised", *reasons):
            per[f"enrol_{col.removeprefix('sess_')}"] = (per[col] > 0).astype(int)
        counts = list(per.columns)

        e = _labelled(e)
        rows = e.merge(per.reset_index(), on="enrolment_id")
        tables = {}
        for name, cols in GROUPINGS.items():
            grouped = rows.groupby(cols)
            g = grouped[counts].sum()
            g.insert(0, "enrolments", grouped.size())
            g = g.reset_index()
            for part, whole, col in [
                ("sess_overall", "sess_possible", "sess_overall_percent"),
                ("sess_authorised", "sess_possible", "sess_authorised_percent"),
                ("sess_unauthorised", "sess_possible", "sess_unauthorised_percent"),
                ("enrolments_pa_10_exact", "enrolments", "enrolments_pa_10_exact_percent"),
                ("enrolments_pa_50_exact", "enrolments", "enrolments_pa_50_exact_percent"),
                ("sess_overall_pa_10_exact", "sess_possible_pa_10_exact", "sess_overall_percent_pa_10_exact"),
                *[(r, "sess_possible", f"{r}_rate") for r in reasons],
                *[(r, "sess_overall", f"{r}_distribution") for r in reasons],
            ]:
                g[col] = 100 * g[part] / g[whole].replace(0, np.nan)
            g["sess_attendance_percent"] = 100 * (g.sess_present + g.sess_aea) / g.sess_possible.replace(0, np.nan)
            tables[name] = g
        return tables

    return _timed(args, compute)


def stage_pandas_headline(args: argparse.Namespace) -> dict[str, float]:
    """The previous baseline, unchanged: only the headline columns, in pandas, from the marks in memory."""
    import pandas as pd

    from attendwise.core.codes import SWITCH_DATE, lookup_rows

    period, marks, enrolments, pupils, schools = _pandas_inputs(args)
    codes = pd.DataFrame(lookup_rows())

    def compute() -> dict[str, object]:
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
        e, age15, summer2 = _counted(period, enrolments, pupils, schools)
        # (the summer half-term rule for 15-year-olds, as in attendwise)
        late = m[m.date >= summer2][["enrolment_id", "is_possible", "is_authorised", "is_unauthorised"]]
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
        e = _labelled(e)
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
        return tables

    return _timed(args, compute)


def _save(args: argparse.Namespace, tables: dict[str, object]) -> None:
    out = Path(args.work) / f"{args.stage}_tables"
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_parquet(out / f"{name}.parquet")


STAGES = {
    "generate": stage_generate,
    "import": stage_import,
    "attendwise": stage_attendwise,
    "pandas": stage_pandas,
    "pandas_headline": stage_pandas_headline,
}


# ----------------------------------------------------------------------------------------------
# Driver
# ----------------------------------------------------------------------------------------------
def run_stage(name: str, args: argparse.Namespace, *, capped: bool = False) -> dict[str, float]:
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
        *(["--memory-limit", args.memory_limit] if args.memory_limit else []),
        *(["--capped"] if capped else []),
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read() if proc.stdout else ""
    if status != 0:
        raise SystemExit(f"stage {name} failed:\n{out}")
    figures = json.loads(out.strip().splitlines()[-1])
    figures["peak_mb"] = usage.ru_maxrss / 1024
    return figures


def check_equal(work: Path, baseline: str, columns: list[str] | None = None) -> list[str]:
    """Check attendwise's tables against a baseline's; return the columns compared.

    Integer columns must be identical; rates (percent, rate, distribution) equal to 1e-9.
    """
    import numpy as np
    import pandas as pd

    compared: list[str] = []
    for name, cols in GROUPINGS.items():
        ours = pd.read_parquet(work / "attendwise_tables" / f"{name}.parquet").sort_values(cols).reset_index(drop=True)
        base = pd.read_parquet(work / f"{baseline}_tables" / f"{name}.parquet").sort_values(cols).reset_index(drop=True)
        if len(ours) != len(base) or not (ours[cols].astype(str).to_numpy() == base[cols].astype(str).to_numpy()).all():
            raise SystemExit(f"attendwise and the {baseline} baseline give different groups for {name}")
        compared = [c for c in (columns or base.columns) if c not in cols]
        for col in compared:
            a, b = ours[col].astype("float64").to_numpy(), base[col].astype("float64").to_numpy()
            exact = not col.endswith(("_percent", "_rate", "_distribution", "_percent_pa_10_exact"))
            same = (a == b).all() if exact else np.allclose(a, b, rtol=1e-9, atol=0, equal_nan=True)
            if not same:
                raise SystemExit(f"attendwise and the {baseline} baseline disagree on {name}.{col}")
    return compared


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pupils", type=int, default=60_000)
    parser.add_argument("--schools", type=int, default=130)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--period", default="2024/25")
    parser.add_argument("--repeat", type=int, default=5, help="timed repeats of each measure table (best is kept)")
    parser.add_argument("--work", default=str(HERE / "out"))
    parser.add_argument("--stage", choices=sorted(STAGES))
    parser.add_argument("--reuse", action="store_true", help="measure the store from the last run (no generate/import)")
    parser.add_argument(
        "--memory-limit",
        help="also import under this DuckDB memory limit (e.g. 2GB), after the unlimited import, and compare",
    )
    parser.add_argument("--capped", action="store_true", help=argparse.SUPPRESS)
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
    if args.reuse and Path(args.store).exists():
        print("generate, import: skipped (--reuse: measuring the store already built)")
        _measure(args)
        return
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
    if args.memory_limit:
        cap = run_stage("import", args, capped=True)
        print(
            f"import, {args.memory_limit} memory limit {cap['seconds']:5.1f} s   peak {cap['peak_mb']:,.0f} MB"
            f"   ({cap['seconds'] / imp['seconds']:.2f}x the time, {cap['peak_mb'] / imp['peak_mb']:.2f}x the peak"
            " of the unlimited import)"
        )
    _measure(args)


def _measure(args: argparse.Namespace) -> None:
    ours = run_stage("attendwise", args)
    base = run_stage("pandas", args)
    head = run_stage("pandas_headline", args)
    compared = check_equal(Path(args.work), "pandas")
    check_equal(Path(args.work), "pandas_headline", CHECK_COLUMNS)
    print(
        f"measures, attendwise (Ibis/DuckDB)  {ours['seconds']:6.3f} s best of {args.repeat} "
        f"(first {ours['first']:.2f} s, with compiling), {ours['rows']:.0f} rows   peak {ours['peak_mb']:,.0f} MB"
        "   (target < 2 s)"
    )
    print(
        f"measures, pandas baseline           {base['seconds']:6.2f} s best of {args.repeat} "
        f"(first {base['first']:.2f} s)   peak {base['peak_mb']:,.0f} MB (from the marks in memory; same "
        f"{len(compared)} columns)"
    )
    print(
        f"speed-up over pandas: {base['seconds'] / ours['seconds']:.1f}x best, "
        f"{base['first'] / ours['first']:.1f}x first runs   (target >= 20x); identical on all {len(compared)} "
        "columns (integers exactly, rates to 1e-9)"
    )
    print(
        f"(headline-only pandas, the previous baseline: {head['seconds']:.2f} s best, "
        f"{head['seconds'] / ours['seconds']:.1f}x; identical on {', '.join(CHECK_COLUMNS)})"
    )


if __name__ == "__main__":
    main()
