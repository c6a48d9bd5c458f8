"""The legal pathway's settings: every amount, period and reading an LA's code of conduct decides, as data.

Each setting is declared once in :data:`SETTINGS` (name, default, meaning, and what the domain reference leaves
open where it does), so the defaults, the ``[legal]`` table of an LA's TOML settings file and the table in
``docs/legal.md`` come from one place (a test keeps the docs in step). Periods are
:class:`~attendwise.casework.legal.dates.Span` values: ``{count = 20, unit = "school_days", start =
"next_school_day"}`` in TOML.

Examples:
    >>> s = LegalSettings()
    >>> s.lower_amount, s.higher_amount, s.three_years, s.nti_period.describe()
    (80, 160, 'rolling', '20 school days')
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from attendwise.casework.legal.dates import Span
from attendwise.core.errors import AttendwiseError

__all__ = ["SETTINGS", "LegalSettings", "LegalSettingsError", "Setting", "load_legal_settings", "parse_legal_settings"]


class LegalSettingsError(AttendwiseError):
    """A legal pathway settings file that is malformed or names a setting that does not exist."""


@dataclass(frozen=True)
class Setting:
    """One setting: its name in the ``[legal]`` table, its default and its meaning."""

    name: str
    default: Any
    help: str
    unconfirmed: str = ""


_GROUNDS = (
    "ought not to have been issued",
    "issued to the wrong person",
    "contains material errors",
    "unpaid and no proceedings started or contemplated",
    "issued outside the terms of the code of conduct",
    "a proven wrong address",
)
_OUTCOMES = ("guilty plea", "found guilty", "found not guilty", "withdrawn", "adjourned", "conditional discharge")

SETTINGS: tuple[Setting, ...] = (
    Setting("lower_amount", 80, "A first notice paid within the lower period (pounds; SI 2024/210)."),
    Setting("higher_amount", 160, "A first notice paid after the lower period, within the higher (pounds)."),
    Setting(
        "second_amount",
        160,
        "A second notice to the same parent for the same child within the limit: one flat amount (pounds).",
    ),
    Setting("lower_period", Span(21, "calendar_days"), "The lower amount is due within this of receipt."),
    Setting("higher_period", Span(28, "calendar_days"), "The higher (and a second notice's) amount: within this."),
    Setting(
        "day_of_receipt_is_day_one",
        False,
        "Whether the day of receipt counts as day 1 of the payment periods (the last day for £80 is then receipt"
        " + 20 days).",
        "UNCONFIRMED: the default is the reading that favours the parent (the last day is receipt + 21 days).",
    ),
    Setting(
        "receipt_working_days",
        2,
        "A posted notice is deemed received this many working days after posting (0: on the day of posting; a"
        " notice handed over is received that day).",
        "UNCONFIRMED under the 2024 rules: one LA code, written for the old amounts, says the second working day.",
    ),
    Setting("counting_from", dt.date(2024, 8, 19), "Notices issued before this day are not counted."),
    Setting("limit_years", 3, "The years within which a parent may have at most two notices for a child."),
    Setting(
        "three_years",
        "rolling",
        "How the years run: 'rolling' (count the notices in the years before the proposed issue date) or"
        " 'anchored' (a period starts with a first notice; within it one second, then refuse).",
        "UNCONFIRMED: Manchester reads 'any 36-month period', the DfE 'within 3 years of the first'; the default"
        " is the reading that refuses more often. Each decision records the reading it used.",
    ),
    Setting(
        "issue_time_limit",
        Span(12, "calendar_weeks"),
        "A notice issued later than this after the last session it relies on is warned about (never refused).",
        "UNCONFIRMED: believed to be 12 weeks; no text seen states it.",
    ),
    Setting(
        "nti_period",
        Span(20, "school_days"),
        "A Notice to Improve's improvement period, from its issue.",
        "UNCONFIRMED: 3 to 6 weeks in the guidance; 20 school days in Coventry, 6 school weeks in Norfolk;"
        " day 1 is the next school day after issue by default.",
    ),
    Setting("nti_target_percent", 90, "A Notice to Improve's attendance target unless one is given (percent)."),
    Setting(
        "contract_period",
        Span(6, "calendar_weeks"),
        "An attendance contract's period, from its meeting: its review date.",
        "UNCONFIRMED: Coventry's 6 weeks may be calendar or school weeks (worked example E8).",
    ),
    Setting("contract_target_percent", 90, "An attendance contract's attendance target unless one is given."),
    Setting(
        "sao_notice_period",
        Span(15, "calendar_days", "same_day"),
        "The least period a s437(1) notice gives the parent, beginning with the day it is served.",
    ),
    Setting(
        "sao_only_off_roll",
        True,
        "Whether a School Attendance Order is refused for a child on a school roll (Coventry's use).",
    ),
    Setting(
        "prosecution_limit_months",
        6,
        "A prosecution is warned about once this many months have passed since the first session of its evidence"
        " period (a summary prosecution must be laid within 6 months).",
        "UNCONFIRMED: which date starts the 6 months in a s444 case is disputed; the warning is from the earliest.",
    ),
    Setting(
        "withdrawal_grounds",
        _GROUNDS,
        "The grounds a notice may be withdrawn on (the regulations' and local codes').",
    ),
    Setting("prosecution_outcomes", _OUTCOMES, "The outcomes a prosecution's hearing may record."),
    Setting(
        "convictions",
        ("guilty plea", "found guilty"),
        "The outcomes that are convictions (a parenting order may follow only these; the notice counts).",
    ),
    Setting("parenting_order_max_months", 12, "The longest parenting order (months; Sentencing Code s369)."),
    Setting("parenting_programme_max_months", 3, "The longest counselling or guidance programme in one (months)."),
)

_DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


@dataclass(frozen=True)
class LegalSettings:
    """The settings in force: the defaults of :data:`SETTINGS`, changed by the LA's ``[legal]`` table."""

    lower_amount: int = _DEFAULTS["lower_amount"]
    higher_amount: int = _DEFAULTS["higher_amount"]
    second_amount: int = _DEFAULTS["second_amount"]
    lower_period: Span = _DEFAULTS["lower_period"]
    higher_period: Span = _DEFAULTS["higher_period"]
    day_of_receipt_is_day_one: bool = _DEFAULTS["day_of_receipt_is_day_one"]
    receipt_working_days: int = _DEFAULTS["receipt_working_days"]
    counting_from: dt.date = _DEFAULTS["counting_from"]
    limit_years: int = _DEFAULTS["limit_years"]
    three_years: str = _DEFAULTS["three_years"]
    issue_time_limit: Span = _DEFAULTS["issue_time_limit"]
    nti_period: Span = _DEFAULTS["nti_period"]
    nti_target_percent: int = _DEFAULTS["nti_target_percent"]
    contract_period: Span = _DEFAULTS["contract_period"]
    contract_target_percent: int = _DEFAULTS["contract_target_percent"]
    sao_notice_period: Span = _DEFAULTS["sao_notice_period"]
    sao_only_off_roll: bool = _DEFAULTS["sao_only_off_roll"]
    prosecution_limit_months: int = _DEFAULTS["prosecution_limit_months"]
    withdrawal_grounds: tuple[str, ...] = field(default=_DEFAULTS["withdrawal_grounds"])
    prosecution_outcomes: tuple[str, ...] = field(default=_DEFAULTS["prosecution_outcomes"])
    convictions: tuple[str, ...] = field(default=_DEFAULTS["convictions"])
    parenting_order_max_months: int = _DEFAULTS["parenting_order_max_months"]
    parenting_programme_max_months: int = _DEFAULTS["parenting_programme_max_months"]

    def __post_init__(self) -> None:
        if self.three_years not in ("rolling", "anchored"):
            raise LegalSettingsError(f"three_years must be 'rolling' or 'anchored', not {self.three_years!r}")
        for name in ("lower_amount", "higher_amount", "second_amount", "limit_years", "nti_target_percent"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise LegalSettingsError(f"{name} must be a whole number of at least 1, not {value!r}")
        if not set(self.convictions) <= set(self.prosecution_outcomes):
            raise LegalSettingsError("every conviction must be one of the prosecution outcomes")

    def payment_day_offset(self) -> int:
        """Days taken off each payment period's end when the day of receipt is day 1."""
        return 1 if self.day_of_receipt_is_day_one else 0


def _value(name: str, value: Any, source: str) -> Any:
    default = _DEFAULTS[name]
    where = f"{source}: [legal] {name}"
    if isinstance(default, Span):
        if not isinstance(value, dict) or set(value) - {"count", "unit", "start"} or "count" not in value:
            raise LegalSettingsError(f'{where} must be a table such as {{count = 20, unit = "school_days"}}')
        try:
            return Span(value["count"], value.get("unit", default.unit), value.get("start", default.start))
        except ValueError as exc:
            raise LegalSettingsError(f"{where}: {exc}") from None
    if isinstance(default, bool):
        if not isinstance(value, bool):
            raise LegalSettingsError(f"{where} must be true or false, not {value!r}")
        return value
    if isinstance(default, int):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise LegalSettingsError(f"{where} must be a whole number, not {value!r}")
        return value
    if isinstance(default, dt.date):
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise LegalSettingsError(f"{where} must be a date such as 2024-08-19, not {value!r}")
        return value
    if isinstance(default, tuple):
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise LegalSettingsError(f"{where} must be a list of words")
        return tuple(v.strip() for v in value)
    if not isinstance(value, str):
        raise LegalSettingsError(f"{where} must be text, not {value!r}")
    return value


def parse_legal_settings(table: Mapping[str, Any], source: str, base: LegalSettings | None = None) -> LegalSettings:
    """Settings from a parsed ``[legal]`` table, over ``base`` (what it does not name stays as ``base`` has it)."""
    names = {f.name for f in fields(LegalSettings)}
    changes = {}
    for name, value in table.items():
        if name not in names:
            raise LegalSettingsError(
                f"{source}: there is no legal pathway setting {name!r} (the settings are {', '.join(sorted(names))})"
            )
        changes[name] = _value(name, value, source)
    try:
        return replace(base or LegalSettings(), **changes)
    except LegalSettingsError as exc:
        raise LegalSettingsError(f"{source}: {exc}") from None


def load_legal_settings(path: str | Path | None = None) -> LegalSettings:
    """The defaults, changed by the ``[legal]`` table of the LA's TOML settings file at ``path`` if given (the
    same file may hold ``[penalty_threshold]`` and casework's tables; only ``[legal]`` is read here)."""
    if path is None or str(path) == "":
        return LegalSettings()
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LegalSettingsError(f"{file.name}: cannot be read as TOML settings ({exc})") from None
    table = data.get("legal", {})
    if not isinstance(table, dict):
        raise LegalSettingsError(f"{file.name}: legal must be a table of settings")
    return parse_legal_settings(table, file.name)
