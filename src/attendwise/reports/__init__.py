"""What is handed over to people: the Targeting Support Meeting pack (:mod:`attendwise.reports.tsm`), the
LA overview figures (:mod:`attendwise.reports.overview`) and, later, the scrutiny report.

A report is built from the measures and the analysis and laid out for a reader; it computes no measure of its
own. This layer may import the core, the store, the measures, the analysis and the documents, never the web
app or the CLI (they import it).
"""

from __future__ import annotations
