"""The legal pathway's rules and types: penalty notices, Notices to Improve, attendance contracts, education
supervision orders, prosecution, parenting orders and School Attendance Orders (no Django, no engine; the web
app keeps the records in ``attendwise.web.legal``).

* :mod:`~attendwise.casework.legal.settings`: every amount, period and reading an LA decides (``[legal]``);
* :mod:`~attendwise.casework.legal.dates`: periods as (count, unit, start), school days and working days;
* :mod:`~attendwise.casework.legal.decisions`: each decision with who, when and the rule that allowed or
  refused it;
* :mod:`~attendwise.casework.legal.notices`: the penalty notice lifecycle and the three-year count;
* :mod:`~attendwise.casework.legal.other_authorities`: notices other LAs issued, imported from CSV;
* :mod:`~attendwise.casework.legal.improvement`: Notices to Improve and attendance contracts, evaluated from
  the marks;
* :mod:`~attendwise.casework.legal.court`: ESO consideration, prosecution and its bundle, parenting orders,
  School Attendance Orders.

The penalty notice threshold itself is computed from the marks in
:mod:`attendwise.measures.penalty_threshold`.
"""

from __future__ import annotations

from attendwise.casework.legal.dates import SchoolCalendar, Span, add_working_days, england_bank_holidays
from attendwise.casework.legal.decisions import Check, Decision, LegalRuleError
from attendwise.casework.legal.settings import SETTINGS, LegalSettings, LegalSettingsError, load_legal_settings

__all__ = [
    "SETTINGS",
    "Check",
    "Decision",
    "LegalRuleError",
    "LegalSettings",
    "LegalSettingsError",
    "SchoolCalendar",
    "Span",
    "add_working_days",
    "england_bank_holidays",
    "load_legal_settings",
]
