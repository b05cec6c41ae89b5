"""A notebook's code cells as one Python module (for the notebook front-end, and for value
flow, which reads notebooks that call project functions).

Cells are joined in order so that constants defined in one cell resolve in the next;
``%magic`` and ``!shell`` lines become blank lines so line numbers stay the cell's own.
A line of the joined module maps to (cell index in the ``cells`` array, line within the cell).
"""

from __future__ import annotations

import ast
import json
import re

LineMap = list[tuple[int, int]]  # joined line - 1 -> (cell index, line in cell)


def notebook_source(text: str) -> tuple[str, LineMap]:
    """The joined code of a notebook and a map: joined line -> (cell index, line in cell)."""
    data = json.loads(text)
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no 'cells' list")
    lines: list[str] = []
    line_map: LineMap = []
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


def drop_broken_cells(
    source: str, line_map: LineMap, attempts: int = 20
) -> tuple[str, list[tuple[int, int, SyntaxError, str]]]:
    """Blank out cells that do not parse, so one bad cell does not hide the others: the
    source left, and (cell, line in cell, error, the line's text) for each cell blanked."""
    skipped: list[tuple[int, int, SyntaxError, str]] = []
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
            skipped.append((cell, in_cell, exc, lines[line]))
            for index, (owner, _number) in enumerate(line_map):
                if owner == cell and index < len(lines):
                    lines[index] = ""
        except (ValueError, RecursionError, MemoryError):
            break
    return "\n".join(lines), skipped


def notebook_module_source(text: str) -> tuple[str, LineMap] | None:
    """The notebook's joined code with broken cells blanked (None: not a readable notebook)."""
    try:
        source, line_map = notebook_source(text)
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None
    source, _skipped = drop_broken_cells(source, line_map)
    return source, line_map
