"""The verb for Targeting Support Meetings: the termly pack for a school, or for every school."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import click

from attendwise.cli.common import (
    URN,
    console,
    open_store,
    progress_bars,
)
from attendwise.core.errors import AttendwiseError
from attendwise.measures.bands import PRESETS


@click.command("tsm-pack")
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
    with open_store(ctx, read_only=True) as store:
        try:
            excluded = None
            if cme is not None:
                lines = cme.read_text(encoding="utf-8-sig").splitlines()
                excluded = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
            inputs = {}
            if school is not None:
                previous = read_previous_actions(actions) if actions else ()
                inputs[school] = TSMInputs(tuple(discuss), previous)
            with progress_bars() as bars:
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
