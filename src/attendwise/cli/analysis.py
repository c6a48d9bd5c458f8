"""Verbs for analysis: who is disproportionately absent, who is heading into persistent absence, who is at a
transition point, and how early warning would have done on a past year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import pandas as pd

from attendwise.analysis.disproportionality import CHARACTERISTICS, DEFAULT_CHARACTERISTICS
from attendwise.cli.common import (
    URN,
    cohorts_of,
    console,
    emit,
    format_option,
    open_store,
    output_option,
    period_of,
    period_option,
)
from attendwise.core.cohorts import GROUPING_PREFIX
from attendwise.core.errors import AttendwiseError
from attendwise.documents.tables import Column, Kind


@click.command("disproportionality")
@period_option()
@click.option(
    "--characteristics",
    default=",".join(DEFAULT_CHARACTERISTICS),
    show_default=True,
    help=f"Comma-separated: {', '.join(CHARACTERISTICS)}, or cohort:KEY for one of the LA's priority cohorts.",
)
@click.option("--school", type=URN, help="One school (URN) instead of the whole LA.")
@click.option("--phase", type=click.Choice(["primary", "secondary", "special"]), help="One phase.")
@click.option("--pairs", is_flag=True, help="Also test every pair of characteristics.")
@click.option(
    "--priority-cohorts/--no-priority-cohorts",
    default=True,
    show_default=True,
    help="Also test each of the LA's priority cohorts (--cohorts) against everyone else: a member's sessions "
    "inside their dates against every other session's pupils.",
)
@click.option("--flagged-only", is_flag=True, help="Only groups that are clearly over-represented.")
@click.option(
    "--adjust",
    metavar="CHARACTERISTIC=GROUP",
    help="Adjusted view for one group, e.g. 'ethnicity_minor=Gypsy / Roma' or "
    "'cohort:ebsa=Emotionally based school avoidance' (controls: FSM, SEN, year).",
)
@click.option(
    "--drivers",
    metavar="CHARACTERISTIC=GROUP",
    help="Which schools drive the LA-wide gap for one group, e.g. 'fsm=FSM eligible'.",
)
@format_option()
@output_option
@click.pass_context
def disproportionality_(
    ctx: click.Context,
    period: str | None,
    characteristics: str,
    school: int | None,
    phase: str | None,
    pairs: bool,
    priority_cohorts: bool,
    flagged_only: bool,
    adjust: str | None,
    drivers: str | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Which groups are over-represented among persistent and severe absentees, with intervals and tests."""
    from attendwise.analysis.disproportionality import (
        adjusted_effect,
        disproportionality_table,
        enrolment_frame,
        schools_driving_gap,
    )

    chosen = [c.strip() for c in characteristics.split(",") if c.strip()]
    declared = cohorts_of(ctx)

    def frame_for(characteristic: str) -> pd.DataFrame:
        if characteristic.startswith(GROUPING_PREFIX):
            return enrolment_frame(store, p, cohort=declared.get(characteristic.removeprefix(GROUPING_PREFIX)))
        return enrolment_frame(store, p)

    with open_store(ctx, read_only=True) as store:
        try:
            asked = [declared.get(c.removeprefix(GROUPING_PREFIX)) for c in chosen if c.startswith(GROUPING_PREFIX)]
            chosen = [c for c in chosen if not c.startswith(GROUPING_PREFIX)]
            tested = list(dict.fromkeys([*asked, *(declared if priority_cohorts else ())]))
            p = period_of(store, period)
            if adjust:
                characteristic, _, group = adjust.partition("=")
                frame = frame_for(characteristic.strip())
                console.print(adjusted_effect(frame, characteristic.strip(), group.strip()).describe())
                return
            if drivers:
                characteristic, _, group = drivers.partition("=")
                table = schools_driving_gap(frame_for(characteristic.strip()), characteristic.strip(), group.strip())
                emit(
                    table.head(20) if fmt == "table" else table,
                    fmt,
                    f"Schools behind the gap for {group.strip()}, {p.label}",
                    output,
                    ["school_urn", "school_name"],
                    (
                        Column("group_enrolments", "Pupils in group", Kind.COUNT),
                        Column("group_absentees", "Persistently absent", Kind.COUNT),
                        Column("expected_absentees", "Expected", Kind.NUMBER, 1),
                        Column("excess_absentees", "Excess", Kind.POINTS),
                        Column("share_of_excess", "% of LA excess", Kind.PERCENT),
                    ),
                )
                return
            table = disproportionality_table(store, p, chosen, school=school, phase=phase, pairs=pairs, cohorts=tested)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if flagged_only:
        table = table[(table.pa_flag == "over-represented") | (table.sa_flag == "over-represented")]
    emit(
        table,
        fmt,
        f"Disproportionality, {p.describe()}",
        output,
        ["characteristic", "group"],
        (
            Column("enrolments", "Pupils", Kind.COUNT),
            Column("share_of_pupils", "% of pupils", Kind.PERCENT),
            Column("share_of_pa", "% of PA", Kind.PERCENT),
            Column("pa_rate", "PA %", Kind.PERCENT),
            Column("pa_risk_ratio", "PA risk ratio", Kind.NUMBER),
            Column("pa_rr_low", "CI low", Kind.NUMBER),
            Column("pa_rr_high", "CI high", Kind.NUMBER),
            Column("pa_flag", "PA"),
            Column("sa_risk_ratio", "SA risk ratio", Kind.NUMBER),
            Column("sa_flag", "SA"),
        ),
    )


@click.command("at-risk")
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
@format_option()
@output_option
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
    from attendwise.analysis.early_warning import at_risk, year_grid
    from attendwise.core.calendar import AcademicYear

    with open_store(ctx, read_only=True) as store:
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
    title = (
        f"At risk, as of {frame.as_of.iloc[0]:%d %b %Y} (school week {frame.school_week.iloc[0]})"
        if len(frame)
        else "At risk: nobody on roll"
    )
    emit(
        frame.head(limit) if fmt == "table" else frame,
        fmt,
        title,
        output,
        ["upn", "school_name", "nc_year"],
        (
            Column("attendance_percent", "Attendance %", Kind.PERCENT),
            Column("projected_attendance_percent", "Projected %", Kind.PERCENT),
            Column("risk_pa", "Risk of PA", Kind.FRACTION),
            Column("risk_sa", "Risk of SA", Kind.FRACTION),
            Column("reasons", "Reasons"),
        ),
    )


@click.command("transition")
@click.option(
    "--into",
    type=click.Choice(["secondary", "infant"]),
    default="secondary",
    show_default=True,
    help="Year 6 to 7 (secondary), or into Reception and Year 1 (infant).",
)
@click.option("--school", type=URN, help="One school (URN).")
@click.option("--limit", type=int, default=50, show_default=True, help="Rows in the table (csv/json give all).")
@format_option()
@output_option
@click.pass_context
def transition_(ctx: click.Context, into: str, school: int | None, limit: int, fmt: str, output: Path | None) -> None:
    """Pupils at a transition point, with last year's attendance beside this year's, riskiest first."""
    from attendwise.analysis.early_warning import transition

    with open_store(ctx, read_only=True) as store:
        try:
            frame = transition(store, into=into)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if school is not None:
        frame = frame[frame.urn == school]
    emit(
        frame.head(limit) if fmt == "table" else frame,
        fmt,
        f"Transition into {into} school",
        output,
        ["upn", "school_name", "nc_year"],
        (
            Column("last_year_attendance_percent", "Last year %", Kind.PERCENT),
            Column("attendance_percent", "This year %", Kind.PERCENT),
            Column("change_points", "Change", Kind.POINTS),
            Column("risk_pa", "Risk of PA", Kind.FRACTION),
            Column("reasons", "Reasons"),
        ),
    )


@click.command("backtest")
@click.option("--weeks", default="4,8,12", show_default=True, help="School weeks to predict from.")
@click.option("--year", "test_year", help="The year to test on (default: the latest complete year).")
@click.option("--threshold", type=float, default=0.5, show_default=True, help="Risk at which the model flags.")
@format_option("text", "csv", "json")
@click.pass_context
def backtest_(ctx: click.Context, weeks: str, test_year: str | None, threshold: float, fmt: str) -> None:
    """How well early warning would have done on a past year, trained only on the years before it."""
    from attendwise.analysis.backtest import backtest
    from attendwise.core.calendar import AcademicYear

    with open_store(ctx, read_only=True) as store:
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
            emit(
                table.assign(band=[f"{i + 1}" for i in range(len(table))]),
                "table",
                f"Calibration after {n} weeks (tenths of pupils by predicted risk)",
                None,
                ["band"],
                (
                    Column("pupils", "Pupils", Kind.COUNT),
                    Column("mean_predicted", "Predicted", Kind.FRACTION, 1),
                    Column("observed", "Observed", Kind.FRACTION, 1),
                ),
            )
    else:
        emit(report.summary, fmt, "Backtest", None, [])
