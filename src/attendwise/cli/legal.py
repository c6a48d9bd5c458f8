"""The legal pathway's verbs: ``penalty-threshold``, the pupils for whom a penalty notice must be considered."""

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
