"""Verbs for parents, carers and families: a pupil's contacts, and their family with each sibling's attendance."""

from __future__ import annotations

from pathlib import Path

import click
import pandas as pd

from attendwise.cli.common import emit, format_option, open_store, output_option, period_of, period_option
from attendwise.core.upn import UPNError, validate_upn
from attendwise.measures.families import family_attendance


def _upn(ctx: click.Context, param: click.Parameter, value: str) -> str:
    try:
        return validate_upn(value.strip().upper())
    except UPNError as exc:
        raise click.BadParameter(str(exc)) from None


upn_option = click.option("--upn", required=True, callback=_upn, help="The pupil's UPN.")


def _yn(flag: bool) -> str:
    return "Y" if flag else "N"


@click.command("contacts")
@upn_option
@format_option()
@output_option
@click.pass_context
def contacts_(ctx: click.Context, upn: str, fmt: str, output: Path | None) -> None:
    """A pupil's parents and carers (contacts.csv), in the order to contact them."""
    with open_store(ctx, read_only=True) as store:
        if not store.pupil_names([upn]):
            raise click.ClickException(f"the store holds no pupil {upn}")
        rows = store.pupil_contacts([upn]).get(upn, [])
    frame = pd.DataFrame(
        [
            {
                "priority": "" if c.priority is None else c.priority,
                "contact_id": c.contact.contact_id,
                "name": " ".join(p for p in (c.contact.title, c.contact.name) if p),
                "relationship": c.relationship,
                "parental_responsibility": _yn(c.parental_responsibility),
                "lives_with": _yn(c.lives_with),
                "address": ", ".join(c.contact.address_lines),
                "phone": c.contact.phone or "",
                "email": c.contact.email or "",
            }
            for c in rows
        ],
        columns=[
            "priority", "contact_id", "name", "relationship", "parental_responsibility", "lives_with", "address",
            "phone", "email",
        ],
    )  # fmt: skip
    emit(frame, fmt, f"Contacts of {upn}", output, list(frame.columns))


@click.command("family")
@upn_option
@period_option("The period of the attendance figures (default: this school year to the latest mark).")
@format_option()
@output_option
@click.pass_context
def family_(ctx: click.Context, upn: str, period: str | None, fmt: str, output: Path | None) -> None:
    """A pupil's family: every child sharing a parent with parental responsibility, at any school, with their
    attendance side by side (half-siblings join through the parent they share)."""
    with open_store(ctx, read_only=True) as store:
        chosen = period_of(store, period) if period else None
        view = family_attendance(store, upn, chosen)
    if view is None:
        raise click.ClickException(f"the store holds no pupil {upn}")
    rows = []
    for sibling in view.siblings:
        m, a = sibling.member, sibling.attendance
        rows.append(
            {
                "upn": m.upn,
                "name": m.name,
                "schools": "; ".join(name for _, name in m.schools),
                "parents": ", ".join(sorted(m.parent_ids)),
                "sessions_possible": a.sess_possible if a else 0,
                "sessions_missed": a.sess_missed if a else 0,
                "attendance_percent": round(a.attendance_percent, 1) if a and a.attendance_percent is not None else "",
                "persistently_absent": _yn(bool(a and a.persistently_absent)),
            }
        )
    frame = pd.DataFrame(rows)
    title = f"Family of {upn}: {len(rows)} child{'ren' if len(rows) != 1 else ''}, {view.period.label}"
    emit(frame, fmt, title, output, list(frame.columns))
