"""Verbs for what the store holds: import registers and published figures, list the codes, say what is stored."""

from __future__ import annotations

import time
from pathlib import Path

import click
from rich.table import Table

from attendwise.cli.common import (
    cohorts_of,
    console,
    describe_import,
    open_store,
    progress_bars,
)
from attendwise.core.codes import CODE_SETS
from attendwise.core.errors import AttendwiseError
from attendwise.ingest import import_folder


@click.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.pass_context
def import_(ctx: click.Context, folder: Path) -> None:
    """Check and import a folder of register CSV files (docs/csv-layout.md).

    Nothing is stored unless every file is good; each problem is listed with its file, line
    and field. Importing the same files again changes nothing; a later file with corrected codes
    supersedes the stored marks and keeps the old ones in the history.
    """
    with open_store(ctx) as store:
        started = time.perf_counter()
        try:
            with progress_bars() as bars:
                result = import_folder(store, folder, cohorts=cohorts_of(ctx), progress=bars)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
        console.print(describe_import(result, time.perf_counter() - started))


@click.command("reference")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def reference_(ctx: click.Context, files: tuple[Path, ...]) -> None:
    """Load DfE published files to compare against: absence/attendance CSVs, or the sn_*.xlsx neighbours."""
    from attendwise.measures.reference import load_reference_file, load_statistical_neighbours

    with open_store(ctx) as store:
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


@click.command()
@click.option("--set", "code_set", type=click.Choice(sorted(CODE_SETS)), default="2024", show_default=True)
def codes(code_set: str) -> None:
    """The national attendance codes of a code set, with their statistical category."""
    table = Table(title=f"{code_set} attendance codes", title_justify="left", header_style="bold")
    for col in ("Code", "Meaning", "Category", "DfE reason column"):
        table.add_column(col)
    for code in CODE_SETS[code_set].values():
        table.add_row(code.code, code.meaning, code.category.value, code.reason or "")
    console.print(table)


@click.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """What the store holds."""
    with open_store(ctx, read_only=True) as store:
        s = store.summary()
    console.print(f"Store {ctx.obj['store']}")
    console.print(
        f"  {s.schools:,} schools, {s.pupils:,} pupils, {s.enrolments:,} enrolments, {s.marks:,} marks "
        f"from {s.imports} import{'s' if s.imports != 1 else ''}"
    )
    if s.first_mark:
        console.print(f"  sessions from {s.first_mark:%d %b %Y} to {s.latest_mark:%d %b %Y}")
