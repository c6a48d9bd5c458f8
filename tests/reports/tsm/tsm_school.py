"""The small school the Targeting Support Meeting tests check by hand.

The school (URN 100001, primary) has one pupil for every rule in :mod:`attendwise.reports.tsm` and its edges.
Autumn half term 1 runs 2 Sep-25 Oct 2024 (40 school days, 80 sessions), half term 2 from 4 Nov; the
registers end on Friday 15 Nov, so every full-time pupil has 100 possible sessions (80 + 20) and the
pack is as at 15 Nov. The last 15 school days are 21-25 Oct and 4-15 Nov: the half-term holiday is not
a school day, so the window reaches back over it. The fixtures ``school`` and ``pack`` are in
``tests/reports/conftest.py``.
"""

from __future__ import annotations

import datetime as dt

from tests.registers import Register

AUTUMN_1 = dt.date(2024, 9, 2)  # 40 weekdays to Fri 25 Oct: 80 sessions
AUTUMN_2 = dt.date(2024, 11, 4)  # 10 weekdays to Fri 15 Nov: 20 sessions
AS_AT = dt.date(2024, 11, 15)
URN = 100001


def both_halves(reg: Register, upn: str, first: list[str] | str, second: list[str] | str, urn: int = URN) -> None:
    """Marks for autumn 1 (80 sessions from 2 Sep) and autumn 2 (20 sessions from 4 Nov)."""
    first, second = list(first), list(second)
    assert len(first) == 80 and len(second) == 20
    reg.sessions(upn, first, AUTUMN_1, urn=urn)
    reg.sessions(upn, second, AUTUMN_2, urn=urn)


def build_school() -> tuple[Register, dict[str, str]]:
    reg = Register()
    reg.school(URN, "primary", "Oakfield Primary")
    reg.school(100002, "primary", "Elm Primary")
    reg.school(100003, "secondary", "Ash Secondary")
    reg.half_terms_2024_25()
    p: dict[str, str] = {}

    def pupil(key: str, **kw: str) -> str:
        p[key] = reg.pupil(kw.pop("urn", URN), **kw)  # type: ignore[arg-type]
        return p[key]

    # 100/100: expected attendance, on no list.
    both_halves(reg, pupil("regular"), "/" * 80, "/" * 20)
    # 40%: severely absent; the last 15 school days all unauthorised (O then N): on the 3-week list.
    both_halves(reg, pupil("severe", fsm="Y"), "/" * 40 + "I" * 20 + "O" * 20, "N" * 20)
    # 85%: persistently absent (G 10, I 5).
    both_halves(reg, pupil("persistent", cla="Y"), "/" * 70 + "G" * 10, "/" * 15 + "I" * 5)
    # Exactly 90%: persistently absent (90% or less).
    both_halves(reg, pupil("ninety"), "/" * 80, "/" * 10 + "I" * 10)
    # 91%: not persistently absent, but falling: at risk.
    both_halves(reg, pupil("ninety_one"), "/" * 80, "/" * 11 + "I" * 9)
    # 0%: never attended, all unauthorised: zero list, severe list, 3-week list.
    both_halves(reg, pupil("zero", sen="K"), "N" * 80, "O" * 20)
    # Came once (the very first session), then unauthorised: not zero; severe; on the 3-week list.
    both_halves(reg, pupil("came_once", sen="E", cin="Y"), "/" + "N" * 79, "N" * 20)
    # Came once, inside the window (the last session): not zero, not on the 3-week list.
    both_halves(reg, pupil("came_once_recently"), "O" * 80, "O" * 19 + "/")
    # Absent all through the window but authorised (illness): not on the 3-week list; 70%, persistent.
    both_halves(reg, pupil("authorised_only"), "/" * 70 + "I" * 10, "I" * 20)
    # Mixed codes in the window, one of them authorised: not listed; 70%.
    both_halves(reg, pupil("mixed_with_authorised"), "/" * 70 + "N" * 10, "N" * 19 + "I")
    # Mixed unauthorised codes (G, N, U, O) and a not-counted Y7 in the window: listed.
    both_halves(reg, pupil("mixed_unauthorised"), "/" * 70 + "O" * 10, ["N", "G", "U", "O", "Y7"] * 4)
    # Attendance fell in half term 2 after the action of 4 Nov... and one whose attendance rose after it.
    both_halves(reg, pupil("improving", cpp="Y"), "/" * 40 + "I" * 40, "/" * 20)
    # Late joiner (admitted Mon 7 Oct), never attended, all N: zero since 7 Oct and on the 3-week list.
    late = pupil("late_joiner", admission="2024-10-07")
    reg.sessions(late, "N" * 30, dt.date(2024, 10, 7))
    reg.sessions(late, "N" * 20, AUTUMN_2)
    # Joined inside the window (Mon 11 Nov), never attended: judged on the sessions since joining.
    newest = pupil("joined_in_window", admission="2024-11-11")
    reg.sessions(newest, "N" * 10, dt.date(2024, 11, 11))
    # Recorded as a child missing education: on the zero list, left out of the 3-week list.
    both_halves(reg, pupil("cme"), "O" * 80, "O" * 20)
    # Left on 11 Oct after 0% attendance: counted in the headline figures, on no list.
    gone = pupil("left", leaving="2024-10-11")
    reg.sessions(gone, "N" * 60, AUTUMN_1)
    # Only codes that are not possible sessions: not counted anywhere.
    both_halves(reg, pupil("not_counted"), ["Y7"] * 80, ["Y7"] * 20)
    # A reception child aged 4 (outside the DfE population) who has never attended.
    both_halves(reg, pupil("reception", dob="2020-03-01", nc_year="R"), "N" * 80, "N" * 20)

    # The rest of the LA: another primary (100% and 50%) and a secondary (90%).
    both_halves(reg, pupil("elm_full", urn=100002), "/" * 80, "/" * 20, urn=100002)
    both_halves(reg, pupil("elm_half", urn=100002), "/" * 40 + "I" * 40, "/" * 10 + "I" * 10, urn=100002)
    both_halves(reg, pupil("ash", urn=100003, dob="2012-03-01", nc_year="8"), "/" * 80, "/" * 10 + "I" * 10, urn=100003)
    return reg, p


DISCUSS_UNKNOWN = "A999999999999"


def keys(upns: dict[str, str], pupils: object) -> list[str]:
    """The test's names for the pupils of a list, in the list's order."""
    names = {v: k for k, v in upns.items()}
    return [names[getattr(x, "upn", None) or x.pupil.upn] for x in pupils]  # type: ignore[attr-defined]
