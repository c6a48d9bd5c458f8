"""What every verb shares: the consoles, progress bars, the store and the period asked for, the options
several verbs take (declared once here), and writing a table on the terminal, as CSV or as JSON (each a
documents :class:`~attendwise.documents.tables.Table`, written by the documents layer's writers)."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click
import pandas as pd
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from attendwise.core.calendar import AcademicYear, Period, parse_period
from attendwise.core.cohorts import DEFAULT_COHORTS, Cohorts, load_cohorts
from attendwise.core.errors import AttendwiseError
from attendwise.core.identifiers import IdentifierError, parse_date, parse_urn
from attendwise.documents.spreadsheets import table_csv
from attendwise.documents.tables import Column, Kind, Table, data_table, table_from_frame, table_json
from attendwise.documents.terminal import rich_table
from attendwise.ingest import ImportResult
from attendwise.store import Store

console = Console()
err_console = Console(stderr=True)

#: The measures ``--format table`` shows, where a frame has them (csv and json give every column, unrounded).
MEASURE_COLUMNS = (
    Column("enrolments", "Enrolments", Kind.COUNT),
    Column("sess_possible", "Possible sessions", Kind.COUNT),
    Column("sess_overall_percent", "Overall absence %", Kind.PERCENT),
    Column("sess_authorised_percent", "Authorised %", Kind.PERCENT),
    Column("sess_unauthorised_percent", "Unauthorised %", Kind.PERCENT),
    Column("enrolments_pa_10_exact", "Persistently absent", Kind.COUNT),
    Column("enrolments_pa_10_exact_percent", "PA %", Kind.PERCENT),
    Column("enrolments_pa_50_exact", "Severely absent", Kind.COUNT),
    Column("enrolments_pa_50_exact_percent", "SA %", Kind.PERCENT),
)


class Bars:
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
    """A school's URN on the command line, read by :func:`attendwise.core.identifiers.parse_urn` (so never
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


class DateType(click.ParamType):
    """A date on the command line, written YYYY-MM-DD (:func:`attendwise.core.identifiers.parse_date`)."""

    name = "YYYY-MM-DD"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value).strip())
        except IdentifierError as exc:
            self.fail(str(exc), param, ctx)


DATE = DateType()


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int, int], None]]:
    with Progress(
        TextColumn("[progress.description]{task.description:<28}"),
        BarColumn(),
        TextColumn("{task.percentage:>5.1f}%"),
        TimeElapsedColumn(),
        console=err_console,
        transient=False,
        disable=not err_console.is_terminal,
    ) as progress:
        bars = Bars(progress)
        yield bars
        for task in progress.tasks:
            progress.update(task.id, completed=task.total)


def open_store(ctx: click.Context, *, read_only: bool = False) -> Store:
    path = ctx.obj["store"]
    if read_only and not Path(path).exists():
        raise click.ClickException(f"no store at {path}: run 'attendwise import FOLDER' first")
    try:
        return Store(path, read_only=read_only)
    except AttendwiseError as exc:  # in use by another process, say
        raise click.ClickException(str(exc)) from None


def cohorts_of(ctx: click.Context) -> Cohorts:
    """The LA's priority cohorts (``--cohorts``, ``ATTENDWISE_COHORTS``), read when a verb needs them."""
    found = ctx.find_root().obj
    if not isinstance(found.get("cohorts"), Cohorts):
        try:
            found["cohorts"] = load_cohorts(found.get("cohorts") or DEFAULT_COHORTS)
        except AttendwiseError as exc:
            raise click.BadParameter(str(exc), param_hint="--cohorts") from None
    return found["cohorts"]


def period_of(store: Store, text: str | None) -> Period:
    if text is None:
        latest = store.latest_mark()
        if latest is None:
            raise click.ClickException("the store holds no marks yet: run 'attendwise import FOLDER' first")
        text = AcademicYear.containing(latest).label
    return parse_period(text, half_term_starts=store.half_term_starts(), latest_mark=store.latest_mark())


def measure_column(key: str) -> Column:
    """The column of one of :data:`MEASURE_COLUMNS` by its key."""
    return next(c for c in MEASURE_COLUMNS if c.key == key)


def frame_table(
    frame: pd.DataFrame, title: str, keys: Sequence[str], columns: Sequence[Column] = MEASURE_COLUMNS
) -> Table:
    """What ``--format table`` shows of a frame: its key columns as text (``school_name`` headed "School
    name"), then those of ``columns`` the frame has."""
    shown = [Column(k, k.replace("_", " ").capitalize()) for k in keys]
    return table_from_frame(frame, title, [*shown, *(c for c in columns if c.key in frame)], row_headers=False)


def emit(
    frame: pd.DataFrame,
    fmt: str,
    title: str,
    output: Path | None,
    keys: Sequence[str],
    columns: Sequence[Column] = MEASURE_COLUMNS,
) -> None:
    """Write a frame as ``--format`` asks: on the terminal (:func:`frame_table`), or every column as CSV or JSON."""
    if fmt == "table":
        print_table(frame_table(frame, title, keys, columns))
        return
    whole = data_table(frame, title)
    text = table_csv(whole) if fmt == "csv" else table_json(whole)  # names from schools as text, never formulas
    if output:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"Wrote {len(frame):,} rows to {output}")
    else:
        sys.stdout.write(text)


def print_table(table: Table) -> None:
    """A table on the terminal."""
    console.print(rich_table(table))


def describe_import(result: ImportResult, seconds: float) -> str:
    return f"Import {result.import_id} done in {seconds:.1f} s. " + " ".join(result.changes())


# -- Options several verbs take, declared once ------------------------------------------------------
def format_option(*choices: str, default: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--format``: how a verb writes its answer (``table`` on the terminal, ``csv`` or ``json`` by default)."""
    choices = choices or ("table", "csv", "json")
    return click.option(
        "--format", "fmt", type=click.Choice(list(choices)), default=default or choices[0], show_default=True
    )


#: ``--output`` / ``-o``: write the CSV or JSON to a file instead of standard output.
output_option = click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")


def period_option(
    text: str = "As for 'measures' (default: the latest academic year).",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--period``: a year, term, half term, year to date or date range (see 'measures'), with its help text."""
    return click.option("--period", help=text)
