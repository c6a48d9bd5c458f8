"""Cases in the test city, opened through the case store as the open-case page opens them."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from attendwise.casework import commands
from attendwise.casework.case import CasePupil, Document
from attendwise.web.casework import store
from attendwise.web.casework.config import casework_config, stage_model
from attendwise.web.casework.models import CaseRecord, case_files
from tests.cities import A, B, C
from tests.web.conftest import City

#: Each test pupil's school.
SCHOOL = {"a": A, "b": B, "c": C}


def open_case(
    city: City,
    label: str,
    *,
    who: str = "officer",
    la_officer: str = "",
    days_ago: int = 0,
    stage: str = "early_intervention",
) -> CaseRecord:
    """Open a case for the test city's pupil ``label`` (at stage 2, by hand)."""
    event = commands.open_case(
        CasePupil(city.enrolments[label], city.pupils[label], SCHOOL[label[0]]),
        stage_model(),
        casework_config(),
        reason="by_hand",
        stage=stage,
        who=who,
        at=store.now() - dt.timedelta(days=days_ago),
        why="Attendance below 90% since September",
        la_officer=la_officer,
    )
    return store.open_case(event, who).record


def add_letter(record: CaseRecord, content: bytes = b"%PDF-1.4 letter") -> int:
    """Store a letter in the case files and log it as a letter intervention (the letters module's hook); its ref."""
    name = case_files().save(f"cases/{record.pk}/attendance-concern.pdf", io.BytesIO(content))
    document = Document("attendance-concern.pdf", name, "application/pdf", template="attendance_concern")
    loaded = store.load(record.pk)
    assert loaded is not None
    done = store.record(
        record.pk,
        loaded.record.version,
        lambda cs: commands.log_intervention(
            cs,
            casework_config(),
            type="letter",
            date=timezone.localdate(),
            who="officer",
            at=store.now(),
            document=document,
        ),
        "officer",
    )
    return done.case.interventions[-1].ref


def add_member(record: CaseRecord) -> int:
    loaded = store.load(record.pk)
    assert loaded is not None
    done = store.record(
        record.pk,
        loaded.record.version,
        lambda cs: commands.add_taf_member(
            cs,
            agency="Family hub",
            person="Sam Okafor",
            role="Family worker",
            start=timezone.localdate(),
            who="officer",
            at=store.now(),
        ),
        "officer",
    )
    return done.case.taf[-1].ref
