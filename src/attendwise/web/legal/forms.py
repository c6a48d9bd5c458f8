"""The legal pathway's forms (GOV.UK pattern: labels in plain English, each error saying what to do)."""

from __future__ import annotations

from typing import Any

from django import forms

from attendwise.web.casework.forms import _date, _text

__all__ = [
    "IssueForm",
    "LetterForm",
    "PaymentForm",
    "RequestForm",
    "SocialWorkerForm",
    "SupportForm",
    "UnpaidForm",
    "WithdrawForm",
]


class _Versioned(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RequestForm(forms.Form):
    parents = forms.MultipleChoiceField(
        label="Parents to receive a notice", required=False, widget=forms.CheckboxSelectMultiple
    )
    others = _text("Other parents to name, one a line: full name, then their address after a comma", long=True)
    support_offered = _text("Support offered to the family", long=True)
    support_not_appropriate = _text("Or: why support was not appropriate", long=True)
    letter_sent_on = _date("Date the warning letter was sent", required=False, what="the date the letter was sent")

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parents"].choices = parents

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        others = []
        for n, line in enumerate((data.get("others") or "").splitlines(), start=1):
            if not line.strip():
                continue
            name, _, address = line.partition(",")
            if not name.strip() or not address.strip():
                self.add_error("others", f"Line {n}: enter the parent's full name, a comma, then their address")
            others.append((name.strip(), address.strip()))
        data["other_parents"] = others
        if not data.get("parents") and not others:
            self.add_error("parents", "Choose at least one parent, or enter another parent")
        return data


class SupportForm(_Versioned):
    offered = _text("Support offered to the family", long=True)
    not_appropriate = _text("Or: why support was not appropriate", long=True)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not (data.get("offered") or "").strip() and not (data.get("not_appropriate") or "").strip():
            self.add_error("offered", "Enter the support offered, or why support was not appropriate")
        return data


class SocialWorkerForm(_Versioned):
    name = _text("Social worker's name", required=True, what="the social worker's name")
    agreed_on = _date("Date they agreed", what="the date they agreed")


class LetterForm(_Versioned):
    sent_on = _date("Date the warning letter was sent", what="the date the letter was sent")


class IssueForm(_Versioned):
    parents = forms.MultipleChoiceField(
        label="Issue a notice to",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose the parents to issue a notice to"},
    )
    posted_on = _date("Date posted", what="the date the notices are posted")
    method = forms.ChoiceField(label="Served by", choices=[("post", "Post"), ("hand", "Hand")], initial="post")

    def __init__(self, *args: Any, parents: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parents"].choices = parents


class PaymentForm(forms.Form):
    paid_on = _date("Date paid", what="the date it was paid")
    amount = forms.IntegerField(
        label="Amount paid (pounds)", min_value=1, error_messages={"required": "Enter the amount paid in pounds"}
    )


class WithdrawForm(forms.Form):
    ground = forms.ChoiceField(label="Ground", error_messages={"required": "Choose the ground"})
    detail = _text("What happened", long=True)

    def __init__(self, *args: Any, grounds: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ground"].choices = [("", "Choose a ground"), *((g, g.capitalize()) for g in grounds)]


class UnpaidForm(forms.Form):
    action = forms.ChoiceField(
        label="Decision",
        choices=[("prosecute", "Prosecute"), ("withdraw", "Withdraw the notice")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose to prosecute or withdraw"},
    )
    why = _text("Why", required=True, long=True, what="why")
    prosecution_ref = _text("Prosecution reference (if prosecuting)")
