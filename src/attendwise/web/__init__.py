"""The attendwise web application: the LA attendance team and every school, in a browser.

A Django project on GOV.UK Frontend over the register store.  Views are thin: each checks the
user's permission (:mod:`attendwise.web.rules`), calls one service function
(:mod:`attendwise.web.services`) that calls the core (:mod:`attendwise.measures.absence`,
:mod:`attendwise.measures.bands`, :mod:`attendwise.reports`, :mod:`attendwise.measures.pupils`), and renders what it
built.  Nothing here computes a measure.  See ``docs/web.md``.
"""

from __future__ import annotations
