"""Casework in the web app: the case store, its permissions and its pages (issue 12).

The rules and types are :mod:`attendwise.casework`'s; this Django app keeps each case as its events
(:class:`~attendwise.web.casework.models.CaseEventRecord`, append-only) with a projection for lists
(:class:`~attendwise.web.casework.models.CaseRecord` and its interventions, early help offers, Team
Around the Family members and family links), refuses a second open case for a pupil in the database,
refuses an edit of a case someone else changed since it was opened, and asks
:mod:`attendwise.web.casework.rules` who may see and record what.
"""
