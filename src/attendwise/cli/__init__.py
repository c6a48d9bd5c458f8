"""The ``attendwise`` command line: one verb per step of the pipeline, a module per group of verbs.

Every verb takes ``--store`` (or ``$ATTENDWISE_STORE``); the default store lives in the user's data
folder, so an officer can import on Monday and measure on Friday without naming it. The group and its
shared options are :mod:`~attendwise.cli.app`'s; what verbs share (the options several take, the store,
the period, writing a table) is :mod:`~attendwise.cli.common`'s; each other module holds a group of
verbs, in the order of the pipeline: ``registers`` (import, reference, codes, status), ``figures``
(measures, bands, trends, compare), ``analysis`` (disproportionality, at-risk, transition, backtest),
``meetings`` (tsm-pack), ``legal`` (penalty-threshold, legal-return, legal-import-notices), ``families``
(contacts, family), ``casework`` (cases, letters, case-moves, case-retention), ``absence_registers``
(registers cme, ehe, exclusions, timetables, removals, returns) and ``demo`` (generate, demo);
``serve`` is the web app's
(:mod:`attendwise.web.commands`). This layer may import every layer below it, and is the only one besides
``web`` that may import Django (through ``serve``).
"""

from __future__ import annotations

from attendwise.cli import absence_registers, analysis, casework, demo, families, figures, legal, meetings, registers
from attendwise.cli.app import main
from attendwise.cli.common import console
from attendwise.web.commands import serve

__all__ = ["console", "main"]

for verb in (
    registers.import_,
    figures.measures,
    figures.bands,
    analysis.disproportionality_,
    figures.trends_,
    figures.compare_,
    registers.reference_,
    analysis.at_risk_,
    analysis.transition_,
    analysis.backtest_,
    meetings.tsm_pack_,
    legal.penalty_threshold_,
    legal.legal_return_,
    legal.legal_import_notices_,
    families.contacts_,
    families.family_,
    casework.cases_,
    casework.letters_,
    casework.case_moves_,
    casework.case_retention_,
    absence_registers.registers_,
    registers.codes,
    registers.status,
    demo.generate,
    demo.demo,
    serve,
):
    main.add_command(verb)
