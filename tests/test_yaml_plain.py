"""The plain-YAML composer gives ruamel's nodes for the YAML it reads, and leaves the rest."""

from __future__ import annotations

import subprocess
import sys
import warnings

import pytest
from ruamel.yaml import YAML

from costlint.extract.yaml_plain import compose_plain

PLAIN = [
    "name: prompt-0\nmodel: claude-sonnet-4-5\nmax_tokens: 1024\ntemperature: 0.2\n",
    "system: |\n  Line one.\n\n  Line three # not a comment\n\n\nnext: -3\n",
    "a: |-\n    kept\n     deeper\nb: |+\n  keep\n\n\nc: 'it''s'  # comment\n",
    'messages:\n  - role: user\n    content: "{{ question }}"\n  -   role: assistant\n'
    "      content: 'ok'\n",
    "# a comment\n\nflags:\n- true\n- False\n- null\n- ~\n- yes\n- http://x.y/z\nafter: a#b\n",
    "outer:\n  inner:\n    deep: 1.5\n  other: text with spaces   \n# trailing comment\n",
    "list:\n  - x\n  - y: 1\n    z:\n      - nested\n",
    "",
    "# only a comment\n",
]

NOT_PLAIN = [
    "a: &anchor 1\nb: *anchor\n",
    "a: [1, 2]\n",
    "a: {b: 1}\n",
    "a: >\n  folded\n",
    "a: multi\n  line plain\n",
    "a: !!str 1\n",
    "---\na: 1\n---\nb: 2\n",
    'a: "escape \\n"\n',
    "a: 'open\n  quote'\n",
    "a:\n",
    "a: 2024-01-01\n",
    "a: 0x1f\n",
    "<<: {b: 1}\n",
    "a:\tb\n",
    "a: 1",
    "just a scalar\n",
    "a: 1\n- b\n",
]


def _ruamel(text: str) -> list[tuple]:
    yaml = YAML(typ="safe", pure=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [_shape(doc) for doc in yaml.compose_all(text) if doc is not None]


def _shape(node) -> tuple:
    kind = type(node).__name__
    mark = (node.start_mark.line, node.start_mark.column)
    if kind == "ScalarNode":
        return (kind, str(node.tag), node.value, mark)
    if kind == "SequenceNode":
        return (kind, str(node.tag), [_shape(child) for child in node.value], mark)
    pairs = [(_shape(key), _shape(value)) for key, value in node.value]
    return (kind, str(node.tag), pairs, mark)


@pytest.mark.parametrize("text", PLAIN)
def test_plain_yaml_composes_to_ruamels_nodes(text):
    composed = compose_plain(text)
    assert composed is not None
    assert [_shape(node) for node in composed] == _ruamel(text)


@pytest.mark.parametrize("text", NOT_PLAIN)
def test_other_yaml_is_left_to_ruamel(text):
    assert compose_plain(text) is None


def test_deep_nesting_is_left_to_ruamel():
    text = "".join(" " * depth + f"k{depth}:\n" for depth in range(3000)) + " " * 3000 + "v: 1\n"
    assert compose_plain(text) is None


def test_a_plain_config_is_read_without_importing_ruamel():
    code = (
        "import sys\n"
        "from costlint.extract.yaml_compose import compose_yaml\n"
        "compose_yaml('model: claude-sonnet-4-5\\nmax_tokens: 10\\n')\n"
        "print(any(name.startswith('ruamel') for name in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
