"""What a pack is asked for and brought: the case store's inputs (the pupils the school asks to discuss,
the previous meeting's actions, read from a CSV for the command line), the children missing education left
out of a list, and :class:`TSMError` for a pack that cannot be built as asked."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from attendwise.core.errors import AttendwiseError


class TSMError(AttendwiseError):
    """A pack that cannot be built as asked (an unknown school, a term with no marks, ...)."""


@dataclass(frozen=True, slots=True)
class PreviousAction:
    """An action agreed at an earlier TSM for one pupil (held in the web app's case store).

    Attributes:
        upn: the pupil.
        agreed_on: the date the action was agreed (the previous TSM); attendance "since" counts from
            this date, inclusive.
        action: what was agreed, in words ("Early Help assessment offered").
        owner: who leads it (the lead practitioner), if recorded.
        reference: the case store's own id, handed back untouched so the web app can link to it.
    """

    upn: str
    agreed_on: dt.date
    action: str
    owner: str | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class TSMInputs:
    """What the school and the case store bring to a pack: pupils to discuss and previous actions.

    Attributes:
        discuss: UPNs of pupils the school asks to discuss (in the school's order).
        previous_actions: actions agreed at the previous TSM, each with its pupil's UPN.
    """

    discuss: Sequence[str] = ()
    previous_actions: Sequence[PreviousAction] = ()


def read_previous_actions(path: Path | str) -> tuple[PreviousAction, ...]:
    """Previous actions from a CSV with columns ``upn``, ``agreed_on`` (YYYY-MM-DD), ``action`` and
    optionally ``owner`` and ``reference`` (for the command line; the web app passes its own).

    Raises:
        TSMError: naming the file, line and field of the first problem.
    """
    path = Path(path)
    out = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = {"upn", "agreed_on", "action"} - set(reader.fieldnames or [])
        if missing:
            raise TSMError(f"{path.name}: missing column(s) {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            try:
                agreed = dt.date.fromisoformat((row["agreed_on"] or "").strip())
            except ValueError:
                raise TSMError(
                    f"{path.name} line {line}, field 'agreed_on': {row['agreed_on']!r} is not a date (YYYY-MM-DD)"
                ) from None
            upn = (row["upn"] or "").strip().upper()
            if not upn:
                raise TSMError(f"{path.name} line {line}, field 'upn': empty")
            out.append(
                PreviousAction(
                    upn,
                    agreed,
                    (row["action"] or "").strip(),
                    (row.get("owner") or "").strip() or None,
                    (row.get("reference") or "").strip() or None,
                )
            )
    return tuple(out)


CMEExclusion = Collection[str] | Callable[[str], bool] | None


def cme_predicate(exclude_cme: CMEExclusion) -> Callable[[str], bool]:
    if exclude_cme is None:
        return lambda _upn: False
    if callable(exclude_cme):
        return exclude_cme
    upns = {u.strip().upper() for u in exclude_cme}
    return lambda upn: upn.upper() in upns
