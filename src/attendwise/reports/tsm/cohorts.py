"""The LA's priority cohorts in a school: SEN support, EHC plan, a social worker, looked after, FSM; the
sums each cohort's figures are built from."""

from __future__ import annotations

import numpy as np
import pandas as pd

SOCIAL_WORKER = "With a social worker"

#: The LA's priority cohorts: label -> (enrolment column, group label), as
#: :func:`attendwise.measures.enrolment_absence` labels them (``cin`` here means "has a social worker").
COHORTS: dict[str, tuple[str, str]] = {
    "SEN support": ("sen_provision", "SEN support"),
    "EHC plan": ("sen_provision", "EHC plan"),
    "With a social worker (CIN or CPP)": ("cin", SOCIAL_WORKER),
    "Looked after": ("cla", "Looked after"),
    "FSM eligible": ("fsm", "FSM eligible"),
}


def cohort_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """The columns the cohorts need, ``cin`` standing for "has a social worker" (CIN or CPP), as plain
    numpy columns (grouping pyarrow-backed strings row by row is slow)."""
    social = (rows.cin == "Child in need") | (rows.cpp == "Child protection plan")
    return pd.DataFrame(
        {
            "school_urn": rows.school_urn.to_numpy(),
            "enrolment_id": rows.enrolment_id.to_numpy(),
            "fsm": rows.fsm.to_numpy(dtype=object),
            "sen_provision": rows.sen_provision.to_numpy(dtype=object),
            "cla": rows.cla.to_numpy(dtype=object),
            "cin": np.where(social.to_numpy(), SOCIAL_WORKER, "No social worker").astype(object),
            "sess_possible": rows.sess_possible.to_numpy(),
            "sess_attended": rows.sess_attended.to_numpy(),
            "sess_overall": rows.sess_overall.to_numpy(),
            "pa_10": rows.pa_10.to_numpy(),
            "pa_50": rows.pa_50.to_numpy(),
        }
    )


def cohort_sums(frame: pd.DataFrame, column: str, group: object) -> tuple[int, int, int, int, int]:
    """Pupils, attended and possible sessions, and persistently and severely absent pupils of one cohort."""
    inside = frame[frame[column] == group]
    return (
        len(inside),
        int(inside.sess_attended.sum()),
        int(inside.sess_possible.sum()),
        int(inside.pa_10.sum()),
        int(inside.pa_50.sum()),
    )
