"""`python -m pipelines` is `fiu-screen`."""

from pipelines.cli import entry

entry()
