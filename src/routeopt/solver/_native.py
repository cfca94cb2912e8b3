"""Which kernel times routes: the native one when it is built, else the reference.

The reference is the Python code of :class:`routeopt.solver._routes.Timer`. The
native kernel (``routeopt/solver/_kernel.c``, an optional extension built by
``pip install``) answers the same questions bit for bit, faster. Set the
environment variable ``ROUTEOPT_KERNEL=python`` to force the reference.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType


def load() -> ModuleType | None:
    """The native kernel module, or None (not built, or ``ROUTEOPT_KERNEL=python``)."""
    if os.environ.get("ROUTEOPT_KERNEL", "").strip().lower() == "python":
        return None
    try:
        return importlib.import_module("routeopt.solver._kernel")
    except ImportError:
        return None


kernel = load()
