"""The LA's registers of children absent from education in the web app: entries, pages and permissions.

The rules are :mod:`attendwise.registers`'s; this app keeps the entries (a model each), the school's
removal-from-roll notifications (a form and a CSV import), the LA's page for each register with its
deadlines due, a pupil's register entries, and the scrutiny counts. Every change is a row of the
append-only :class:`~attendwise.web.registers.models.RegisterChange` log; every view is in the audit log.
"""
