"""The ``costlint`` console script: the cyclic GC is tuned before the command line is imported.

Importing the command line and the pipeline builds about 170 modules. At Python's default
thresholds the GC ran about 25 collections during those imports alone, 15-25 ms of a
0.3 s two-file pre-commit run; ``cli.main`` applied the run's thresholds only afterwards.

When the command is done, every object still tracked is frozen (``gc.freeze``): the
interpreter's shutdown then skips the full collections it would run over them (about 6%
of the pre-commit run's instructions). Output is flushed and ``atexit`` handlers run as
before; only ``__del__`` of cyclic garbage left at exit may not run, which Python never
guarantees at exit anyway.
"""

from __future__ import annotations

import gc

from .budget import tune_gc


def main() -> None:
    tune_gc()  # for the whole short-lived process, as cli.main does
    from .cli import main as command_line

    try:
        command_line()
    finally:
        gc.freeze()  # nothing is collected after this point: spare shutdown the full passes
