"""Verbs for the DfE's measures: absence for any period and grouping, bands, trends, and comparison with
published figures."""

from __future__ import annotations

from pathlib import Path

import click

from attendwise.cli.common import (
    cohorts_of,
    console,
    emit,
    format_option,
    measure_column,
    open_store,
    output_option,
    period_of,
    period_option,
)
from attendwise.core.errors import AttendwiseError
from attendwise.documents.tables import Column, Kind
from attendwise.measures.absence import Population, cohort_of, enrolment_absence, measure_table, resolve_grouping
from attendwise.measures.bands import PRESETS, band_counts, load_scheme


@click.command()
@period_option(
    "2024/25, 2024/25-autumn, 2024/25-summer-2, 2024/25-ytd or 2024-09-01..2024-10-31 "
    "(default: the latest academic year in the store)."
)
@click.option(
    "--by",
    default="",
    help="Comma-separated groupings: la, school, phase, year, sex, fsm, sen, need, "
    "ethnicity, ethnicity_minor, language, cla, cin, cpp, or one of the LA's priority cohorts as cohort:KEY "
    "(a pupil counts in it only for the sessions inside their dates).",
)
@format_option()
@click.option("--all-ages", is_flag=True, help="Include reception and sixth form (default: ages 5-15, as the DfE).")
@output_option
@click.pass_context
def measures(ctx: click.Context, period: str | None, by: str, fmt: str, all_ages: bool, output: Path | None) -> None:
    """Absence measures exactly as the DfE publishes them, for any period and grouping.

    CSV and JSON carry every DfE column (sessions, rates, persistent and severe absence, reasons)
    with unrounded percentages; the table shows the headline columns.
    """
    with open_store(ctx, read_only=True) as store:
        try:
            p = period_of(store, period)
            population = Population.all_ages() if all_ages else Population()
            cohorts = cohorts_of(ctx)
            frame = measure_table(store, p, by, population, cohorts)
            keys = resolve_grouping(by, cohorts)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    emit(frame, fmt, f"Absence, {p.describe()}, {population.describe()}", output, keys)


@click.command()
@click.option(
    "--scheme",
    default="five-categories",
    show_default=True,
    help=f"A preset ({', '.join(PRESETS)}) or the path of an LA's scheme (TOML).",
)
@period_option()
@click.option("--by", default="", help="Groupings, as for 'measures' (e.g. school).")
@format_option()
@click.option("--all-ages", is_flag=True, help="Include reception and sixth form.")
@click.option("--list", "list_", is_flag=True, help="Describe the shipped schemes and stop.")
@output_option
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
        with open_store(ctx, read_only=True) as store:
            p = period_of(store, period)
            keys = resolve_grouping(by, cohorts_of(ctx))
            population = Population.all_ages() if all_ages else Population()
            rows = enrolment_absence(store, p, population, cohort=cohort_of(keys, cohorts_of(ctx)))
            frame = band_counts(rows, chosen, keys).to_pandas()
    except AttendwiseError as exc:
        raise click.ClickException(str(exc)) from None
    band_columns = (Column("enrolments", "Pupils", Kind.COUNT), Column("percent", "%", Kind.PERCENT))
    emit(frame, fmt, f"{chosen.name}, {p.describe()}", output, [*keys, "band_name"], band_columns)


@click.command("trends")
@click.option("--level", type=click.Choice(["year", "term", "half_term"]), default="term", show_default=True)
@click.option("--by", default="", help="Groupings, as for 'measures'.")
@click.option("--change", is_flag=True, help="This year to date against the same point last year instead.")
@format_option()
@output_option
@click.pass_context
def trends_(ctx: click.Context, level: str, by: str, change: bool, fmt: str, output: Path | None) -> None:
    """Headline measures for every year, term or half term in the store, or the change on last year."""
    from attendwise.measures.trends import HEADLINES, change_on_last_year, trend

    with open_store(ctx, read_only=True) as store:
        try:
            cohorts = cohorts_of(ctx)
            keys = resolve_grouping(by, cohorts)
            frame = (
                change_on_last_year(store, by, cohorts=cohorts) if change else trend(store, level, by, cohorts=cohorts)  # type: ignore[arg-type]
            )
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    if change:
        columns = [
            Column(f"{m}{suffix}", f"{measure_column(m).heading}{label}", kind)
            for m in HEADLINES[1:]
            for suffix, label, kind in (
                ("", "", Kind.PERCENT),
                ("_last_year", " last year", Kind.PERCENT),
                ("_change", " change", Kind.POINTS),
            )
        ]
        title = "This year to date against the same point last year"
        emit(frame, fmt, title, output, ["period", *keys], columns)
    else:
        emit(frame, fmt, f"Absence by {level.replace('_', ' ')}", output, ["period", *keys])


@click.command("compare")
@period_option("A year or a term (default: the latest academic year).")
@click.option(
    "--la",
    "la_code",
    help="The LA's 3-digit number, for its published figures and neighbours (default: the store's LA).",
)
@format_option()
@click.pass_context
def compare_(ctx: click.Context, period: str | None, la_code: str | None, fmt: str) -> None:
    """The LA beside England, its region and its statistical neighbours (load their files with 'reference')."""
    from attendwise.measures.reference import REFERENCE_MEASURES, compare_with_reference

    with open_store(ctx, read_only=True) as store:
        try:
            p = period_of(store, period)
            frame = compare_with_reference(store, p, la_code)
        except AttendwiseError as exc:
            raise click.ClickException(str(exc)) from None
    shown = [measure_column(m) for m in REFERENCE_MEASURES]
    emit(frame, fmt, f"Comparison, {p.describe()}", None, ["comparator", "basis"], shown)
