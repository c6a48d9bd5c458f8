"""A record of each time the retention rule was applied: what it removed, under which rule, by whom.

Removing closed cases past their keeping is the one exception to casework's append-only record
(:mod:`attendwise.casework.retention`); each run leaves one of these rows, which is never removed.
"""

from __future__ import annotations

from django.db import models


class RetentionRun(models.Model):
    at = models.DateTimeField()
    by = models.CharField(max_length=150)
    #: The rule in force, in words ("closed cases are kept 6 years after they close").
    rule = models.CharField(max_length=200)
    as_at = models.DateField()
    #: Cases closed before this day were removed.
    cutoff = models.DateField()
    cases = models.PositiveIntegerField()
    events = models.PositiveIntegerField()
    files = models.PositiveIntegerField()
    #: The removed cases' numbers (no pupil's identifier outlives the case).
    case_ids = models.JSONField(default=list)

    class Meta:
        ordering = ("-at", "-id")

    def __str__(self) -> str:
        return f"retention {self.as_at}: {self.cases} cases"
