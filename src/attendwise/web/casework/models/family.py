"""Family cases: one case for a family, linking the cases of its children (siblings, perhaps at several schools).

For now a simple link table: which cases belong to which family case. Who the siblings are comes
from the families built from ``contacts.csv`` (pupils sharing a contact with parental responsibility);
linking a case is an event on that case (``family_linked``), and this table is its projection.
"""

from __future__ import annotations

from django.db import models


class FamilyCase(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150)
    note = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"Family case {self.pk}"


class FamilyLink(models.Model):
    """A case's place in a family case: each case is in at most one."""

    family = models.ForeignKey(FamilyCase, on_delete=models.CASCADE, related_name="links")
    case = models.OneToOneField("casework.CaseRecord", on_delete=models.CASCADE, related_name="family_link")

    def __str__(self) -> str:
        return f"{self.family} - case {self.case_id}"
