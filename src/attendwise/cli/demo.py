"""Verbs for the synthetic city: write its registers, or run the whole demo (generate, import, report, serve)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from attendwise.cli.common import (
    console,
    describe_import,
    print_table,
    progress_bars,
)
from attendwise.core.identifiers import IdentifierError, parse_date, show
from attendwise.ingest import import_folder
from attendwise.store import STORE_SUFFIX, Store, default_store_path, store_files
from attendwise.web.commands import serve

if TYPE_CHECKING:
    from attendwise.demo import CitySpec


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


@click.command()
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
    with progress_bars() as bars:
        summary = generate_city(folder, spec, progress=bars)
    console.print(
        f"Wrote {summary.marks:,} marks for {summary.enrolments:,} enrolments in {summary.schools} "
        f"schools to {folder} in {time.perf_counter() - started:.1f} s"
    )


@click.command()
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
    city, store_path = folder / "city", folder / f"demo{STORE_SUFFIX}"
    if city.exists():
        shutil.rmtree(city)
    for stale in store_files(store_path):
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
    with progress_bars() as bars:
        summary = generate_city(city, spec, progress=bars)
    console.print(f"Generated {summary.marks:,} session marks in {time.perf_counter() - started:.1f} s: {city}")
    # The demo's import holds at most DEMO_MEMORY_LIMIT (unless one is set), so it runs on a laptop: on
    # the 35M-mark city it peaks at 3.7 GB instead of 10 GB, in the same time.
    with Store(store_path, memory_limit=os.environ.get("ATTENDWISE_MEMORY_LIMIT") or DEMO_MEMORY_LIMIT) as store:
        started = time.perf_counter()
        with progress_bars() as bars:
            result = import_folder(store, city, progress=bars)
        console.print(describe_import(result, time.perf_counter() - started))
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

    for table in demo_report(store):
        print_table(table)
