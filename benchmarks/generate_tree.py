# ruff: noqa: E501 - templates of generated code keep their lines whole
"""Generate a deterministic, realistic Python source tree for costlint's benchmarks.

    python benchmarks/generate_tree.py OUT_DIR [--files 2000] [--seed 1] [--jobs N] [--check auto]

Writes ``--files`` Python files (``__init__.py`` files, shared prompt/client modules and ordinary
modules, 150-400 lines each) into OUT_DIR, plus a few notebooks (``.ipynb``) and the prompt text
files that some modules read with ``Path(__file__).parent / "prompts" / "x.txt"``. A tenth of
the files contain Claude API calls of every kind costlint's rules know; the rest is ordinary code
(classes, dataclasses, enums, loops, comprehensions, string constants, argparse mains, tests).

The output depends only on ``--files`` and ``--seed`` (not on ``--jobs``): every file draws from
its own RNG seeded with (seed, file index). Each generated file is checked with ``ast.parse``
(``--check all``); for trees over 5,000 files ``--check auto`` parses every file with Claude calls,
every prompt/client module and notebook cell, and a fixed 1-in-16 sample of the rest, to keep a
20,000-file tree well under a minute on two cores.

A ``manifest.json`` at the root lists what was generated (counts per scenario, per rule it is
meant to trigger, files with Claude calls) so the benchmark can tell that the tree exercises
every rule.
"""

from __future__ import annotations

import argparse
import ast
import bisect
import json
import os
import random
import shutil
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# ------------------------------------------------------------------------------ vocabulary

TOPS = [
    "billing",
    "catalog",
    "support",
    "analytics",
    "inventory",
    "shipping",
    "accounts",
    "search",
    "notifications",
    "reporting",
    "payments",
    "identity",
    "pricing",
    "ingest",
    "workflows",
    "fulfillment",
]
SUBS = [
    "api",
    "core",
    "models",
    "services",
    "utils",
    "jobs",
    "adapters",
    "storage",
    "tasks",
    "handlers",
    "schemas",
    "clients",
    "views",
    "pipelines",
]
NOUNS = [
    "invoice",
    "order",
    "customer",
    "ticket",
    "shipment",
    "ledger",
    "account",
    "payment",
    "report",
    "session",
    "metric",
    "user",
    "product",
    "warehouse",
    "route",
    "event",
    "refund",
    "coupon",
    "cart",
    "review",
    "address",
    "carrier",
    "subscription",
    "plan",
    "quota",
    "tenant",
    "webhook",
    "batch",
    "record",
    "snapshot",
    "schedule",
    "window",
    "bucket",
    "document",
    "note",
    "label",
    "vendor",
    "region",
    "currency",
    "rate",
    "policy",
    "rule",
    "alert",
    "feed",
    "job",
    "task",
    "queue",
    "message",
    "profile",
    "token",
    "permission",
    "role",
    "audit",
    "export",
]
VERBS = [
    "load",
    "save",
    "parse",
    "compute",
    "validate",
    "render",
    "build",
    "fetch",
    "sync",
    "merge",
    "normalize",
    "resolve",
    "collect",
    "summarize",
    "filter",
    "group",
    "rank",
    "score",
    "publish",
    "archive",
    "refresh",
    "import",
    "export",
    "match",
    "split",
    "apply",
    "prepare",
    "dispatch",
    "enqueue",
    "reconcile",
    "estimate",
    "format",
    "encode",
    "decode",
    "index",
    "prune",
]
ADJS = [
    "active",
    "pending",
    "stale",
    "primary",
    "cached",
    "remote",
    "local",
    "daily",
    "monthly",
    "default",
    "partial",
    "verified",
    "archived",
    "external",
    "internal",
    "batched",
    "shared",
]
SUFFIXES = [
    "Service",
    "Repository",
    "Manager",
    "Store",
    "Client",
    "Handler",
    "Builder",
    "Processor",
    "Index",
    "Registry",
    "Policy",
    "Worker",
    "Gateway",
    "Formatter",
    "Validator",
    "Tracker",
]
MOD_SUFFIXES = [
    "store",
    "service",
    "models",
    "utils",
    "handlers",
    "jobs",
    "schema",
    "views",
    "tasks",
    "helpers",
    "client",
    "rules",
    "export",
    "queries",
    "cache",
    "events",
    "metrics",
    "io",
]
TYPES = ["int", "str", "float", "bool", "list[str]", "dict[str, int]", "datetime", "Decimal"]
STDLIB = [
    "import os",
    "import re",
    "import json",
    "import logging",
    "import itertools",
    "import functools",
    "import time",
    "import csv",
    "import hashlib",
    "import math",
    "from collections import defaultdict, Counter",
    "from pathlib import Path",
    "from datetime import datetime, timedelta",
    "from decimal import Decimal",
    "from typing import Any, Iterable, Iterator, Optional",
]
SENTENCE_PARTS = [
    ("Refunds are issued within", "days of purchase when the item is unused and in its box."),
    ("Orders over", "dollars ship free to every region listed in the carrier table."),
    ("A customer may cancel a subscription up to", "hours before the next billing date."),
    ("Escalate to a human agent when a ticket mentions", "or more failed delivery attempts."),
    ("Never promise a delivery date earlier than", "business days after the order is packed."),
    ("Warranty claims are accepted for", "months on electronics and twelve on furniture."),
    ("Loyalty points expire after", "months without a purchase on the same account."),
    ("Price matching applies to identical items sold within", "days by a listed retailer."),
    ("Gift cards cannot be exchanged for cash unless required by law in", "or more states."),
    ("International orders may incur customs fees of up to", "percent of the declared value."),
]
TONE = [
    "Be concise, friendly and precise.",
    "Quote the policy section you rely on.",
    "If the policy does not cover the question, say so and offer to escalate.",
    "Do not speculate about shipping carriers' internal processes.",
    "Use the customer's name once, at the start of the reply.",
    "Write plain text without markdown headings.",
]


def plural(noun: str) -> str:
    if noun.endswith(("s", "x", "ch")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def pascal(*words: str) -> str:
    return "".join(w.capitalize() for w in words)


# ------------------------------------------------------------------------------ plan


@dataclass
class FilePlan:
    index: int
    rel: str  # POSIX path relative to the tree root
    dotted: str  # module name
    kind: str  # init | plain | claude | test | prompts | clients | settings
    classes: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)
    constants: list[str] = field(default_factory=list)
    scenarios: list[str] = field(default_factory=list)


@dataclass
class Plan:
    files: list[FilePlan]
    notebooks: list[str]
    prompts_modules: list[FilePlan]
    clients_module: FilePlan
    settings_module: FilePlan


def make_plan(n_files: int, seed: int) -> Plan:
    if n_files < 40:
        raise SystemExit("--files must be at least 40")
    rng = random.Random(f"plan:{seed}")
    files: list[FilePlan] = []

    def add(rel: str, kind: str) -> FilePlan:
        dotted = rel[:-3].replace("/", ".")
        if dotted.endswith(".__init__"):
            dotted = dotted[: -len(".__init__")]
        plan = FilePlan(len(files), rel, dotted, kind)
        files.append(plan)
        return plan

    # Shared LLM plumbing: clients, settings (model names) and prompt modules.
    add("common/__init__.py", "init")
    add("common/llm/__init__.py", "init")
    clients = add("common/llm/clients.py", "clients")
    settings = add("common/llm/settings.py", "settings")
    add("common/llm/prompts/__init__.py", "init")
    prompts: list[FilePlan] = []
    for i in range(max(3, n_files // 200)):
        p = add(
            f"common/llm/prompts/{NOUNS[i % len(NOUNS)]}_prompts{i // len(NOUNS) or ''}.py",
            "prompts",
        )
        p.constants = [f"{NOUNS[(i + k) % len(NOUNS)].upper()}_MANUAL_{k}" for k in range(3)]
        prompts.append(p)

    n_tests = n_files // 20
    remaining = n_files - len(files) - n_tests
    per_dir = 24
    n_dirs = max(1, remaining // per_dir)
    created_inits: set[str] = set()
    dirs: list[str] = []
    for k in range(n_dirs):
        top = TOPS[k % len(TOPS)]
        sub = SUBS[(k // len(TOPS)) % len(SUBS)]
        deep = k // (len(TOPS) * len(SUBS))
        d = f"{top}/{sub}" + (f"/part{deep}" if deep else "")
        dirs.append(d)
    # __init__.py for every package on the way.
    inits = []
    for d in dirs:
        parts = d.split("/")
        for j in range(1, len(parts) + 1):
            pkg = "/".join(parts[:j])
            if pkg not in created_inits:
                created_inits.add(pkg)
                inits.append(f"{pkg}/__init__.py")
    for rel in inits:
        add(rel, "init")
    modules_left = n_files - len(files) - n_tests
    used: set[str] = set()
    module_plans: list[FilePlan] = []
    for m in range(modules_left):
        d = dirs[m % len(dirs)]
        while True:
            name = f"{rng.choice(NOUNS)}_{rng.choice(MOD_SUFFIXES)}"
            rel = f"{d}/{name}.py"
            if rel not in used:
                break
            rel = f"{d}/{name}_{m}.py"
            if rel not in used:
                break
        used.add(rel)
        module_plans.append(add(rel, "plain"))
    for t in range(n_tests):
        top = TOPS[t % len(TOPS)]
        rel = f"tests/{top}/test_{rng.choice(NOUNS)}_{t}.py"
        add(rel, "test")
    for top in TOPS:
        if any(f.rel.startswith(f"tests/{top}/") for f in files):
            add(f"tests/{top}/__init__.py", "init")
    add("tests/__init__.py", "init")
    # Trim or pad to exactly n_files (the __init__ bookkeeping can overshoot by a few).
    while len(files) > n_files:
        victim = next(f for f in reversed(files) if f.kind in ("test", "plain"))
        files.remove(victim)
        if victim in module_plans:
            module_plans.remove(victim)
    while len(files) < n_files:
        d = dirs[len(files) % len(dirs)]
        module_plans.append(add(f"{d}/extra_{len(files)}.py", "plain"))
    for i, f in enumerate(files):
        f.index = i

    # Names each ordinary module defines (so that others can import them).
    for f in module_plans:
        noun = f.rel.rsplit("/", 1)[1].split("_")[0]
        f.classes = list(
            dict.fromkeys(
                pascal(rng.choice([noun, *NOUNS]), rng.choice(SUFFIXES))
                for _ in range(rng.randint(1, 3))
            )
        )
        f.functions = list(
            dict.fromkeys(
                f"{rng.choice(VERBS)}_{plural(rng.choice([noun, *NOUNS]))}"
                for _ in range(rng.randint(2, 5))
            )
        )

    # A tenth of all files carry Claude calls; every scenario is used round-robin first.
    n_claude = n_files // 10
    chosen = rng.sample(module_plans, min(n_claude, len(module_plans)))
    chosen.sort(key=lambda f: f.index)
    order = list(SCENARIOS)
    for j, f in enumerate(chosen):
        f.kind = "claude"
        first = order[j % len(order)]
        picks = [first]
        for _ in range(rng.randint(1, 4)):
            s = rng.choice(order)
            if s not in picks:
                picks.append(s)
        # At most one scenario with a long in-file prompt per file (keeps files under 400 lines).
        long_ones = [s for s in picks if SCENARIOS[s].long_prompt]
        for s in long_ones[1:]:
            picks.remove(s)
        f.scenarios = picks

    notebooks = [
        f"notebooks/{rng.choice(NOUNS)}_exploration_{i}.ipynb"
        for i in range(max(3, n_files // 400))
    ]
    return Plan(files, notebooks, prompts, clients, settings)


# ------------------------------------------------------------------------------ text helpers


def prompt_text(rng: random.Random, sentences: int, title: str) -> str:
    lines = [
        f"You are the {title} assistant for Acme Store.",
        "Answer using only the policy manual below.",
        "",
    ]
    for s in range(sentences):
        if s % 9 == 0:
            lines.append(
                f"Section {s // 9 + 1}: {rng.choice(NOUNS).capitalize()} "
                f"{rng.choice(['rules', 'policy', 'handling', 'exceptions'])}."
            )
        head, tail = rng.choice(SENTENCE_PARTS)
        lines.append(f"{head} {rng.randint(2, 90)} {tail}")
        if rng.random() < 0.2:
            lines.append(rng.choice(TONE))
    return "\n".join(lines)


def wrap_triple(text: str) -> list[str]:
    """A triple-quoted literal's lines (the text has no backslashes or triple quotes)."""
    out = ['"""\\']
    out.extend(text.split("\n"))
    out[-1] += '"""'
    return out


# ------------------------------------------------------------------------------ ordinary code


class Gen:
    """Ordinary code sections; each returns a list of lines (no trailing blank lines)."""

    def __init__(self, rng: random.Random, plan: FilePlan):
        self.rng = rng
        self.plan = plan
        self.used_names: set[str] = set()

    def name(self, kind: str = "func") -> str:
        r = self.rng
        for _ in range(20):
            if kind == "class":
                n = pascal(r.choice(ADJS), r.choice(NOUNS), r.choice(SUFFIXES))
            elif kind == "const":
                n = f"{r.choice(ADJS).upper()}_{r.choice(NOUNS).upper()}_{r.choice(['LIMIT', 'NAMES', 'PATTERN', 'TIMEOUT', 'KEYS', 'FIELDS'])}"
            else:
                n = f"{r.choice(VERBS)}_{r.choice(ADJS)}_{plural(r.choice(NOUNS))}"
            if n not in self.used_names:
                self.used_names.add(n)
                return n
        n = f"{n}_{len(self.used_names)}"
        self.used_names.add(n)
        return n

    # -- bodies (indented by `ind`) ------------------------------------------------------------
    def body(self, ind: str, arg: str = "items") -> list[str]:
        r = self.rng
        noun = r.choice(NOUNS)
        attr = r.choice(["amount", "count", "weight", "score", "total", "quantity"])
        k = r.randint(2, 97)
        choice = r.randrange(10)
        if choice == 0:
            lines = [
                "total = 0",
                f"for {noun} in {arg}:",
                f'    if getattr({noun}, "{attr}", None) is None:',
                "        continue",
                f"    total += {noun}.{attr} * {k}",
                f'_LOG.debug("accumulated %s over %d {noun}s", total, len({arg}))',
                "return total",
            ]
        elif choice == 1:
            lines = [
                "groups: dict[str, list[Any]] = defaultdict(list)",
                f"for record in {arg}:",
                f'    key = str(record.get("{noun}_id", "unknown")).lower()',
                "    groups[key].append(record)",
                "return {key: len(values) for key, values in sorted(groups.items())}",
            ]
        elif choice == 2:
            lines = [
                f"path = Path({arg}) if not isinstance({arg}, Path) else {arg}",
                "try:",
                '    with path.open(encoding="utf-8") as handle:',
                "        data = json.load(handle)",
                "except (OSError, ValueError) as exc:",
                '    _LOG.warning("cannot read %s: %s", path, exc)',
                "    return {}",
                "if not isinstance(data, dict):",
                '    raise TypeError(f"expected an object in {path}, got {type(data).__name__}")',
                'return {k: v for k, v in data.items() if not k.startswith("_")}',
            ]
        elif choice == 3:
            lines = [
                f"attempts = {r.randint(2, 6)}",
                "delay = 0.5",
                "while attempts > 0:",
                "    try:",
                f"        return list({arg})",
                "    except RuntimeError:",
                "        attempts -= 1",
                "        time.sleep(delay)",
                "        delay = min(delay * 2, 8.0)",
                f'raise RuntimeError("gave up on {noun} after retries")',
            ]
        elif choice == 4:
            lines = [
                f"selected = [x for x in {arg} if x and str(x).strip()]",
                f"selected.sort(key=lambda x: (len(str(x)), str(x)), reverse={r.choice(['True', 'False'])})",
                f"return selected[:{r.randint(5, 500)}]",
            ]
        elif choice == 5:
            lines = [
                f'out_path = Path("/tmp") / f"{noun}-{{int(time.time())}}.csv"',
                'with out_path.open("w", newline="", encoding="utf-8") as handle:',
                "    writer = csv.writer(handle)",
                f'    writer.writerow(["{noun}", "{attr}", "updated"])',
                f"    for row in {arg}:",
                f'        writer.writerow([row, getattr(row, "{attr}", 0), datetime.now().isoformat()])',
                "return out_path",
            ]
        elif choice == 6:
            lines = [
                f'pattern = re.compile(r"^(?P<{noun}>[a-z]+)-(?P<num>\\d{{{r.randint(2, 6)}}})$")',
                "matches = []",
                f"for line in {arg}:",
                "    found = pattern.match(str(line).strip())",
                "    if found:",
                f'        matches.append((found.group("{noun}"), int(found.group("num"))))',
                "return matches",
            ]
        elif choice == 7:
            lines = [
                f"if not {arg}:",
                "    return None",
                f"elif len({arg}) == 1:",
                f"    return {arg}[0]",
                f"elif len({arg}) < {k}:",
                f"    return max({arg}, key=lambda v: hash(v) % {k})",
                "else:",
                f"    digest = hashlib.sha256(repr({arg}).encode()).hexdigest()",
                f"    return digest[:{r.randint(6, 16)}]",
            ]
        elif choice == 8:
            lines = [
                "counts = Counter()",
                f"for batch in itertools.islice({arg}, {r.randint(10, 1000)}):",
                "    for token in str(batch).split():",
                "        counts[token.lower()] += 1",
                f"common = counts.most_common({r.randint(3, 20)})",
                f'_LOG.info("top {noun} tokens: %s", ", ".join(t for t, _ in common))',
                "return dict(common)",
            ]
        else:
            lines = [
                f"cutoff = datetime.now() - timedelta(days={r.randint(1, 90)})",
                "fresh, stale = [], []",
                f"for entry in {arg}:",
                '    stamp = getattr(entry, "updated_at", None)',
                "    (fresh if stamp and stamp >= cutoff else stale).append(entry)",
                "if stale:",
                f'    _LOG.info("%d stale {noun}s older than %s", len(stale), cutoff.date())',
                "return fresh",
            ]
        return [ind + line for line in lines]

    def docstring(self, ind: str, what: str) -> list[str]:
        r = self.rng
        noun = r.choice(NOUNS)
        if r.random() < 0.5:
            return [
                f'{ind}"""{what.capitalize()} for the {noun} {r.choice(["pipeline", "workflow", "service", "dashboard"])}."""'
            ]
        return [
            f'{ind}"""{what.capitalize()}.',
            "",
            f"{ind}Each {noun} is read once; {r.choice(NOUNS)}s that fail validation are logged and",
            f"{ind}skipped rather than raised, so one bad record never stops a batch.",
            f'{ind}"""',
        ]

    # -- sections ------------------------------------------------------------------------------
    def constants(self) -> list[str]:
        r = self.rng
        out = []
        for _ in range(r.randint(2, 6)):
            n = self.name("const")
            c = r.randrange(5)
            if c == 0:
                out.append(f"{n} = {r.randint(1, 10_000)}")
            elif c == 1:
                out.append(
                    f"{n} = ({', '.join(repr(x) for x in r.sample(NOUNS, r.randint(2, 6)))})"
                )
            elif c == 2:
                out.append(f'{n} = re.compile(r"^[A-Z]{{{r.randint(2, 4)}}}-\\d+$")')
            elif c == 3:
                out.append(f"{n} = {{")
                for key in r.sample(NOUNS, r.randint(2, 6)):
                    out.append(f'    "{key}": {r.randint(0, 500)},')
                out.append("}")
            else:
                out.append(f'{n} = "{r.choice(ADJS)}-{r.choice(NOUNS)}-{r.randint(1, 99)}"')
        return out

    def enum(self, name: str | None = None) -> list[str]:
        r = self.rng
        name = name or self.name("class")
        out = [f"class {name}(enum.Enum):"]
        out += self.docstring("    ", f"states of a {r.choice(NOUNS)}")
        for m in r.sample(ADJS, r.randint(3, 7)):
            out.append(f'    {m.upper()} = "{m}"')
        return out

    def dataclass(self, name: str | None = None) -> list[str]:
        r = self.rng
        name = name or self.name("class")
        out = [f"@dataclass{'(frozen=True)' if r.random() < 0.3 else ''}", f"class {name}:"]
        out += self.docstring("    ", f"one {r.choice(NOUNS)} record")
        fields = r.sample(NOUNS, r.randint(3, 8))
        for i, f in enumerate(fields):
            t = r.choice(TYPES)
            if i < 2:
                out.append(f"    {f}_id: {t}")
            elif t.startswith("list"):
                out.append(f"    {f}s: {t} = field(default_factory=list)")
            elif t.startswith("dict"):
                out.append(f"    {f}_index: {t} = field(default_factory=dict)")
            elif t == "int":
                out.append(f"    {f}_count: int = {r.randint(0, 10)}")
            else:
                out.append(f"    {f}: Optional[{t}] = None")
        out += [
            "",
            "    @property",
            "    def key(self) -> str:",
            f'        return f"{{self.{fields[0]}_id}}:{{self.{fields[1]}_id}}"',
            "",
            "    def to_dict(self) -> dict[str, Any]:",
            "        return {k: v for k, v in self.__dict__.items() if v is not None}",
        ]
        return out

    def cls(self, name: str | None = None, methods: int | None = None) -> list[str]:
        r = self.rng
        name = name or self.name("class")
        noun = r.choice(NOUNS)
        out = [f"class {name}:"]
        out += self.docstring("    ", f"coordinates {noun} lookups and updates")
        out += [
            "",
            f"    def __init__(self, root: Path, *, limit: int = {r.randint(10, 1000)}) -> None:",
            "        self.root = root",
            "        self.limit = limit",
            f"        self._{noun}_cache: dict[str, Any] = {{}}",
            "        self._seen: set[str] = set()",
        ]
        for _ in range(methods if methods is not None else r.randint(2, 5)):
            m = self.name()
            out += ["", f"    def {m}(self, items: list[Any]) -> Any:"]
            if r.random() < 0.4:
                out += self.docstring("        ", f"{m.replace('_', ' ')}")
            out += self.body("        ")
        return out

    def function(self, name: str | None = None) -> list[str]:
        r = self.rng
        name = name or self.name()
        out = []
        if r.random() < 0.15:
            out.append(f"@functools.lru_cache(maxsize={r.choice([32, 128, 1024])})")
        out.append(f"def {name}(items: Any, *, strict: bool = False) -> Any:")
        out += self.docstring("    ", name.replace("_", " "))
        out += self.body("    ")
        return out

    def main(self) -> list[str]:
        r = self.rng
        noun = r.choice(NOUNS)
        return [
            "def main(argv: Optional[list[str]] = None) -> int:",
            f'    parser = argparse.ArgumentParser(description="{r.choice(VERBS).capitalize()} {noun}s.")',
            '    parser.add_argument("paths", nargs="*", type=Path)',
            f'    parser.add_argument("--limit", type=int, default={r.randint(10, 500)})',
            '    parser.add_argument("--dry-run", action="store_true")',
            "    args = parser.parse_args(argv)",
            "    for path in args.paths:",
            '        _LOG.info("processing %s (limit %d)", path, args.limit)',
            "    return 0",
            "",
            "",
            'if __name__ == "__main__":',
            "    sys.exit(main())",
        ]

    def test_functions(self) -> list[str]:
        r = self.rng
        out: list[str] = []
        for _ in range(r.randint(3, 8)):
            n = self.name()
            noun = r.choice(NOUNS)
            out += [
                "",
                "",
                f'@pytest.mark.parametrize("value", [{", ".join(str(r.randint(0, 99)) for _ in range(r.randint(2, 5)))}])',
                f"def test_{n}(value, tmp_path):",
                f'    {noun} = {{"id": value, "name": "{r.choice(ADJS)}-{noun}"}}',
                f'    path = tmp_path / "{noun}.json"',
                f"    path.write_text(json.dumps({noun}))",
                '    assert json.loads(path.read_text())["id"] == value',
                f'    assert {noun}["name"].endswith("{noun}")',
            ]
        return out


ORDINARY_HEADER = [
    "from __future__ import annotations",
    "",
    "import argparse",
    "import enum",
    "import sys",
]


def imports_block(
    rng: random.Random, extra: list[str], plan_files: list[FilePlan], me: FilePlan, gen: Gen
) -> tuple[list[str], list[str]]:
    """Module imports: stdlib, dataclasses, a few names from earlier modules of the tree."""
    lines = list(ORDINARY_HEADER)
    lines += sorted(set(STDLIB))
    lines.append("from dataclasses import dataclass, field")
    lines += extra
    imported: list[str] = []
    importable = _STATE["importable"]  # indices of modules that define names, ascending
    n_earlier = bisect.bisect_left(importable, me.index)
    if n_earlier:
        picks = rng.sample(range(n_earlier), min(n_earlier, rng.randint(0, 3)))
        for other in (plan_files[importable[k]] for k in picks):
            names = rng.sample(other.classes, 1) + rng.sample(other.functions, 1)
            names = [n for n in dict.fromkeys(names) if n not in gen.used_names]
            if names:
                gen.used_names.update(names)
                lines.append(f"from {other.dotted} import {', '.join(names)}")
                imported += names
    lines.append("")
    lines.append("_LOG = logging.getLogger(__name__)")
    return lines, imported


# ------------------------------------------------------------------------------ Claude scenarios


@dataclass
class Scenario:
    name: str
    rules: tuple[str, ...]  # rules it is meant to trigger (empty: a clean call)
    long_prompt: bool = False


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in [
        Scenario("yesno_oversized", ("CL001",)),
        Scenario("label_oversized", ("CL001",)),
        Scenario("opus_classify", ("CL004",)),
        Scenario("bedrock_opus_route", ("CL004", "CL009")),
        Scenario("long_const_uncached", ("CL002",), long_prompt=True),
        Scenario("long_fstring_uncached_async", ("CL002",), long_prompt=True),
        Scenario("long_import_uncached", ("CL002",)),
        Scenario("long_path_read_uncached", ("CL002",)),
        Scenario("long_cached_block", ()),
        Scenario("long_auto_cached", ()),
        Scenario("history_loop", ("CL003",)),
        Scenario("history_self", ("CL003",)),
        Scenario("history_windowed", ()),
        Scenario("history_cached", ()),
        Scenario("cache_below_minimum", ("CL007",)),
        Scenario("stream_over_limit", ("CL008",)),
        Scenario("nonstream_guard", ("CL008",)),
        Scenario("with_options_timeout", ()),
        Scenario("legacy_models", ("CL009",)),
        Scenario("unknown_model", ("CL010",)),
        Scenario("beta_messages", ()),
        Scenario("raw_response", ()),
        Scenario("async_stream", ()),
        Scenario("vertex_alias", ("CL009",)),
        Scenario("param_client", ("CL004",)),
        Scenario("local_client", ()),
        Scenario("request_dict", ("CL001",)),
        Scenario("helper_prompt", ("CL001",)),
        Scenario("settings_model", ("CL004",)),
        Scenario("negatives", ()),
    ]
}

# Client set-ups for a module's primary (sync) client: (imports, module-level lines, name, platform)
CLIENT_SETUPS = [
    (["import anthropic"], ["client = anthropic.Anthropic()"], "client", "api"),
    (
        ["from anthropic import Anthropic as Claude"],
        ["_claude = Claude(max_retries=3)"],
        "_claude",
        "api",
    ),
    (["import anthropic as ai"], ["llm = ai.Anthropic()"], "llm", "api"),
    (["from common.llm.clients import client as shared_client"], [], "shared_client", "api"),
    (
        ["import anthropic"],
        ['CLIENT = anthropic.Anthropic(default_headers={"x-team": "support"})'],
        "CLIENT",
        "api",
    ),
    (
        ["import anthropic", "from typing import Optional as _Opt"],
        ["_injected: _Opt[anthropic.Anthropic] = None", "api = _injected or anthropic.Anthropic()"],
        "api",
        "api",
    ),
]


class ClaudeGen:
    """Builds the Claude-calling part of a module: imports, module-level lines, definitions."""

    def __init__(
        self,
        rng: random.Random,
        plan: FilePlan,
        gen: Gen,
        prompts: list[FilePlan],
        extra_files: dict[str, str],
    ):
        self.rng = rng
        self.plan = plan
        self.gen = gen
        self.prompts = prompts
        self.extra_files = extra_files  # rel path -> text (prompt files next to the module)
        self.imports: list[str] = []
        self.globals: list[str] = []
        self.defs: list[list[str]] = []
        setup = rng.choice(CLIENT_SETUPS)
        self.imports += setup[0]
        self.globals += setup[1]
        self.client = setup[2]
        self.async_client: str | None = None
        self.n = 0
        self.addresses: dict[str, str] = {}  # qualified name of the calling function -> scenario

    def uniq(self, base: str) -> str:
        self.n += 1
        return f"{base}_{self.n}" if self.n > 1 else base

    def need_async(self) -> str:
        if self.async_client is None:
            self.imports.append("from anthropic import AsyncAnthropic")
            self.globals.append("async_client = AsyncAnthropic()")
            self.async_client = "async_client"
        return self.async_client

    def need(self, line: str) -> None:
        if line not in self.imports:
            self.imports.append(line)

    def build(self, name: str) -> None:
        before = len(self.defs)
        getattr(self, f"s_{name}")()
        for block in self.defs[before:]:
            head = block[0]
            if head.startswith("class "):
                self.addresses[f"{head[6:].split(':')[0].split('(')[0]}.send"] = name
            else:
                fn = head.split("def ", 1)[1].split("(", 1)[0]
                if not fn.startswith("_"):
                    self.addresses[fn] = name

    # -- scenarios -----------------------------------------------------------------------------
    def s_yesno_oversized(self) -> None:
        r = self.rng
        noun = r.choice(NOUNS)
        const = self.uniq(f"{noun.upper()}_CHECK_PROMPT")
        self.globals += [
            f"{const} = (",
            f'    "You review incoming {noun}s for the operations team. Read the {noun} and decide "',
            '    "whether it needs a human within the hour. Answer yes or no."',
            ")",
        ]
        fn = self.uniq(f"needs_review_{noun}")
        # Over 8x the answer's cap (16 tokens, + 2,048 on models that think by default), under
        # the SDK's non-streaming guard (21,333) so that only CL001 fires.
        model, max_tokens = r.choice(
            [("claude-haiku-5-5", 20000), ("claude-sonnet-5-5", 18000), ("claude-haiku-4-5", 8192)]
        )
        self.defs.append(
            [
                f"def {fn}(text: str) -> bool:",
                f"    response = {self.client}.messages.create(",
                f'        model="{model}",',
                f"        max_tokens={max_tokens},",
                f"        system={const},",
                '        messages=[{"role": "user", "content": text}],',
                "    )",
                '    return response.content[0].text.strip().lower().startswith("yes")',
            ]
        )

    def s_label_oversized(self) -> None:
        r = self.rng
        labels = r.sample(NOUNS, 3)
        fn = self.uniq("label_ticket")
        self.globals.append(
            f'LABEL_PROMPT = "Classify the ticket into one of: {", ".join(labels)}, other. Respond with only the label."'
        )
        self.defs.append(
            [
                f"def {fn}(ticket: str) -> str:",
                f'    reply = {self.client}.messages.create(model="claude-sonnet-5-5", max_tokens=20000,',
                '        system=LABEL_PROMPT, messages=[{"role": "user", "content": ticket}])',
                "    return reply.content[0].text.strip()",
            ]
        )

    def s_opus_classify(self) -> None:
        r = self.rng
        fn = self.uniq("tag_sentiment")
        self.defs.append(
            [
                f"def {fn}(reviews: list[str]) -> list[str]:",
                "    tags = []",
                "    for review in reviews:",
                f"        response = {self.client}.messages.create(",
                '            model="claude-opus-5-5",',
                f"            max_tokens={r.choice([10, 16, 32, 50])},",
                '            system="Classify the sentiment of the review as positive, negative or neutral.",',
                '            messages=[{"role": "user", "content": review}],',
                "        )",
                "        tags.append(response.content[0].text.strip())",
                "    return tags",
            ]
        )

    def s_bedrock_opus_route(self) -> None:
        self.need("import anthropic as ai_bedrock")
        self.globals.append('bedrock_llm = ai_bedrock.AnthropicBedrock(aws_region="us-east-1")')
        fn = self.uniq("route_ticket")
        self.defs.append(
            [
                f"def {fn}(ticket: str) -> str:",
                "    return bedrock_llm.messages.create(",
                '        model="us.anthropic.claude-opus-4-1-20250805-v1:0",',
                "        max_tokens=20,",
                '        system="Route the ticket: which team should handle it?",',
                '        messages=[{"role": "user", "content": ticket}],',
                "    ).content[0].text",
            ]
        )

    def s_long_const_uncached(self) -> None:
        r = self.rng
        const = self.uniq("POLICY_MANUAL")
        self.globals.append(
            f"{const} = " + "\n".join(wrap_triple(prompt_text(r, r.randint(48, 64), "support")))
        )
        fn = self.uniq("answer_question")
        self.defs.append(
            [
                f"def {fn}(question: str, customer: str) -> str:",
                f"    response = {self.client}.messages.create(",
                f'        model="{r.choice(["claude-sonnet-5-5", "claude-opus-5-5"])}",',
                "        max_tokens=1024,",
                f"        system={const},",
                '        messages=[{"role": "user", "content": f"{customer} asks: {question}"}],',
                "    )",
                "    return response.content[0].text",
            ]
        )

    def s_long_fstring_uncached_async(self) -> None:
        r = self.rng
        ac = self.need_async()
        const = self.uniq("POLICY")
        self.globals.append(
            f"{const} = " + "\n".join(wrap_triple(prompt_text(r, r.randint(48, 64), "billing")))
        )
        fn = self.uniq("answer_all")
        self.defs.append(
            [
                f"async def {fn}(questions: list[str], agent: str) -> list[str]:",
                "    answers = []",
                "    for q in questions:",
                f"        reply = await {ac}.messages.create(",
                '            model="claude-opus-5-5", max_tokens=2048,',
                f'            system=f"{{{const}}}\\nYou are {{agent}}. Answer the customer.",',
                '            messages=[{"role": "user", "content": q}],',
                "        )",
                "        answers.append(reply.content[0].text)",
                "    return answers",
            ]
        )

    def s_long_import_uncached(self) -> None:
        r = self.rng
        mod = r.choice(self.prompts)
        const = r.choice(mod.constants)
        alias = self.uniq("MANUAL")
        self.need(f"from {mod.dotted} import {const} as {alias}")
        fn = self.uniq("draft_reply")
        self.defs.append(
            [
                f"def {fn}(ticket: dict[str, Any]) -> str:",
                '    """Draft a reply to one ticket from the shared manual."""',
                f"    response = {self.client}.messages.create(",
                '        model="claude-sonnet-5-5",',
                "        max_tokens=1500,",
                f"        system={alias},",
                '        messages=[{"role": "user", "content": ticket["body"]}],',
                "    )",
                "    return response.content[0].text",
            ]
        )

    def s_long_path_read_uncached(self) -> None:
        r = self.rng
        stem = self.uniq(f"{r.choice(NOUNS)}_guide")
        base = self.plan.rel.rsplit("/", 1)[0]
        self.extra_files[f"{base}/prompts/{stem}.txt"] = prompt_text(
            r, r.randint(60, 90), stem.replace("_", " ")
        )
        if 'PROMPT_DIR = Path(__file__).parent / "prompts"' not in self.globals:
            self.globals.append('PROMPT_DIR = Path(__file__).parent / "prompts"')
        const = self.uniq("GUIDE")
        self.globals.append(f'{const} = (PROMPT_DIR / "{stem}.txt").read_text(encoding="utf-8")')
        fn = self.uniq("explain")
        self.defs.append(
            [
                f"def {fn}(question: str) -> str:",
                f'    out = {self.client}.messages.create(model="claude-sonnet-5-5", max_tokens=2000,',
                f'        system={const}, messages=[{{"role": "user", "content": question}}])',
                "    return out.content[0].text",
            ]
        )

    def s_long_cached_block(self) -> None:
        r = self.rng
        mod = r.choice(self.prompts)
        const = r.choice(mod.constants)
        alias = self.uniq("CACHED_MANUAL")
        self.need(f"from {mod.dotted} import {const} as {alias}")
        fn = self.uniq("summarize_case")
        self.defs.append(
            [
                f"def {fn}(case_text: str) -> str:",
                f"    response = {self.client}.messages.create(",
                '        model="claude-haiku-5-5",',
                "        max_tokens=300,",
                "        system=[",
                '            {"type": "text", "text": "Summarize the case for an agent in two lines."},',
                f'            {{"type": "text", "text": {alias}, "cache_control": {{"type": "ephemeral"}}}},',
                "        ],",
                '        messages=[{"role": "user", "content": case_text}],',
                "    )",
                "    return response.content[0].text",
            ]
        )

    def s_long_auto_cached(self) -> None:
        r = self.rng
        mod = r.choice(self.prompts)
        const = r.choice(mod.constants)
        alias = self.uniq("AUTO_MANUAL")
        self.need(f"from {mod.dotted} import {const} as {alias}")
        fn = self.uniq("answer_cached")
        self.defs.append(
            [
                f"def {fn}(question: str) -> str:",
                f'    return {self.client}.messages.create(model="claude-sonnet-5-5", max_tokens=1024,',
                '        cache_control={"type": "ephemeral"}, system=' + alias + ",",
                '        messages=[{"role": "user", "content": question}]).content[0].text',
            ]
        )

    def s_history_loop(self) -> None:
        r = self.rng
        fn = self.uniq("chat_loop")
        loop = r.choice(["while True:", "for _turn in range(max_turns):"])
        self.defs.append(
            [
                f"def {fn}(max_turns: int = 20) -> None:",
                "    history = []",
                f"    {loop}",
                '        text = input("> ")',
                "        if not text:",
                "            break",
                '        history.append({"role": "user", "content": text})',
                f'        reply = {self.client}.messages.create(model="claude-sonnet-5-5", max_tokens=1024,',
                "                                       messages=history)",
                '        history.append({"role": "assistant", "content": reply.content})',
                "        print(reply.content[0].text)",
            ]
        )

    def s_history_self(self) -> None:
        r = self.rng
        self.need("import anthropic")
        cls = self.uniq(pascal(r.choice(NOUNS), "Agent"))
        attr = r.choice(["client", "_llm", "anthropic_client"])
        self.defs.append(
            [
                f"class {cls}:",
                f'    """A live conversation with one {r.choice(NOUNS)} owner."""',
                "",
                '    def __init__(self, model: str = "claude-sonnet-5-5") -> None:',
                f"        self.{attr} = anthropic.Anthropic()",
                "        self.model = model",
                "        self.history: list[dict[str, Any]] = []",
                "",
                "    def send(self, text: str) -> str:",
                '        self.history.append({"role": "user", "content": text})',
                f"        response = self.{attr}.messages.create(",
                "            model=self.model,",
                "            max_tokens=2048,",
                '            system="You are a friendly support agent for Acme Store.",',
                "            messages=self.history,",
                "        )",
                "        reply = response.content[0].text",
                '        self.history.append({"role": "assistant", "content": reply})',
                "        return reply",
            ]
        )

    def s_history_windowed(self) -> None:
        r = self.rng
        fn = self.uniq("windowed_chat")
        w = r.choice([4, 6, 8, 10])
        self.defs.append(
            [
                f"def {fn}(turns: Iterable[str]) -> list[str]:",
                "    history: list[dict[str, Any]] = []",
                "    replies = []",
                "    for text in turns:",
                '        history.append({"role": "user", "content": text})',
                f'        reply = {self.client}.messages.create(model="claude-haiku-5-5", max_tokens=512,',
                f"                                       messages=history[-{w}:])",
                '        history.append({"role": "assistant", "content": reply.content})',
                "        replies.append(reply.content[0].text)",
                "    return replies",
            ]
        )

    def s_history_cached(self) -> None:
        fn = self.uniq("cached_chat")
        self.defs.append(
            [
                f"def {fn}(turns: Iterable[str]) -> None:",
                "    history = []",
                "    for text in turns:",
                '        history.append({"role": "user", "content": text})',
                f'        reply = {self.client}.messages.create(model="claude-sonnet-5-5", max_tokens=1024,',
                '                                       cache_control={"type": "ephemeral"},',
                "                                       messages=history)",
                '        history.append({"role": "assistant", "content": reply.content})',
            ]
        )

    def s_cache_below_minimum(self) -> None:
        fn = self.uniq("terse_answer")
        self.defs.append(
            [
                f"def {fn}(q: str) -> str:",
                f'    return {self.client}.messages.create(model="claude-haiku-4-5", max_tokens=300,',
                '        system=[{"type": "text", "text": "You are a terse assistant for the billing team.",',
                '                 "cache_control": {"type": "ephemeral"}}],',
                '        messages=[{"role": "user", "content": q}]).content[0].text',
            ]
        )

    def s_stream_over_limit(self) -> None:
        fn = self.uniq("write_long_report")
        self.defs.append(
            [
                f"def {fn}(msgs: list[dict[str, Any]]) -> str:",
                f'    with {self.client}.messages.stream(model="claude-opus-5-5", max_tokens=200000,',
                "                                messages=msgs) as stream:",
                "        for _text in stream.text_stream:",
                "            pass",
                "        return stream.get_final_message().content[0].text",
            ]
        )

    def s_nonstream_guard(self) -> None:
        fn = self.uniq("write_chapter")
        self.defs.append(
            [
                f"def {fn}(msgs: list[dict[str, Any]]):",
                f'    return {self.client}.messages.create(model="claude-opus-5-5", max_tokens=64000, messages=msgs)',
            ]
        )

    def s_with_options_timeout(self) -> None:
        fn = self.uniq("write_book")
        self.defs.append(
            [
                f"def {fn}(msgs: list[dict[str, Any]]):",
                f"    return {self.client}.with_options(timeout=1200).messages.create(",
                '        model="claude-opus-5-5", max_tokens=64000, messages=msgs)',
            ]
        )

    def s_legacy_models(self) -> None:
        r = self.rng
        model = r.choice(
            [
                "claude-opus-4-1",
                "claude-3-5-haiku-latest",
                "claude-sonnet-4-5",
                "claude-opus-4-1-20250805",
            ]
        )
        fn = self.uniq("legacy_summary")
        self.defs.append(
            [
                f"def {fn}(text: str) -> str:",
                f'    """Still on {model}; migration tracked separately."""',
                f'    msg = {self.client}.messages.create(model="{model}", max_tokens=2048,',
                '        messages=[{"role": "user", "content": f"Summarize this document:\\n{text}"}])',
                "    return msg.content[0].text",
            ]
        )

    def s_unknown_model(self) -> None:
        r = self.rng
        model = r.choice(["claude-sonet-5-5", "claude-opus-6-turbo", "claude-haiku-5-5-preview-x"])
        fn = self.uniq("experimental_answer")
        self.defs.append(
            [
                f"def {fn}(msgs: list[dict[str, Any]]):",
                f'    return {self.client}.messages.create(model="{model}", max_tokens=512, messages=msgs)',
            ]
        )

    def s_beta_messages(self) -> None:
        r = self.rng
        fn = self.uniq("beta_extract")
        if r.random() < 0.5:
            self.defs.append(
                [
                    f"def {fn}(doc: str) -> str:",
                    f"    resp = {self.client}.beta.messages.create(",
                    '        model="claude-sonnet-5-5", max_tokens=1024,',
                    '        betas=["context-management-2025-06-27"],',
                    '        system="Write a short, accurate overview of the document.",',
                    '        messages=[{"role": "user", "content": doc}],',
                    "    )",
                    "    return resp.content[0].text",
                ]
            )
        else:
            self.defs.append(
                [
                    f"def {fn}(doc: str) -> str:",
                    f'    with {self.client}.beta.messages.stream(model="claude-sonnet-5-5", max_tokens=4096,',
                    '            messages=[{"role": "user", "content": doc}]) as s:',
                    "        return s.get_final_message().content[0].text",
                ]
            )

    def s_raw_response(self) -> None:
        fn = self.uniq("raw_headers")
        self.defs.append(
            [
                f"def {fn}(prompt: str) -> dict[str, str]:",
                f"    raw = {self.client}.messages.with_raw_response.create(",
                '        model="claude-haiku-5-5", max_tokens=256,',
                '        messages=[{"role": "user", "content": prompt}])',
                "    _ = raw.parse()",
                "    return dict(raw.headers)",
            ]
        )

    def s_async_stream(self) -> None:
        ac = self.need_async()
        fn = self.uniq("stream_answer")
        self.defs.append(
            [
                f"async def {fn}(question: str) -> str:",
                "    parts = []",
                f'    async with {ac}.messages.stream(model="claude-sonnet-5-5", max_tokens=2048,',
                '            messages=[{"role": "user", "content": question}]) as stream:',
                "        async for text in stream.text_stream:",
                "            parts.append(text)",
                '    return "".join(parts)',
            ]
        )

    def s_vertex_alias(self) -> None:
        self.need("from anthropic import AnthropicVertex as Vertex")
        if 'vertex = Vertex(region="us-east5", project_id="acme-prod")' not in self.globals:
            self.globals.append('vertex = Vertex(region="us-east5", project_id="acme-prod")')
        fn = self.uniq("vertex_answer")
        self.defs.append(
            [
                f"def {fn}(q: str) -> str:",
                '    return vertex.messages.create(model="claude-sonnet-4-5@20250929", max_tokens=1024,',
                '        messages=[{"role": "user", "content": q}]).content[0].text',
            ]
        )

    def s_param_client(self) -> None:
        self.need("import anthropic")
        fn = self.uniq("extract_email")
        self.defs.append(
            [
                f"async def {fn}(client: anthropic.AsyncAnthropic, text: str) -> str:",
                "    response = await client.messages.create(",
                '        model="claude-opus-5-5",',
                "        max_tokens=64,",
                '        system="Extract the email address from the customer\'s message.",',
                '        messages=[{"role": "user", "content": text}],',
                "    )",
                "    return response.content[0].text.strip()",
            ]
        )

    def s_local_client(self) -> None:
        self.need("import anthropic")
        fn = self.uniq("one_off_review")
        self.defs.append(
            [
                f"def {fn}(diff: str) -> str:",
                "    local = anthropic.Anthropic(max_retries=5)",
                "    resp = local.messages.create(",
                '        model="claude-sonnet-5-5", max_tokens=4096,',
                '        system="Review this code change: find bugs and explain how to fix them.",',
                '        messages=[{"role": "user", "content": diff}],',
                "    )",
                "    return resp.content[0].text",
            ]
        )

    def s_request_dict(self) -> None:
        fn = self.uniq("is_duplicate")
        self.defs.append(
            [
                f"def {fn}(a: str, b: str) -> bool:",
                '    params = dict(model="claude-haiku-5-5", max_tokens=20000)',
                '    params["system"] = "Are these two tickets about the same problem? Answer yes or no."',
                '    params["messages"] = [{"role": "user", "content": f"A: {a}\\nB: {b}"}]',
                f"    out = {self.client}.messages.create(**params)",
                '    return out.content[0].text.strip().lower() == "yes"',
            ]
        )

    def s_helper_prompt(self) -> None:
        r = self.rng
        helper = self.uniq("_score_prompt")
        fn = self.uniq("score_lead")
        self.defs.append(
            [
                f"def {helper}(kind: str) -> str:",
                '    return f"Rate the {kind} lead from 1 to 10. Reply with only the number."',
            ]
        )
        self.defs.append(
            [
                f"def {fn}(lead: str) -> int:",
                f'    reply = {self.client}.messages.create(model="claude-haiku-5-5", max_tokens={r.choice([18000, 20000])},',
                f'        system={helper}("{r.choice(NOUNS)}"), messages=[{{"role": "user", "content": lead}}])',
                "    return int(reply.content[0].text.strip())",
            ]
        )

    def s_settings_model(self) -> None:
        self.need("from common.llm.settings import ROUTER_MODEL, ROUTER_PROMPT")
        fn = self.uniq("pick_queue")
        self.defs.append(
            [
                f"def {fn}(tickets: list[str]) -> list[str]:",
                f"    return [{self.client}.messages.create(model=ROUTER_MODEL, max_tokens=16, system=ROUTER_PROMPT,",
                '            messages=[{"role": "user", "content": t}]).content[0].text for t in tickets]',
            ]
        )

    def s_negatives(self) -> None:
        self.need("from twilio.rest import Client as TwilioClient")
        self.need("from openai import OpenAI")
        self.globals.append('sms = TwilioClient("AC-account", "token")')
        self.globals.append("oai = OpenAI()")
        fn = self.uniq("notify_customer")
        self.defs.append(
            [
                f"def {fn}(phone: str, text: str) -> None:",
                '    sms.messages.create(body=text, from_="+15550100", to=phone)',
                '    oai.chat.completions.create(model="gpt-4o", max_tokens=4096,',
                '        messages=[{"role": "user", "content": "Answer yes or no: " + text}])',
            ]
        )


# ------------------------------------------------------------------------------ file builders


def build_plain(
    plan: FilePlan,
    all_files: list[FilePlan],
    prompts: list[FilePlan],
    seed: int,
    extra_files: dict[str, str],
    sites: dict[str, str] | None = None,
) -> str:
    rng = random.Random(f"{seed}:{plan.index}")
    gen = Gen(rng, plan)
    gen.used_names.update(plan.classes)
    gen.used_names.update(plan.functions)
    target = rng.randint(150, 400)

    claude: ClaudeGen | None = None
    if plan.kind == "claude":
        claude = ClaudeGen(rng, plan, gen, prompts, extra_files)
        for s in plan.scenarios:
            claude.build(s)
        if sites is not None:
            sites.update({f"{plan.rel}::{q}": s for q, s in claude.addresses.items()})

    extra_imports = ["import pytest"] if plan.kind == "test" else []
    header, imported = imports_block(rng, extra_imports, all_files, plan, gen)
    if claude is not None:
        header = header[:-2] + claude.imports + header[-2:]
    doc = [
        f'"""{plan.dotted}: {rng.choice(VERBS)} and {rng.choice(VERBS)} {rng.choice(NOUNS)}s for the {plan.dotted.split(".")[0]} domain."""',
        "",
    ]
    lines = doc + header + [""]
    if claude is not None and claude.globals:
        lines += claude.globals
    lines += gen.constants()

    # (lines, smaller version or None, removable)
    sections: list[tuple[list[str], object, bool]] = []
    if claude is not None:
        sections += [(d, None, False) for d in claude.defs]
    if plan.kind == "test":
        sections.append((gen.test_functions(), None, False))
    else:
        # Names other modules may import from this one (kept; shrunk if the file runs long).
        for c in plan.classes:
            maker = rng.choice([gen.cls, gen.dataclass, gen.enum])
            sections.append((maker(c), (lambda c=c: gen.enum(c)), False))
        for f in plan.functions:
            tiny = [
                f"def {f}(items: Any) -> Any:",
                '    """Pass-through kept for API compatibility."""',
                "    return items",
            ]
            sections.append((gen.function(f), (lambda tiny=tiny: tiny), False))
    if imported:
        sections.append(
            (
                [
                    "def registry() -> dict[str, Any]:",
                    '    """Names this module re-exports, for the plugin loader."""',
                    "    return {" + ", ".join(f'"{n}": {n}' for n in imported) + "}",
                ],
                None,
                False,
            )
        )
    rng.shuffle(sections)

    head = sum(1 + line.count("\n") for line in lines)

    def total() -> int:
        return head + sum(len(s[0]) + 2 for s in sections)

    fillers = [gen.function, gen.cls, gen.dataclass, gen.function, gen.enum]
    while total() < target:
        extra = rng.choice(fillers)()
        if total() + len(extra) + 2 > 400:
            extra = gen.function()
            if total() + len(extra) + 2 > 400:
                break
        sections.append((extra, None, True))
    while total() > 400:  # shrink the largest shrinkable section
        best = max(
            (k for k, s in enumerate(sections) if s[1] is not None or s[2]),
            key=lambda k: len(sections[k][0]),
            default=None,
        )
        if best is None:
            break
        body, smaller, removable = sections[best]
        if removable:
            del sections[best]
        else:
            sections[best] = (smaller(), None, False)
    length = total()
    has_main = plan.kind != "test" and rng.random() < 0.2 and length + 15 <= 400
    for s in sections:
        lines += ["", ""] + s[0]
    if has_main:
        lines += ["", ""] + gen.main()
    return "\n".join(lines) + "\n"


def build_prompts(plan: FilePlan, seed: int) -> str:
    rng = random.Random(f"{seed}:{plan.index}")
    lines = [
        f'"""Prompt texts shared by the support and billing assistants ({plan.dotted})."""',
        "",
    ]
    for const in plan.constants:
        lines.append(
            f"{const} = "
            + "\n".join(wrap_triple(prompt_text(rng, rng.randint(30, 40), const.lower())))
        )
        lines.append("")
    return "\n".join(lines) + "\n"


def build_clients(plan: FilePlan) -> str:
    return "\n".join(
        [
            '"""The Claude clients every service shares (one connection pool per process)."""',
            "",
            "import anthropic",
            "",
            "client = anthropic.Anthropic(max_retries=4)",
            "async_client = anthropic.AsyncAnthropic()",
            'bedrock = anthropic.AnthropicBedrock(aws_region="us-west-2")',
            "",
        ]
    )


def build_settings(plan: FilePlan) -> str:
    return "\n".join(
        [
            '"""Model choices, kept in one place so a migration is one edit."""',
            "",
            'ROUTER_MODEL = "claude-opus-5-5"',
            'ROUTER_PROMPT = "Route the ticket to one team. Respond with only the team name."',
            'SUMMARY_MODEL = "claude-haiku-5-5"',
            "DEFAULT_MAX_TOKENS = 1024",
            "",
        ]
    )


def build_notebook(rel: str, index: int, seed: int) -> str:
    rng = random.Random(f"{seed}:nb:{index}")
    noun = rng.choice(NOUNS)

    def code(src: str) -> dict:
        return {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": [line + "\n" for line in src.split("\n")],
        }

    def md(src: str) -> dict:
        return {"cell_type": "markdown", "metadata": {}, "source": [src]}

    cells = [
        md(f"# Exploring {noun} data with Claude"),
        code("%pip install anthropic pandas\n!ls data"),
        code(
            "import anthropic\nimport json\nfrom pathlib import Path\n\nclient = anthropic.Anthropic()"
        ),
        code(
            f"rows = [json.loads(line) for line in Path('data/{noun}s.jsonl').read_text().splitlines()]\nlen(rows)"
        ),
        md("## Label a sample"),
        code(
            "labels = []\nfor row in rows[:50]:\n"
            '    r = client.messages.create(model="claude-opus-5-5", max_tokens=10,\n'
            '        system="Classify the sentiment as positive, negative or neutral.",\n'
            '        messages=[{"role": "user", "content": row["text"]}])\n'
            "    labels.append(r.content[0].text)"
        ),
        code(
            'resp = client.messages.create(model="claude-sonnet-5-5", max_tokens=20000,\n'
            '    system="Answer yes or no: does the sample look balanced?",\n'
            '    messages=[{"role": "user", "content": str(labels)}])\nresp.content[0].text'
        ),
        md("## Chat about it"),
        code(
            'history = []\nfor question in ["What stands out?", "Why?", "What next?"]:\n'
            '    history.append({"role": "user", "content": question})\n'
            '    out = client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, messages=history)\n'
            '    history.append({"role": "assistant", "content": out.content})'
        ),
    ]
    for _ in range(rng.randint(2, 6)):
        cells.append(
            code(f"summary = {{k: len(v) for k, v in {{'{noun}': rows}}.items()}}\nsummary")
        )
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb, indent=1)


# ------------------------------------------------------------------------------ driver

_STATE: dict = {}


def _work(chunk: list[int]) -> tuple[int, int, list[str], dict[str, int], dict[str, str]]:
    """Generate and write the files with these plan indices; return (files, lines, errors, stats)."""
    plan: Plan = _STATE["plan"]
    out: Path = _STATE["out"]
    seed: int = _STATE["seed"]
    check: str = _STATE["check"]
    written = lines = 0
    errors: list[str] = []
    stats: Counter = Counter()
    sites: dict[str, str] = {}
    for i in chunk:
        f = plan.files[i]
        extra: dict[str, str] = {}
        if f.kind == "init":
            text = f'"""{f.dotted} package."""\n' if i % 3 else ""
        elif f.kind == "prompts":
            text = build_prompts(f, seed)
        elif f.kind == "clients":
            text = build_clients(f)
        elif f.kind == "settings":
            text = build_settings(f)
        else:
            text = build_plain(f, plan.files, plan.prompts_modules, seed, extra, sites)
        path = out / f.rel
        path.write_text(text, encoding="utf-8")
        for rel, content in extra.items():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            (out / rel).write_text(content, encoding="utf-8")
            stats["prompt_text_files"] += 1
        written += 1
        n_lines = text.count("\n")
        lines += n_lines
        if f.kind in ("plain", "claude", "test"):
            stats["min_lines"] = min(stats.get("min_lines", 10**9), n_lines)
            stats["max_lines"] = max(stats.get("max_lines", 0), n_lines)
        must = (
            check == "all" or f.kind in ("claude", "prompts", "clients", "settings") or i % 16 == 0
        )
        if check != "none" and must:
            stats["parsed"] += 1
            try:
                ast.parse(text, filename=f.rel)
            except SyntaxError as exc:
                errors.append(f"{f.rel}:{exc.lineno}: {exc.msg}")
    return written, lines, errors, dict(stats), sites


def generate(out: Path, n_files: int, seed: int, jobs: int, check: str) -> dict:
    t0 = time.perf_counter()
    plan = make_plan(n_files, seed)
    if out.exists():
        shutil.rmtree(out)
    for d in sorted({str(Path(f.rel).parent) for f in plan.files} | {"notebooks"}):
        (out / d).mkdir(parents=True, exist_ok=True)
    if check == "auto":
        check = "all" if n_files <= 5000 else "auto"
    importable = [f.index for f in plan.files if f.kind in ("plain", "claude") and f.classes]
    _STATE.update(plan=plan, out=out, seed=seed, check=check, importable=importable)
    indices = list(range(len(plan.files)))
    if jobs > 1 and len(indices) >= 1000:
        import multiprocessing as mp

        chunks = [indices[k :: jobs * 8] for k in range(jobs * 8)]
        with mp.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_work, chunks)
    else:
        results = [_work(indices)]
    written = sum(r[0] for r in results)
    lines = sum(r[1] for r in results)
    errors = [e for r in results for e in r[2]]
    stats: Counter = Counter()
    min_lines, max_lines = 10**9, 0
    for r in results:
        for k, v in r[3].items():
            if k == "min_lines":
                min_lines = min(min_lines, v)
            elif k == "max_lines":
                max_lines = max(max_lines, v)
            else:
                stats[k] += v
    nb_errors = 0
    for j, rel in enumerate(plan.notebooks):
        text = build_notebook(rel, j, seed)
        (out / rel).write_text(text, encoding="utf-8")
        for cell in json.loads(text)["cells"]:
            if cell["cell_type"] == "code":
                src = "".join(ln for ln in cell["source"] if not ln.lstrip().startswith(("%", "!")))
                try:
                    ast.parse(src)
                except SyntaxError as exc:
                    nb_errors += 1
                    errors.append(f"{rel}: {exc.msg}")
    sites = {k: v for r in results for k, v in r[4].items()}
    claude_files = [f for f in plan.files if f.kind == "claude"]
    scen = Counter(s for f in claude_files for s in f.scenarios)
    rules = Counter()
    for name, count in scen.items():
        for rule in SCENARIOS[name].rules:
            rules[rule] += count
    manifest = {
        "files": written,
        "seed": seed,
        "python_lines": lines,
        "claude_files": len(claude_files),
        "notebooks": len(plan.notebooks),
        "prompt_text_files": stats.get("prompt_text_files", 0),
        "prompt_modules": len(plan.prompts_modules),
        "lines_per_module": [min_lines, max_lines],
        "scenarios": dict(sorted(scen.items())),
        "scenario_rules": {k: list(v.rules) for k, v in SCENARIOS.items()},
        "intended_rule_sites": dict(sorted(rules.items())),
        "parsed_for_check": stats.get("parsed", 0) + len(plan.notebooks),
        "check_errors": errors[:20],
        "sites": dict(sorted(sites.items())),
        "seconds": round(time.perf_counter() - t0, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n", encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="output directory (replaced if it exists)")
    p.add_argument("--files", type=int, default=2000, help="number of .py files (default 2000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes (output does not depend on it)",
    )
    p.add_argument(
        "--check",
        choices=["all", "auto", "none"],
        default="auto",
        help="ast.parse self-check: all files, auto (all up to 5,000 files, else "
        "Claude/prompt files + 1 in 16), or none",
    )
    args = p.parse_args(argv)
    manifest = generate(args.out.resolve(), args.files, args.seed, args.jobs, args.check)
    print(
        f"generated {manifest['files']} .py files ({manifest['python_lines']:,} lines), "
        f"{manifest['claude_files']} with Claude calls, {manifest['notebooks']} notebooks, "
        f"{manifest['prompt_text_files']} prompt text files in {manifest['seconds']} s; "
        f"ast.parse-checked {manifest['parsed_for_check']}"
    )
    if manifest["check_errors"]:
        print(
            "SYNTAX ERRORS in generated files:",
            *manifest["check_errors"],
            sep="\n  ",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
