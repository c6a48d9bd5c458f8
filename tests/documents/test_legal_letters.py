"""The legal pathway's shipped letters: valid against the merge-field catalogue, reproducible, and merged."""

from __future__ import annotations

from attendwise.documents.legal_letters import TEMPLATES, build_template, legal_templates
from attendwise.documents.letter_fields import FIELD_NAMES
from attendwise.documents.letters import render_letter, template_problems
from tests.documents.test_letters import context, docx_text


def test_every_legal_template_validates_and_is_what_the_script_builds() -> None:
    templates = legal_templates()
    assert set(templates) == set(TEMPLATES)
    for name, template in templates.items():
        assert template.fields <= FIELD_NAMES, name
        assert {"pupil.first_name", "parent.full_name", "meeting.date", "attendance.percent"} <= template.fields
        assert template_problems(template.data, name) == []
        assert template.data == build_template(name), (
            f"{name}.docx is stale: python -m attendwise.documents.legal_letters"
        )


def test_the_letters_merge_a_parents_values() -> None:
    for name, template in legal_templates().items():
        text = docx_text(render_letter(template, context()))
        assert "Aisha" in text and "Tuesday 11 March 2025" in text and "180 of 204 sessions (88.2%)" in text, name
        assert "{{" not in text, name
    warning = docx_text(render_letter(legal_templates()["formal-warning"], context()))
    assert "section 444" in warning and "attendance contract" in warning
