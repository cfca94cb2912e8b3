"""Sharing a plan: what reps and managers use, made from a :class:`~routeopt.Plan`.

Each output is a module of its own, imported only when used (its libraries are
the optional ``reports`` extra: ``pip install "routeopt[reports]"``):

- :mod:`routeopt.export.sheets`: the rep's route sheet per day, HTML and PDF;
- :mod:`routeopt.export.maps`: interactive maps, per rep and day and of the cycle;
- :mod:`routeopt.export.ics`: one calendar per rep, with stable event UIDs;
- :mod:`routeopt.export.excel`: the manager's workbook;
- :mod:`routeopt.export.charts`: a rep's week as a Gantt chart, the workload chart.

Every file is written atomically. From the command line, ``routeopt export
PLAN_DIR --out DIR --sheets --pdf --map --ics --xlsx`` makes them from a plan
folder, into a folder written whole (:mod:`routeopt.export._cli`).
"""

from __future__ import annotations

__all__: list[str] = []
