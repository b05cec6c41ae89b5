"""Rule reference pages generated from the rule YAML: ``docs/rules/<ID>.md`` and an index.

The YAML is the only source; ``python -m costlint.ruledocs [DIR]`` rewrites the pages, and
tests/test_ruledocs.py fails when a page is stale or missing.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .engine import Rule, load_rules
from .ruleschema import Example

INDEX = "index.md"
REGENERATE = "python -m costlint.ruledocs"
_FENCES = {".py": "python", ".yaml": "yaml", ".yml": "yaml", ".ipynb": "json", ".toml": "toml"}
_HEADER = f"<!-- generated from the rule's YAML by `{REGENERATE}`: do not edit -->\n\n"


def default_docs_dir() -> Path:
    """The checkout's docs/rules/ (beside rules/) when costlint runs from a checkout, else
    docs/rules under the current directory."""
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "rules").is_dir() and (checkout / "docs").is_dir():
        return checkout / "docs" / "rules"
    return Path.cwd() / "docs" / "rules"


def render_rule_page(rule: Rule) -> str:
    """One rule's Markdown page."""
    docs = rule.docs
    out = [
        _HEADER,
        f"# {rule.id} {rule.name}\n\n",
        f"{rule.summary}\n\n",
        "| severity | category | status |\n| --- | --- | --- |\n",
        f"| {rule.severity} | {rule.category} | {rule.status} |\n\n",
        "## What it does\n\n",
        _prose(docs["what"]),
        "## Why is this bad?\n\n",
        _prose(docs["why"]),
        "## Example\n\n",
        _fenced(docs["example"], "python"),
        "## Use instead\n\n",
        _code_or_prose(docs["use_instead"]),
    ]
    if docs.get("cost_model"):
        out += ["## Cost model\n\n", _prose(docs["cost_model"])]
    out += ["## Options\n\n", _parameters(rule)]
    if docs.get("options") and docs["options"].strip() != "none":
        out.append(_prose(docs["options"]))
    out += ["## Examples\n\n", *_examples(rule)]
    return "".join(out).rstrip("\n") + "\n"


def render_index(rules: list[Rule]) -> str:
    rows = "".join(
        f"| [{r.id}]({r.id}.md) | {r.name} | {r.severity} | {r.category} | {_cell(r.summary)} |\n"
        for r in rules
    )
    return (
        f"{_HEADER}# Rules\n\n"
        "| id | name | severity | category | what it finds |\n| --- | --- | --- | --- | --- |\n"
        f"{rows}\nA project can add its own rules without Python: see "
        "[writing-rules.md](writing-rules.md).\n"
    )


def expected_pages(rules: list[Rule] | None = None) -> dict[str, str]:
    """File name -> content of every generated page."""
    rules = load_rules() if rules is None else rules
    pages = {f"{rule.id}.md": render_rule_page(rule) for rule in rules}
    pages[INDEX] = render_index(rules)
    return pages


def write_docs(directory: Path | None = None) -> list[Path]:
    """Write the pages into ``directory`` (default docs/rules/); returns the paths written."""
    folder = directory or default_docs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in expected_pages().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def _prose(text: str) -> str:
    return text.strip() + "\n\n"


def _fenced(text: str, language: str) -> str:
    fence = "````" if "```" in text else "```"
    return f"{fence}{language}\n{text.rstrip()}\n{fence}\n\n"


def _code_or_prose(text: str) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    if first[:1].isupper() and "=" not in first:
        return _prose(text)
    return _fenced(text, "python")


def _parameters(rule: Rule) -> str:
    if not rule.parameters:
        return "None.\n\n"
    rows = "".join(f"| `{name}` | `{value!r}` |\n" for name, value in rule.parameters.items())
    return (
        f"Set under `[tool.costlint.rules.{rule.id}]` (or `rules: {{{rule.id}: ...}}` in "
        f".costlint.yaml).\n\n| parameter | default |\n| --- | --- |\n{rows}\n"
    )


def _examples(rule: Rule) -> list[str]:
    out: list[str] = []
    for index, example in enumerate(rule.examples.get("flag", []), 1):
        where = "; ".join(
            f"line {e.line}" + (f", column {e.column}" if e.column else "") + f': "{e.message}"'
            for e in example.expect
        )
        out.append(f"### Flagged ({index}): `{example.filename}`\n\nExpected: {where}\n\n")
        out += _example_files(example)
    for index, example in enumerate(rule.examples.get("pass", []), 1):
        out.append(f"### Not flagged ({index}): `{example.filename}`\n\n")
        out += _example_files(example)
    return out


def _example_files(example: Example) -> list[str]:
    out = [_fenced(example.code, _language(example.filename))]
    for name, text in example.files.items():
        out += [f"`{name}`:\n\n", _fenced(text, _language(name))]
    return out


def _language(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    if suffix in (".j2", ".jinja", ".jinja2"):
        return "jinja"
    return _FENCES.get(suffix, "text")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else None
    for path in write_docs(folder):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
