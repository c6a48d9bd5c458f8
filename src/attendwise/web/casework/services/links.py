"""What the pupil and school pages show of casework: a link to the pupil's open case, or to open one."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from attendwise.casework.case import long_date
from attendwise.measures.pupils import Enrolment
from attendwise.web.casework import rules as case_rules
from attendwise.web.casework.config import stage_model
from attendwise.web.casework.services.lists import open_case_for

__all__ = ["pupil_casework", "school_cases_link"]


def pupil_casework(user: Any, enrolment: Enrolment) -> dict[str, str] | None:
    """The pupil's open case (its address and stage) if the user may see it, else the address to open one; and
    their family view's address."""
    if not case_rules.can_view_case(user, enrolment):
        return None
    family = {"family": reverse("pupil_family", args=[enrolment.enrolment_id])}
    existing = open_case_for(enrolment.upn)
    if existing is not None:
        try:
            stage = stage_model().stage(existing.stage).label
        except Exception:  # a stage of a model the LA no longer uses
            stage = existing.stage
        return {
            "case": reverse("case", args=[existing.pk]),
            "stage": stage,
            "opened": long_date(existing.opened_on),
            **family,
        }
    if case_rules.can_open_case(user, enrolment):
        return {"open": reverse("case_open", args=[enrolment.enrolment_id]), **family}
    return family


def school_cases_link(user: Any, urn: int) -> str | None:
    return reverse("school_cases", args=[urn]) if case_rules.can_view_school_cases(user, urn) else None
