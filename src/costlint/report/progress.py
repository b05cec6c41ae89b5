"""A progress bar on stderr for long runs on a terminal (click's progress bar).

Shown only when stderr is a terminal, ``NO_COLOR`` is not set and there are at least
``MIN_FILES`` files to extract; otherwise ``progress_for`` gives None and nothing is drawn.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import IO, Any

MIN_FILES = 200  # fewer files finish in about a second: no bar


class ProgressBar:
    """Called with (done, total) by the extraction stage; draws lazily, once total is known."""

    def __init__(self, stream: IO[str], min_files: int = MIN_FILES) -> None:
        self.stream = stream
        self.min_files = min_files
        self._bar: Any = None
        self._shown = 0
        self._off = False

    def __call__(self, done: int, total: int) -> None:
        if self._off:
            return
        if self._bar is None:
            if total < self.min_files:
                self._off = True
                return
            import click

            self._bar = click.progressbar(
                length=total, label="costlint: scanning", file=self.stream, show_pos=True
            )
            self._bar.__enter__()
        step = done - self._shown
        if step > 0:
            self._bar.update(step)
            self._shown = done

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)
            self._bar = None


def progress_for(
    stream: IO[str] | None = None, env: Mapping[str, str] | None = None
) -> ProgressBar | None:
    stream = sys.stderr if stream is None else stream
    env = os.environ if env is None else env
    if env.get("NO_COLOR") or not getattr(stream, "isatty", lambda: False)():
        return None
    return ProgressBar(stream)
