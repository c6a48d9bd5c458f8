"""The LA's own letter templates: each upload a new version of its letter type, never replaced in place.

A template is checked when it is uploaded (:func:`attendwise.documents.letters.template_problems`) and
stored in the case files (``templates/``) only if it has no problem; the letters offered on a case are the
four attendwise ships and the latest version of each letter type the LA has uploaded.
"""

from __future__ import annotations

from django.db import models


class LetterTemplateRecord(models.Model):
    """One version of one of the LA's letter templates (a Word ``.docx``)."""

    #: The letter type: lower-case words joined by hyphens (``attendance-concern``).
    name = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=150, help_text="What the letter is for, as officers choose it.")
    #: Where the file is kept in the case files.
    storage_name = models.CharField(max_length=300)
    file_name = models.CharField(max_length=200, help_text="The file's name as uploaded.")
    #: The merge fields it uses.
    fields = models.JSONField(default=list)
    uploaded_by = models.CharField(max_length=150)
    uploaded_at = models.DateTimeField()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("name", "version"), name="one_template_per_version"),)
        ordering = ("name", "-version")

    def __str__(self) -> str:
        return f"letter template {self.name} v{self.version}"
