"""The measures layer: absence exactly as the DfE measures it, and what is built directly on it.

Absence measures for any period, population and grouping (:mod:`~attendwise.measures.absence`, Ibis
expressions over the store's tables), the LA's band and stage schemes (:mod:`~attendwise.measures.bands`,
with the shipped presets in ``schemes/``), trends over terms and years (:mod:`~attendwise.measures.trends`),
published reference figures (:mod:`~attendwise.measures.reference`) and one pupil's record
(:mod:`~attendwise.measures.pupils`). This layer may import ``core`` and ``store``; it never writes.
"""

from __future__ import annotations
