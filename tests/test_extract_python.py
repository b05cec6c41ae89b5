"""Which calls are Claude calls, and the negatives the issue names."""

from __future__ import annotations

import pytest
from helpers import scan

CALL_FORMS = {
    "create": "client.messages.create({args})",
    "stream_with": "with client.messages.stream({args}) as s:\n        pass",
    "beta_create": "client.beta.messages.create({args})",
    "beta_stream": "with client.beta.messages.stream({args}) as s:\n        pass",
    "raw_response": "client.messages.with_raw_response.create({args})",
    "with_options": "client.with_options(timeout=30).messages.create({args})",
}
ARGS = 'model="claude-haiku-5-5", max_tokens=10, messages=[{"role": "user", "content": "hi"}]'


@pytest.mark.parametrize("form", sorted(CALL_FORMS))
def test_call_forms_are_recognised(tmp_path, form):
    source = f"""
import anthropic
client = anthropic.Anthropic()

def run():
    {CALL_FORMS[form].format(args=ARGS)}
"""
    result = scan(tmp_path, {"app.py": source})
    assert len(result.sites) == 1
    assert result.sites[0].kind.endswith(("create", "stream"))


@pytest.mark.parametrize(
    "construct",
    [
        "import anthropic\nclient = anthropic.Anthropic()",
        "import anthropic as ai\nclient = ai.AsyncAnthropic()",
        "from anthropic import AnthropicBedrock as Bedrock\nclient = Bedrock()",
        "from anthropic import AnthropicVertex\nclient = AnthropicVertex(region='us-east5')",
    ],
)
def test_client_constructors_under_aliases(tmp_path, construct):
    # an unknown model id: accepted only because the client's origin is known
    source = f"""
{construct}

async def run(text):
    return await client.messages.create(model=MODEL_FROM_ENV, messages=text)
"""
    result = scan(tmp_path, {"app.py": source})
    assert len(result.sites) == 1


def test_client_in_self_attribute(tmp_path):
    source = """
import anthropic

class Bot:
    def __init__(self):
        self.llm = anthropic.Anthropic()

    def ask(self, q):
        return self.llm.messages.create(model=self.model, messages=q)
"""
    assert len(scan(tmp_path, {"app.py": source}).sites) == 1


def test_twilio_messages_create_is_not_claude(tmp_path):
    source = """
from twilio.rest import Client
client = Client("sid", "token")

def notify(number):
    client.messages.create(body="Your order shipped", from_="+15550100", to=number)
"""
    assert scan(tmp_path, {"app.py": source}).sites == []


def test_twilio_client_with_claude_shaped_kwargs_is_still_not_claude(tmp_path):
    source = """
import anthropic
from twilio.rest import Client
sms = Client("sid", "token")

def notify(number):
    sms.messages.create(body="x", to=number, messages=[], max_tokens=3)
"""
    assert scan(tmp_path, {"app.py": source}).sites == []


def test_openai_calls_are_not_claude(tmp_path):
    source = """
from openai import OpenAI
client = OpenAI()

def run(text):
    client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
    client.beta.threads.messages.create(thread_id="t", role="user", content=text)
    client.messages.create(model="gpt-4o", max_tokens=10, messages=[])
"""
    assert scan(tmp_path, {"app.py": source}).sites == []


def test_parameter_client_accepted_when_claude_shaped(tmp_path):
    source = """
def classify(client, text):
    return client.messages.create(model="claude-opus-5-5", max_tokens=5,
                                  messages=[{"role": "user", "content": text}])

def notify(client, number):
    return client.messages.create(body="hello", to=number)
"""
    result = scan(tmp_path, {"app.py": source})
    assert [s.qualname for s in result.sites] == ["classify"]


def test_parameter_client_with_anthropic_import_and_shape(tmp_path):
    source = """
import anthropic

def ask(client, model, msgs):
    return client.messages.create(model=model, max_tokens=512, messages=msgs)
"""
    assert len(scan(tmp_path, {"app.py": source}).sites) == 1
    no_import = source.replace("import anthropic\n", "")
    assert scan(tmp_path / "b", {"app.py": no_import}).sites == []


def test_syntax_error_is_a_diagnostic_and_run_goes_on(tmp_path):
    files = {
        "bad.py": "def broken(:\n    pass\n",
        "good.py": "import anthropic\nc = anthropic.Anthropic()\n"
        "c.messages.create(model='claude-haiku-5-5', max_tokens=5, messages=[])\n",
    }
    result = scan(tmp_path, files)
    assert [d.path for d in result.diagnostics] == ["bad.py"]
    assert "syntax error" in result.diagnostics[0].message
    assert len(result.sites) == 1


def test_binary_and_non_utf8_files_are_diagnostics(tmp_path):
    (tmp_path / "blob.py").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "latin.py").write_bytes("x = 'caf\xe9'\n".encode("latin-1"))
    result = scan(tmp_path)
    messages = {d.path: d.message for d in result.diagnostics}
    assert "binary" in messages["blob.py"]
    assert "UTF-8" in messages["latin.py"]


def test_site_position_and_address(tmp_path):
    source = """import anthropic
client = anthropic.Anthropic()

class Bot:
    def ask(self):
        client.messages.create(model="claude-haiku-5-5", max_tokens=5, messages=[])
        client.messages.create(model="claude-haiku-5-5", max_tokens=6, messages=[])
"""
    sites = scan(tmp_path, {"app.py": source}).sites
    assert [(s.span.line, s.span.column) for s in sites] == [(6, 9), (7, 9)]
    assert [s.address for s in sites] == ["app.py::Bot.ask", "app.py::Bot.ask#1"]
    assert all(s.repeated for s in sites)


def test_suppression_comment(tmp_path):
    source = """
import anthropic
client = anthropic.Anthropic()

def sentiment(review):
    return client.messages.create(  # costlint: ignore[CL004]
        model="claude-opus-5-5", max_tokens=10,
        system="Classify the sentiment as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}])

def sentiment2(review):
    return client.messages.create(  # costlint: ignore
        model="claude-opus-5-5", max_tokens=10,
        system="Classify the sentiment as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}])

def sentiment3(review):
    return client.messages.create(  # costlint: ignore[CL001]
        model="claude-opus-5-5", max_tokens=10,
        system="Classify the sentiment as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}])
"""
    result = scan(tmp_path, {"app.py": source})
    assert [(f.rule, f.site.qualname) for f in result.findings] == [("CL004", "sentiment3")]


def test_messages_resource_held_in_a_variable(tmp_path):
    # seen in anthropics/claude-quickstarts computer-use-best-practices/computer_use/loop.py
    source = """
import anthropic
client = anthropic.Anthropic()

def run(betas, msgs):
    api = client.beta.messages if betas else client.messages
    with api.stream(model="claude-sonnet-5-5", max_tokens=100, messages=msgs) as stream:
        return stream.get_final_message()
"""
    [site] = scan(tmp_path, {"app.py": source}).sites
    assert site.kind == "beta.messages.stream"


def test_client_injected_or_defaulted(tmp_path):
    # seen in anthropics/claude-quickstarts agents/agent.py
    source = """
from anthropic import Anthropic

class Agent:
    def __init__(self, client=None):
        self.client = client or Anthropic()

    def run(self, params):
        return self.client.messages.create(**params)
"""
    assert len(scan(tmp_path, {"app.py": source}).sites) == 1


def test_method_passed_to_a_thread_or_partial(tmp_path):
    # seen in two Discord bots: asyncio.to_thread(client.messages.create, ...)
    source = """
import asyncio
import functools
import anthropic
client = anthropic.Anthropic()

async def reply(msgs):
    await asyncio.to_thread(client.messages.create, model="claude-haiku-5-5", max_tokens=50,
                            messages=msgs)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, functools.partial(client.messages.create,
                               model="claude-haiku-5-5", max_tokens=50, messages=msgs))
"""
    sites = scan(tmp_path, {"app.py": source}).sites
    assert [(s.span.line, s.args["max_tokens"]) for s in sites] == [(8, 50), (11, 50)]


def test_client_from_a_project_factory_is_not_foreign(tmp_path):
    files = {
        "factory.py": "import anthropic\n\ndef make_client():\n    return anthropic.Anthropic()\n",
        "app.py": (
            "from factory import make_client\nclient = make_client()\n\n"
            "def ask(m):\n"
            "    return client.messages.create(model='claude-haiku-5-5', max_tokens=5,\n"
            "        messages=m)\n"
        ),
    }
    assert len(scan(tmp_path, files).sites) == 1


def test_calls_on_test_doubles_are_ignored(tmp_path):
    source = """
def test_reply(mock_anthropic_client):
    mock_anthropic_client.messages.create(model="claude-sonnet-4", max_tokens=5, messages=[])
"""
    assert scan(tmp_path, {"test_app.py": source}).sites == []
