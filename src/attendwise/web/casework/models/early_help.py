"""A case's Early Help Assessment offers and the family's answers (a projection of its events)."""

from __future__ import annotations

from django.db import models


class EarlyHelpRecord(models.Model):
    case = models.ForeignKey("casework.CaseRecord", on_delete=models.CASCADE, related_name="early_help")
    ref = models.PositiveIntegerField()
    offered_on = models.DateField()
    offered_by = models.CharField(max_length=150)
    reference = models.CharField(max_length=100, blank=True, help_text="The reference in the LA's early help system.")
    answer = models.CharField(max_length=10, blank=True)  # accepted / declined; blank: waiting
    answered_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("case", "ref"), name="one_offer_per_ref"),)
        ordering = ("ref",)

    def __str__(self) -> str:
        return f"case {self.case_id} EHA {self.ref}: {self.answer or 'offered'}"
