"""`python -m pipelines` is `fiu-screen`."""

import sys

from pipelines.cli import main

sys.exit(main())
