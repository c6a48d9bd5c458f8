"""Counts of casework for scrutiny: open cases by stage, and interventions by type this year, suppressed.

A scrutiny member sees only counts, and a count of 1 to 4 pupils (below ``ATTENDWISE_SUPPRESSION_THRESHOLD``)
is shown as ``x``, by the suppression every other figure scrutiny sees goes through
(:func:`attendwise.documents.suppression.suppress_table`): the stages add up to the open cases, so one
stage hidden alone among them gets company; when there are fewer open cases than the threshold, every
figure is hidden. Interventions are counted twice, as interventions and as pupils (cases) who had one,
and hidden with their pupils: a case can have several types, so the types add up to nothing shown.
LA staff see the same counts for their schools, unsuppressed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from django.db.models import Count

from attendwise.core.calendar import AcademicYear
from attendwise.documents.marks import SUPPRESSED, Mark
from attendwise.documents.suppression import ENROLMENTS, Layout, Relation, Unit, suppress_table
from attendwise.documents.tables import Column, Kind, Table
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseRecord, InterventionRecord
from attendwise.web.rules import Scope

__all__ = ["CaseCounts", "case_counts"]


@dataclass(frozen=True)
class CaseCounts:
    stages: Table
    interventions: Table
    year: str
    suppressed: bool
    threshold: int


def _cell(value: object, hidden: bool) -> int | Mark:
    return SUPPRESSED if hidden else int(value)  # type: ignore[call-overload]


def case_counts(scope: Scope, *, today: dt.date, threshold: int) -> CaseCounts:
    """Open cases by stage and this academic year's interventions by type, in the user's scope."""
    model, config = stage_model(), casework_config()
    cases = CaseRecord.objects.all()
    if scope.schools is not None:
        cases = cases.filter(urn__in=scope.schools)
    year = AcademicYear.containing(today)
    by_stage = dict(cases.filter(closed_on__isnull=True).values_list("stage").annotate(n=Count("id")))
    interventions = InterventionRecord.objects.filter(case__in=cases, date__range=(year.start, year.end))
    per_type = {
        t: (n, pupils)
        for t, n, pupils in interventions.values_list("type").annotate(
            n=Count("id"), pupils=Count("case", distinct=True)
        )
    }
    stage_cols = [f"stage_{s.key}" for s in model.stages]
    row: dict[str, int] = {"enrolments": sum(by_stage.values())}
    row |= {f"stage_{s.key}": by_stage.get(s.key, 0) for s in model.stages}
    hidden = dict.fromkeys(row, False)
    if scope.suppress:
        layout = Layout(
            units=(Unit(ENROLMENTS, "enrolments", ("enrolments",)), *(Unit(c, c, (c,)) for c in stage_cols)),
            relations=(Relation("enrolments", tuple(stage_cols)),),
        )
        table = suppress_table(pd.DataFrame([row]), threshold, (), layout)
        hidden = {c: bool(table.column_hidden(c).iloc[0]) for c in row}
    for t in config.intervention_types:
        n, pupils = per_type.get(t.key, (0, 0))
        row[f"type_{t.key}_pupils"], row[f"type_{t.key}_n"] = pupils, n
        # Hidden with their pupils; they count this year's cases, open or closed, so no total is shown to
        # subtract them from.
        hidden[f"type_{t.key}_pupils"] = hidden[f"type_{t.key}_n"] = scope.suppress and 0 < pupils < threshold
    stages = Table(
        "Open cases by stage",
        [Column("stage", "Stage"), Column("cases", "Open cases", Kind.COUNT)],
        [[s.label, _cell(row[f"stage_{s.key}"], hidden[f"stage_{s.key}"])] for s in model.stages]
        + [["All stages", _cell(row["enrolments"], hidden["enrolments"])]],
    )
    types = Table(
        f"Interventions by type, {year.label}",
        [
            Column("type", "Intervention"),
            Column("n", "Interventions", Kind.COUNT),
            Column("pupils", "Pupils", Kind.COUNT),
        ],
        [
            [
                t.name,
                _cell(row[f"type_{t.key}_n"], hidden[f"type_{t.key}_n"]),
                _cell(row[f"type_{t.key}_pupils"], hidden[f"type_{t.key}_pupils"]),
            ]
            for t in config.intervention_types
        ],
    )
    return CaseCounts(stages, types, year.label, scope.suppress, threshold)
