"""The service layer: what each page shows, built by calling the core, scoped to the user.

Services take a :class:`~attendwise.web.rules.Scope` and return plain data (dataclasses, tables
and chart specs) for a template, a CSV formatter or the JSON API.  They never import Django's
request or response machinery, so the same function feeds a page, its export and its API.
"""

from __future__ import annotations
