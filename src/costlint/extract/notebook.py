"""Notebook front-end: a notebook's code cells, read as one Python module.

Cells are joined in order so that constants defined in one cell resolve in the next;
``%magic`` and ``!shell`` lines become blank lines so line numbers stay the cell's own.
Positions are reported as (cell index in the ``cells`` array, line within the cell).
"""

from __future__ import annotations

import json
from pathlib import Path

from ..resolve.project import Project
from ..site import Diagnostic
from .python import extract_python
from .result import ExtractResult


def notebook_source(text: str) -> tuple[str, list[tuple[int, int]]]:
    """The joined code of a notebook and a map: joined line -> (cell index, line in cell)."""
    data = json.loads(text)
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no 'cells' list")
    lines: list[str] = []
    line_map: list[tuple[int, int]] = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        if isinstance(source, list):
            source = "".join(part for part in source if isinstance(part, str))
        if not isinstance(source, str):
            continue
        for number, line in enumerate(source.splitlines(), start=1):
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")) or stripped.startswith("?"):
                line = ""
            lines.append(line)
            line_map.append((index, number))
        lines.append("")  # keep cells apart
        line_map.append((index, len(source.splitlines()) + 1))
    return "\n".join(lines) + "\n", line_map


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
    for cell, message in skipped:
        result.diagnostics.append(Diagnostic(rel_path, f"cell {cell}: {message}; cell skipped"))
    return result


def _drop_broken_cells(
    source: str, line_map: list[tuple[int, int]], attempts: int = 20
) -> tuple[str, list[tuple[int, str]]]:
    """Blank out cells that do not parse, so one bad cell does not hide the others."""
    import ast

    skipped: list[tuple[int, str]] = []
    lines = source.split("\n")
    for _ in range(attempts):
        try:
            ast.parse("\n".join(lines))
            break
        except SyntaxError as exc:
            line = (exc.lineno or 1) - 1
            if not 0 <= line < len(line_map):
                break
            cell = line_map[line][0]
            skipped.append((cell, f"syntax error (line {line_map[line][1]}): {exc.msg}"))
            for index, (owner, _number) in enumerate(line_map):
                if owner == cell and index < len(lines):
                    lines[index] = ""
        except (ValueError, RecursionError, MemoryError):
            break
    return "\n".join(lines), skipped
