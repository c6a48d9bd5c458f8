"""The documents layer: one vocabulary for what people read, and the ways of writing it out.

A table with its columns and cells, a chart with the table of its numbers, and a section holding them
(:mod:`~attendwise.documents.tables`); the marks standing where a figure is not shown
(:mod:`~attendwise.documents.marks`); charts as Vega-Lite (:mod:`~attendwise.documents.charts`); small-number
suppression, which marks the figures it hides (:mod:`~attendwise.documents.suppression`); and the writers:
HTML for the web's GOV.UK pages and printed documents (:mod:`~attendwise.documents.html`), CSV and XLSX that
keep text as text and numbers as numbers (:mod:`~attendwise.documents.spreadsheets`), and the terminal
(:mod:`~attendwise.documents.terminal`). The web pages, the TSM pack, the CLI and the reports to come describe
their content in these terms once and write it out in any of them. This layer may import ``core`` and
``measures`` (for the names of the measures' columns); it computes no figure and imports no framework.
"""

from __future__ import annotations
