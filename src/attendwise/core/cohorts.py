"""The LA's own priority cohorts: flags the DfE does not collect, declared by the LA as configuration.

An LA's attendance strategy names priorities that no DfE field holds (children with anxiety or
emotionally based school avoidance, children known to the youth offending service, young carers,
newly arrived pupils...). The LA declares them in a TOML file (``ATTENDWISE_COHORTS``; the shipped
``default`` holds the demo city's two), each with a key, a label, a description and who may see who
is in it; who is in them, and when, is data: ``cohorts.csv`` (``docs/csv-layout.md``), read by
:mod:`attendwise.ingest.cohorts`. Measures group by a cohort as by any characteristic
(``--by cohort:ebsa``), counting a pupil in the cohort only for the sessions inside their dates.

```toml
name = "Our priorities"

[[cohort]]
key = "ebsa"                                  # lower-case letters, digits and _, starting with a letter
label = "Emotionally based school avoidance"
description = "Pupils the EBSA panel supports."
visibility = "schools"                        # or "la_only"

[packs]
cohorts = ["ebsa"]                            # the cohorts every TSM pack shows
secondary = ["ebsa", "youth_justice"]         # optional: the packs of one phase show these instead
```

**Visibility** says who may see *who* is in a cohort: ``schools`` (LA staff, and a school for its own
pupils), or ``la_only`` (LA staff alone: youth justice involvement, say). Whoever may not see membership
sees only counts, with small numbers suppressed as in every other table.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from attendwise.core.config import read_preset_or_file
from attendwise.core.errors import AttendwiseError
from attendwise.core.identifiers import show

__all__ = [
    "COHORT_KEY_PATTERN",
    "DEFAULT_COHORTS",
    "GROUPING_PREFIX",
    "NOT_IN_COHORT",
    "PRESETS",
    "VISIBILITIES",
    "Cohort",
    "CohortError",
    "Cohorts",
    "load_cohorts",
    "parse_cohorts",
]

#: The shipped cohort files, by name.
PRESETS = {"default": "cohorts.toml"}
#: The cohorts an LA has until it names its own file.
DEFAULT_COHORTS = "default"
#: A cohort's key: it names the cohort in ``cohorts.csv``, in ``--by cohort:KEY`` and in a column name.
COHORT_KEY_PATTERN = "[a-z][a-z0-9_]{0,31}"
#: How a grouping names a cohort: ``cohort:ebsa``.
GROUPING_PREFIX = "cohort:"
#: The group of everyone outside a cohort (and of a member's sessions outside their dates).
NOT_IN_COHORT = "Not in cohort"

Visibility = Literal["la_only", "schools"]
#: Who may see who is in a cohort, and what each value means.
VISIBILITIES: dict[str, str] = {
    "schools": "LA staff, and a school for its own pupils",
    "la_only": "LA staff only; schools see only counts, small numbers suppressed",
}
_KEY = re.compile(COHORT_KEY_PATTERN, re.ASCII)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: The longest label a cohort may have (it heads tables and names a group in sentences).
MAX_LABEL = 80
_PHASES = ("primary", "secondary", "special")


class CohortError(AttendwiseError):
    """A cohort file that is malformed, or a cohort asked for that the LA has not declared."""


@dataclass(frozen=True)
class Cohort:
    """One of the LA's priority cohorts."""

    key: str
    label: str
    description: str = ""
    visibility: Visibility = "schools"

    @property
    def column(self) -> str:
        """The group column of measures grouped by this cohort (``cohort_ebsa``)."""
        return f"cohort_{self.key}"

    @property
    def grouping(self) -> str:
        """How ``--by`` names it (``cohort:ebsa``)."""
        return f"{GROUPING_PREFIX}{self.key}"

    @property
    def sensitive(self) -> bool:
        """Whether only LA staff may see who is in it."""
        return self.visibility == "la_only"


@dataclass(frozen=True)
class Cohorts:
    """The LA's cohorts, in the order its file declares them, and which of them each TSM pack shows."""

    name: str
    cohorts: tuple[Cohort, ...] = ()
    #: The cohorts TSM packs show: ``""`` for every pack, or a phase (``primary``...) for that phase's packs.
    packs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Cohort]:
        return iter(self.cohorts)

    def __len__(self) -> int:
        return len(self.cohorts)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.cohorts)

    def get(self, key: str) -> Cohort:
        """The cohort of ``key``; :class:`CohortError` naming the LA's cohorts if it has none such.

        >>> load_cohorts("default").get("ebsa").label
        'Emotionally based school avoidance'
        >>> load_cohorts("default").get("carers")
        Traceback (most recent call last):
        ...
        attendwise.core.cohorts.CohortError: 'carers' is not one of the LA's cohorts (ebsa, youth_justice)
        """
        for cohort in self.cohorts:
            if cohort.key == key:
                return cohort
        known = ", ".join(self.keys) or "it declares none"
        raise CohortError(f"{show(key)} is not one of the LA's cohorts ({known})")

    def by_column(self, column: str) -> Cohort | None:
        """The cohort whose group column is ``column``, if any."""
        return next((c for c in self.cohorts if c.column == column), None)

    def for_pack(self, phase: str | None = None) -> tuple[Cohort, ...]:
        """The cohorts a TSM pack for a school of ``phase`` shows (the phase's list, else every pack's).

        >>> [c.key for c in load_cohorts("default").for_pack("primary")]
        ['ebsa', 'youth_justice']
        """
        keys = self.packs.get(phase or "", self.packs.get("", ()))
        return tuple(self.get(k) for k in keys)


def _text(entry: Mapping[str, Any], name: str, where: str, *, required: bool) -> str:
    value = entry.get(name, "")
    if not isinstance(value, str):
        raise CohortError(f"{where}: {name} must be text (got {value!r})")
    value = value.strip()
    if required and not value:
        raise CohortError(f"{where}: {name} is required")
    if _CONTROL.search(value):
        raise CohortError(f"{where}: {name} holds a control character")
    return value


def _cohort(entry: object, i: int, source: str) -> Cohort:
    if not isinstance(entry, dict):
        raise CohortError(f"{source}: cohort {i} must be a table ([[cohort]])")
    key = entry.get("key")
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise CohortError(
            f"{source}: cohort {i}'s key {show(str(key))} must be lower-case letters, digits and _, starting "
            "with a letter, at most 32 characters"
        )
    where = f"{source}: cohort {key!r}"
    unknown = sorted(set(entry) - {"key", "label", "description", "visibility"})
    if unknown:
        raise CohortError(f"{where}: unknown setting {unknown[0]!r} (key, label, description, visibility)")
    label = _text(entry, "label", where, required=True)
    if len(label) > MAX_LABEL:
        raise CohortError(f"{where}: the label is longer than {MAX_LABEL} characters")
    if label.casefold() == NOT_IN_COHORT.casefold():
        raise CohortError(f"{where}: {NOT_IN_COHORT!r} names everyone outside a cohort; choose another label")
    visibility = entry.get("visibility", "schools")
    if visibility not in VISIBILITIES:
        raise CohortError(f"{where}: visibility must be one of {', '.join(VISIBILITIES)} (got {visibility!r})")
    return Cohort(key, label, _text(entry, "description", where, required=False), visibility)


def _packs(data: object, cohorts: Cohorts, source: str) -> dict[str, tuple[str, ...]]:
    if data is None:
        return {"": cohorts.keys}
    if not isinstance(data, dict):
        raise CohortError(f"{source}: [packs] must be a table")
    out: dict[str, tuple[str, ...]] = {}
    for name, keys in data.items():
        if name != "cohorts" and name not in _PHASES:
            raise CohortError(f"{source}: [packs] {name!r} is not cohorts or a phase ({', '.join(_PHASES)})")
        if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
            raise CohortError(f"{source}: [packs] {name} must be a list of cohort keys")
        for key in keys:
            try:
                cohorts.get(key)
            except CohortError as exc:
                raise CohortError(f"{source}: [packs] {name}: {exc}") from None
        out["" if name == "cohorts" else name] = tuple(dict.fromkeys(keys))
    out.setdefault("", ())
    return out


def parse_cohorts(data: Mapping[str, Any], source: str) -> Cohorts:
    """Build and check the LA's cohorts from parsed TOML (``[[cohort]]`` entries and an optional ``[packs]``).

    Without ``[packs]``, every pack shows every cohort.
    """
    entries = data.get("cohort", [])
    if not isinstance(entries, list):
        raise CohortError(f"{source}: cohorts are [[cohort]] entries")
    cohorts = [_cohort(entry, i, source) for i, entry in enumerate(entries, start=1)]
    seen: set[str] = set()
    for c in cohorts:
        if c.key in seen:
            raise CohortError(f"{source}: the key {c.key!r} is given twice")
        seen.add(c.key)
    labels = [c.label.casefold() for c in cohorts]
    if len(set(labels)) != len(labels):
        raise CohortError(f"{source}: two cohorts have the same label")
    found = Cohorts(str(data.get("name", source)), tuple(cohorts))
    return Cohorts(found.name, found.cohorts, _packs(data.get("packs"), found, source))


def load_cohorts(name_or_path: str | Path = DEFAULT_COHORTS) -> Cohorts:
    """The shipped cohorts by name (``default``) or an LA's TOML file."""
    data, source = read_preset_or_file(
        name_or_path, PRESETS, "attendwise.core.presets", CohortError, ("cohorts preset", "cohorts file")
    )
    return parse_cohorts(data, source)
