"""Templates followed to the call that sends them, through wrappers in other modules."""

from __future__ import annotations

from helpers import scan

from costlint.config import load_config
from costlint.pipeline import count_file

POLICY = "Refunds are issued within 30 days of purchase when the item is unused. " * 120
LONG = "You summarise support tickets for Acme.\n" + POLICY + "\nTicket: {{ ticket }}\n"
SPAM = "Answer yes or no: is this message spam?\n\nMessage: {{ message }}\n"
CHAT = (
    "You are Acme's support agent.\n"
    "{% for turn in history %}{{ turn.role }}: {{ turn.content }}\n{% endfor %}"
    "User: {{ question }}\n"
)
WRAPPER = """\
import anthropic

client = anthropic.Anthropic()


def ask(prompt, model="claude-sonnet-5-5"):
    reply = client.messages.create(
        model=model, max_tokens=16000, messages=[{"role": "user", "content": prompt}]
    )
    return reply.content[0].text


def ask_cached(prompt):
    return client.messages.create(
        model="claude-sonnet-5-5", max_tokens=1024, cache_control={"type": "ephemeral"},
        messages=[{"role": "user", "content": prompt}],
    )


def classify(prompt):
    return client.messages.create(
        model="claude-haiku-5-5", max_tokens=64000, messages=[{"role": "user", "content": prompt}]
    )
"""
CORE = ("CL001", "CL002", "CL003", "CL004")
ENV = (
    "from jinja2 import Environment, FileSystemLoader\n"
    'env = Environment(loader=FileSystemLoader("prompts"))\n'
)


def _found(result, path: str) -> list[tuple[str, int]]:
    return [(f.rule, f.line) for f in result.findings if f.path == path]


def _template_site(result, path: str):
    return next(s for s in result.sites if s.path == path)


WRAPPED_APP = {  # app.py renders the template and hands the prompt to llm/client.py's ask()
    "app.py": ENV
    + (
        "from llm.client import ask\n\n"
        "def summarize(ticket):\n"
        '    template = env.get_template("summarize.j2")\n'
        "    prompt = template.render(ticket=ticket)\n"
        "    return ask(prompt)\n"
    ),
    "llm/__init__.py": "",
    "llm/client.py": WRAPPER,
}


def test_template_sent_through_a_wrapper_in_another_module_is_cl002_on_the_template(tmp_path):
    files = dict(WRAPPED_APP)
    result = scan(tmp_path, {**files, "prompts/summarize.j2": LONG})
    assert _found(result, "prompts/summarize.j2") == [("CL002", 1)]
    # the wrapper's own call sees only `prompt`: no prompt finding of its own
    assert not [rule for rule, _ in _found(result, "llm/client.py") if rule in CORE]
    site = _template_site(result, "prompts/summarize.j2")
    assert site.model == "claude-sonnet-5-5"  # the wrapper's parameter default
    assert site.get("max_tokens") == 16000
    assert "rendered at app.py:6, sent by llm/client.py:7" in site.notes


def test_template_sent_through_a_caching_wrapper_is_not_flagged(tmp_path):
    app = ENV + (
        "from llm.client import ask_cached\n\n"
        "def summarize(ticket):\n"
        '    return ask_cached(env.get_template("summarize.j2").render(ticket=ticket))\n'
    )
    files = {"app.py": app, "llm/__init__.py": "", "llm/client.py": WRAPPER}
    result = scan(tmp_path, {**files, "prompts/summarize.j2": LONG})
    assert not [f for f in result.findings if f.rule in CORE]
    assert _template_site(result, "prompts/summarize.j2").get("cache_control")


def test_short_answer_template_takes_the_wrappers_max_tokens_for_cl001(tmp_path):
    app = ENV + (
        "from llm import client\n\n"
        "def is_spam(message):\n"
        '    prompt = env.get_template("spam.j2").render(message=message)\n'
        "    return client.classify(prompt=prompt)\n"  # module attribute call, keyword argument
    )
    files = {"app.py": app, "llm/__init__.py": "", "llm/client.py": WRAPPER}
    result = scan(tmp_path, {**files, "prompts/spam.j2": SPAM})
    assert ("CL001", 1) in _found(result, "prompts/spam.j2")


def test_template_read_as_a_file_and_sent_through_a_method_is_linked(tmp_path):
    service = (
        "from pathlib import Path\n"
        "from jinja2 import Template\n"
        "from llm.agent import Agent\n\n"
        "class Summarizer:\n"
        "    def __init__(self):\n"
        "        self.agent = Agent()\n\n"
        "    def run(self, ticket):\n"
        '        source = Path("prompts/summarize.j2").read_text()\n'
        "        text = Template(source).render(ticket=ticket)\n"
        "        return self.agent.complete(text)\n"
    )
    agent = (
        "import anthropic\n\n"
        "class Agent:\n"
        "    def __init__(self):\n"
        "        self.client = anthropic.Anthropic()\n\n"
        "    def complete(self, prompt):\n"
        "        return self.client.messages.create(\n"
        '            model="claude-sonnet-5-5", max_tokens=2048,\n'
        '            messages=[{"role": "user", "content": prompt}],\n'
        "        )\n"
    )
    files = {"service.py": service, "llm/__init__.py": "", "llm/agent.py": agent}
    result = scan(tmp_path, {**files, "prompts/summarize.j2": LONG})
    assert _found(result, "prompts/summarize.j2") == [("CL002", 1)]
    assert _template_site(result, "prompts/summarize.j2").get("max_tokens") == 2048


def test_template_rendered_by_a_project_helper_is_linked(tmp_path):
    app = (
        "from jinja2 import Environment, FileSystemLoader\n"
        "from llm.client import ask\n\n"
        'ENV = Environment(loader=FileSystemLoader("prompts"))\n\n'
        "def render(name, **values):\n"
        "    return ENV.get_template(name).render(**values)\n\n"
        "def summarize(ticket):\n"
        '    return ask(render("summarize.j2", ticket=ticket))\n'
    )
    files = {"app.py": app, "llm/__init__.py": "", "llm/client.py": WRAPPER}
    result = scan(tmp_path, {**files, "prompts/summarize.j2": LONG})
    assert _found(result, "prompts/summarize.j2") == [("CL002", 1)]


def test_template_never_sent_stays_as_today(tmp_path):
    app = ENV + (
        'def preview(ticket):\n    print(env.get_template("summarize.j2").render(ticket=ticket))\n'
    )
    result = scan(tmp_path, {"app.py": app, "prompts/summarize.j2": LONG})
    assert not result.findings
    assert not [s for s in result.sites if s.path == "prompts/summarize.j2"]


def test_a_name_that_only_ends_like_the_template_is_not_a_link(tmp_path):
    app = ENV + (
        "from llm.client import ask\n\n"
        "def summarize(ticket):\n"
        '    return ask(env.get_template("other/summarize.j2").render(ticket=ticket))\n'
    )
    files = {"app.py": app, "llm/__init__.py": "", "llm/client.py": WRAPPER}
    result = scan(tmp_path, {**files, "prompts/summarize.j2": LONG})
    assert not _found(result, "prompts/summarize.j2")


def test_conversation_template_through_a_wrapper_counts_as_costlint_count(tmp_path):
    app = ENV + (
        "from llm.client import ask\n\n"
        "def reply(history, question):\n"
        '    prompt = env.get_template("chat.j2").render(history=history, question=question)\n'
        '    return ask(prompt, model="claude-haiku-5-5")\n'
    )
    files = {"app.py": app, "llm/__init__.py": "", "llm/client.py": WRAPPER}
    result = scan(tmp_path, {**files, "prompts/chat.j2": CHAT})
    cl003 = [f for f in result.findings if f.rule == "CL003"]
    assert [(f.path, f.line) for f in cl003] == [("prompts/chat.j2", 2)]
    site = _template_site(result, "prompts/chat.j2")
    assert site.model == "claude-sonnet-5-5"  # the parameter default; the caller's is not read
    counted = count_file(
        tmp_path / "prompts/chat.j2", "claude-sonnet-5-5", "estimate", False, load_config(tmp_path)
    )
    assert site.tokens["input"] == counted.count
    assert cl003[0].site.tokens["input"].count == counted.count.count


def test_conversation_template_sent_with_caching_is_not_cl003(tmp_path):
    app = ENV + (
        "from llm.client import ask_cached\n\n"
        "def reply(history, question):\n"
        '    prompt = env.get_template("chat.j2").render(history=history, question=question)\n'
        "    return ask_cached(prompt)\n"
    )
    files = {"app.py": app, "llm/__init__.py": "", "llm/client.py": WRAPPER}
    result = scan(tmp_path, {**files, "prompts/chat.j2": CHAT})
    assert not [f for f in result.findings if f.rule == "CL003"]


def test_conversation_template_sent_in_the_same_function_takes_the_calls_model(tmp_path):
    app = ENV + (
        "import anthropic\n"
        "client = anthropic.Anthropic()\n\n"
        "def reply(history, question):\n"
        '    prompt = env.get_template("chat.j2").render(history=history, question=question)\n'
        "    return client.messages.create(\n"
        '        model="claude-haiku-5-5", max_tokens=512,\n'
        '        messages=[{"role": "user", "content": prompt}],\n'
        "    )\n"
    )
    result = scan(tmp_path, {"app.py": app, "prompts/chat.j2": CHAT})
    site = _template_site(result, "prompts/chat.j2")
    assert site.model == "claude-haiku-5-5"
    assert site.get("max_tokens") is None  # CL001/CL004 are the call's: it sees the text
    assert _found(result, "prompts/chat.j2") == [("CL003", 2)]


def _chain(depth: int) -> str:
    """``summarize`` hands the rendered text down ``depth`` wrappers to the call."""
    lines = [ENV, "import anthropic\nclient = anthropic.Anthropic()\n\n"]
    lines.append(
        "def summarize(ticket):\n"
        '    prompt = env.get_template("summarize.j2").render(ticket=ticket)\n'
        "    return hop1(prompt)\n\n"
    )
    for level in range(1, depth):
        lines.append(f"def hop{level}(text):\n    return hop{level + 1}(text)\n\n")
    lines.append(
        f"def hop{depth}(text):\n"
        "    return client.messages.create(\n"
        '        model="claude-sonnet-5-5", max_tokens=1024,\n'
        '        messages=[{"role": "user", "content": text}],\n'
        "    )\n"
    )
    return "".join(lines)


def test_wrapper_chains_are_followed_three_deep_and_no_further(tmp_path):
    three = scan(tmp_path / "three", {"app.py": _chain(3), "prompts/summarize.j2": LONG})
    assert _found(three, "prompts/summarize.j2") == [("CL002", 1)]
    four = scan(tmp_path / "four", {"app.py": _chain(4), "prompts/summarize.j2": LONG})
    assert not _found(four, "prompts/summarize.j2")


def test_the_sending_module_is_not_extracted_again_for_its_template(tmp_path, monkeypatch):
    from costlint import extraction
    from costlint.extract import python, template_links

    files = dict(WRAPPED_APP)
    files["prompts/summarize.j2"] = LONG
    extracted: list[str] = []
    original = python.extract_python

    def counted(source, rel_path, *args, **kwargs):
        extracted.append(rel_path)
        return original(source, rel_path, *args, **kwargs)

    monkeypatch.setattr(python, "extract_python", counted)
    monkeypatch.setattr(extraction, "jobs_for", lambda config, count: 1)
    shared = scan(tmp_path / "shared", files)
    assert extracted.count("llm/client.py") == 1  # its run's sites were used for the link
    monkeypatch.setattr(template_links, "remember_extraction", lambda *args: None)
    extracted.clear()
    again = scan(tmp_path / "again", files)
    assert extracted.count("llm/client.py") == 2  # without them: extracted a second time
    assert _found(shared, "prompts/summarize.j2") == _found(again, "prompts/summarize.j2")
    assert _template_site(shared, "prompts/summarize.j2").notes == (
        _template_site(again, "prompts/summarize.j2").notes
    )
