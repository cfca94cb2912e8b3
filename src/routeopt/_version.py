"""The package version, in a module of its own so that any part can read it
without importing the solver (``import routeopt`` loads the solver)."""

__version__ = "0.1.0"
