"""Territory design: which rep serves which outlet, for a whole company.

:func:`design` gives every outlet a rep (its territory) so that the reps'
weekly workloads are balanced and each territory is compact around its rep's
home; :func:`realign` improves the balance of existing territories while
moving at most a given number of outlets. The model and why it was chosen:
:mod:`routeopt.territories._design` and ``docs/territories.md``.

From the command line, ``routeopt territories --outlets ... --reps ... --out
DIR`` writes ``DIR/outlets.csv`` and ``DIR/reps.csv`` with a ``territory``
column, which ``routeopt batch --outlets DIR/outlets.csv --reps
DIR/reps.csv`` plans territory by territory.
"""

from routeopt.territories._design import (
    Move,
    RepLoad,
    TerritoryPlan,
    design,
    outlet_workloads,
    realign,
)

__all__ = ["Move", "RepLoad", "TerritoryPlan", "design", "outlet_workloads", "realign"]
