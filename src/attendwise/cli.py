"""The ``attendwise`` command line: one verb per step of the pipeline.

Every verb takes ``--store`` (or ``$ATTENDWISE_STORE``); the default store lives in the user's
data folder, so an officer can import on Monday and measure on Friday without naming it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from attendwise.bands import PRESETS, band_counts, load_scheme
from attendwise.calendar import Period, parse_period
from attendwise.codes import CODE_SETS
from attendwise.disproportionality import CHARACTERISTICS, DEFAULT_CHARACTERISTICS
from attendwise.errors import AttendwiseError
from attendwise.identifiers import IdentifierError, parse_date, parse_urn, show
from attendwise.ingest import ImportResult, import_folder
from attendwise.measures import Population, enrolment_absence, measure_table, resolve_grouping
from attendwise.spreadsheets import frame_csv
from attendwise.store import Store, default_store_path, memory_size
from attendwise.web.commands import serve

if TYPE_CHECKING:
    from attendwise.demo import CitySpec

console = Console()
err_console = Console(stderr=True)

#: Columns shown by ``--format table`` (csv and json give every column, unrounded).
TABLE_COLUMNS = {
    "enrolments": ("Enrolments", "{:,.0f}"),
    "sess_possible": ("Possible sessions", "{:,.0f}"),
    "sess_overall_percent": ("Overall absence %", "{:.1f}"),
    "sess_authorised_percent": ("Authorised %", "{:.1f}"),
    "sess_unauthorised_percent": ("Unauthorised %", "{:.1f}"),
    "enrolments_pa_10_exact": ("Persistently absent", "{:,.0f}"),
    "enrolments_pa_10_exact_percent": ("PA %", "{:.1f}"),
    "enrolments_pa_50_exact": ("Severely absent", "{:,.0f}"),
    "enrolments_pa_50_exact_percent": ("SA %", "{:.1f}"),
}


# ------------------------------------------------------------------------------------------
# Helpers
# ------------------------------------------------------------------------------------------
class _Bars:
    """Adapts ``progress(stage, done, total)`` callbacks to rich progress bars, one per stage."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            for other in self.tasks.values():
                task = self.progress.tasks[other]
                if task.total is not None:
                    self.progress.update(other, completed=task.total)
            self.tasks[stage] = self.progress.add_task(stage, total=max(total, 1))
        self.progress.update(self.tasks[stage], completed=done, total=max(total, 1))


class URNType(click.ParamType):
    """A school's URN on the command line, read by :func:`attendwise.identifiers.parse_urn` (so never
    ``+104109``, ``104_109`` or `` 104109``, which ``int`` would read as 104109)."""

    name = "URN"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # a default given as a number is checked like a typed one
        try:
            return parse_urn(value if isinstance(value, str) else repr(value))
        except IdentifierError as exc:
            self.fail(str(exc), param, ctx)


URN = URNType()


@contextmanager
def _progress() -> Iterator[Callable[[str, int, int], None]]:
    with Progress(
        TextColumn("[progress.description]{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=not err_console.is_terminal,
    ) as progress:
        bars = _Bars(progress)
        yield bars
        for task in progress.tasks:
            progress.update(task.id, completed=task.total)


def _open_store(ctx: click.Context, *, read_only: bool = False) -> Store:
    path = ctx.obj["store"]
    if read_only and not Path(path).exists():
        raise click.ClickException(f"no store at {path}: run 'attendwise import FOLDER' first")
    try:
        return Store(path, read_only=read_only)
    except AttendwiseError as exc:  # in use by another process, say
        raise click.ClickException(str(exc)) from None


def _period(store: Store, text: str | None) -> Period:
    if text is None:
        latest = store.latest_mark()
        if latest is None:
            raise click.ClickException("the store holds no marks yet: run 'attendwise import FOLDER' first")
        from attendwise.calendar import AcademicYear

        text = AcademicYear.containing(latest).label
    return parse_period(text, half_term_starts=store.half_term_starts(), latest_mark=store.latest_mark())


def _emit(frame: pd.DataFrame, fmt: str, title: str, output: Path | None, table_columns: list[str]) -> None:
    if fmt == "csv":
        text = frame_csv(frame)  # names from schools as text, never formulas
    elif fmt == "json":
        text = json.dumps(json.loads(frame.to_json(orient="records", date_format="iso")), indent=2) + "\n"
    else:
        _print_table(frame, title, table_columns)
        return
    if output:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"Wrote {len(frame):,} rows to {output}")
    else:
        sys.stdout.write(text)


def _print_table(frame: pd.DataFrame, title: str, keys: list[str], columns: dict | None = None) -> None:
    columns = columns or TABLE_COLUMNS
    table = Table(title=title, title_justify="left", header_style="bold")
    for key in keys:
        table.add_column(key.replace("_", " ").capitalize())
    for col, (label, _) in columns.items():
        if col in frame:
            table.add_column(label, justify="right")
    for _, row in frame.iterrows():
        cells = [str(row[k]) for k in keys]
        for col, (_, fmt) in columns.items():
            if col in frame:
                value = row[col]
                cells.append("" if pd.isna(value) else fmt.format(value))
        table.add_row(*cells)
    console.print(table)


def _describe_import(result: ImportResult, seconds: float) -> str:
    return f"Import {result.import_id} done in {seconds:.1f} s. " + " ".join(result.changes())


# ------------------------------------------------------------------------------------------
# Commands
# ------------------------------------------------------------------------------------------
@click.group()
@click.option(
    "--store",
    type=click.Path(dir_okay=False, path_type=Path),
    default=default_store_path,
    show_default="$ATTENDWISE_STORE or ~/.local/share/attendwise/attendwise.duckdb",
    help="The register store (a DuckDB file).",
)
@click.option(
    "--memory-limit",
    envvar="ATTENDWISE_MEMORY_LIMIT",
    help="The most memory the store may use before spilling to disk, e.g. 2GB "
    "(default $ATTENDWISE_MEMORY_LIMIT, else 80% of RAM).",
)
@click.version_option(package_name="attendwise")
@click.pass_context
def main(ctx: click.Context, store: Path, memory_limit: str | None) -> None:
    """attendwise: see every child who is missing school early enough to help."""
    if memory_limit:
        try:
            # Every store this process opens (the web app's too, under serve) uses it.
            os.environ["ATTENDWISE_MEMORY_LIMIT"] = memory_size(memory_limit)
        except AttendwiseError as exc:
            raise click.BadParameter(str(exc), param_hint="--memory-limit") from None
    ctx.obj = {"store": store}


@main.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, folder: Path) -> None:
    """Check and import a folder of register CSV files (docs/csv-layout.md).

    Nothing is stored unless every file is good; each problem is listed with its file, line
    and field. Importing the same files again changes nothing; a later file with corrected codes
    supersedes the stored marks and keeps the old ones in the history.
    """
    with _open_store(ctx) as store:
        started = time.perf_counter()
        try:
            with _progress() as bars:
                result = import_folder(store, folder, progress=bars)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
        console.print(_describe_import(result, time.perf_counter() - started))


@main.command()
@click.option(
    "--period",
    help="2024/25, 2024/25-autumn, 2024/25-summer-2, 2024/25-ytd or 2024-09-01..2024-10-31 "
    "(default: the latest academic year in the store).",
)
@click.option(
    "--by",
    default="",
    help="Comma-separated groupings: la, school, phase, year, sex, fsm, sen, need, "
    "ethnicity, ethnicity_minor, language, cla, cin, cpp.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--all-ages", is_flag=True, help="Include reception and sixth form (default: ages 5-15, as the DfE).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def measures(ctx: click.Context, period: str | None, by: str, fmt: str, all_ages: bool, output: Path | None) -> None:
    """Absence measures exactly as the DfE publishes them, for any period and grouping.

    CSV and JSON carry every DfE column (sessions, rates, persistent and severe absence, reasons)
    with unrounded percentages; the table shows the headline columns.
    """
    with _open_store(ctx, read_only=True) as store:
        try:
            p = _period(store, period)
            population = Population.all_ages() if all_ages else Population()
            frame = measure_table(store, p, by, population)
            keys = resolve_grouping(by)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    _emit(frame, fmt, f"Absence, {p.describe()}, {population.describe()}", output, keys)


@main.command()
@click.option(
    "--scheme",
    default="five-categories",
    show_default=True,
    help=f"A preset ({', '.join(PRESETS)}) or the path of an LA's scheme (TOML).",
)
@click.option("--period", help="As for 'measures' (default: the latest academic year).")
@click.option("--by", default="", help="Groupings, as for 'measures' (e.g. school).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--all-ages", is_flag=True, help="Include reception and sixth form.")
@click.option("--list", "list_", is_flag=True, help="Describe the shipped schemes and stop.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def bands(
    ctx: click.Context,
    scheme: str,
    period: str | None,
    by: str,
    fmt: str,
    all_ages: bool,
    list_: bool,
    output: Path | None,
) -> None:
    """Pupils in each attendance band or intervention stage (counts and percentages)."""
    try:
        if list_:
            for name in PRESETS:
                console.print(f"[bold]{name}[/bold]\n{load_scheme(name).describe()}\n")
            return
        chosen = load_scheme(scheme)
        with _open_store(ctx, read_only=True) as store:
            p = _period(store, period)
            keys = resolve_grouping(by)
            population = Population.all_ages() if all_ages else Population()
            frame = band_counts(enrolment_absence(store, p, population), chosen, keys).to_pandas()
    except AttendwiseError as exc:
        raise click.ClickException(str(exc)) from None
    if fmt == "table":
        _print_table(
            frame,
            f"{chosen.name}, {p.describe()}",
            [*keys, "band_name"],
            {"enrolments": ("Pupils", "{:,.0f}"), "percent": ("%", "{:.1f}")},
        )
    else:
        _emit(frame, fmt, chosen.name, output, keys)


@main.command("disproportionality")
@click.option("--period", help="As for 'measures' (default: the latest academic year).")
@click.option(
    "--characteristics",
    default=",".join(DEFAULT_CHARACTERISTICS),
    show_default=True,
    help=f"Comma-separated: {', '.join(CHARACTERISTICS)}.",
)
@click.option("--school", type=URN, help="One school (URN) instead of the whole LA.")
@click.option("--phase", type=click.Choice(["primary", "secondary", "special"]), help="One phase.")
@click.option("--pairs", is_flag=True, help="Also test every pair of characteristics.")
@click.option("--flagged-only", is_flag=True, help="Only groups that are clearly over-represented.")
@click.option(
    "--adjust",
    metavar="CHARACTERISTIC=GROUP",
    help="Adjusted view for one group, e.g. 'ethnicity_minor=Gypsy / Roma' (controls: FSM, SEN, year).",
)
@click.option(
    "--drivers",
    metavar="CHARACTERISTIC=GROUP",
    help="Which schools drive the LA-wide gap for one group, e.g. 'fsm=FSM eligible'.",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def disproportionality_(
    ctx: click.Context,
    period: str | None,
    characteristics: str,
    school: int | None,
    phase: str | None,
    pairs: bool,
    flagged_only: bool,
    adjust: str | None,
    drivers: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Which groups are over-represented among persistent and severe absentees, with intervals and tests."""
    from attendwise.disproportionality import (
        adjusted_effect,
        disproportionality_table,
        enrolment_frame,
        schools_driving_gap,
    )

    chosen = [c.strip() for c in characteristics.split(",") if c.strip()]
    with _open_store(ctx, read_only=True) as store:
        try:
            p = _period(store, period)
            if adjust:
                characteristic, _, group = adjust.partition("=")
                frame = enrolment_frame(store, p)
                console.print(adjusted_effect(frame, characteristic.strip(), group.strip()).describe())
                return
            if drivers:
                characteristic, _, group = drivers.partition("=")
                table = schools_driving_gap(enrolment_frame(store, p), characteristic.strip(), group.strip())
                if fmt != "table":
                    _emit(table, fmt, "Drivers", output, [])
                    return
                _print_table(
                    table.head(20),
                    f"Schools behind the gap for {group.strip()}, {p.label}",
                    ["school_urn", "school_name"],
                    {
                        "group_enrolments": ("Pupils in group", "{:,.0f}"),
                        "group_absentees": ("Persistently absent", "{:,.0f}"),
                        "expected_absentees": ("Expected", "{:,.1f}"),
                        "excess_absentees": ("Excess", "{:+,.1f}"),
                        "share_of_excess": ("% of LA excess", "{:.1f}"),
                    },
                )
                return
            table = disproportionality_table(store, p, chosen, school=school, phase=phase, pairs=pairs)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if flagged_only:
        table = table[(table.pa_flag == "over-represented") | (table.sa_flag == "over-represented")]
    if fmt == "table":
        _print_table(
            table,
            f"Disproportionality, {p.describe()}",
            ["characteristic", "group"],
            {
                "enrolments": ("Pupils", "{:,.0f}"),
                "share_of_pupils": ("% of pupils", "{:.1f}"),
                "share_of_pa": ("% of PA", "{:.1f}"),
                "pa_rate": ("PA %", "{:.1f}"),
                "pa_risk_ratio": ("PA risk ratio", "{:.2f}"),
                "pa_rr_low": ("CI low", "{:.2f}"),
                "pa_rr_high": ("CI high", "{:.2f}"),
                "pa_flag": ("PA", "{}"),
                "sa_risk_ratio": ("SA risk ratio", "{:.2f}"),
                "sa_flag": ("SA", "{}"),
            },
        )
    else:
        _emit(table, fmt, "Disproportionality", output, [])


@main.command("trends")
@click.option("--level", type=click.Choice(["year", "term", "half_term"]), default="term", show_default=True)
@click.option("--by", default="", help="Groupings, as for 'measures'.")
@click.option("--change", is_flag=True, help="This year to date against the same point last year instead.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def trends_(ctx: click.Context, level: str, by: str, change: bool, fmt: str, output: Path | None) -> None:
    """Headline measures for every year, term or half term in the store, or the change on last year."""
    from attendwise.trends import HEADLINES, change_on_last_year, trend

    with _open_store(ctx, read_only=True) as store:
        try:
            keys = resolve_grouping(by)
            frame = change_on_last_year(store, by) if change else trend(store, level, by)  # type: ignore[arg-type]
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if fmt != "table":
        _emit(frame, fmt, "Trends", output, keys)
    elif change:
        columns = {
            f"{m}{suffix}": (
                f"{TABLE_COLUMNS.get(m, (m, ''))[0]}{label}",
                "{:+.1f}" if suffix == "_change" else "{:.1f}",
            )
            for m in HEADLINES[1:]
            for suffix, label in (("", ""), ("_last_year", " last year"), ("_change", " change"))
        }
        _print_table(frame, "This year to date against the same point last year", ["period", *keys], columns)
    else:
        _print_table(frame, f"Absence by {level.replace('_', ' ')}", ["period", *keys])


@main.command("compare")
@click.option("--period", help="A year or a term (default: the latest academic year).")
@click.option(
    "--la",
    "la_code",
    help="The LA's 3-digit number, for its published figures and neighbours (default: the store's LA).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.pass_context
def compare_(ctx: click.Context, period: str | None, la_code: str | None, fmt: str) -> None:
    """The LA beside England, its region and its statistical neighbours (load their files with 'reference')."""
    from attendwise.reference import REFERENCE_MEASURES, compare_with_reference

    with _open_store(ctx, read_only=True) as store:
        try:
            p = _period(store, period)
            frame = compare_with_reference(store, p, la_code)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if fmt == "table":
        _print_table(
            frame,
            f"Comparison, {p.describe()}",
            ["comparator", "basis"],
            {m: TABLE_COLUMNS[m] for m in REFERENCE_MEASURES},
        )
    else:
        _emit(frame, fmt, "Comparison", None, [])


@main.command("reference")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def reference_(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Load DfE published files to compare against: absence/attendance CSVs, or the sn_*.xlsx neighbours."""
    from attendwise.reference import load_reference_file, load_statistical_neighbours

    with _open_store(ctx) as store:
        for path in files:
            try:
                if path.suffix.lower() in {".xlsx", ".xls"}:
                    n = load_statistical_neighbours(store, path)
                    console.print(f"{path.name}: {n:,} statistical neighbour pairs loaded")
                else:
                    n = load_reference_file(store, path)
                    console.print(f"{path.name}: {n:,} reference rows loaded")
            except AttendwiseError as exc:
                raise click.ClickException(str(exc)) from None


@main.command("at-risk")
@click.option("--school", type=URN, help="One school (URN).")
@click.option(
    "--weeks",
    type=int,
    help="Score as of the end of this many school weeks of the latest year (default: as of the latest mark).",
)
@click.option("--limit", type=int, default=50, show_default=True, help="Rows in the table (csv/json give all).")
@click.option(
    "--include-absent",
    is_flag=True,
    help="Include pupils already persistently absent (default: those "
    "not yet persistently absent, the early-warning list).",
)
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def at_risk_(
    ctx: click.Context,
    school: int | None,
    weeks: int | None,
    limit: int,
    include_absent: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Pupils most likely to end the year persistently or severely absent, with the reasons, riskiest first."""
    from attendwise.calendar import AcademicYear
    from attendwise.early_warning import at_risk, year_grid

    with _open_store(ctx, read_only=True) as store:
        try:
            as_of = None
            if weeks is not None:
                latest = store.latest_mark()
                if latest is None:
                    raise click.ClickException("the store holds no marks")
                grid = year_grid(store, AcademicYear.containing(latest))
                if not 1 <= weeks <= grid.weeks:
                    raise click.ClickException(f"--weeks must be 1 to {grid.weeks} for {grid.year.label}")
                as_of = grid.week_starts[weeks] - dt.timedelta(days=1) if weeks < grid.weeks else latest
            frame = at_risk(store, as_of=as_of, school=school)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if not include_absent:
        frame = frame[frame.attendance_percent > 90]
    if fmt == "table":
        title = (
            f"At risk, as of {frame.as_of.iloc[0]:%d %b %Y} (school week {frame.school_week.iloc[0]})"
            if len(frame)
            else "At risk: nobody on roll"
        )
        _print_table(
            frame.head(limit),
            title,
            ["upn", "school_name", "nc_year"],
            {
                "attendance_percent": ("Attendance %", "{:.1f}"),
                "projected_attendance_percent": ("Projected %", "{:.1f}"),
                "risk_pa": ("Risk of PA", "{:.0%}"),
                "risk_sa": ("Risk of SA", "{:.0%}"),
                "reasons": ("Reasons", "{}"),
            },
        )
    else:
        _emit(frame, fmt, "At risk", output, [])


@main.command("transition")
@click.option(
    "--into",
    type=click.Choice(["secondary", "infant"]),
    default="secondary",
    show_default=True,
    help="Year 6 to 7 (secondary), or into Reception and Year 1 (infant).",
)
@click.option("--school", type=URN, help="One school (URN).")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows in the table (csv/json give all).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def transition_(ctx: click.Context, into: str, school: int | None, limit: int, fmt: str, output: Path | None) -> None:
    """Pupils at a transition point, with last year's attendance beside this year's, riskiest first."""
    from attendwise.early_warning import transition

    with _open_store(ctx, read_only=True) as store:
        try:
            frame = transition(store, into=into)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if school is not None:
        frame = frame[frame.urn == school]
    if fmt == "table":
        _print_table(
            frame.head(limit),
            f"Transition into {into} school",
            ["upn", "school_name", "nc_year"],
            {
                "last_year_attendance_percent": ("Last year %", "{:.1f}"),
                "attendance_percent": ("This year %", "{:.1f}"),
                "change_points": ("Change", "{:+.1f}"),
                "risk_pa": ("Risk of PA", "{:.0%}"),
                "reasons": ("Reasons", "{}"),
            },
        )
    else:
        _emit(frame, fmt, "Transition", output, [])


@main.command("backtest")
@click.option("--weeks", default="4,8,12", show_default=True, help="School weeks to predict from.")
@click.option("--year", "test_year", help="The year to test on (default: the latest complete year).")
@click.option("--threshold", type=float, default=0.5, show_default=True, help="Risk at which the model flags.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.pass_context
def backtest_(ctx: click.Context, weeks: str, test_year: str | None, threshold: float, fmt: str) -> None:
    """How well early warning would have done on a past year, trained only on the years before it."""
    from attendwise.backtest import backtest
    from attendwise.calendar import AcademicYear

    with _open_store(ctx, read_only=True) as store:
        try:
            report = backtest(
                store,
                tuple(int(w) for w in weeks.split(",")),
                threshold=threshold,
                test_year=AcademicYear.parse(test_year) if test_year else None,
            )
        except (AttendwiseError, ValueError) as exc:
            raise click.ClickException(str(exc)) from None
    if fmt == "text":
        console.print(report.describe())
        for n, table in report.calibration.items():
            _print_table(
                table.assign(band=[f"{i + 1}" for i in range(len(table))]),
                f"Calibration after {n} weeks (tenths of pupils by predicted risk)",
                ["band"],
                {
                    "pupils": ("Pupils", "{:,.0f}"),
                    "mean_predicted": ("Predicted", "{:.1%}"),
                    "observed": ("Observed", "{:.1%}"),
                },
            )
    else:
        _emit(report.summary, fmt, "Backtest", None, [])


@main.command("tsm-pack")
@click.option("--school", type=URN, help="The school's URN.")
@click.option("--all-schools", is_flag=True, help="A pack for every school in the store (with --out-dir).")
@click.option("--term", required=True, help="The term, e.g. 2024/25-autumn.")
@click.option(
    "--as-at",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The pack's date, YYYY-MM-DD (default: the last mark in the store within the term).",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The pack file for --school: .xlsx (a workbook) or .html (print-ready).",
)
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder for every school's pack, with --all-schools.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "html"]),
    default="xlsx",
    show_default=True,
    help="The packs' format with --all-schools.",
)
@click.option(
    "--scheme",
    default="five-categories",
    show_default=True,
    help=f"The LA's attendance categories: a preset ({', '.join(PRESETS)}) or a scheme file (TOML).",
)
@click.option(
    "--cme",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A file of UPNs recorded as children missing education, one a line: left out of the "
    "'no attendance in the last 3 school weeks' list.",
)
@click.option("--discuss", multiple=True, metavar="UPN", help="A pupil the school asks to discuss (repeatable).")
@click.option(
    "--actions",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The previous meeting's actions for --school, a CSV with columns upn, agreed_on (YYYY-MM-DD), "
    "action and optionally owner.",
)
@click.pass_context
def tsm_pack_(
    ctx: click.Context,
    school: int | None,
    all_schools: bool,
    term: str,
    as_at: dt.datetime | None,
    out: Path | None,
    out_dir: Path | None,
    fmt: str,
    scheme: str,
    cme: Path | None,
    discuss: tuple[str, ...],
    actions: Path | None,
) -> None:
    """The Targeting Support Meeting pack for a school and a term, or for every school.

    Each pack holds the school's attendance against the LA, its phase and England, this year against
    last, the attendance categories, every severely and persistently absent pupil (with trend, band
    history and reasons), pupils with no attendance this year or in the last 3 school weeks
    (unauthorised only), pupils at risk, the LA's priority cohorts, and the pupils and previous actions
    given with --discuss and --actions.
    """
    from attendwise.reports.tsm import TSMInputs, pack_filename, read_previous_actions, tsm_packs, write_pack

    if (school is None) == (not all_schools):
        raise click.UsageError("give either --school URN or --all-schools")
    if school is not None and (out is None or out_dir is not None):
        raise click.UsageError("--school needs --out FILE (.xlsx or .html)")
    if all_schools and (out_dir is None or out is not None or discuss or actions):
        raise click.UsageError("--all-schools needs --out-dir DIR (and takes no --out, --discuss or --actions)")
    if out is not None and out.suffix.lower() not in (".xlsx", ".html"):
        raise click.UsageError(f"--out {out.name}: the pack is written as .xlsx or .html")
    started = time.perf_counter()
    with _open_store(ctx, read_only=True) as store:
        try:
            excluded = None
            if cme is not None:
                lines = cme.read_text(encoding="utf-8-sig").splitlines()
                excluded = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
            inputs = {}
            if school is not None:
                previous = read_previous_actions(actions) if actions else ()
                inputs[school] = TSMInputs(tuple(discuss), previous)
            with _progress() as bars:
                packs = tsm_packs(
                    store,
                    term,
                    schools=[school] if school is not None else None,
                    as_at=as_at.date() if as_at else None,
                    inputs=inputs,
                    exclude_cme=excluded,
                    scheme=scheme,
                    progress=bars,
                )
                if out_dir is not None:
                    out_dir.mkdir(parents=True, exist_ok=True)
                written = []
                for i, pack in enumerate(packs.values(), start=1):
                    target = out if out is not None else out_dir / pack_filename(pack, fmt)  # type: ignore[operator]
                    written.append(write_pack(pack, target))
                    bars("Writing packs", i, len(packs))
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
        except OSError as exc:
            raise click.ClickException(f"cannot write the pack: {exc}") from None
    seconds = time.perf_counter() - started
    first = next(iter(packs.values()))
    if out is not None:
        console.print(
            f"Wrote the {first.term.label} pack for {first.school_name} ({first.urn}), as at "
            f"{first.as_at:%d %b %Y}, to {out} in {seconds:.1f} s: {len(first.severely_absent)} severely and "
            f"{len(first.persistently_absent)} persistently absent pupils on roll."
        )
    else:
        console.print(
            f"Wrote {len(written)} {first.term.label} packs, as at {first.as_at:%d %b %Y}, to {out_dir} "
            f"in {seconds:.1f} s."
        )


@main.command()
@click.option("--set", "code_set", type=click.Choice(sorted(CODE_SETS)), default="2024", show_default=True)
def codes(code_set: str) -> None:
    """The national attendance codes of a code set, with their statistical category."""
    table = Table(title=f"{code_set} attendance codes", title_justify="left", header_style="bold")
    for col in ("Code", "Meaning", "Category", "DfE reason column"):
        table.add_column(col)
    for code in CODE_SETS[code_set].values():
        table.add_row(code.code, code.meaning, code.category.value, code.reason or "")
    console.print(table)


@main.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """What the store holds."""
    with _open_store(ctx, read_only=True) as store:
        s = store.summary()
    console.print(f"Store {ctx.obj['store']}")
    console.print(
        f"  {s.schools:,} schools, {s.pupils:,} pupils, {s.enrolments:,} enrolments, {s.marks:,} marks "
        f"from {s.imports} import{'s' if s.imports != 1 else ''}"
    )
    if s.first_mark:
        console.print(f"  sessions from {s.first_mark:%d %b %Y} to {s.latest_mark:%d %b %Y}")


def _until_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | str | None:
    """``--until``: a date (YYYY-MM-DD), or ``none`` for whole years (returned as the string "none")."""
    if value is None or value.strip().lower() == "none":
        return None if value is None else "none"
    try:
        return parse_date(value.strip())
    except IdentifierError:
        raise click.BadParameter(f"{show(value)} is not a date (YYYY-MM-DD) or 'none'") from None


def _city_spec(**kwargs: Any) -> CitySpec:
    """A :class:`CitySpec`, its ValueErrors (e.g. an ``--until`` outside the years) as usage errors."""
    from attendwise.demo import CitySpec

    try:
        return CitySpec(**kwargs)
    except ValueError as exc:
        raise click.UsageError(str(exc)) from None


@main.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--pupils", default=60_000, show_default=True, help="Pupils on roll in the first year.")
@click.option("--schools", default=130, show_default=True, help="Schools in the city.")
@click.option("--first-year", default=2024, show_default=True, help="First academic year (2024 is 2024/25).")
@click.option("--years", default=1, show_default=True, help="Academic years of marks.")
@click.option("--seed", default=20240901, show_default=True)
@click.option(
    "--until",
    callback=_until_option,
    metavar="DATE|none",
    help="Cut the files at the end of this day (YYYY-MM-DD), as an LA's store stands then "
    "(default: none, whole years).",
)
def generate(
    folder: Path, pupils: int, schools: int, first_year: int, years: int, seed: int, until: dt.date | str | None
) -> None:
    """Write a synthetic city's registers as CSV (the layout 'import' reads)."""
    from attendwise.demo import generate_city

    spec = _city_spec(
        pupils=pupils,
        schools=schools,
        first_year=first_year,
        years=years,
        seed=seed,
        until=until if isinstance(until, dt.date) else None,
    )
    started = time.perf_counter()
    with _progress() as bars:
        summary = generate_city(folder, spec, progress=bars)
    console.print(
        f"Wrote {summary.marks:,} marks for {summary.enrolments:,} enrolments in {summary.schools} "
        f"schools to {folder} in {time.perf_counter() - started:.1f} s"
    )


@main.command()
@click.option("--pupils", default=60_000, show_default=True)
@click.option("--schools", default=130, show_default=True)
@click.option("--years", default=2, show_default=True, help="Academic years of marks.")
@click.option("--first-year", default=2023, show_default=True, help="First academic year (2023 is 2023/24).")
@click.option(
    "--until",
    callback=_until_option,
    metavar="DATE|none",
    help="The demo store as it stands at the end of this day (YYYY-MM-DD): no marks, admissions, "
    "leaving dates or closures after it. Default: the last school day before the February half term "
    "of the last year (14 Feb 2025 with the defaults), so the store holds 2023/24 whole and 2024/25 "
    "to mid-February, as an LA's store does mid-year: early warning has a year to go, and a year "
    "before to learn from and compare with. 'none' gives whole years.",
)
@click.option(
    "--folder",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to put the demo city and its store (default: beside the default store).",
)
@click.option(
    "--serve/--no-serve",
    "serve_after",
    default=True,
    show_default=True,
    help="End by serving the web app on the demo city, with one account per role.",
)
@click.option("--port", default=8000, show_default=True, type=int, help="Port for the web app.")
@click.pass_context
def demo(
    ctx: click.Context,
    pupils: int,
    schools: int,
    years: int,
    first_year: int,
    until: dt.date | str | None,
    folder: Path | None,
    serve_after: bool,
    port: int,
) -> None:
    """Generate the synthetic city, import it, show what attendwise finds, and serve the web app on it.

    By default the city is cut mid-year (see --until): last year whole and this year to mid-February.
    """
    from attendwise.demo import generate_city, last_day_before_february_half_term

    folder = folder or default_store_path().parent / "demo"
    city, store_path = folder / "city", folder / "demo.duckdb"
    if city.exists():
        shutil.rmtree(city)
    for stale in (store_path, store_path.with_suffix(".duckdb.wal")):
        stale.unlink(missing_ok=True)
    if until is None and years >= 1:
        until = last_day_before_february_half_term(first_year + years - 1)
    spec = _city_spec(
        pupils=pupils,
        schools=schools,
        years=years,
        first_year=first_year,
        until=until if isinstance(until, dt.date) else None,
    )
    console.print(
        f"[bold]attendwise demo[/bold]: the synthetic city of {spec.la_name} "
        f"(about {pupils:,} pupils, {schools} schools, {_demo_years(spec)})"
    )
    started = time.perf_counter()
    with _progress() as bars:
        summary = generate_city(city, spec, progress=bars)
    console.print(f"Generated {summary.marks:,} session marks in {time.perf_counter() - started:.1f} s: {city}")
    # The demo's import holds at most DEMO_MEMORY_LIMIT (unless one is set), so it runs on a laptop: on
    # the 35M-mark city it peaks at 3.7 GB instead of 10 GB, in the same time.
    with Store(store_path, memory_limit=os.environ.get("ATTENDWISE_MEMORY_LIMIT") or DEMO_MEMORY_LIMIT) as store:
        started = time.perf_counter()
        with _progress() as bars:
            result = import_folder(store, city, progress=bars)
        console.print(_describe_import(result, time.perf_counter() - started))
        _demo_report(store)
    console.print(
        f"\nThe store is at {store_path}. Try:\n"
        f"  attendwise --store {store_path} measures --by phase,fsm\n"
        f"  attendwise --store {store_path} bands --by school --format csv -o bands.csv\n"
        f"  attendwise --store {store_path} serve --demo"
    )
    if serve_after:
        ctx.obj["store"] = store_path
        ctx.invoke(serve, demo=True, port=port)


#: The memory the demo's import may hold before spilling to disk (``--memory-limit`` overrides it).
DEMO_MEMORY_LIMIT = "3GB"


def _demo_years(spec: CitySpec) -> str:
    """``2023/24 whole and 2024/25 to 14 Feb 2025``, or ``2023/24 and 2024/25`` without a cut."""
    labels = [f"{y}/{(y + 1) % 100:02d}" for y in range(spec.first_year, spec.first_year + spec.years_written)]
    if spec.until is None:
        return " and ".join(labels)
    whole = ", ".join(labels[:-1])
    return f"{whole + ' whole and ' if whole else ''}{labels[-1]} to {spec.until:%d %b %Y}"


def _demo_report(store: Store) -> None:
    from attendwise.reports.overview import demo_report

    for title, frame, keys, columns in demo_report(store):
        _print_table(frame, title, keys, columns)


main.add_command(serve)

if __name__ == "__main__":  # pragma: no cover
    main()
