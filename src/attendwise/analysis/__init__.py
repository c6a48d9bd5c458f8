"""The analysis layer: what the measures mean for groups and for each child.

Which groups are disproportionately absent, with intervals and tests
(:mod:`~attendwise.analysis.disproportionality`), who is heading into persistent or severe absence and
why (:mod:`~attendwise.analysis.early_warning`), and how early warning would have done on a past year
(:mod:`~attendwise.analysis.backtest`). This layer may import ``core``, ``store`` and ``measures``.
"""

from __future__ import annotations
