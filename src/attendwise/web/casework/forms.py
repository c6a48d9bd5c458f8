"""The case page's forms: each says what is wrong in words, and carries the version of the case it was made from.

Every form that changes a case has a hidden ``version``: the number of the case's latest event when
the page was opened. The case store refuses the change if the case has moved on since
(:class:`attendwise.web.casework.store.StaleCase`).
"""

from __future__ import annotations

from typing import Any

from django import forms

from attendwise.casework.commands import EHA_ANSWERS
from attendwise.casework.events import OPENING_REASONS
from attendwise.casework.settings import CaseworkConfig
from attendwise.casework.stages import StageModel
from attendwise.web.forms import IsoDateField

__all__ = [
    "CloseForm",
    "CriteriaForm",
    "EhaAnswerForm",
    "EhaOfferForm",
    "InterventionForm",
    "InterventionReviewForm",
    "LetterForm",
    "NoteForm",
    "OpenCaseForm",
    "PeopleForm",
    "ReferralForm",
    "ReferralOutcomeForm",
    "ReviewForm",
    "StageForm",
    "TafForm",
    "TafLeftForm",
    "TemplateUploadForm",
    "TsmActionForm",
]

SHORT = 150
LONG = 4000


def _date(label: str, *, required: bool = True, what: str = "the date") -> IsoDateField:
    return IsoDateField(
        label=f"{label} (YYYY-MM-DD)",
        required=required,
        error_messages={"required": f"Enter {what}", "invalid": f"Enter {what} as YYYY-MM-DD"},
    )


def _text(label: str, *, required: bool = False, long: bool = False, what: str = "", rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=LONG if long else SHORT,
        widget=forms.Textarea(attrs={"rows": rows}) if long else forms.TextInput,
        error_messages={
            "required": f"Enter {what or label.lower()}",
            "max_length": f"{label} must be {LONG if long else SHORT} characters or fewer",
        },
    )


def _choice(label: str, choices: list[tuple[str, str]], choose: str, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        error_messages={"required": choose, "invalid_choice": choose},
    )


class VersionedForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, error_messages={"required": "Reload the case"})


class OpenCaseForm(forms.Form):
    reason = _choice(
        "Why open a case",
        [("", "Choose a reason"), *((k.value, v) for k, v in OPENING_REASONS.items())],
        "Choose why the case is being opened",
    )
    stage = _choice("Stage", [], "Choose the stage")
    why = _text(
        "What has happened (what the case is for)", required=True, long=True, what="why the case is being opened"
    )
    detail = _text(
        "Anything more about where it came from (the TSM action, the early-warning reasons)", long=True, rows=2
    )
    review_date = _date("First review", required=False, what="the review date")
    la_officer = _choice("LA officer", [], "Choose the LA officer from the list", required=False)

    def __init__(self, *args: Any, model: StageModel, officers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.key, s.label) for s in model.stages]  # type: ignore[attr-defined]
        self.fields["la_officer"].choices = [("", "Nobody yet"), *officers]  # type: ignore[attr-defined]


class StageForm(VersionedForm):
    stage = _choice("New stage", [], "Choose the stage")
    why = _text("Why", required=True, long=True, what="why the stage changes")

    def __init__(self, *args: Any, model: StageModel, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [(s.key, s.label) for s in model.stages]  # type: ignore[attr-defined]


class PeopleForm(VersionedForm):
    lead = _choice("Who leads the plan", [], "Choose who leads the plan")
    lead_practitioner = _text("Lead practitioner (name)")
    attendance_champion = _text("School's attendance champion (name)")
    la_officer = _choice("LA officer", [], "Choose the LA officer from the list", required=False)
    why = _text("Why (optional)", long=True, rows=2)

    def __init__(self, *args: Any, model: StageModel, officers: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].choices = list(model.leads.items())  # type: ignore[attr-defined]
        self.fields["la_officer"].choices = [("", "Nobody"), *officers]  # type: ignore[attr-defined]


class ReviewForm(VersionedForm):
    review_date = _date("Next review", what="the review date")
    why = _text("Why (optional)", long=True, rows=2)


class InterventionForm(VersionedForm):
    type = _choice("Intervention", [], "Choose the intervention")
    date = _date("Date done (or started)", what="the date it was done")
    by = _text("Done by (blank: you)")
    notes = _text("Notes", long=True)
    outcome = _text("Outcome", long=True, rows=2)
    next_step = _text("Next step", long=True, rows=2)
    end_date = _date("Part-time timetable: ends", required=False, what="the end date")
    review_date = _date("Review", required=False, what="the review date")

    def __init__(self, *args: Any, config: CaseworkConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [  # type: ignore[attr-defined]
            ("", "Choose the intervention"),
            *((t.key, t.name) for t in config.intervention_types),
        ]


class InterventionReviewForm(VersionedForm):
    date = _date("Reviewed on", what="the date of the review")
    outcome = _text("What the review found", long=True, rows=2)
    ended = _choice(
        "Does it end here?", [("no", "No, it continues"), ("yes", "Yes, it has ended")], "Choose whether it ends"
    )
    next_review_date = _date("Next review", required=False, what="the next review date")


class EhaOfferForm(VersionedForm):
    date = _date("Offered on", what="the date it was offered")
    offered_by = _text("Offered by", required=True, what="who offered it")
    reference = _text("Reference in the early help system (optional)")


class EhaAnswerForm(VersionedForm):
    answer = forms.ChoiceField(
        label="The family's answer",
        choices=[(a, a.capitalize()) for a in EHA_ANSWERS],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose whether the family accepted or declined",
            "invalid_choice": "Choose whether the family accepted or declined",
        },
    )
    date = _date("Answered on", what="the date of the answer")
    why = _text("Why (if declined; optional)", long=True, rows=2)
    reference = _text("Reference in the early help system (optional)")


class TafForm(VersionedForm):
    agency = _text("Agency", required=True, what="the member's agency")
    person = _text("Name", required=True, what="the member's name")
    role = _text("Role", required=True, what="the member's role")
    start = _date("Joined on", what="the date they joined")


class TafLeftForm(VersionedForm):
    date = _date("Left on", what="the date they left")


class CriteriaForm(VersionedForm):
    criteria = forms.MultipleChoiceField(
        label="Family support criteria the family meets",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose criteria from the list"},
    )
    date = _date("Assessed on", what="the date of the assessment")

    def __init__(self, *args: Any, config: CaseworkConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria"].choices = [(c.key, c.name) for c in config.criteria]  # type: ignore[attr-defined]


class ReferralForm(VersionedForm):
    to = _text("Referred to", required=True, what="who the family is referred to")
    date = _date("Referred on", what="the date of the referral")
    why = _text("Why", required=True, long=True, rows=2, what="why the family is referred")


class ReferralOutcomeForm(VersionedForm):
    ref = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    outcome = _text("Outcome", required=True, what="the referral's outcome")
    date = _date("Outcome on", what="the date of the outcome")


class NoteForm(VersionedForm):
    text = _text("Note", required=True, long=True, what="the note")


class CloseForm(VersionedForm):
    outcome = _choice("Outcome", [], "Choose the outcome")
    date = _date("Closed on", what="the date the case closes")
    why = _text("Why", required=True, long=True, what="why the case is being closed")

    def __init__(self, *args: Any, config: CaseworkConfig, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [
            ("", "Choose the outcome"),
            *((c.key, c.name) for c in config.closure_outcomes),
        ]  # type: ignore[attr-defined]


class LetterForm(VersionedForm):
    """A letter from a template to the parents chosen (those with parental responsibility), and a meeting if it
    invites them to one."""

    template = _choice("Letter", [], "Choose the letter")
    contacts = forms.MultipleChoiceField(
        label="Who it is to (a letter each)",
        choices=[],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Choose parents from the list"},
    )
    meeting_date = _date("Meeting: date (if the letter invites them)", required=False, what="the meeting's date")
    meeting_time = _text("Meeting: time")
    meeting_place = _text("Meeting: place")
    meeting_with = _text("Meeting: who they will meet")

    def __init__(
        self, *args: Any, templates: list[tuple[str, str]], parents: list[tuple[str, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", "Choose the letter"), *templates]  # type: ignore[attr-defined]
        self.fields["contacts"].choices = parents  # type: ignore[attr-defined]

    def clean_contacts(self) -> list[str]:
        chosen = self.cleaned_data.get("contacts") or []
        if self.fields["contacts"].choices and not chosen:  # type: ignore[attr-defined]
            raise forms.ValidationError("Choose who the letter is to")
        return chosen


class TemplateUploadForm(forms.Form):
    """A new version of one of the LA's letter templates."""

    name = forms.RegexField(
        label="Letter type",
        help_text="Lower-case words joined by hyphens, such as attendance-concern. A letter type that exists "
        "gets a new version; the earlier versions are kept.",
        regex=r"\A[a-z0-9]+(?:-[a-z0-9]+){0,7}\Z",
        max_length=64,
        error_messages={
            "required": "Enter the letter type",
            "invalid": "Enter the letter type as lower-case words joined by hyphens, such as attendance-concern",
            "max_length": "The letter type must be 64 characters or fewer",
        },
    )
    title = _text("What the letter is for", required=True, what="what the letter is for")
    file = forms.FileField(
        label="The template (a Word .docx file)",
        error_messages={"required": "Choose the template file", "empty": "The file is empty"},
    )


class TsmActionForm(VersionedForm):
    """An action agreed at a Targeting Support Meeting, recorded on the pupil's case."""

    action = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        max_value=2**31 - 1,
        error_messages={"required": "Choose the action", "invalid": "Choose the action"},
    )
