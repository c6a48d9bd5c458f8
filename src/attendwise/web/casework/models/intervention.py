"""A case's interventions (a projection of its events), and where their documents are stored."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models


def case_files() -> FileSystemStorage:
    """Where case documents (letters) are kept: ``case-files`` beside the store; never served as static files."""
    return FileSystemStorage(location=Path(settings.ATTENDWISE_CASE_FILES))


class InterventionRecord(models.Model):
    """One intervention of a case as its events leave it (the record is the events)."""

    case = models.ForeignKey("casework.CaseRecord", on_delete=models.CASCADE, related_name="interventions")
    ref = models.PositiveIntegerField()
    type = models.CharField(max_length=64, db_index=True)
    date = models.DateField()
    by = models.CharField(max_length=150, blank=True)
    notes = models.TextField(blank=True)
    outcome = models.TextField(blank=True)
    next_step = models.TextField(blank=True)
    review_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    recorded_by = models.CharField(max_length=150)
    recorded_at = models.DateTimeField()
    #: A stored document (a letter), kept in :func:`case_files`; served only through the case's own address.
    document = models.FileField(storage=case_files, max_length=300, blank=True)
    document_name = models.CharField(max_length=200, blank=True)
    document_content_type = models.CharField(max_length=100, blank=True)
    document_template = models.CharField(max_length=100, blank=True)
    #: A letter's Word file, beside its PDF (the document) in :func:`case_files`.
    document_docx = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("case", "ref"), name="one_intervention_per_ref"),)
        ordering = ("date", "ref")

    def __str__(self) -> str:
        return f"case {self.case_id} intervention {self.ref}: {self.type}"
