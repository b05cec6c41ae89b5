"""A run's budgets: the per-file time budget (an alarm that interrupts a file's extraction),
and the cyclic GC's thresholds for a run.

A foundation module so that every stage (and the template renderer, which must let the
alarm through) can name ``FileTimeout`` without importing the pipeline, and so that the
console script can tune the GC before it imports anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class FileTimeout(Exception):
    """A file took longer than its time budget."""


_ALARM_READY = False


def _expire(signum: int, frame: Any) -> None:
    raise FileTimeout


def within_budget(seconds: float, work: Callable[..., Any], *args: Any) -> Any:
    """``work(*args)``; FileTimeout after ``seconds`` (SIGALRM: POSIX, main thread only).

    The handler is installed once per process; each file only arms and disarms the timer.
    """
    global _ALARM_READY
    import signal
    import threading

    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if seconds <= 0 or not usable:
        return work(*args)
    if not _ALARM_READY or signal.getsignal(signal.SIGALRM) is not _expire:
        signal.signal(signal.SIGALRM, _expire)
        _ALARM_READY = True
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)


# Cyclic-GC thresholds for a run: ASTs are millions of objects, and at Python's defaults
# frequent full collections made pricing 30x and parsing up to 5x slower; with collection all
# but off, module analyses (small reference cycles) piled up to 1 GB on 20,000 files. These
# keep both bounded (2,000 files: ~5 s, 40 MB in one process).
GC_THRESHOLDS = (100_000, 20, 20)


def tune_gc() -> tuple[int, int, int]:
    """Apply GC_THRESHOLDS; return the previous ones."""
    import gc

    previous = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    return previous
