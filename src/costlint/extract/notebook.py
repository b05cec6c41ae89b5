"""Notebook front-end: a notebook's code cells, read as one Python module.

Cells are joined in order so that constants defined in one cell resolve in the next;
``%magic`` and ``!shell`` lines become blank lines so line numbers stay the cell's own.
Positions are reported as (cell index in the ``cells`` array, line within the cell).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..resolve.project import Project
from ..site import PARSE_ERROR, Diagnostic
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
        for number, line in enumerate(python_lines(source.splitlines()), start=1):
            lines.append(line)
            line_map.append((index, number))
        lines.append("")  # keep cells apart
        line_map.append((index, len(source.splitlines()) + 1))
    return "\n".join(lines) + "\n", line_map


# Cell magics whose body is Python (``%%time`` runs the cell); any other ``%%magic`` cell
# (``%%bash``, ``%%writefile``, ``%%sql``...) is not Python and is blanked whole.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "memit"})
# ``files = !ls`` / ``out = %timeit f()``: an assignment from a shell or magic command.
_ASSIGNED_MAGIC = re.compile(r"^\s*[A-Za-z_][\w.,\s\[\]()*]*=\s*[!%]")


def python_lines(cell: list[str]) -> list[str]:
    """A cell's lines with IPython syntax made harmless, one line for each line.

    ``!``, ``%`` and ``?`` lines (and the backslash continuation lines of a ``!cmd \\``)
    become blank, or ``pass`` at their indentation when they are a block's body (the only
    statement of an ``if``/``for``/``with`` must stay a statement). A ``%%magic`` cell whose
    body is not Python is blanked whole.
    """
    if cell and cell[0].lstrip().startswith("%%"):
        magic = cell[0].lstrip()[2:].split(maxsplit=1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return [""] * len(cell)
        cell = ["", *cell[1:]]
    out: list[str] = []
    continued = False
    previous = ""  # the last line kept as code
    for line in cell:
        stripped = line.lstrip()
        magic = (
            continued or stripped.startswith(("%", "!", "?")) or bool(_ASSIGNED_MAGIC.match(line))
        )
        if not magic:
            out.append(line)
            if stripped and not stripped.startswith("#"):
                previous = line
            continue
        continued = line.rstrip().endswith("\\")
        opens_block = previous.split("#", 1)[0].rstrip().endswith(":")
        if opens_block and not stripped.startswith("?"):
            indent = line[: len(line) - len(stripped)] or "    "
            out.append(f"{indent}pass")
            previous = ""
        else:
            out.append("")
    return out


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
    source: str, line_map: list[tuple[int, int]], attempts: int = 20
) -> tuple[str, list[tuple[int, int, str]]]:
    """Blank out cells that do not parse, so one bad cell does not hide the others."""
    import ast

    from .newer_syntax import hint

    skipped: list[tuple[int, int, str]] = []
    lines = source.split("\n")
    for _ in range(attempts):
        try:
            ast.parse("\n".join(lines))
            break
        except SyntaxError as exc:
            line = (exc.lineno or 1) - 1
            if not 0 <= line < len(line_map):
                break
            cell, in_cell = line_map[line]
            why = f"syntax error (line {in_cell}): {exc.msg}{hint(exc.msg, lines[line])}"
            skipped.append((cell, in_cell, why))
            for index, (owner, _number) in enumerate(line_map):
                if owner == cell and index < len(lines):
                    lines[index] = ""
        except (ValueError, RecursionError, MemoryError):
            break
    return "\n".join(lines), skipped
