# ruff: noqa: E501 - templates of generated code keep their lines whole
"""Generate the dense benchmark tree of issue 18: every module calls Claude.

    python benchmarks/generate_dense.py OUT_DIR [--modules 2010] [--configs 134] [--templates 134] [--seed 1]

Writes ``--modules`` small Python modules (packages of 30), each with one to three Claude calls
of different kinds (sync and async ``messages.create``, ``messages.stream``, a long uncached
system prompt, a Jinja2 template rendered into ``system``, a YAML-free ``count_tokens``, a
Bedrock client), ``--configs`` YAML prompt configs (a Claude ``model`` with ``max_tokens``,
``system`` and ``messages``; a few name a promptfoo Anthropic provider), and ``--templates``
Jinja2 templates under ``prompts/``. The output depends only on the arguments.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
from pathlib import Path

MODELS = (
    "claude-opus-4-5",
    "claude-sonnet-4-5",
    "claude-haiku-4-5",
    "claude-sonnet-5-5",
    "claude-haiku-5-5",
    "claude-3-5-haiku-20241022",
)
NOUNS = ("ticket", "review", "invoice", "order", "claim", "email", "report", "note", "case")
VERBS = ("classify", "summarize", "answer", "triage", "route", "label", "extract", "draft")
POLICY = (
    "Our support policy covers refunds, replacements and escalation. Agents answer politely, "
    "quote the policy section they rely on, never promise dates, and hand legal questions to "
    "the legal team. Refunds over the limit need a manager. "
)

HEADER = '''"""{doc}"""

from __future__ import annotations

import anthropic
from jinja2 import Environment, FileSystemLoader

client = anthropic.Anthropic()
aclient = anthropic.AsyncAnthropic()
env = Environment(loader=FileSystemLoader("prompts"))
'''


def call_kinds(rng: random.Random, name: str, template: str) -> list[str]:
    """Source blocks of the call kinds a module may hold."""
    model = rng.choice(MODELS)
    budget = rng.choice((64, 256, 1024, 4096, 8192, 32000))
    noun = rng.choice(NOUNS)
    long_prompt = POLICY * rng.randint(20, 60)
    return [
        f'''
def {name}_sync({noun}: str) -> str:
    response = client.messages.create(
        model="{model}",
        max_tokens={budget},
        system="You {rng.choice(VERBS)} each {noun} and answer yes or no.",
        messages=[{{"role": "user", "content": {noun}}}],
    )
    return response.content[0].text
''',
        f'''
async def {name}_async(items: list[str]) -> list[str]:
    out = []
    for item in items:
        response = await aclient.messages.create(
            model="{rng.choice(MODELS)}",
            max_tokens={rng.choice((128, 2048, 16000))},
            messages=[{{"role": "user", "content": f"Label this {noun}: {{item}}"}}],
        )
        out.append(response.content[0].text)
    return out
''',
        f'''
LONG_{name.upper()} = """{long_prompt}"""


def {name}_long(question: str) -> str:
    response = client.messages.create(
        model="{rng.choice(MODELS)}",
        max_tokens={budget},
        system=LONG_{name.upper()},
        messages=[{{"role": "user", "content": question}}],
    )
    return response.content[0].text
''',
        f'''
def {name}_template(question: str, tier: str) -> str:
    system = env.get_template("{template}").render(company="Acme", tier=tier)
    response = client.messages.create(
        model="{rng.choice(MODELS)}",
        max_tokens={rng.choice((512, 1024, 8000))},
        system=system,
        messages=[{{"role": "user", "content": question}}],
    )
    return response.content[0].text
''',
        f'''
def {name}_stream(turns: list[str]) -> str:
    history = []
    text = ""
    for turn in turns:
        history.append({{"role": "user", "content": turn}})
        with client.messages.stream(
            model="{rng.choice(MODELS)}", max_tokens={budget}, messages=history
        ) as stream:
            text = stream.get_final_text()
        history.append({{"role": "assistant", "content": text}})
    return text
''',
        f'''
def {name}_count(text: str) -> int:
    return client.messages.count_tokens(
        model="{model}", messages=[{{"role": "user", "content": text}}]
    ).input_tokens
''',
        f"""
def {name}_bedrock({noun}: str) -> str:
    bedrock = anthropic.AnthropicBedrock()
    response = bedrock.messages.create(
        model="anthropic.{model}-v1:0",
        max_tokens={budget},
        messages=[{{"role": "user", "content": {noun}}}],
    )
    return response.content[0].text
""",
    ]


def module_text(rng: random.Random, index: int, templates: int) -> str:
    name = f"{rng.choice(VERBS)}_{rng.choice(NOUNS)}_{index}"
    template = f"t{rng.randrange(templates):03d}.j2" if templates else "none.j2"
    kinds = call_kinds(rng, name, template)
    chosen = rng.sample(kinds, rng.randint(1, 3))
    return HEADER.format(doc=f"Module {index}: {name}.") + "".join(chosen)


def config_text(rng: random.Random, index: int) -> str:
    model = rng.choice(MODELS)
    if index % 10 == 9:
        return (
            f"description: eval {index}\n"
            "prompts:\n  - 'Answer: {{question}}'\n"
            f"providers:\n  - id: anthropic:messages:{model}\n"
            f"    config:\n      max_tokens: {rng.choice((256, 4096))}\n"
            "tests:\n  - vars:\n      question: What is the refund policy?\n"
        )
    system = (POLICY * rng.randint(1, 40)).strip()
    return (
        f"name: prompt-{index}\n"
        f"model: {model}\n"
        f"max_tokens: {rng.choice((128, 1024, 4096, 16000))}\n"
        f"temperature: 0.{rng.randint(0, 9)}\n"
        "system: |\n"
        f"  {system}\n"
        "messages:\n"
        "  - role: user\n"
        '    content: "{{ question }}"\n'
    )


def template_text(rng: random.Random, index: int) -> str:
    body = POLICY * rng.randint(1, 50)
    return (
        f"You support {{{{ company }}}} customers (template {index}).\n"
        f"{body}\n"
        "{% if tier == 'gold' %}Gold customers get a callback.{% endif %}\n"
        "Tier: {{ tier }}\n"
    )


def generate(out: Path, modules: int, configs: int, templates: int, seed: int) -> dict[str, int]:
    if out.exists():
        shutil.rmtree(out)
    (out / "prompts").mkdir(parents=True)
    (out / "configs").mkdir()
    for i in range(templates):
        rng = random.Random(f"{seed}-t-{i}")
        (out / "prompts" / f"t{i:03d}.j2").write_text(template_text(rng, i))
    for i in range(configs):
        rng = random.Random(f"{seed}-c-{i}")
        (out / "configs" / f"prompt_{i:03d}.yaml").write_text(config_text(rng, i))
    for i in range(modules):
        package = out / "app" / f"pkg{i // 30:03d}"
        if i % 30 == 0:
            package.mkdir(parents=True)
            (package / "__init__.py").write_text("")
        rng = random.Random(f"{seed}-m-{i}")
        (package / f"mod{i:04d}.py").write_text(module_text(rng, i, templates))
    manifest = {"modules": modules, "configs": configs, "templates": templates, "seed": seed}
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("out", type=Path)
    p.add_argument("--modules", type=int, default=2010)
    p.add_argument("--configs", type=int, default=134)
    p.add_argument("--templates", type=int, default=134)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    print(json.dumps(generate(a.out, a.modules, a.configs, a.templates, a.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
