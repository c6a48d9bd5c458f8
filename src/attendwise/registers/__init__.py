"""The LA's registers of children absent from education: children missing education, removals from roll,
elective home education (and the children-not-in-school register), suspensions and permanent exclusions,
part-time timetables and extended non-attendance panels.

Rules and types only, beside :mod:`attendwise.casework`, with no Django and no engine: each module is one
register, its deadlines counted in school days on :class:`~attendwise.registers.school_days.SchoolCalendar`
and its open questions settings of :mod:`attendwise.registers.settings`. The web app's ``registers`` app
keeps the entries and shows them; ``attendwise registers`` lists them.
"""

from __future__ import annotations

from attendwise.registers.deadlines import Deadline
from attendwise.registers.school_days import NoCalendarError, SchoolCalendar
from attendwise.registers.settings import RegistersConfig, RegistersConfigError, load_registers_config

__all__ = [
    "Deadline",
    "NoCalendarError",
    "RegistersConfig",
    "RegistersConfigError",
    "SchoolCalendar",
    "load_registers_config",
]
