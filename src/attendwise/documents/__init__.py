"""The documents layer: one vocabulary for what people read, and the ways of writing it out.

A table with its columns, cells and suppression marks, and a chart with the table of its numbers
(:mod:`~attendwise.documents.tables`); charts as Vega-Lite (:mod:`~attendwise.documents.charts`); small-number
suppression (:mod:`~attendwise.documents.suppression`); and the writers: CSV and XLSX that keep text as text
(:mod:`~attendwise.documents.spreadsheets`). The web pages, the TSM pack and the reports to come describe
their content in these terms once and write it out in any of them. This layer may import ``core`` and
``measures`` (for the names of the measures' columns); it computes no figure and imports no framework.
"""

from __future__ import annotations
