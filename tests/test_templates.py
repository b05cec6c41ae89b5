"""Jinja2 templates: sandboxed rendering, linking to call sites, CL003 on conversation loops."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import scan

from costlint.estimate import estimate_tokens
from costlint.resolve.project import Project
from costlint.resolve.templates import (
    TemplateOptions,
    TemplateRenderer,
    placeholder_text,
    render_file,
)
from costlint.site import Str

POLICY = "Refunds are issued within 30 days of purchase when the item is unused. " * 120
CLIENT = "import anthropic\nclient = anthropic.Anthropic()\n"


def _rules(result, path: str | None = None) -> list[tuple[str, str, int]]:
    return [(f.rule, f.path, f.line) for f in result.findings if path in (None, f.path)]


def _system(result, line: int) -> object:
    site = next(s for s in result.sites if s.path.endswith(".py") and s.span.line == line)
    return site.args.get("system")


# -- linking templates to call sites -------------------------------------------------------
def test_long_system_template_rendered_uncached_is_cl002_on_the_call(tmp_path):
    app = CLIENT + (
        "from jinja2 import Environment, FileSystemLoader\n"
        'env = Environment(loader=FileSystemLoader("prompts"))\n'
        "\n"
        "def answer(question, tier):\n"
        '    system = env.get_template("support.j2").render(company="Acme", tier=tier)\n'
        "    return client.messages.create(\n"  # line 8
        '        model="claude-sonnet-5-5", max_tokens=1024, system=system,\n'
        '        messages=[{"role": "user", "content": question}],\n'
        "    )\n"
    )
    template = "You support {{ company }} customers.\n" + POLICY + "\nTier: {{ tier }}\n"
    result = scan(tmp_path, {"app.py": app, "prompts/support.j2": template})
    assert _rules(result) == [("CL002", "app.py", 8)]
    system = _system(result, 8)
    assert isinstance(system, Str)
    assert system.startswith("You support Acme customers.")  # render values resolve
    assert system.holes == 1 and "{tier" in system  # the rest are placeholders
    assert system.first_hole == str(system).index("{tier")  # the stable prefix ends there
    assert not result.diagnostics


def test_cached_template_prompt_is_not_flagged(tmp_path):
    app = CLIENT + (
        "from jinja2 import Environment, FileSystemLoader\n"
        'env = Environment(loader=FileSystemLoader("prompts"))\n'
        "\n"
        "def answer(question):\n"
        '    text = env.get_template("support.j2").render()\n'
        "    return client.messages.create(\n"
        '        model="claude-sonnet-5-5", max_tokens=1024,\n'
        '        system=[{"type": "text", "text": text, "cache_control": {"type": "ephemeral"}}],\n'
        '        messages=[{"role": "user", "content": question}],\n'
        "    )\n"
    )
    result = scan(tmp_path, {"app.py": app, "prompts/support.j2": POLICY})
    assert _rules(result) == []


@pytest.mark.parametrize(
    ("setup", "expression", "expected"),
    [
        (
            "from pathlib import Path\nfrom jinja2 import Template\n"
            'T = Template((Path(__file__).parent / "p" / "sys.j2").read_text())\n',
            'T.render(company="Acme")',
            "System for Acme",
        ),
        ("from jinja2 import Template\n", 'Template("Hi {{ who }}!").render(who="you")', "Hi you!"),
        (
            "import jinja2\nENV = jinja2.Environment()\n",
            'ENV.from_string("A {{ x }} B").render(x=1)',
            "A 1 B",
        ),
        (
            "import jinja2\nfrom pathlib import Path\nENV = jinja2.Environment(loader="
            'jinja2.FileSystemLoader(str(Path(__file__).parent / "p")))\n'
            'SYSTEM = ENV.get_template("sys.j2").render(company="Const")\n',
            "SYSTEM",
            "System for Const",
        ),
        (
            "from jinja2 import Environment, DictLoader\n"
            'E = Environment(loader=DictLoader({"t": "dict {{ v }}"}))\n',
            'E.get_template("t").render(v="V")',
            "dict V",
        ),
    ],
    ids=["template-read-text", "inline-template", "from-string", "module-constant", "dict-loader"],
)
def test_linking_patterns(tmp_path, setup, expression, expected):
    app = (
        CLIENT + setup + "\ndef ask(q):\n"
        f'    return client.messages.create(model="claude-haiku-4-5", max_tokens=64,\n'
        f'        system={expression}, messages=[{{"role": "user", "content": q}}])\n'
    )
    result = scan(tmp_path, {"app.py": app, "p/sys.j2": "System for {{ company }}"})
    (site,) = result.sites
    assert site.args["system"] == expected


def test_includes_extends_and_a_class_attribute_environment(tmp_path):
    app = CLIENT + (
        "from jinja2 import Environment, FileSystemLoader\n"
        "class Bot:\n"
        "    def __init__(self):\n"
        '        self.env = Environment(loader=FileSystemLoader("templates"))\n'
        "    def ask(self, q):\n"
        '        system = self.env.get_template("child.j2").render(q=q, company="K")\n'
        '        return client.messages.create(model="claude-haiku-4-5", max_tokens=64,\n'
        '            system=system, messages=[{"role": "user", "content": q}])\n'
    )
    files = {
        "app.py": app,
        "templates/base.j2": "BASE {% block body %}{% endblock %} END",
        "templates/child.j2": (
            "{% extends 'base.j2' %}{% block body %}child {{ q }} "
            "{% include 'parts/part.j2' %}{% endblock %}"
        ),
        "templates/parts/part.j2": "PART {{ company }}",
    }
    result = scan(tmp_path, files)
    (site,) = [s for s in result.sites if s.path == "app.py"]
    system = site.args["system"]
    assert str(system).startswith("BASE child {q") and str(system).endswith("PART K END")
    assert system.holes == 1


def test_hostile_inline_template_in_code_is_a_diagnostic_naming_the_python_file(tmp_path):
    app = CLIENT + (
        "from jinja2 import Template\n"
        "def ask(q):\n"
        "    system = Template(\"{{ ''.__class__.__mro__[1].__subclasses__() }}\").render()\n"
        '    return client.messages.create(model="claude-haiku-4-5", max_tokens=64,\n'
        '        system=system, messages=[{"role": "user", "content": q}])\n'
    )
    result = scan(tmp_path, {"app.py": app})
    (site,) = result.sites
    assert site.args["system"] is not None and not isinstance(site.args["system"], str)
    assert [d.path for d in result.diagnostics] == ["app.py"]
    assert "refused by the sandbox" in result.diagnostics[0].message


# -- placeholders -----------------------------------------------------------------------------
def test_placeholder_size_is_configurable(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "t.j2").write_text("Hello {{ name }}, {{ user.email|upper }}!")
    for tokens in (16, 40):
        renderer = TemplateRenderer(Project(tmp_path), TemplateOptions(placeholder_tokens=tokens))
        rendered = renderer.render(source=(tmp_path / "t.j2").read_text())
        text = rendered.as_str()
        assert rendered.varying == ["name", "user.email"]
        assert text.holes == 2 and text.first_hole == len("Hello ")
        assert estimate_tokens(placeholder_text("name", tokens)) == tokens
        assert str(text).startswith("Hello {name")
    assert placeholder_text("name", 0) == "{name}"


def test_placeholders_keep_common_template_idioms_rendering(tmp_path):
    (tmp_path / ".git").mkdir()
    source = (
        "{% for doc in documents %}[{{ doc.title|default('untitled') }}]{% endfor %}"
        "{% for k, v in meta.items() %}{{ k }}={{ v }}{% endfor %}"
        "{{ data|tojson }} {{ n + 1 }} {{ 'a' ~ z }}{% if examples %} EX{% endif %}"
        "{% if name is defined %} DEF{% endif %}"
    )
    rendered, problem = _render(tmp_path, source)
    assert problem is None
    text = str(rendered.as_str())
    assert "{documents[].title" in text and "EX" in text and "DEF" in text
    assert "untitled" not in text  # a placeholder is a supplied value, not a missing one


def test_application_filters_and_tests_are_placeholders_not_failures(tmp_path):
    source = "Hello {{ name|titlecase }}, {{ 'fixed'|markdown }}{% if n is prime %} P{% endif %}"
    rendered, problem = _render(tmp_path, source)
    assert problem is None
    assert str(rendered.as_str()).startswith("Hello {name|titlecase")
    assert rendered.varying == ["name|titlecase", "value|markdown"]
    assert " P" not in rendered.text


def _render(root: Path, source: str, name: str = "t.j2"):
    (root / name).write_text(source)
    return render_file(Project(root).templates, root / name)


# -- CL003 on templates -----------------------------------------------------------------------
HISTORY_TEMPLATE = (
    "You are a helpful assistant.\n"
    "{% for turn in history %}\n"  # line 2
    "{{ turn.role }}: {{ turn.content }}\n"
    "{% endfor %}\n"
)


def test_history_template_is_cl003_on_the_for_line(tmp_path):
    result = scan(tmp_path, {"prompts/chat.j2": HISTORY_TEMPLATE})
    assert _rules(result) == [("CL003", "prompts/chat.j2", 2)]
    finding = result.findings[0]
    assert "history" in finding.message and finding.column == 1
    assert "[-6:]" in finding.fix


@pytest.mark.parametrize(
    "loop",
    [
        "{% for turn in history[-6:] %}",
        "{% for turn in history|last_turns(6) %}",
        "{% for item in items %}",
        "{% for turn in history %}{% if loop.revindex <= 6 %}",
    ],
)
def test_windowed_or_unrelated_loops_are_not_cl003(tmp_path, loop):
    end = "{% endif %}{% endfor %}" if "revindex" in loop else "{% endfor %}"
    result = scan(tmp_path, {"t.j2": f"{loop}{{{{ turn }}}}{end}"})
    assert _rules(result) == []


def test_history_template_with_a_cache_marker_or_suppression_is_not_cl003(tmp_path):
    cached = '{"cache_control": {"type": "ephemeral"}}\n' + HISTORY_TEMPLATE
    suppressed = HISTORY_TEMPLATE.replace(
        "{% for turn in history %}", "{% for turn in history %}{# costlint: ignore[CL003] #}"
    )
    result = scan(tmp_path, {"cached.j2": cached, "suppressed.j2": suppressed})
    assert _rules(result) == []


def test_attribute_and_filtered_conversations_are_whole(tmp_path):
    files = {
        "a.jinja": "{% for m in state.chat_history %}{{ m }}{% endfor %}",
        "b.jinja2": "{% for m in messages|selectattr('role') %}{{ m }}{% endfor %}",
    }
    result = scan(tmp_path, files)
    assert sorted(_rules(result)) == [("CL003", "a.jinja", 1), ("CL003", "b.jinja2", 1)]


def test_template_dirs_config_scans_text_templates(tmp_path):
    files = {
        ".costlint.yaml": "template-dirs: [prompts]\nplaceholder-tokens: 8\n",
        "prompts/chat.txt": HISTORY_TEMPLATE,
        "notes/chat.txt": HISTORY_TEMPLATE,  # outside the template dirs: not scanned
    }
    result = scan(tmp_path, files)
    assert _rules(result) == [("CL003", "prompts/chat.txt", 2)]


# -- bad and hostile templates ----------------------------------------------------------------
HOSTILE = {
    "globals.j2": "{{ cycler.__init__.__globals__.os.system('touch PWNED') }}",
    "subclasses.j2": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "mro.j2": "{{ joiner.__class__.mro() }}",
    "format.j2": "{{ '{0.__class__.__init__.__globals__}'.format(cycler) }}",
    "self.j2": "again {% include 'self.j2' %}",
    "missing.j2": "{% include 'nope.j2' %}",
    "passwd.j2": "{% include '/etc/passwd' %}",
    "deep/er/outside.j2": "{% include '../../outside.j2' %}",
    "syntax.j2": "{% for x in %}",
    "macro.j2": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "repeat.j2": "{{ 'x' * 10**10 }}",
    "power.j2": "{{ 10 ** 100000000 }}",
    "output.j2": "{% for i in range(100000) %}{{ 'y' * 100 }}{% endfor %}",
}
EXPECTED = {
    "globals.j2": "refused by the sandbox",
    "subclasses.j2": "refused by the sandbox",
    "mro.j2": "refused by the sandbox",
    "format.j2": "refused by the sandbox",
    "self.j2": "recursion too deep",
    "missing.j2": "not found: 'nope.j2'",
    "passwd.j2": "'/etc/passwd' refused: outside the repository",
    "deep/er/outside.j2": "'../../outside.j2' refused: outside the repository",
    "syntax.j2": "syntax error",
    "macro.j2": "recursion too deep",
    "repeat.j2": "over the size limit",
    "power.j2": "too large",
    "output.j2": "output over",
}


@pytest.mark.slow
def test_hostile_templates_run_nothing_and_are_diagnostics(tmp_path):
    (tmp_path.parent / "outside.j2").write_text("SECRET OUTSIDE THE REPO")
    started = time.monotonic()
    result = scan(tmp_path / "repo", HOSTILE)
    elapsed = time.monotonic() - started
    messages = {d.path: d.message for d in result.diagnostics}
    assert set(messages) == set(HOSTILE)
    for path, expected in EXPECTED.items():
        assert expected in messages[path], (path, messages[path])
    assert not (tmp_path / "repo" / "PWNED").exists() and not Path("PWNED").exists()
    assert result.findings == []
    assert elapsed < 5, elapsed  # measured ~0.5 s for all of them


def test_endless_template_stops_at_the_render_time_limit(tmp_path):
    (tmp_path / ".git").mkdir()
    renderer = TemplateRenderer(Project(tmp_path), TemplateOptions(seconds=0.3))
    started = time.monotonic()
    with pytest.raises(Exception, match="render time limit"):
        renderer.render(
            source="{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}"
            "{% endfor %}"
        )
    assert time.monotonic() - started < 2


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="address-space cap is Linux-only")
def test_memory_hungry_template_is_refused(tmp_path):
    source = (
        "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(64) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}"
    )
    rendered, problem = _render(tmp_path, source)
    assert rendered is None and problem and "memory" in problem


def test_template_file_text_outside_the_repo_is_never_read(tmp_path):
    (tmp_path / "outside.j2").write_text("SECRET")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    project = Project(tmp_path / "repo")
    rendered, problem = render_file(project.templates, tmp_path / "outside.j2")
    assert rendered is None and "outside the repository" in str(problem)


# -- start-up cost ----------------------------------------------------------------------------
def test_scanning_code_and_ci_yaml_does_not_import_jinja2(tmp_path):
    files = {
        "a.py": "print(1)\n",
        "ci.yml": "env:\n  ANTHROPIC_API_KEY: ${{ secrets.KEY }}\nsteps: [run: claude-code]\n",
    }
    code = (
        "import sys\n"
        "sys.path.insert(0, 'tests')\n"
        "from pathlib import Path\n"
        "from helpers import scan\n"
        f"result = scan(Path({str(tmp_path)!r}), {files!r})\n"
        "print(len(result.sites), len(result.diagnostics), 'jinja2' in sys.modules)\n"
    )
    repo = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["0", "0", "False"]


def test_a_template_rendered_through_two_search_paths_is_compiled_once_and_read_by_both(tmp_path):
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "t.j2").write_text("Hello {{ who }}, {{ tier }}\n")
    project = Project(tmp_path)
    renderer = TemplateRenderer(project)
    texts = []
    for dirs in ((prompts,), (prompts, tmp_path)):  # two sandboxes, one file
        with project.tracking() as log:
            texts.append(renderer.render(name="t.j2", dirs=dirs, values={"who": "Ann"}).text)
        assert (prompts / "t.j2").resolve() in log.result().files
    assert len(renderer._envs) == 2
    assert len(renderer._compiled) == 1
    assert texts[0] == texts[1]
    assert texts[0].startswith("Hello Ann, ")


def test_a_template_file_rendered_from_its_text_and_by_name_is_compiled_once(tmp_path):
    prompts = tmp_path / "prompts"
    prompts.mkdir()
    (prompts / "plain.j2").write_text("Hello {{ who }}\n")
    (prompts / "own.j2").write_text("Hello {{ who }} from {{ self }}\n")
    renderer = TemplateRenderer(Project(tmp_path))
    texts = {}
    for name in ("plain.j2", "own.j2"):
        source = (prompts / name).read_text()
        inline = renderer.render(source=source, dirs=(prompts,)).text
        texts[name] = (inline, renderer.render(name=name, dirs=(prompts,)).text)
    assert texts["plain.j2"][0] == texts["plain.j2"][1]
    # ``self`` shows the template's name, which a render from text does not have
    assert "'own.j2'" in texts["own.j2"][1] and "'own.j2'" not in texts["own.j2"][0]
    assert len(renderer._compiled) == 3  # plain.j2 once, own.j2 once per way it was loaded


def test_a_tree_parsed_for_a_look_is_compiled_without_parsing_the_source_again(
    tmp_path, monkeypatch
):
    from costlint.resolve import jinja_sandbox

    parses = []
    original = jinja_sandbox.BoundedSandbox._parse

    def counted(self, source, name, filename):
        parses.append(source)
        return original(self, source, name, filename)

    monkeypatch.setattr(jinja_sandbox.BoundedSandbox, "_parse", counted)
    renderer = TemplateRenderer(Project(tmp_path))
    source = "Hello {{ who }}{% for turn in history %}{{ turn }}{% endfor %}\n"
    renderer.parse(source, "t.j2")
    assert renderer.render(source=source, values={"who": "Ann"}).text.startswith("Hello Ann")
    assert parses == [source]
    assert renderer.render(source=source + " ").text.startswith("Hello ")
    assert len(parses) == 2  # another source: parsed for its compile
