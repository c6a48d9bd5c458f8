"""The core layer: the DfE's words, with no engine and no framework.

The national attendance codes and their code sets (:mod:`~attendwise.core.codes`), academic years, terms and
periods (:mod:`~attendwise.core.calendar`), pupil characteristics and their DfE labels
(:mod:`~attendwise.core.characteristics`), Unique Pupil Numbers (:mod:`~attendwise.core.upn`), the one strict
reading of every identifier (:mod:`~attendwise.core.identifiers`) and the error every layer raises
(:mod:`~attendwise.core.errors`). New domains keep their rules and types here or in a layer above, never
in ``web``. This layer imports nothing of attendwise's but itself, and neither DuckDB nor Django.
"""

from __future__ import annotations
