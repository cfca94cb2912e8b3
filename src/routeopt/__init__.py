"""routeopt: plan the visits of field sales reps.

Which outlet is visited on which day, by whom, in what order and at what
time, for a week or a multi-week cycle.

>>> import routeopt
>>> sorted(routeopt.__all__)[:3]
['Appointment', 'Break', 'CalendarWarning']
"""

import logging as _logging

from routeopt._version import __version__ as __version__
from routeopt.exceptions import (
    CalendarWarning,
    CycleWarning,
    InputError,
    InputTypeError,
    Issue,
    MatrixError,
    OpeningHoursError,
    PlanIntegrityError,
    PlanValidationError,
    RouteOptError,
    RouteOptWarning,
    SolverError,
    TableError,
)
from routeopt.hours import Break, OpeningHours, TimeWindow
from routeopt.matrix import GreatCircle, MatrixProvider, TravelMatrix
from routeopt.plan import Plan, Route, Stop, Unscheduled
from routeopt.problem import (
    Appointment,
    ExtraVisit,
    FixedBlock,
    Horizon,
    Outlet,
    Problem,
    Rep,
    VisitRule,
)
from routeopt.replan import open_plan
from routeopt.solver import SolveParams, solve

__all__ = [
    "Appointment",
    "Break",
    "CalendarWarning",
    "CycleWarning",
    "ExtraVisit",
    "FixedBlock",
    "GreatCircle",
    "Horizon",
    "InputError",
    "InputTypeError",
    "Issue",
    "MatrixError",
    "MatrixProvider",
    "OpeningHours",
    "OpeningHoursError",
    "Outlet",
    "Plan",
    "PlanIntegrityError",
    "PlanValidationError",
    "Problem",
    "Rep",
    "Route",
    "RouteOptError",
    "RouteOptWarning",
    "SolveParams",
    "SolverError",
    "Stop",
    "TableError",
    "TimeWindow",
    "TravelMatrix",
    "Unscheduled",
    "VisitRule",
    "open_plan",
    "solve",
]

_logging.getLogger(__name__).addHandler(_logging.NullHandler())
