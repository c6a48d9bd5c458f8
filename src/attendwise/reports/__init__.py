"""What is handed over to people: the Targeting Support Meeting pack (:mod:`attendwise.reports.tsm`), the
LA overview (:mod:`attendwise.reports.overview`), a school's page (:mod:`attendwise.reports.school`) and,
later, the scrutiny report.

A report is built from the measures and the analysis and laid out for a reader; it computes no measure of its
own. The pages read their figures from a :class:`~attendwise.reports.source.FigureSource` that the caller
passes in and keeps (the web app's figure cache). This layer may import the core, the store, the measures,
the analysis and the documents, never the web app or the CLI (they import it).
"""

from __future__ import annotations
