"""The registers' configuration: settings declared once as data, and the national lists they record against.

Every deadline and rule the domain reference marks UNCONFIRMED is a :class:`Setting` in :data:`SETTINGS`
with its default and meaning (``docs/registers.md`` lists each; a test keeps the two in step). The lists
(CME reasons and outcomes, referral sources, the grounds for removal from roll, the national home-education
reasons, the published exclusion reason groups, the panel's decisions) ship in ``presets/registers.toml``.
An LA's TOML file (read through :func:`attendwise.measures.bands.read_preset_or_file`, as band schemes and
stage models are) sets the settings its ``[settings]`` table names and replaces any list it gives; anything
else in it is refused, naming the file and what is wrong.

Examples:
    >>> config = load_registers_config()
    >>> config.settings.cme_escalation_school_days, config.ground("home_education").destination
    (10, 'home_education')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from attendwise.core.errors import AttendwiseError
from attendwise.measures.bands import read_preset_or_file

__all__ = [
    "DESTINATIONS",
    "SETTINGS",
    "Choice",
    "RegistersConfig",
    "RegistersConfigError",
    "RegistersSettings",
    "RemovalGround",
    "Setting",
    "load_registers_config",
    "parse_registers_config",
]

_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}", re.ASCII)
#: What a removal from roll leads to, by its ground (``presets/registers.toml`` explains each).
DESTINATIONS = ("school", "home_education", "away", "unknown", "none")


class RegistersConfigError(AttendwiseError):
    """A registers configuration file that is malformed or names a setting or list that does not exist."""


@dataclass(frozen=True)
class Setting:
    """One registers setting: its name in the ``[settings]`` table, default and meaning."""

    name: str
    default: int | str | bool
    help: str
    #: What the domain reference leaves open (UNCONFIRMED), if anything: why this is a setting.
    unconfirmed: str = ""


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "cme_escalation_school_days",
        10,
        "A CME referral whose child's whereabouts are unknown is escalated on this school day, counting the day "
        "they became unknown as day 1 when it is a school day (the LA's calendar).",
        "UNCONFIRMED: Coventry's '10 days or more'; neither the unit nor a national status is confirmed.",
    ),
    Setting(
        "removal_absence_school_days",
        20,
        "A removal on the ground of continuous unexplained absence needs at least this many school days in a row "
        "on which every session is coded with one of removal_absence_codes, ending on or before the removal.",
        "SI 2024/208 reg 9(1)(i) as read by a secondary source (a law firm's note).",
    ),
    Setting(
        "removal_absence_codes",
        "G,N,O",
        "The codes that count towards continuous unexplained absence (comma-separated); any other mark on a "
        "school day breaks the run.",
        "Secondary source only: G, N or O.",
    ),
    Setting(
        "closure_days_are_school_days",
        False,
        "Whether closure days inside term (INSET, planned closures in closures.csv) count as school days when "
        "deadlines are counted.",
        "UNCONFIRMED for the exclusion regulations' own definition; the reference takes them as not school days.",
    ),
    Setting(
        "excluded_provision_day",
        6,
        "The LA's full-time provision for a permanently excluded pupil starts by this school day, the first day of "
        "the exclusion being day 1 (the excluding school's calendar).",
        "UNCONFIRMED: which calendar counts and whether a part-day exclusion is day 1; the excluding school's "
        "calendar and the first full school day are assumed.",
    ),
    Setting(
        "governing_board_school_days",
        15,
        "The governing board meets to consider reinstatement by this school day after the head's notice.",
    ),
    Setting(
        "irp_application_school_days",
        15,
        "A parent may apply for an independent review panel until this school day after the board's decision is "
        "notified.",
    ),
    Setting(
        "suspension_max_school_days",
        45,
        "The most school days of suspension a pupil may have in a school year; a pupil over it is flagged.",
    ),
    Setting(
        "timetable_max_weeks",
        6,
        "A part-time timetable planned to last longer than this many calendar weeks is flagged.",
        "UNCONFIRMED: no national limit (Essex SENDIASS cites 6-8 weeks).",
    ),
    Setting(
        "offrolling_min_deregistrations",
        3,
        "A school is flagged by the off-rolling watch only with at least this many home-education deregistrations "
        "in the period (a small school's one or two is never a pattern).",
    ),
    Setting(
        "offrolling_min_roll",
        30,
        "A school is flagged by the off-rolling watch only with at least this many pupils on roll.",
    ),
    Setting(
        "cnis_fields",
        False,
        "Whether the children-not-in-school fields (estimated hours by source, providers above the prescribed "
        "time) are shown and asked for.",
        "UNCONFIRMED: EA1996 ss436B-436G are not yet commenced; the regulations come first.",
    ),
)

_DEFAULTS: dict[str, int | str | bool] = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class RegistersSettings:
    """The settings in force (defaults from :data:`SETTINGS`, changed by the LA's file)."""

    cme_escalation_school_days: int = int(_DEFAULTS["cme_escalation_school_days"])
    removal_absence_school_days: int = int(_DEFAULTS["removal_absence_school_days"])
    removal_absence_codes: str = str(_DEFAULTS["removal_absence_codes"])
    closure_days_are_school_days: bool = bool(_DEFAULTS["closure_days_are_school_days"])
    excluded_provision_day: int = int(_DEFAULTS["excluded_provision_day"])
    governing_board_school_days: int = int(_DEFAULTS["governing_board_school_days"])
    irp_application_school_days: int = int(_DEFAULTS["irp_application_school_days"])
    suspension_max_school_days: int = int(_DEFAULTS["suspension_max_school_days"])
    timetable_max_weeks: int = int(_DEFAULTS["timetable_max_weeks"])
    offrolling_min_deregistrations: int = int(_DEFAULTS["offrolling_min_deregistrations"])
    offrolling_min_roll: int = int(_DEFAULTS["offrolling_min_roll"])
    cnis_fields: bool = bool(_DEFAULTS["cnis_fields"])

    @property
    def absence_codes(self) -> frozenset[str]:
        """The codes of :attr:`removal_absence_codes`, as a set."""
        return frozenset(c.strip().upper() for c in self.removal_absence_codes.split(",") if c.strip())


@dataclass(frozen=True)
class Choice:
    """One entry of a configured list: its key (stored) and its name (shown)."""

    key: str
    name: str


@dataclass(frozen=True)
class RemovalGround(Choice):
    """A ground for deleting a pupil from the admission register (SI 2024/208 reg 9)."""

    #: The regulation's letter; blank where the reference leaves it UNCONFIRMED.
    letter: str = ""
    #: What the removal leads to: one of :data:`DESTINATIONS`.
    destination: str = "none"

    @property
    def label(self) -> str:
        return f"({self.letter}) {self.name}" if self.letter else self.name


_LISTS = (
    "cme_reason",
    "cme_outcome",
    "referral_source",
    "removal_ground",
    "ehe_reason",
    "exclusion_reason",
    "panel_decision",
)


@dataclass(frozen=True)
class RegistersConfig:
    """Everything the registers are configured by."""

    settings: RegistersSettings
    lists: dict[str, tuple[Choice, ...]]

    def choices(self, name: str) -> tuple[Choice, ...]:
        """The entries of list ``name`` (one of the ``[[...]]`` tables of ``registers.toml``)."""
        return self.lists[name]

    def choice(self, name: str, key: str) -> Choice:
        """The entry of list ``name`` with this key.

        Raises:
            RegistersConfigError: there is none.
        """
        for c in self.lists[name]:
            if c.key == key:
                return c
        keys = ", ".join(c.key for c in self.lists[name])
        raise RegistersConfigError(f"{key!r} is not a {name.replace('_', ' ')} (they are {keys})")

    def ground(self, key: str) -> RemovalGround:
        ground = self.choice("removal_ground", key)
        assert isinstance(ground, RemovalGround)
        return ground

    def name_of(self, name: str, key: str) -> str:
        """The shown name of a stored key (the key itself if the list no longer has it)."""
        return next((c.name for c in self.lists[name] if c.key == key), key)


def _setting(name: object, value: object, source: str) -> tuple[str, int | str | bool]:
    if name not in _DEFAULTS:
        raise RegistersConfigError(
            f"{source}: there is no registers setting {name!r} (they are {', '.join(_DEFAULTS)})"
        )
    default = _DEFAULTS[str(name)]
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise RegistersConfigError(f"{source}: setting {name!r} must be true or false (got {value!r})")
    elif isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise RegistersConfigError(
                f"{source}: setting {name!r} must be a whole number of 1 or more (got {value!r})"
            )
    elif not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9#/\\]+( *, *[A-Za-z0-9#/\\]+)*", value):
        raise RegistersConfigError(
            f"{source}: setting {name!r} must be a comma-separated list of codes (got {value!r})"
        )
    return str(name), value  # type: ignore[return-value]


def _entries(table: str, entries: object, source: str) -> tuple[Choice, ...]:
    if not isinstance(entries, list) or not entries:
        raise RegistersConfigError(f"{source}: [[{table}]] must list at least one entry")
    allowed = {"key", "name"} | ({"letter", "destination"} if table == "removal_ground" else set())
    out: list[Choice] = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise RegistersConfigError(f"{source}: {table} {i} must be a table")
        key, name = entry.get("key"), entry.get("name")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise RegistersConfigError(
                f"{source}: {table} {i} needs a key of lower-case letters, digits and _ (got {key!r})"
            )
        if any(c.key == key for c in out):
            raise RegistersConfigError(f"{source}: {table} key {key!r} is given twice")
        if not isinstance(name, str) or not name.strip():
            raise RegistersConfigError(f"{source}: {table} {key!r} needs a name")
        if extra := set(entry) - allowed:
            raise RegistersConfigError(f"{source}: {table} {key!r} has {', '.join(sorted(extra))}, which it may not")
        if table == "removal_ground":
            destination, letter = entry.get("destination", "none"), entry.get("letter", "")
            if destination not in DESTINATIONS:
                raise RegistersConfigError(
                    f"{source}: removal_ground {key!r}: destination must be one of {', '.join(DESTINATIONS)}"
                )
            if not isinstance(letter, str) or len(letter) > 2:
                raise RegistersConfigError(f"{source}: removal_ground {key!r}: letter must be a letter or blank")
            out.append(RemovalGround(key, name, letter, destination))
        else:
            out.append(Choice(key, name))
    return tuple(out)


def parse_registers_config(data: dict[str, Any], source: str, base: RegistersConfig | None = None) -> RegistersConfig:
    """A configuration from parsed TOML, over ``base`` (what it does not say stays as ``base`` has it).

    Raises:
        RegistersConfigError: naming the file, the entry and what is wrong.
    """
    for table in data:
        if table != "settings" and table not in _LISTS:
            raise RegistersConfigError(
                f"{source}: {table!r} is not part of a registers file (it has settings, {', '.join(_LISTS)})"
            )
    settings = base.settings if base else RegistersSettings()
    if "settings" in data:
        if not isinstance(data["settings"], dict):
            raise RegistersConfigError(f"{source}: [settings] must be a table of name = value")
        changed = dict(_setting(k, v, source) for k, v in data["settings"].items())
        settings = RegistersSettings(**{**{f.name: getattr(settings, f.name) for f in fields(settings)}, **changed})
    lists = dict(base.lists) if base else {}
    for table in _LISTS:
        if table in data:
            lists[table] = _entries(table, data[table], source)
        if table not in lists:
            raise RegistersConfigError(f"{source}: a registers configuration needs [[{table}]] entries")
    return RegistersConfig(settings, lists)


def load_registers_config(path: str | Path | None = None) -> RegistersConfig:
    """The shipped configuration, changed by the LA's file at ``path`` if one is given."""
    data, source = read_preset_or_file(
        "registers", {"registers": "registers.toml"}, "attendwise.registers.presets", RegistersConfigError
    )
    config = parse_registers_config(data, source)
    if path is None or str(path) == "":
        return config
    if not Path(path).is_file():
        raise RegistersConfigError(f"no registers configuration file at {Path(path).name!r}")
    data, source = read_preset_or_file(path, {}, "attendwise.registers.presets", RegistersConfigError)
    return parse_registers_config(data, source, base=config)
