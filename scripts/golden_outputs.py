"""Record or compare costlint's outputs on fixed trees, to prove a refactor changes nothing.

    python scripts/golden_outputs.py record DIR   # before the change
    python scripts/golden_outputs.py compare DIR  # after: exit 1 on any byte difference

The trees are `examples/` and a generated benchmark tree (benchmarks/generate_tree.py,
300 files, seed 1). Every run is offline (`--tokens estimate`, no ANTHROPIC_* variables)
and without the cache, so only the code under test decides the bytes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = {
    "check.txt": ["check", "--format", "text"],
    "check.json": ["check", "--format", "json"],
    "check.sarif": ["check", "--format", "sarif"],
    "check.md": ["check", "--format", "markdown"],
    "report.txt": ["report", "--format", "text"],
    "report.json": ["report", "--format", "json"],
    "report.md": ["report", "--format", "markdown"],
}


def costlint() -> str:
    here = Path(sys.executable).parent / "costlint"
    return str(here) if here.exists() else "costlint"


def trees(work: Path) -> dict[str, Path]:
    bench = work / "bench-tree"
    if not bench.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "generate_tree.py"),
                str(bench),
                "--files",
                "300",
                "--seed",
                "1",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    examples = work / "examples"
    if examples.exists():
        shutil.rmtree(examples)
    shutil.copytree(ROOT / "examples", examples)
    return {"examples": examples, "bench": bench}


def outputs(work: Path) -> dict[str, bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env.pop("PRE_COMMIT", None)
    result: dict[str, bytes] = {}
    for tree_name, tree in trees(work).items():
        for out_name, args in COMMANDS.items():
            proc = subprocess.run(
                [costlint(), *args, "--tokens", "estimate", "--no-cache", "."],
                cwd=tree,
                env=env,
                capture_output=True,
            )
            result[f"{tree_name}.{out_name}"] = (
                proc.stdout
                + b"\n--stderr--\n"
                + proc.stderr
                + f"\n--exit {proc.returncode}\n".encode()
            )
    return result


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("record", "compare"):
        print(__doc__)
        return 2
    target = Path(argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        got = outputs(Path(tmp))
    if argv[0] == "record":
        target.mkdir(parents=True, exist_ok=True)
        for name, data in got.items():
            (target / name).write_bytes(data)
        print(f"recorded {len(got)} outputs in {target}")
        return 0
    differ = [
        n for n, d in got.items() if not (target / n).exists() or (target / n).read_bytes() != d
    ]
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(got) - len(differ)} of {len(got)} outputs byte-identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
