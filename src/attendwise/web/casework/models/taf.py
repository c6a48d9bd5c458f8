"""The Team Around the Family of a case: agency, person and role (a projection of its events)."""

from __future__ import annotations

from django.db import models


class TafMemberRecord(models.Model):
    case = models.ForeignKey("casework.CaseRecord", on_delete=models.CASCADE, related_name="taf")
    ref = models.PositiveIntegerField()
    agency = models.CharField(max_length=150)
    person = models.CharField(max_length=150)
    role = models.CharField(max_length=150)
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("case", "ref"), name="one_member_per_ref"),)
        ordering = ("start", "ref")

    def __str__(self) -> str:
        return f"case {self.case_id} TAF {self.ref}"
