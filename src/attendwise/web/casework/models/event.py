"""A case's events: the record of every change, appended and never edited or deleted.

Three guards: the model refuses to save anything but a new row and to delete one; its manager has no
``update``, ``delete`` or ``bulk_update``; and the database refuses an ``UPDATE`` of the table (a
trigger, on SQLite and PostgreSQL, from the app's migration). ``(case, seq)`` is unique, so of two
people appending event 5 at once, one is refused.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from attendwise.casework.events import CaseEvent, EventKind


class AppendOnlyError(Exception):
    """An attempt to change or delete a case event."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AppendOnlyError("case events are appended, never changed or deleted")


class AppendOnlyQuerySet(models.QuerySet):
    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class CaseEventRecord(models.Model):
    """One event of one case, as :class:`attendwise.casework.events.CaseEvent` describes it."""

    case = models.ForeignKey("casework.CaseRecord", on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=32, choices=[(k.value, k.value) for k in EventKind])
    #: The user name and the name of whoever recorded it, as they were then (no link: a record outlives accounts).
    username = models.CharField(max_length=150)
    user_name = models.CharField(max_length=300, blank=True)
    at = models.DateTimeField()
    why = models.TextField(blank=True)
    payload = models.JSONField(default=dict)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        constraints = (models.UniqueConstraint(fields=("case", "seq"), name="one_event_per_number"),)
        ordering = ("case", "seq")

    def __str__(self) -> str:
        return f"case {self.case_id} event {self.seq}: {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            _refuse()
        super().save(*args, **{**kwargs, "force_insert": True})

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()

    def event(self) -> CaseEvent:
        """The core's event."""
        return CaseEvent(self.seq, EventKind(self.kind), self.username, self.at, self.why, self.payload)
