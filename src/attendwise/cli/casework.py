"""The verbs for casework: ``attendwise cases`` (the case store's cases as a table, CSV or JSON) and
``attendwise letters`` (a case's letters, one to each parent, as .docx and PDF)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from attendwise.cli.common import DATE, URN, console, emit, format_option, frame_table, output_option, print_table
from attendwise.core.errors import AttendwiseError


def _case_store(ctx: click.Context) -> Path:
    """Set up the case store (Django) beside the register store; the register store's path."""
    from attendwise.web.commands import setup_django

    store_path = Path(ctx.obj["store"])
    if not store_path.exists():
        raise click.ClickException(f"no store at {store_path}: run 'attendwise import FOLDER' first")
    setup_django(store_path, "attendwise.web.settings.local")
    from django.db import connection

    if "casework_caserecord" not in connection.introspection.table_names():
        raise click.ClickException("the case store has no cases yet: 'attendwise serve' creates it")
    return store_path


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
    store_path = _case_store(ctx)
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


@click.command("letters")
@click.option("--case", "case_id", type=click.IntRange(min=1), required=True, help="The case's number.")
@click.option(
    "--template",
    required=True,
    help="The letter: a letter type (the LA's latest upload of it, else the shipped one: attendance-concern, "
    "attendance-summary, first-day-contact, meeting-invitation), or shipped:NAME / la:NAME.",
)
@click.option(
    "--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="The folder to write them in."
)
@click.option("--date", "on", type=DATE, help="The letter's date (default today): figures run to it.")
@click.option("--sender", default="", help="The name of the person signing.")
@click.option("--role", default="", help="Their role (Attendance Officer).")
@click.option("--no-pdf", is_flag=True, help="Write the .docx files only (no LibreOffice needed).")
@click.pass_context
def letters_(
    ctx: click.Context,
    case_id: int,
    template: str,
    out: Path,
    on: dt.date | None,
    sender: str,
    role: str,
    no_pdf: bool,
) -> None:
    """Write a case's letter to each of the pupil's parents with parental responsibility (one letter to the
    "parent or carer" if none is recorded), as .docx and PDF, in OUT.

    The letters are the ones the case page writes, from the same template and figures; this command only
    writes the files (the case page also keeps them on the case and logs each as a letter).
    """
    store_path = _case_store(ctx)
    from attendwise.documents.letter_fields import Sender
    from attendwise.documents.letters import letters_for
    from attendwise.web.casework.models import CaseRecord
    from attendwise.web.casework.services.letters import parents, resolve_template
    from attendwise.web.services.data import StoreAccess

    record = CaseRecord.objects.filter(pk=case_id).first()
    if record is None:
        raise click.ClickException(f"there is no case {case_id}")
    try:
        choice, letter_template = resolve_template(template)
    except LookupError as exc:
        raise click.ClickException(str(exc).strip("'\"")) from None
    access = StoreAccess(store_path, read_only=True)
    with_pr = [c.contact.contact_id for c in parents(access, record.upn)]
    try:
        letters = letters_for(
            access.store(),
            letter_template,
            record.upn,
            pdf=not no_pdf,
            on=on,
            sender=Sender(name=sender, role=role),
            contact_ids=with_pr or None,
        )
    except AttendwiseError as exc:
        raise click.ClickException(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    for letter in letters:
        (out / f"{letter.stem}.docx").write_bytes(letter.docx)
        if letter.pdf is not None:
            (out / f"{letter.stem}.pdf").write_bytes(letter.pdf)
    kinds = ".docx" if no_pdf else ".docx and PDF"
    console.print(f"{len(letters)} {choice.title.lower()} letter{'s' if len(letters) != 1 else ''} ({kinds}) in {out}")


@click.command("case-moves")
@click.pass_context
def case_moves_(ctx: click.Context) -> None:
    """Move each open case whose pupil has moved school to the enrolment they are on the roll of now (the new
    school then sees the case, the old one no longer does), recording each move on the case.

    The upload page does this after every import; run it after importing from the command line.
    """
    store_path = _case_store(ctx)
    from attendwise.web.casework.moves import follow_pupils
    from attendwise.web.services.data import StoreAccess

    moves = follow_pupils(StoreAccess(store_path, read_only=True))
    for m in moves:
        console.print(f"case {m.case_id}: from school {m.from_urn} to school {m.to_urn}")
    console.print(f"{len(moves)} case{'s' if len(moves) != 1 else ''} moved with their pupil.")


@click.command("case-retention")
@click.option("--as-at", "as_at", type=DATE, help="The day the rule is applied as at (default today).")
@click.option("--apply", "apply_", is_flag=True, help="Remove the cases (without it, only list what is due).")
@click.option("--by", default="", help="Who is applying the rule (recorded with the run; default the login name).")
@click.pass_context
def case_retention_(ctx: click.Context, as_at: dt.date | None, apply_: bool, by: str) -> None:
    """The retention rule: closed cases kept closed_case_retention_years (default 6) after they closed are due
    for removal; list them, or with --apply remove them (events, lists, letters) and record the run.
    """
    _case_store(ctx)
    import getpass

    from attendwise.web.casework.retention import apply_retention, due_for_removal

    day = as_at or dt.date.today()
    if not apply_:
        due = due_for_removal(day)
        console.print(
            f"As at {day:%d %B %Y} ({due.rule}): {len(due.case_ids)} closed case"
            f"{'s' if len(due.case_ids) != 1 else ''} closed before {due.cutoff:%d %B %Y} "
            f"due for removal{': ' + ', '.join(map(str, due.case_ids)) if due.case_ids else ''}. "
            "Run again with --apply to remove them."
        )
        return
    run = apply_retention(day, by=by or getpass.getuser())
    console.print(
        f"Removed {run.cases} case{'s' if run.cases != 1 else ''} closed before {run.cutoff:%d %B %Y} "
        f"({run.events} events, {run.files} files), recorded as retention run {run.pk}."
    )
