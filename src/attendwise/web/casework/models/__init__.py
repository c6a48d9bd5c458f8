"""The case store's models, a file each: the case (a projection of its events), its events (the record,
append-only), and the projections of its interventions, early help offers, Team Around the Family and
family link; and the LA's letter templates."""

from __future__ import annotations

from attendwise.web.casework.models.case import CaseRecord
from attendwise.web.casework.models.early_help import EarlyHelpRecord
from attendwise.web.casework.models.event import AppendOnlyError, CaseEventRecord
from attendwise.web.casework.models.family import FamilyCase, FamilyLink
from attendwise.web.casework.models.intervention import InterventionRecord, case_files
from attendwise.web.casework.models.letter import LetterTemplateRecord
from attendwise.web.casework.models.retention import RetentionRun
from attendwise.web.casework.models.taf import TafMemberRecord

__all__ = [
    "AppendOnlyError",
    "CaseEventRecord",
    "CaseRecord",
    "EarlyHelpRecord",
    "FamilyCase",
    "FamilyLink",
    "InterventionRecord",
    "LetterTemplateRecord",
    "RetentionRun",
    "TafMemberRecord",
    "case_files",
]
