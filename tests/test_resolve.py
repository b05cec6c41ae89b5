"""Each resolution path turns source into the value the call would send."""

from __future__ import annotations

from helpers import scan

from costlint.site import UNKNOWN


def site_args(tmp_path, files, path="app.py"):
    result = scan(tmp_path, files)
    sites = [s for s in result.sites if s.path == path]
    assert sites, f"no Claude call found; diagnostics={result.diagnostics}"
    return sites[0].args


CALL = """
import anthropic
client = anthropic.Anthropic()
{setup}
def run(user_text):
    {body}
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=100, system={system},
                                  messages=[{{"role": "user", "content": "hi"}}])
"""


def system_of(tmp_path, system, setup="", body="pass", extra=None):
    files = {"app.py": CALL.format(setup=setup, body=body, system=system)}
    files.update(extra or {})
    return site_args(tmp_path, files)["system"]


def test_literal(tmp_path):
    assert system_of(tmp_path, '"You are terse."') == "You are terse."


def test_module_constant(tmp_path):
    assert system_of(tmp_path, "SYSTEM", setup='SYSTEM = "Be brief."') == "Be brief."


def test_name_imported_from_project_module(tmp_path):
    extra = {"prompts/__init__.py": "", "prompts/texts.py": 'SYSTEM = "From another module."\n'}
    value = system_of(tmp_path, "SYSTEM", setup="from prompts.texts import SYSTEM", extra=extra)
    assert value == "From another module."


def test_relative_import_and_module_attribute(tmp_path):
    files = {
        "pkg/__init__.py": "",
        "pkg/texts.py": 'GREETING = "Hello"\nSYSTEM = GREETING + ", be brief."\n',
        "pkg/app.py": CALL.format(setup="from . import texts", body="pass", system="texts.SYSTEM"),
    }
    assert site_args(tmp_path, files, "pkg/app.py")["system"] == "Hello, be brief."


def test_class_attribute_and_dataclass_default(tmp_path):
    source = """
import anthropic
from dataclasses import dataclass

@dataclass
class Bot:
    system: str = "Dataclass default."
    MODEL = "claude-haiku-5-5"

    def __post_init__(self):
        self.client = anthropic.Anthropic()

    def ask(self, text):
        return self.client.messages.create(model=self.MODEL, max_tokens=5, system=self.system,
                                           messages=[{"role": "user", "content": text}])
"""
    args = site_args(tmp_path, {"app.py": source})
    assert args["system"] == "Dataclass default."
    assert args["model"] == "claude-haiku-5-5"


def test_local_variable_latest_assignment_before_call(tmp_path):
    body = 'prompt = "first"\n    prompt = "second"'
    assert system_of(tmp_path, "prompt", body=body) == "second"


def test_fstring_with_unknown_part_becomes_placeholder(tmp_path):
    value = system_of(
        tmp_path, 'f"Rules: {RULES}. User says {user_text}"', setup='RULES = "be kind"'
    )
    assert str(value) == "Rules: be kind. User says {user_text}"
    assert value.holes == 1
    assert value.first_hole == len("Rules: be kind. User says ")


def test_replace_with_an_unknown_value_keeps_the_text_and_leaves_a_placeholder(tmp_path):
    setup = 'TEMPLATE = "Rules: be exact.\\nQuestion: {{Q}}\\nAnswer in one line."'
    value = system_of(tmp_path, 'TEMPLATE.replace("{{Q}}", user_text)', setup=setup)
    assert str(value) == "Rules: be exact.\nQuestion: {user_text}\nAnswer in one line."
    assert (value.holes, value.first_hole) == (1, len("Rules: be exact.\nQuestion: "))


def test_replace_chained_keeps_every_placeholder(tmp_path):
    setup = 'TEMPLATE = "<doc>DOC</doc> Q: QUESTION"'
    system = 'TEMPLATE.replace("QUESTION", user_text).replace("DOC", user_text.upper())'
    value = system_of(tmp_path, system, setup=setup)
    assert str(value).startswith("<doc>{") and str(value).endswith("</doc> Q: {user_text}")
    assert (value.holes, value.first_hole) == (2, len("<doc>"))


def test_format_method(tmp_path):
    value = system_of(
        tmp_path,
        'TEMPLATE.format(tone="warm", name=user_text)',
        setup='TEMPLATE = "Be {tone} to {name}."',
    )
    assert str(value) == "Be warm to {name}."
    assert value.holes == 1


def test_concatenation_join_and_dedent(tmp_path):
    setup = (
        "import textwrap\n"
        'A = "alpha"\n'
        'PARTS = [A, "beta"]\n'
        'BLOCK = textwrap.dedent("""\n    x\n      y\n    """)\n'
    )
    assert system_of(tmp_path, 'A + "-" + "/".join(PARTS)', setup=setup) == "alpha-alpha/beta"
    assert system_of(tmp_path, "BLOCK", setup=setup) == "\nx\n  y\n"


def test_path_read_text_relative_to_source_file(tmp_path):
    setup = "from pathlib import Path\nHERE = Path(__file__).parent"
    extra = {"prompts/system.txt": "Text from a file."}
    value = system_of(
        tmp_path, '(HERE / "prompts" / "system.txt").read_text()', setup=setup, extra=extra
    )
    assert value == "Text from a file."


def test_open_read_relative_to_repository_root(tmp_path):
    files = {
        "prompts/sys.md": "Root-relative prompt.",
        "src/app.py": CALL.format(
            setup='with open("prompts/sys.md") as fh:\n    SYSTEM = fh.read()',
            body="pass",
            system="SYSTEM",
        ),
    }
    assert site_args(tmp_path, files, "src/app.py")["system"] == "Root-relative prompt."


def test_file_outside_repository_is_not_read(tmp_path):
    outside = tmp_path.parent / "outside-secret.txt"
    outside.write_text("secret")
    value = system_of(tmp_path, f'open("{outside}").read()')
    assert value is UNKNOWN


def test_request_dict_splatted_with_later_item_assignment(tmp_path):
    source = """
import anthropic
client = anthropic.Anthropic()

def run(text):
    params = dict(model="claude-opus-5-5", max_tokens=10)
    params["system"] = "Classify the sentiment."
    req = {"messages": [{"role": "user", "content": text}], **params}
    return client.messages.create(**req)
"""
    args = site_args(tmp_path, {"app.py": source})
    assert args["model"] == "claude-opus-5-5"
    assert args["max_tokens"] == 10
    assert args["system"] == "Classify the sentiment."
    assert args["messages"][0]["content"] is UNKNOWN


def test_unresolvable_stays_unknown(tmp_path):
    assert system_of(tmp_path, "load_prompt_from_db()") is UNKNOWN
    assert system_of(tmp_path, "user_text") is UNKNOWN


def test_helper_function_returning_expression(tmp_path):
    setup = 'BASE = "Base rules."\ndef build_system():\n    return BASE + " Extra."'
    assert system_of(tmp_path, "build_system()", setup=setup) == "Base rules. Extra."


def test_list_filled_by_append_is_not_its_initial_value(tmp_path):
    # seen in a RAG app: sections = []; sections.append(...); "\n".join(sections)
    body = "sections = []\n    for doc in user_text:\n        sections.append(doc)"
    value = system_of(tmp_path, '"Context:\\n" + "\\n".join(sections)', body=body)
    assert value.holes == 1
    assert str(value).startswith("Context:\n{")


def test_helper_with_several_returns_is_unknown(tmp_path):
    setup = (
        "def pick(text):\n"
        "    if len(text) > 100:\n"
        "        return 'claude-opus-5-5'\n"
        "    return 'claude-haiku-5-5'\n"
    )
    assert system_of(tmp_path, "pick(user_text)", setup=setup) is UNKNOWN


def test_stdlib_names_under_an_alias(tmp_path):
    setup = (
        "from pathlib import Path as _Path\nimport textwrap as tw\n"
        'HERE = _Path(__file__).parent\nBLOCK = tw.dedent("""\n    x\n    """)'
    )
    extra = {"prompts/system.txt": "Text from a file."}
    assert (
        system_of(tmp_path, '(HERE / "prompts/system.txt").read_text()', setup=setup, extra=extra)
        == "Text from a file."
    )
    assert system_of(tmp_path / "b", "BLOCK", setup=setup) == "\nx\n"
