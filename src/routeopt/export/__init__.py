"""What reps and managers use: the plan as route sheets, maps, calendars, a workbook, charts.

One module per output, each a plain function taking a :class:`~routeopt.Plan`
(solved, or rebuilt from its folder by :func:`routeopt.open_plan`) and
returning the paths it wrote, each file written whole
(:func:`routeopt._files.atomic_open`):

- :mod:`routeopt.export.excel`: :func:`~routeopt.export.excel.write_workbook`,
  an Excel workbook with a sheet per rep, the figures and the unscheduled visits.

Their heavy dependencies are imported when a function runs, never at
``import routeopt``; they come with the ``reports`` extra
(``pip install "routeopt[reports]"``).
"""
