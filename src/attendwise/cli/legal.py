"""The legal pathway's verbs: ``penalty-threshold`` (the pupils for whom a penalty notice must be considered),
``legal-return`` (the DfE's annual return, and the record of each notice) and ``legal-import-notices``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from attendwise.cli.common import DATE, URN, emit, open_store
from attendwise.core.errors import AttendwiseError
from attendwise.documents.tables import Column, Kind

#: The window's figures ``--format table`` shows beside each pupil.
WINDOW_COLUMNS = [
    Column("window_start", "Window from", Kind.DATE),
    Column("school_weeks", "School weeks", Kind.COUNT),
    Column("sessions", "Sessions", Kind.COUNT),
]


@click.command("penalty-threshold")
@click.option("--as-at", "as_at", type=DATE, required=True, help="The day to look from (YYYY-MM-DD).")
@click.option("--school", type=URN, help="One school (URN).")
@click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The LA's settings file (TOML) whose [penalty_threshold] table changes the rules "
    "(docs/legal.md lists them); default: the National Framework's.",
)
@click.option("--sessions", "show_sessions", is_flag=True, help="List each window's sessions (the evidence) instead.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def penalty_threshold_(
    ctx: click.Context,
    as_at: dt.date,
    school: int | None,
    rules: Path | None,
    show_sessions: bool,
    fmt: str,
    output: Path | None,
) -> None:
    """Pupils who meet the National Framework's threshold as at a day: 10 sessions of unauthorised absence
    (G, N, O, U) in the last 10 school weeks, with the window, the sessions and their codes.

    A pupil on this list is one for whom a penalty notice must be considered, not one who gets one.
    """
    from attendwise.measures.penalty_threshold import ThresholdRules, penalty_threshold

    try:
        settings = ThresholdRules.from_file(rules) if rules else ThresholdRules()
    except AttendwiseError as exc:
        raise click.ClickException(str(exc)) from None
    with open_store(ctx, read_only=True) as store:
        try:
            pupils, sessions = penalty_threshold(store, as_at, school=school, rules=settings)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    frame = sessions if show_sessions else pupils
    where = f" at school {school}" if school else ""
    title = f"Penalty notice threshold as at {as_at:%a %d %b %Y}{where}: {len(pupils):,} pupils"
    if show_sessions:
        emit(frame, fmt, title, output, ["upn", "school_urn", "session", "code"], [Column("date", "Date", Kind.DATE)])
    else:
        emit(frame, fmt, title, output, ["upn", "school_urn", "codes", "reached_on", "route"], WINDOW_COLUMNS)


def _legal_store(ctx: click.Context) -> Path:
    """Open the web app's database (where the legal pathway's records are) as ``attendwise serve`` does."""
    from attendwise.web.commands import setup_django

    store_path = Path(ctx.obj["store"])
    if not store_path.exists():
        raise click.ClickException(f"no store at {store_path}: run 'attendwise import FOLDER' first")
    setup_django(store_path, "attendwise.web.settings.local")
    from django.db import connection

    if "legal_noticerecord" not in connection.introspection.table_names():
        raise click.ClickException("the case store has no legal pathway records yet: 'attendwise serve' creates it")
    return store_path


@click.command("legal-return")
@click.option("--year", required=True, help="The academic year, such as 2024/25.")
@click.option("--notices", "show_notices", is_flag=True, help="List the LA's record of each notice instead.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file.")
@click.pass_context
def legal_return_(ctx: click.Context, year: str, show_notices: bool, fmt: str, output: Path | None) -> None:
    """The DfE's annual return on parental responsibility measures for a year, from the legal pathway's records:
    penalty notices by main reason, paid within 21 and 28 days, withdrawn, unpaid and prosecuted (or, with
    --notices, the LA's record of each notice issued in the year)."""
    from attendwise.casework.legal.returns import annual_return, notice_records
    from attendwise.core.calendar import AcademicYear, PeriodError

    try:
        academic = AcademicYear.parse(year)
    except PeriodError as exc:
        raise click.ClickException(str(exc)) from None
    store_path = _legal_store(ctx)
    from attendwise.store import Store
    from attendwise.web.legal.records import all_notices

    with Store(store_path, read_only=True) as store:
        las = store.local_authorities()
    la_code = las[0][0] if las else ""
    notices = all_notices()
    if show_notices:
        ours = [n for n in notices if academic.start <= n.issued_on <= academic.end]
        frame = notice_records(ours)
        emit(
            frame,
            fmt,
            f"Penalty notices issued in {academic.label}: {len(frame):,}",
            output,
            ["reference", "upn", "issued_on", "status"],
            [],
        )
        return
    frame = annual_return(academic, la_code, notices=notices)
    emit(frame, fmt, f"Parental responsibility measures, {academic.label}", output, list(frame.columns), [])


@click.command("legal-import-notices")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def legal_import_notices_(ctx: click.Context, path: Path) -> None:
    """Import penalty notices issued by other LAs (CSV: reference, contact_id, upn, issued_on, issuing_authority,
    status, reason), so each parent's three-year count follows the family. A file with any bad line adds nothing."""
    _legal_store(ctx)
    from attendwise.web.legal.records import import_notices

    try:
        added = import_notices(path)
    except AttendwiseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{path.name}: {added} notices added")
