"""A case, as its events leave it: the row lists and filters read (the events are the record)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class CaseRecord(models.Model):
    """One case for one pupil. Written only by :mod:`attendwise.web.casework.store`, from the case's events.

    At most one case per pupil (UPN) is open at a time: a conditional unique constraint, which SQLite and
    PostgreSQL both enforce, refuses a second even when two people open one at the same moment.
    ``version`` is the number of the case's latest event: an edit made from an older version is refused.
    """

    enrolment_id = models.BigIntegerField(help_text="The enrolment the case was opened for (and so its school).")
    upn = models.CharField("UPN", max_length=13, db_index=True)
    urn = models.PositiveIntegerField("URN", db_index=True)
    stage = models.CharField(max_length=64)
    lead = models.CharField(max_length=64, help_text="Who leads the plan: a key of the stage model's leads.")
    lead_practitioner = models.CharField(max_length=150, blank=True)
    attendance_champion = models.CharField(max_length=150, blank=True)
    #: The LA officer's user name (their caseload is the open cases naming them).
    la_officer = models.CharField(max_length=150, blank=True)
    review_date = models.DateField(null=True, blank=True)
    opening_reason = models.CharField(max_length=32)
    opened_on = models.DateField()
    opened_at = models.DateTimeField()
    opened_by = models.CharField(max_length=150)
    criteria_met = models.PositiveSmallIntegerField(default=0)
    closed_on = models.DateField(null=True, blank=True)
    outcome = models.CharField(max_length=64, blank=True)
    version = models.PositiveIntegerField()
    changed_at = models.DateTimeField()
    changed_by = models.CharField(max_length=150)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("upn",), condition=Q(closed_on__isnull=True), name="one_open_case_per_pupil"
            ),
        )
        indexes = (
            models.Index(fields=("urn", "closed_on")),
            models.Index(fields=("la_officer", "closed_on")),
        )
        ordering = ("-opened_at", "-id")

    def __str__(self) -> str:
        return f"Case {self.pk} ({self.upn[:3]}...)"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None
