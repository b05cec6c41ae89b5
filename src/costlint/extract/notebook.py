"""Notebook front-end: a notebook's code cells, read as one Python module
(``resolve/notebooks.py`` joins them; value flow reads other notebooks the same way).

Positions are reported as (cell index in the ``cells`` array, line within the cell).
"""

from __future__ import annotations

from pathlib import Path

from ..resolve.notebooks import drop_broken_cells, notebook_source
from ..resolve.notebooks import python_lines as python_lines  # the cell cleaner, re-exported
from ..resolve.project import Project
from ..site import PARSE_ERROR, Diagnostic
from .python import extract_python
from .result import ExtractResult


def extract_notebook(text: str, rel_path: str, abs_path: Path, project: Project | None):
    try:
        source, line_map = notebook_source(text)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        message = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        result = ExtractResult()
        result.diagnostics.append(Diagnostic(rel_path, f"not a readable notebook: {message}"))
        return result
    source, skipped = _drop_broken_cells(source, line_map)
    result = extract_python(source, rel_path, abs_path, project, line_map, frontend="notebook")
    for cell, line, message in skipped:
        result.diagnostics.append(
            Diagnostic(rel_path, f"cell {cell}: {message}; cell skipped", PARSE_ERROR, line)
        )
    return result


def _drop_broken_cells(
    source: str, line_map: list[tuple[int, int]]
) -> tuple[str, list[tuple[int, int, str]]]:
    """Blank out cells that do not parse, with a message for each (a hint for newer syntax)."""
    from .newer_syntax import hint

    source, broken = drop_broken_cells(source, line_map)
    skipped = [
        (cell, in_cell, f"syntax error (line {in_cell}): {exc.msg}{hint(exc.msg, text)}")
        for cell, in_cell, exc, text in broken
    ]
    return source, skipped
