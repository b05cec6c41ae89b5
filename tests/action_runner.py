"""Runs a composite action's ``run:`` steps locally, the way the Actions runner would.

Enough of the runner for costlint's own action.yml: ``${{ … }}`` expressions that name a
value in the context (``inputs.*``, ``github.*``, ``runner.temp``, ``steps.<id>.outputs.*``)
are substituted; ``if:`` conditions made of ``always()``, ``success()`` and ``==`` / ``!=``
comparisons joined by ``&&`` are evaluated; each step's outputs are read back from its
``GITHUB_OUTPUT`` file. ``uses:`` steps are recorded, not run (they need the hosted runner).
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_COMPARE = re.compile(r"^(.+?)\s*(==|!=)\s*(.+)$")


@dataclass
class StepRun:
    name: str
    ran: bool
    uses: str = ""
    returncode: int = 0
    stdout: str = ""
    stderr: str = ""
    with_: dict[str, str] = field(default_factory=dict)


@dataclass
class ActionRun:
    steps: list[StepRun]
    outputs: dict[str, dict[str, str]]

    @property
    def failed(self) -> bool:
        return any(step.returncode != 0 for step in self.steps)

    def step(self, part: str) -> StepRun:
        (found,) = [s for s in self.steps if part in s.name]
        return found


class Context:
    def __init__(self, values: dict[str, str]) -> None:
        self.values = values

    def lookup(self, name: str) -> str:
        name = name.strip()
        if name.startswith("'") and name.endswith("'"):
            return name[1:-1]
        return self.values.get(name, "")

    def substitute(self, text: str) -> str:
        return _EXPR.sub(lambda m: self.lookup(m.group(1)), str(text))

    def condition(self, text: str | None, failed: bool) -> bool:
        if text is None:
            return not failed
        expr = _EXPR.sub(lambda m: m.group(1), str(text)).strip()
        result, status_check = True, False
        for term in (t.strip() for t in expr.split("&&")):
            if term == "always()":
                status_check = True
            elif term == "success()":
                status_check, result = True, result and not failed
            elif term == "failure()":
                status_check, result = True, result and failed
            else:
                match = _COMPARE.match(term)
                if match is None:
                    raise ValueError(f"unsupported condition: {term}")
                left, op, right = match.groups()
                equal = self.lookup(left) == self.lookup(right)
                result = result and (equal if op == "==" else not equal)
        return result if status_check else result and not failed


def run_action(
    action: dict[str, Any],
    inputs: dict[str, str],
    github: dict[str, str],
    env: dict[str, str],
    cwd: Path,
    temp: Path,
    skip_run: tuple[str, ...] = (),
) -> ActionRun:
    """Run ``action``'s steps with ``inputs`` (over its defaults) in ``cwd``.

    ``github`` holds ``github.*`` values (e.g. ``action_path``, ``event.pull_request.number``);
    ``env`` is the process environment; steps whose name contains a ``skip_run`` part are
    recorded without running (e.g. the install step, which would need a package index).
    """
    values = {f"github.{key}": value for key, value in github.items()}
    values["runner.temp"] = str(temp)
    defaults = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    base = Context(values)
    for name, default in defaults.items():
        values[f"inputs.{name}"] = base.substitute(default)
    for name, value in inputs.items():
        values[f"inputs.{name}"] = str(value).lower() if isinstance(value, bool) else str(value)
    context = Context(values)
    outputs: dict[str, dict[str, str]] = {}
    done: list[StepRun] = []
    failed = False
    for number, step in enumerate(action["runs"]["steps"]):
        name = step.get("name") or step.get("uses", f"step {number}")
        if not context.condition(step.get("if"), failed):
            done.append(StepRun(name, ran=False, uses=step.get("uses", "")))
            continue
        if "uses" in step:
            with_ = {k: context.substitute(v) for k, v in (step.get("with") or {}).items()}
            done.append(StepRun(name, ran=True, uses=step["uses"], with_=with_))
            continue
        if any(part in name for part in skip_run):
            done.append(StepRun(name, ran=False))
            continue
        output_file = temp / f"output-{number}"
        output_file.write_text("")
        full = dict(env)
        full.update({k: context.substitute(v) for k, v in (step.get("env") or {}).items()})
        full["GITHUB_OUTPUT"] = str(output_file)
        workdir = cwd / context.substitute(step.get("working-directory", "."))
        proc = subprocess.run(
            ["bash", "-e", "-c", context.substitute(step["run"])],
            cwd=workdir,
            env=full,
            capture_output=True,
            text=True,
            check=False,
        )
        step_id = step.get("id")
        if step_id:
            recorded = dict(
                line.split("=", 1) for line in output_file.read_text().splitlines() if "=" in line
            )
            outputs[step_id] = recorded
            for key, value in recorded.items():
                values[f"steps.{step_id}.outputs.{key}"] = value
        done.append(StepRun(name, True, "", proc.returncode, proc.stdout, proc.stderr))
        failed = failed or proc.returncode != 0
    return ActionRun(done, outputs)


def base_env(path_dir: str) -> dict[str, str]:
    """The process environment without credentials, with ``path_dir`` first on PATH."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANTHROPIC_", "GITHUB_", "GITLAB_", "CI_"))
    }
    env["PATH"] = f"{path_dir}{os.pathsep}{env.get('PATH', '')}"
    return env
