"""The verbs for the LA's registers of children absent from education: ``attendwise registers cme|ehe|exclusions|
timetables|removals|panels`` list a register as a table, CSV or JSON, and ``attendwise registers returns`` writes the
DfE's termly CME and EHE counts with their rounding.

The entries are the web app's (its database, DATABASE_URL or web.sqlite3 beside the store, as ``attendwise
cases`` reads it); names, schools and school days come from the register store, which must not be open in a
running ``attendwise serve``. (The module is not ``registers.py``: that holds the import verbs.)
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from attendwise.cli.common import DATE, URN, console, err_console, format_option, output_option, print_table
from attendwise.core.calendar import AcademicYear
from attendwise.core.errors import AttendwiseError
from attendwise.documents.spreadsheets import table_csv
from attendwise.documents.tables import Table, table_json

REGISTERS = ("cme", "ehe", "exclusions", "timetables", "removals", "panels")


def _setup(ctx: click.Context) -> Any:
    """The register store, with Django set up on the web app's database (refused if it has no registers yet)."""
    from attendwise.web.commands import setup_django

    store_path = Path(ctx.obj["store"])
    if not store_path.exists():
        raise click.ClickException(f"no store at {store_path}: run 'attendwise import FOLDER' first")
    setup_django(store_path, "attendwise.web.settings.local")
    from django.db import connection

    if "registers_cmereferral" not in connection.introspection.table_names():
        raise click.ClickException("the web app's database has no registers yet: 'attendwise serve' creates it")
    from attendwise.web.services.data import StoreAccess

    return StoreAccess(store_path, read_only=True)


def _write(tables: list[Table], fmt: str, output: Path | None) -> None:
    if fmt == "table":
        for t in tables:
            print_table(t) if t.rows else console.print(f"{t.caption}: {t.empty}")
        return
    text = "\n".join(table_csv(t) if fmt == "csv" else table_json(t) for t in tables)
    if output:
        output.write_text(text, encoding="utf-8")
        err_console.print(f"Wrote {sum(len(t.rows) for t in tables):,} rows to {output}")
    else:
        sys.stdout.write(text)


@click.group("registers")
def registers_() -> None:
    """The LA's registers of children absent from education: list one, or write the DfE's termly return."""


def _list(ctx: click.Context, key: str, school: int | None, status: str, fmt: str, output: Path | None) -> None:
    access = _setup(ctx)
    from attendwise.web.registers import lists
    from attendwise.web.registers import models as m
    from attendwise.web.registers.config import registers_config
    from attendwise.web.registers.views import REGISTERS as PAGES

    _title, model, open_q, reason_field, _ = PAGES[key]
    store, config, today = access.store(), registers_config(), dt.date.today()
    qs = lists._filtered(model.objects.all(), lists.Filters(school, status), open_q=open_q, reason=reason_field)
    rows = [(r, None) for r in qs]
    kwargs: dict[str, Any] = {"store": store, "config": config, "link": lambda _e: None}
    try:
        if key == "cme":
            page = lists.cme_page(rows, today=today, **kwargs)
        elif key == "ehe":
            start = AcademicYear.containing(store.latest_mark() or today).start
            page = lists.ehe_page(rows, today=today, watch_from=start, all_entries=m.EheEntry.objects.all(), **kwargs)
        elif key == "exclusions":
            page = lists.exclusions_page(rows, today=today, **kwargs)
            page = lists.Page(page.tables[:1], page.entries, page.due)
        elif key == "timetables":
            page = lists.timetables_page(rows, today=today, **kwargs)
        elif key == "panels":
            page = lists.panels_page(rows, today=today, **kwargs)
        else:
            page = lists.removals_page(rows, **kwargs)
    except AttendwiseError as exc:
        raise click.ClickException(str(exc)) from None
    _write(list(page.tables), fmt, output)


def _verb(key: str, help_text: str) -> click.Command:
    @click.option("--school", type=URN, help="Only this school's entries (its URN).")
    @click.option(
        "--status",
        type=click.Choice(["open", "closed", "all"]),
        default="open",
        show_default=True,
        help="Which entries (removals and exclusions: every one).",
    )
    @format_option()
    @output_option
    @click.pass_context
    def verb(ctx: click.Context, school: int | None, status: str, fmt: str, output: Path | None) -> None:
        _list(ctx, key, school, status, fmt, output)

    verb.__doc__ = help_text
    return registers_.command(key)(verb)


_verb("cme", "Children missing education: referrals with reasons, escalation dates (school days) and outcomes.")
_verb("ehe", "Elective home education: the register, and the off-rolling watch by school.")
_verb("exclusions", "Suspensions and permanent exclusions, with the sixth-day and governing board deadlines.")
_verb("timetables", "Part-time timetables, with those past their review or planned end flagged.")
_verb("removals", "Schools' removals from roll, with what each opened (an EHE entry, a CME referral).")
_verb("panels", "Extended non-attendance panel referrals: the school's actions, the decision, the review.")


@registers_.command("returns")
@click.option("--census", type=DATE, required=True, help="The census date (YYYY-MM-DD), e.g. 2025-10-02.")
@format_option()
@output_option
@click.pass_context
def returns_(ctx: click.Context, census: dt.date, fmt: str, output: Path | None) -> None:
    """The DfE's termly CME and EHE collection: counts at the census date by sex, year group and primary reason,
    each rounded to the nearest 10 (low where it rounds to 0), totals from the unrounded counts."""
    access = _setup(ctx)
    from attendwise.web.registers.config import registers_config
    from attendwise.web.registers.counts import dfe_return_tables

    _write(dfe_return_tables(access.store(), registers_config(), census=census), fmt, output)
