"""Casework's configuration: its settings (declared once, as data), intervention types, criteria and outcomes.

Every number or rule an LA may set differently, and every rule the domain reference marks
UNCONFIRMED, is a :class:`Setting` in :data:`SETTINGS` with its default and meaning (``docs/design.md``
documents each one; a test checks it). The intervention types and the Supporting Families criteria are
lists shipped in ``presets/casework.toml``. An LA's own TOML file changes any of them: its ``[settings]``
table sets the settings it names, and an ``[[intervention_type]]``, ``[[family_support_criterion]]`` or
``[[closure_outcome]]`` list replaces the shipped one. Anything else in the file is refused, naming the
file and what is wrong.

Examples:
    >>> config = load_casework_config()
    >>> config.settings.no_contact_school_weeks, config.intervention_type("letter").document
    (3, True)
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, fields
from importlib import resources
from pathlib import Path

from attendwise.core.errors import AttendwiseError

__all__ = [
    "SETTINGS",
    "WEEKDAYS",
    "CaseworkConfig",
    "CaseworkConfigError",
    "CaseworkSettings",
    "Choice",
    "InterventionType",
    "Setting",
    "load_casework_config",
    "parse_casework_config",
]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)


class CaseworkConfigError(AttendwiseError):
    """A casework configuration file that is malformed or names a setting that does not exist."""


@dataclass(frozen=True)
class Setting:
    """One casework setting: its name in the ``[settings]`` table, default and meaning."""

    name: str
    default: int | str
    help: str
    #: Why this is a setting rather than a rule: what the domain reference leaves open (UNCONFIRMED), if anything.
    unconfirmed: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "no_contact_school_weeks",
        3,
        "An open case is flagged when no intervention of a contact type (a call, letter, meeting, home visit, "
        "first-day contact) has been logged for this many school weeks (weeks with at least one school day in "
        "the pupil's school's register), counted from the last contact, or from the opening if there has been none.",
    ),
    Setting(
        "week_starts_on",
        "monday",
        "The day a school week starts on, for counting school weeks.",
        "UNCONFIRMED: the National Framework defines a school week as any week with at least one school session "
        "but not the day it starts; Monday to Sunday is assumed.",
    ),
    Setting(
        "review_due_days",
        5,
        "A case's review date, or a part-time timetable's, shows as due this many calendar days before it; "
        "after the date it shows as overdue.",
    ),
    Setting(
        "review_weeks",
        6,
        "The review date a new case is given unless one is chosen: this many calendar weeks after it opens.",
    ),
    Setting(
        "part_time_timetable_max_weeks",
        6,
        "A part-time timetable planned to last longer than this many calendar weeks (from its start to its "
        "planned end) is flagged.",
        "UNCONFIRMED: no national limit; the time limit is local (Essex SENDIASS cites 6-8 weeks).",
    ),
    Setting(
        "intensive_support_criteria",
        3,
        "A family meeting at least this many of the Supporting Families criteria qualifies for intensive family "
        "support, and the stage's family support lead (if it has one) becomes the suggested lead practitioner.",
        "Coventry's staged model: the Supporting Families team usually leads at 3 or more criteria.",
    ),
    Setting(
        "closed_case_retention_years",
        6,
        "A closed case (its events, its lists and its letters) is kept this many years after the day it closed; "
        "the retention rule (``attendwise case-retention --apply``) then removes it and records that it did.",
        "UNCONFIRMED: the domain reference gives no retention period for casework records; 6 years follows the "
        "registers' own (entries kept for at least 6 years, WTTISA). An LA sets its records management "
        "schedule's period.",
    ),
)

_DEFAULTS = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class CaseworkSettings:
    """The settings in force (defaults from :data:`SETTINGS`, changed by the LA's file)."""

    no_contact_school_weeks: int = int(_DEFAULTS["no_contact_school_weeks"])
    week_starts_on: str = str(_DEFAULTS["week_starts_on"])
    review_due_days: int = int(_DEFAULTS["review_due_days"])
    review_weeks: int = int(_DEFAULTS["review_weeks"])
    part_time_timetable_max_weeks: int = int(_DEFAULTS["part_time_timetable_max_weeks"])
    intensive_support_criteria: int = int(_DEFAULTS["intensive_support_criteria"])
    closed_case_retention_years: int = int(_DEFAULTS["closed_case_retention_years"])

    @property
    def week_start(self) -> int:
        """The week's first day as a weekday number (Monday 0)."""
        return WEEKDAYS.index(self.week_starts_on)


@dataclass(frozen=True)
class InterventionType:
    """A kind of intervention an LA logs (configurable; ``presets/casework.toml`` ships the issue's list)."""

    key: str
    name: str
    #: It is contact with the family: it resets the "no contact for N school weeks" flag.
    contact: bool = False
    #: A part-time timetable: it needs an end date and a review date, which are flagged when they pass.
    timetable: bool = False
    #: It can hold a stored document (a letter's file).
    document: bool = False


@dataclass(frozen=True)
class Choice:
    """One entry of a configured list: a family support criterion, or an outcome a case closes with."""

    key: str
    name: str


@dataclass(frozen=True)
class CaseworkConfig:
    """Everything casework is configured by, apart from the stage model."""

    settings: CaseworkSettings
    intervention_types: tuple[InterventionType, ...]
    #: The family support criteria an early help assessment can find a family meets.
    criteria: tuple[Choice, ...]
    #: The outcomes a case closes with.
    closure_outcomes: tuple[Choice, ...]

    def intervention_type(self, key: str) -> InterventionType:
        """The intervention type with this key.

        Raises:
            CaseworkConfigError: there is none.
        """
        for t in self.intervention_types:
            if t.key == key:
                return t
        raise CaseworkConfigError(f"{key!r} is not an intervention type (they are {_keys(self.intervention_types)})")

    def criterion(self, key: str) -> Choice:
        for c in self.criteria:
            if c.key == key:
                return c
        raise CaseworkConfigError(f"{key!r} is not a family support criterion (they are {_keys(self.criteria)})")

    def closure_outcome(self, key: str) -> Choice:
        for c in self.closure_outcomes:
            if c.key == key:
                return c
        raise CaseworkConfigError(f"{key!r} is not a closure outcome (they are {_keys(self.closure_outcomes)})")

    def qualifies_for_intensive_support(self, criteria_met: int) -> bool:
        """Whether a family meeting ``criteria_met`` criteria qualifies for intensive family support."""
        return criteria_met >= self.settings.intensive_support_criteria


def _keys(items: tuple[InterventionType, ...] | tuple[Choice, ...]) -> str:
    return ", ".join(i.key for i in items)


def _settings(table: object, source: str) -> dict[str, int | str]:
    if not isinstance(table, dict):
        raise CaseworkConfigError(f"{source}: [settings] must be a table of name = value")
    out: dict[str, int | str] = {}
    for name, value in table.items():
        if name not in _DEFAULTS:
            raise CaseworkConfigError(
                f"{source}: there is no casework setting {name!r} (the settings are {', '.join(_DEFAULTS)})"
            )
        default = _DEFAULTS[name]
        if isinstance(default, int):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise CaseworkConfigError(
                    f"{source}: setting {name!r} must be a whole number of 1 or more (got {value!r})"
                )
        elif name == "week_starts_on":
            if not isinstance(value, str) or value.lower() not in WEEKDAYS:
                raise CaseworkConfigError(f"{source}: setting {name!r} must be a day of the week (got {value!r})")
            value = value.lower()
        out[name] = value
    return out


def _entries(data: dict[str, object], table: str, source: str, flags: tuple[str, ...]) -> list[dict[str, object]]:
    entries = data[table]
    if not isinstance(entries, list) or not entries:
        raise CaseworkConfigError(f"{source}: [[{table}]] must list at least one entry")
    seen: set[str] = set()
    allowed = {"key", "name", *flags}
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise CaseworkConfigError(f"{source}: {table} {i} must be a table")
        key, name = entry.get("key"), entry.get("name")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise CaseworkConfigError(
                f"{source}: {table} {i} needs a key of lower-case letters, digits and _ (got {key!r})"
            )
        if key in seen:
            raise CaseworkConfigError(f"{source}: {table} key {key!r} is given twice")
        seen.add(key)
        if not isinstance(name, str) or not name.strip():
            raise CaseworkConfigError(f"{source}: {table} {key!r} needs a name")
        for field in entry:
            if field not in allowed:
                raise CaseworkConfigError(
                    f"{source}: {table} {key!r} has {field!r}, which is not one of {', '.join(sorted(allowed))}"
                )
        for flag in flags:
            if not isinstance(entry.get(flag, False), bool):
                raise CaseworkConfigError(f"{source}: {table} {key!r}: {flag} must be true or false")
    return entries  # type: ignore[return-value]


_TABLES = ("settings", "intervention_type", "family_support_criterion", "closure_outcome")
_TYPE_FLAGS = tuple(f.name for f in fields(InterventionType) if f.type in ("bool", bool))


def parse_casework_config(data: dict[str, object], source: str, base: CaseworkConfig | None = None) -> CaseworkConfig:
    """A configuration from parsed TOML, over ``base`` (what it does not say stays as ``base`` has it).

    Raises:
        CaseworkConfigError: naming the file, the entry and what is wrong.
    """
    for table in data:
        if table not in _TABLES:
            raise CaseworkConfigError(
                f"{source}: {table!r} is not part of a casework file (it has {', '.join(_TABLES)})"
            )
    settings = base.settings if base else CaseworkSettings()
    if "settings" in data:
        settings = CaseworkSettings(**{**vars(settings), **_settings(data["settings"], source)})
    types = base.intervention_types if base else ()
    if "intervention_type" in data:
        types = tuple(
            InterventionType(key=str(e["key"]), name=str(e["name"]), **{f: bool(e.get(f, False)) for f in _TYPE_FLAGS})
            for e in _entries(data, "intervention_type", source, _TYPE_FLAGS)
        )
    lists = {}
    for table in ("family_support_criterion", "closure_outcome"):
        if table in data:
            lists[table] = tuple(Choice(str(e["key"]), str(e["name"])) for e in _entries(data, table, source, ()))
    criteria = lists.get("family_support_criterion", base.criteria if base else ())
    outcomes = lists.get("closure_outcome", base.closure_outcomes if base else ())
    for table, found in (
        ("intervention_type", types),
        ("family_support_criterion", criteria),
        ("closure_outcome", outcomes),
    ):
        if not found:
            raise CaseworkConfigError(f"{source}: a casework configuration needs [[{table}]] entries")
    return CaseworkConfig(settings, types, criteria, outcomes)


def _read(text: str, source: str) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CaseworkConfigError(f"{source}: {exc}") from None


def load_casework_config(path: str | Path | None = None) -> CaseworkConfig:
    """The shipped configuration, changed by the LA's file at ``path`` if one is given."""
    shipped = resources.files("attendwise.casework.presets").joinpath("casework.toml").read_text(encoding="utf-8")
    config = parse_casework_config(_read(shipped, "casework.toml"), "casework.toml")
    if path is None or str(path) == "":
        return config
    file = Path(path)
    if not file.is_file():
        raise CaseworkConfigError(f"no casework configuration file at {file.name!r}")
    return parse_casework_config(_read(file.read_text(encoding="utf-8"), file.name), file.name, base=config)
