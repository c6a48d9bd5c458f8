"""Extended school non-attendance panels (EA1996 s19; Coventry's ESNAP).

A referral holds the school's actions so far, the panel's date and decision (a configured list:
further school action, alternative provision, the LA's own service), the provision arranged, a review date
and the outcome. Counts by decision feed the scrutiny report (Coventry 2024/25: 138 referrals, 51 into the
LA's service and 87 needing further school action).

Examples:
    >>> import datetime as dt
    >>> refs = [PanelReferral(dt.date(2025, 1, 6), "school", decision="la_provision"),
    ...         PanelReferral(dt.date(2025, 1, 7), "school")]
    >>> by_decision(refs)
    {'la_provision': 1, 'awaiting': 1}
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["PanelReferral", "by_decision"]


@dataclass(frozen=True)
class PanelReferral:
    referred_on: dt.date
    referrer: str
    school_actions: str = ""
    panel_date: dt.date | None = None
    decision: str | None = None
    provision: str = ""
    review_date: dt.date | None = None
    outcome: str = ""


def by_decision(referrals: Iterable[PanelReferral]) -> dict[str, int]:
    """Referrals by the panel's decision (``awaiting``: not yet decided)."""
    return dict(Counter(r.decision or "awaiting" for r in referrals))
