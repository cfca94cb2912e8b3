"""Build hook: the optional native kernel of the route timing.

Everything else is in pyproject.toml. The extension is optional: when it does
not build (no compiler, no Python headers) the install still succeeds and the
solver uses its reference Python path (see ``routeopt.solver._native``).
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("routeopt.solver._kernel", ["src/routeopt/solver/_kernel.c"],
                             extra_compile_args=["-O2"], optional=True)])
