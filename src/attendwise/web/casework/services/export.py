"""Cases as a table, for the command line (``attendwise cases``): one row a case, the columns named once."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from attendwise.casework.stages import StageModelError
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseRecord
from attendwise.web.casework.services.lists import case_rows
from attendwise.web.casework.services.page import people_names
from attendwise.web.models import Role
from attendwise.web.rules import Scope
from attendwise.web.services.data import StoreAccess

__all__ = ["COLUMNS", "STATUSES", "case_frame", "stage_key"]

#: The columns of a case table, in order.
COLUMNS = (
    "case_id",
    "upn",
    "pupil",
    "urn",
    "school",
    "nc_year",
    "stage_number",
    "stage",
    "lead",
    "la_officer",
    "opened_on",
    "opening_reason",
    "review_date",
    "interventions",
    "last_intervention",
    "flags",
    "closed_on",
    "outcome",
)
STATUSES = ("open", "closed", "all")


def stage_key(text: str) -> str:
    """A stage asked for by number (``2``) or key (``early_intervention``).

    Raises:
        StageModelError: the stage model has no such stage.
    """
    model = stage_model()
    if text.isascii() and text.isdigit():
        return model.by_number(int(text)).key
    return model.stage(text).key


def case_frame(
    access: StoreAccess,
    *,
    today: dt.date,
    school: int | None = None,
    stage: str | None = None,
    officer: str | None = None,
    status: str = "open",
) -> pd.DataFrame:
    """Every case matching the filters, overdue first, with what needs doing (every school: the command line
    reads the whole case store, as it reads the whole register store)."""
    model, config = stage_model(), casework_config()
    records = CaseRecord.objects.all()
    if status == "open":
        records = records.filter(closed_on__isnull=True)
    elif status == "closed":
        records = records.filter(closed_on__isnull=False)
    if school is not None:
        records = records.filter(urn=school)
    if stage is not None:
        records = records.filter(stage=stage_key(stage))
    if officer:
        records = records.filter(la_officer=officer)
    names = people_names(set(records.exclude(la_officer="").values_list("la_officer", flat=True)))
    rows = case_rows(access, Scope(Role.LA_ADMIN, None), records, today=today, names=names, with_risk=False)
    types = {t.key: t.name for t in config.intervention_types}
    outcomes = {c.key: c.name for c in config.closure_outcomes}
    out = []
    for row in rows:
        case = row.case
        try:
            number: int | None = model.stage(case.stage).number
        except StageModelError:
            number = None
        last = case.interventions[-1] if case.interventions else None
        out.append(
            {
                "case_id": row.record.pk,
                "upn": case.pupil.upn,
                "pupil": row.pupil,
                "urn": case.pupil.urn,
                "school": row.enrolment.school_name,
                "nc_year": row.enrolment.nc_year,
                "stage_number": number,
                "stage": row.stage_label,
                "lead": model.leads.get(case.lead, case.lead),
                "la_officer": row.officer,
                "opened_on": case.opened_on.isoformat(),
                "opening_reason": case.opening_reason.value,
                "review_date": case.review_date.isoformat() if case.review_date else None,
                "interventions": len(case.interventions),
                "last_intervention": f"{types.get(last.type, last.type)} {last.date.isoformat()}" if last else None,
                "flags": "; ".join(f.text for f in row.flags),
                "closed_on": case.closure.on.isoformat() if case.closure else None,
                "outcome": outcomes.get(case.closure.outcome, case.closure.outcome) if case.closure else None,
            }
        )
    return pd.DataFrame(out, columns=list(COLUMNS))
