"""The ``costlint`` console script: the cyclic GC is tuned before the command line is imported.

Importing the command line and the pipeline builds about 170 modules. At Python's default
thresholds the GC ran about 25 collections during those imports alone, 15-25 ms of a
0.3 s two-file pre-commit run; ``cli.main`` applied the run's thresholds only afterwards.
"""

from __future__ import annotations

from .budget import tune_gc


def main() -> None:
    tune_gc()  # for the whole short-lived process, as cli.main does
    from .cli import main as command_line

    command_line()
