"""The verb for casework: ``attendwise cases``, the case store's cases as a table, CSV or JSON."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from attendwise.cli.common import URN, console, emit, format_option, frame_table, output_option, print_table
from attendwise.core.errors import AttendwiseError


@click.command("cases")
@click.option("--school", type=URN, help="Only this school's cases (its URN).")
@click.option("--stage", help="Only cases at this stage: its number (2) or key (early_intervention).")
@click.option("--officer", help="Only cases naming this LA officer (their user name).")
@click.option(
    "--status", type=click.Choice(["open", "closed", "all"]), default="open", show_default=True, help="Which cases."
)
@format_option()
@output_option
@click.pass_context
def cases_(
    ctx: click.Context,
    school: int | None,
    stage: str | None,
    officer: str | None,
    status: str,
    fmt: str,
    output: Path | None,
) -> None:
    """The cases in the case store, overdue first: pupil, school, stage, lead, LA officer, review date,
    interventions and what needs doing.

    The case store is the web app's database (DATABASE_URL, or web.sqlite3 beside the store), read as
    'attendwise serve' reads it; pupils' names and school days come from the register store, which must not
    be open in a running 'attendwise serve' (DuckDB lets one process open it).
    """
    from attendwise.web.commands import setup_django

    store_path = Path(ctx.obj["store"])
    if not store_path.exists():
        raise click.ClickException(f"no store at {store_path}: run 'attendwise import FOLDER' first")
    setup_django(store_path, "attendwise.web.settings.local")
    from django.db import connection

    if "casework_caserecord" not in connection.introspection.table_names():
        raise click.ClickException("the case store has no cases yet: 'attendwise serve' creates it")
    from attendwise.web.casework.services.export import case_frame
    from attendwise.web.services.data import StoreAccess

    access = StoreAccess(store_path, read_only=True)
    try:
        frame = case_frame(access, today=dt.date.today(), school=school, stage=stage, officer=officer, status=status)
    except AttendwiseError as exc:
        raise click.ClickException(str(exc)) from None
    title = (
        f"{status.capitalize()} cases"
        + (f", school {school}" if school else "")
        + (f", stage {stage}" if stage else "")
    )
    if fmt == "table":
        if frame.empty:
            console.print(f"{title}: none.")
            return
        shown = frame[["case_id", "pupil", "school", "stage", "la_officer", "review_date", "flags"]].fillna("")
        print_table(frame_table(shown, title, list(shown.columns), ()))
        return
    emit(frame, fmt, title, output, [])
