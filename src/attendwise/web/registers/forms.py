"""The school's removal-from-roll notification, as a GOV.UK form: each field says what is wrong in words.

Dates are GOV.UK date inputs (day, month and year boxes); a date that is not one names the box to correct.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from attendwise.core.errors import AttendwiseError
from attendwise.core.identifiers import parse_urn
from attendwise.registers.settings import RegistersConfig

__all__ = ["CmeOutcomeForm", "EheUpdateForm", "EnquiryForm", "GovukDateField", "RemovalForm"]


class DateInput(forms.MultiWidget):
    def __init__(self) -> None:
        super().__init__(widgets={"day": forms.TextInput, "month": forms.TextInput, "year": forms.TextInput})

    def decompress(self, value: Any) -> list[Any]:
        return [value.day, value.month, value.year] if isinstance(value, dt.date) else [None, None, None]


class GovukDateField(forms.MultiValueField):
    """A date from three boxes: day, month, year (the GOV.UK date input)."""

    widget = DateInput

    def __init__(self, *, what: str, required: bool = True, **kwargs: Any) -> None:
        self.what = what
        parts = [forms.CharField(required=False) for _ in range(3)]
        super().__init__(parts, require_all_fields=False, required=required, **kwargs)
        self.error_messages["required"] = f"Enter {what}"

    def compress(self, data_list: list[str]) -> dt.date | None:
        if not data_list or not any(v.strip() for v in data_list if v):
            if self.required:
                raise forms.ValidationError(f"Enter {self.what}")
            return None
        day, month, year = ((v or "").strip() for v in data_list)
        missing = [n for n, v in (("day", day), ("month", month), ("year", year)) if not v]
        if missing:
            raise forms.ValidationError(f"{self.what[0].upper()}{self.what[1:]} must include a {' and '.join(missing)}")
        if not (
            day.isascii()
            and day.isdigit()
            and month.isascii()
            and month.isdigit()
            and year.isascii()
            and year.isdigit()
            and len(year) == 4
        ):
            raise forms.ValidationError(f"{self.what[0].upper()}{self.what[1:]} must be a real date, e.g. 27 3 2026")
        try:
            return dt.date(int(year), int(month), int(day))
        except ValueError:
            raise forms.ValidationError(f"{self.what[0].upper()}{self.what[1:]} must be a real date") from None


def _urn(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        return parse_urn(value.strip())
    except (AttendwiseError, ValueError):
        raise forms.ValidationError("Enter the new school's URN as 6 or 7 digits, e.g. 104109") from None


class RemovalForm(forms.Form):
    """A school's notification of a deletion from its admission register."""

    upn = forms.CharField(
        label="Pupil's UPN",
        max_length=13,
        min_length=13,
        help_text="The 13-character unique pupil number, e.g. A999100024001",
        error_messages={
            "required": "Enter the pupil's UPN",
            "max_length": "The UPN must be 13 characters",
            "min_length": "The UPN must be 13 characters",
        },
    )
    removal_date = GovukDateField(
        what="the date the pupil was removed from the roll",
        label="Date removed from roll",
        help_text="For example, 27 3 2026",
    )
    ground = forms.ChoiceField(
        label="Ground for removal",
        error_messages={"required": "Choose the ground for removal", "invalid_choice": "Choose the ground for removal"},
    )
    destination_urn = forms.CharField(label="New school's URN (if known)", required=False, max_length=20)
    destination_la = forms.CharField(
        label="Local authority the pupil has moved to (if known)", required=False, max_length=150
    )
    destination_note = forms.CharField(
        label="Where the pupil has gone (if known)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="An address or country; do not put anything here you would not put in a letter to the parents",
    )
    ehe_reason = forms.ChoiceField(
        label="Reason the parents gave for home education",
        required=False,
        help_text="Only for a removal to home education",
    )
    school_enquiry_failed = forms.BooleanField(
        label="The school's enquiries have failed to find the child", required=False
    )
    la_enquiry_failed = forms.BooleanField(label="The LA's enquiries have failed to find the child", required=False)

    def __init__(self, *args: Any, config: RegistersConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        grounds = config.choices("removal_ground")
        self.fields["ground"].choices = [("", "Choose a ground"), *((g.key, g.label) for g in grounds)]  # type: ignore[attr-defined]
        reasons = config.choices("ehe_reason")
        self.fields["ehe_reason"].choices = [("", "Not home education"), *((r.key, r.name) for r in reasons)]  # type: ignore[attr-defined]

    def clean_upn(self) -> str:
        return str(self.cleaned_data["upn"]).strip().upper()

    def clean_destination_urn(self) -> int | None:
        return _urn(str(self.cleaned_data.get("destination_urn") or ""))


class EnquiryForm(forms.Form):
    """One enquiry made about a child missing education."""

    date = GovukDateField(what="the date of the enquiry", label="Date of the enquiry")
    agency = forms.CharField(
        label="Agency asked", max_length=150, error_messages={"required": "Enter the agency asked"}
    )
    result = forms.CharField(
        label="What it found",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter what the enquiry found"},
    )


class CmeOutcomeForm(forms.Form):
    """A CME referral's escalation, whereabouts and outcome."""

    escalated_on = GovukDateField(
        what="the date it was escalated", label="Escalated on (if it has been)", required=False
    )
    whereabouts_known = forms.BooleanField(label="The child's whereabouts are now known", required=False)
    outcome = forms.ChoiceField(label="Outcome", required=False)
    closed_on = GovukDateField(what="the date the referral closed", label="Closed on", required=False)

    def __init__(self, *args: Any, config: RegistersConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "Still open"), *((c.key, c.name) for c in config.choices("cme_outcome"))]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") and not data.get("closed_on"):
            self.add_error("closed_on", "Enter the date the referral closed")
        if data.get("closed_on") and not data.get("outcome"):
            self.add_error("outcome", "Choose the outcome the referral closed with")
        return data


class EheUpdateForm(forms.Form):
    """What happens on a home-education entry: contact, visits, suitability, consent, notices and its end."""

    first_contact_on = GovukDateField(what="the date of first contact", label="First contact", required=False)
    last_visit_on = GovukDateField(what="the date of the last visit", label="Last visit", required=False)
    suitability = forms.ChoiceField(label="Suitability of the education", required=False)
    consent_given_on = GovukDateField(
        what="the date the LA consented", label="LA consent given (where needed)", required=False
    )
    notice_served_on = GovukDateField(
        what="the date the s437(1) notice was served", required=False, label="s437(1) notice served"
    )
    sao_served_on = GovukDateField(
        what="the date the order was served", label="School Attendance Order served", required=False
    )
    ended_on = GovukDateField(what="the date home education ended", label="Home education ended", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from attendwise.registers.ehe import SUITABILITY

        super().__init__(*args, **kwargs)
        self.fields["suitability"].choices = list(SUITABILITY.items())  # type: ignore[attr-defined]


class CmeReferralForm(forms.Form):
    """A referral of a child missing education from any route: another LA, an agency, the public, a school."""

    child_name = forms.CharField(
        label="Child's name", max_length=300, error_messages={"required": "Enter the child's name"}
    )
    date_of_birth = GovukDateField(what="the child's date of birth", label="Date of birth (if known)", required=False)
    upn = forms.CharField(label="UPN (if known)", required=False, max_length=13)
    referred_on = GovukDateField(what="the date of the referral", label="Date referred")
    source = forms.ChoiceField(
        label="Referred by",
        error_messages={"required": "Choose who made the referral", "invalid_choice": "Choose who made the referral"},
    )
    reason = forms.ChoiceField(
        label="Reason", error_messages={"required": "Choose the reason", "invalid_choice": "Choose the reason"}
    )
    whereabouts_unknown_since = GovukDateField(
        what="the date the whereabouts became unknown", required=False, label="Whereabouts unknown since (if they are)"
    )
    ehc_plan = forms.BooleanField(label="The child has an EHC plan and is awaiting a place", required=False)
    interim_provision = forms.CharField(label="Interim provision (EHC plan)", required=False, max_length=1000)

    def __init__(self, *args: Any, config: RegistersConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = [("", "Choose"), *((c.key, c.name) for c in config.choices("referral_source"))]  # type: ignore[attr-defined]
        self.fields["reason"].choices = [("", "Choose"), *((c.key, c.name) for c in config.choices("cme_reason"))]  # type: ignore[attr-defined]

    def clean_upn(self) -> str:
        from attendwise.core.upn import is_valid_upn

        upn = str(self.cleaned_data.get("upn") or "").strip().upper()
        if upn and not is_valid_upn(upn):
            raise forms.ValidationError(
                "Enter a real UPN: a letter and 12 digits, e.g. A999100024001, or leave it blank"
            )
        return upn

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ehc_plan") and not (data.get("interim_provision") or "").strip():
            self.add_error("interim_provision", "Enter the interim provision the SEND team has arranged")
        return data
