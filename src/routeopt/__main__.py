"""``python -m routeopt``: the command line."""

import sys

from routeopt.cli import main

sys.exit(main())
