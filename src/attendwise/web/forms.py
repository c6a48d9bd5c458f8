"""Forms: each validates what a user typed and says what is wrong in words they can act on.

Identifiers and dates in a form are read by :mod:`attendwise.core.identifiers` (the fields below), as in
addresses; no error repeats a value in full.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from attendwise.core.identifiers import IdentifierError, parse_date, parse_record_id, parse_urn
from attendwise.web.models import Action, Outcome
from attendwise.web.services.cohorts import CHARACTERISTICS, cohort_choices


class IdentifierChoiceField(forms.TypedChoiceField):
    """A choice of identifiers (schools, people), read by the identifiers module once chosen."""

    def __init__(self, *, parse: Callable[[str], int], choose: str, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"] = {"invalid_choice": choose, "required": choose, **kwargs["error_messages"]}
        super().__init__(coerce=parse, **kwargs)


class DateInput(forms.Widget):
    """The GOV.UK date input: day, month and year in three boxes (``NAME-day``, ``NAME-month``, ``NAME-year``).

    A form posted with one ``NAME`` written YYYY-MM-DD (a program, an older page) is read too.
    """

    template_name = ""  # rendered by includes/form_fields.html

    def value_from_datadict(self, data: Any, files: Any, name: str) -> object:
        parts = tuple(str(data.get(f"{name}-{part}", "")).strip() for part in ("day", "month", "year"))
        if any(f"{name}-{part}" in data for part in ("day", "month", "year")):
            return parts
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data and not any(f"{name}-{part}" in data for part in ("day", "month", "year"))


def date_parts(value: object) -> dict[str, str]:
    """A date field's value as the three boxes show it.

    >>> date_parts(dt.date(2025, 3, 7)), date_parts(("7", "", "2025"))["year"], date_parts("2025-03-07")["day"]
    ({'day': '7', 'month': '3', 'year': '2025'}, '2025', '7')
    """
    if isinstance(value, dt.date):
        return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
    if isinstance(value, tuple | list) and len(value) == 3:
        return dict(zip(("day", "month", "year"), (str(v) for v in value), strict=True))
    if isinstance(value, str) and value:
        try:
            return date_parts(parse_date(value))
        except IdentifierError:
            return {"day": "", "month": "", "year": ""}
    return {"day": "", "month": "", "year": ""}


class IsoDateField(forms.DateField):
    """A date: the GOV.UK date input's day, month and year, or one value written YYYY-MM-DD
    (:func:`attendwise.core.identifiers.parse_date`), and no other way."""

    widget = DateInput

    def __init__(self, **kwargs: Any) -> None:
        messages = dict(kwargs.pop("error_messages", None) or {})
        for key, text in messages.items():  # the boxes say how to write it; the message says what is wrong
            messages[key] = text.replace(" as YYYY-MM-DD", " as a real date, for example 27 3 2025")
        if "label" in kwargs:
            kwargs["label"] = str(kwargs["label"]).replace(" (YYYY-MM-DD)", "")
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value: object) -> dt.date | None:
        if isinstance(value, tuple | list):
            if not any(value):
                return None
            day, month, year = (str(v) for v in value)
            written = re.fullmatch(r"[0-9]{1,2}", day) and re.fullmatch(r"[0-9]{1,2}", month)
            if not written or not re.fullmatch(r"[0-9]{4}", year):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
            try:
                return dt.date(int(year), int(month), int(day))
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date(str(value))
        except IdentifierError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


class SignInForm(AuthenticationForm):
    error_messages: ClassVar[dict[str, str]] = {
        "invalid_login": "Enter a correct user name and password",
        "inactive": "This account is not active",
    }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label="Register files",
        help_text="pupils.csv and marks.csv (or marks.csv.gz), with schools.csv, terms.csv, closures.csv, "
        "contacts.csv or (LA staff) cohorts.csv if needed; or one zip file holding them.",
        error_messages={"required": "Choose a register file to upload"},
    )


class CohortForm(forms.Form):
    by = forms.ChoiceField(
        label="Characteristic",
        choices=list(CHARACTERISTICS.items()),
        initial="fsm",
        required=False,  # none chosen: FSM, the first on the list
        error_messages={"invalid_choice": "Choose a characteristic from the list"},
    )
    then = forms.ChoiceField(
        label="Then by (optional)",
        choices=[("", "Nothing else"), *CHARACTERISTICS.items()],
        required=False,
        error_messages={"invalid_choice": "Choose a second characteristic from the list, or nothing else"},
    )
    school = IdentifierChoiceField(
        label="School", parse=parse_urn, choose="Choose a school from the list", required=False, empty_value=None
    )
    period = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: object, schools: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["school"].choices = [("", "All your schools"), *[(urn, name) for urn, name in schools]]  # type: ignore[attr-defined]
        priority = cohort_choices()  # the LA's own cohorts, beside the DfE's characteristics
        self.fields["by"].choices = [*CHARACTERISTICS.items(), *priority]  # type: ignore[attr-defined]
        self.fields["then"].choices = [("", "Nothing else"), *CHARACTERISTICS.items(), *priority]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if "by" in data and not data["by"]:
            data["by"] = "fsm"
        if data.get("then") and data.get("then") == data.get("by"):
            self.add_error("then", "Choose a different second characteristic, or nothing else")
        elif all(str(data.get(f, "")).startswith("cohort:") for f in ("by", "then")):
            self.add_error("then", "Choose one priority cohort at a time, with a characteristic if you like")
        return data


class AuditSearchForm(forms.Form):
    username = forms.CharField(label="User name contains", required=False, max_length=150)
    upn = forms.CharField(label="UPN", required=False, max_length=13)
    action = forms.ChoiceField(
        label="Action",
        choices=[("", "Any"), *Action.choices],
        required=False,
        error_messages={"invalid_choice": "Choose an action from the list"},
    )
    outcome = forms.ChoiceField(
        label="Outcome",
        choices=[("", "Any"), *Outcome.choices],
        required=False,
        error_messages={"invalid_choice": "Choose an outcome from the list"},
    )
    date_from = IsoDateField(
        label="From", required=False, error_messages={"invalid": "Enter the first date as YYYY-MM-DD"}
    )
    date_to = IsoDateField(label="To", required=False, error_messages={"invalid": "Enter the last date as YYYY-MM-DD"})

    def clean_upn(self) -> str:
        upn = self.cleaned_data.get("upn", "").strip().upper()
        if upn and len(upn) != 13:
            raise forms.ValidationError("A UPN is 13 characters, like A123456789012")
        return upn


# -- Targeting Support Meetings -----------------------------------------------------------------------
class _UPNField(forms.CharField):
    """A pupil, picked from a list (``choices``, set by the form's :meth:`PupilChoice.offer`), read as a UPN."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 13)
        kwargs.setdefault("label", "Pupil")
        kwargs.setdefault("widget", forms.Select)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.choices: list[tuple[str, str]] = []

    def clean(self, value: object) -> str:
        upn = str(super().clean(value) or "").strip().upper()
        if upn and len(upn) != 13:
            raise forms.ValidationError("A UPN is 13 characters, like A123456789012")
        return upn


class MeetingForm(forms.Form):
    """Schedule a TSM with its named officer, and record it once held."""

    officer = IdentifierChoiceField(label="Named officer", parse=parse_record_id, choose="Choose the officer")
    scheduled_for = IsoDateField(
        label="Meeting date", error_messages={"invalid": "Enter the meeting date as YYYY-MM-DD"}
    )
    held_on = IsoDateField(
        label="Held on, once the meeting has taken place",
        required=False,
        error_messages={"invalid": "Enter the date it was held as YYYY-MM-DD"},
    )
    attendees = forms.CharField(
        label="Who attended (a name and role a line)", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, officers: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["officer"].choices = [("", "Choose the officer"), *officers]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        held, scheduled = data.get("held_on"), data.get("scheduled_for")
        if held and held > dt.date.today():
            self.add_error("held_on", "The date it was held must be today or in the past")
        if held and scheduled and held < scheduled - dt.timedelta(days=366):
            self.add_error("held_on", "The date it was held must be near the meeting date")
        return data


class PupilChoice:
    """A form naming a pupil: the pupils to pick from (UPN, label), and what to say for none."""

    none_label = "Choose a pupil"

    def offer(self, pupils: list[tuple[str, str]]) -> None:
        field = self.fields["upn"]  # type: ignore[attr-defined]
        field.choices = [("", self.none_label), *pupils]
        field.widget.choices = field.choices


class DiscussForm(PupilChoice, forms.Form):
    """Add a pupil to the meeting's agenda (a school before the meeting, or anyone in it)."""

    upn = _UPNField(
        error_messages={"required": "Choose the pupil to discuss"},
        help_text="Every pupil the pack lists. For another pupil on the school's roll, ask the LA officer.",
    )
    reason = forms.CharField(
        label="Why discuss this pupil (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_practitioner = forms.CharField(label="Lead practitioner (optional)", required=False, max_length=150)


class ActionForm(PupilChoice, forms.Form):
    """An action agreed at the meeting, recorded by the person who will do it."""

    none_label = "The whole school, no one pupil"
    upn = _UPNField(required=False, help_text="A pupil the pack lists, or the whole school.")
    description = forms.CharField(
        label="What will be done",
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "Enter what will be done"},
    )
    due_date = IsoDateField(
        label="Due by",
        error_messages={"required": "Enter the date it is due by", "invalid": "Enter the due date as YYYY-MM-DD"},
    )


# -- lists of pupils --------------------------------------------------------------------------------
class PupilListForm(forms.Form):
    """Find pupils by name or UPN, and narrow, sort and page a list of them (every choice optional)."""

    q = forms.CharField(label="Name or UPN", required=False, max_length=100)
    list = forms.ChoiceField(label="Pupils", required=False, error_messages={"invalid_choice": "Choose a list"})
    school = IdentifierChoiceField(
        label="School", parse=parse_urn, choose="Choose a school from the list", required=False, empty_value=None
    )
    year = forms.ChoiceField(label="Year group", required=False)
    band = forms.ChoiceField(label="Band", required=False)
    fsm = forms.ChoiceField(label="Free school meals", required=False)
    sen = forms.ChoiceField(label="SEN provision", required=False)
    stage = forms.ChoiceField(label="Case stage", required=False)
    sort = forms.ChoiceField(label="Sort by", required=False)
    period = forms.CharField(required=False, widget=forms.HiddenInput)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: object,
        lists: dict[str, str],
        sorts: dict[str, str],
        choices: dict[str, list[tuple[str, str]]],
        stages: list[tuple[str, str]] | None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["list"].choices = list(lists.items())  # type: ignore[attr-defined]
        self.fields["sort"].choices = [("", "The list's own order"), *sorts.items()]  # type: ignore[attr-defined]
        for name, anything in (
            ("school", "All your schools"),
            ("year", "Any year group"),
            ("band", "Any band"),
            ("fsm", "Eligible or not"),
            ("sen", "Any SEN provision"),
        ):
            self.fields[name].choices = [("", anything), *choices.get(name, [])]  # type: ignore[attr-defined]
            self.fields[name].error_messages["invalid_choice"] = (
                f"Choose a {self.fields[name].label.lower()} from the list"
            )
        if len(choices.get("school", [])) <= 1:
            del self.fields["school"]
        if stages is None:
            del self.fields["stage"]
        else:
            self.fields["stage"].choices = [("", "Any, or none"), ("none", "No open case"), *stages]  # type: ignore[attr-defined]
