"""Every way code reaches the API is a call site: plain HTTP, method references, batches,
legacy Text Completions and retired beta namespaces (issue 13, item 3)."""

from __future__ import annotations

import pytest
from helpers import scan

from costlint.site import UNKNOWN, PromptSite, Span, Str
from costlint.sitecodec import decode_site, encode_site

BODY = (
    '{"model": "claude-haiku-5-5", "max_tokens": 64, "system": "Be brief.",\n'
    '        "messages": [{"role": "user", "content": question}]}'
)


def only_site(tmp_path, source: str) -> PromptSite:
    sites = scan(tmp_path, {"app.py": source}).sites
    assert len(sites) == 1, [(s.kind, s.span.line) for s in sites]
    return sites[0]


# -- 1. plain HTTP ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "post",
    [
        "requests.post(URL, json=body, headers=HEADERS)",
        "httpx.post(URL, json=body)",
        "httpx.Client(timeout=30).post(URL, json=body)",
        "requests.post(URL, data=json.dumps(body))",
        "httpx.post(URL, content=json.dumps(body).encode())",
    ],
)
def test_http_post_to_messages_is_a_site(tmp_path, post):
    source = f"""
import json
import requests
import httpx
URL = "https://api.anthropic.com/v1/messages"
HEADERS = {{"x-api-key": "k", "anthropic-version": "2023-06-01"}}

def ask(question):
    body = {BODY}
    return {post}
"""
    site = only_site(tmp_path, source)
    assert site.kind == "http.messages"
    assert site.args["model"] == "claude-haiku-5-5"
    assert site.args["max_tokens"] == 64
    assert site.args["system"] == "Be brief."
    assert site.args["messages"][0]["role"] == "user"
    assert site.span.line == 11


@pytest.mark.parametrize(
    "url",
    [
        '"https://api.anthropic.com/v1/messages"',
        'f"{BASE}/v1/messages"',
        'BASE + "/v1/messages"',
        "ENDPOINT",
    ],
)
def test_http_url_forms(tmp_path, url):
    source = f"""
import os
import requests
BASE = os.environ.get("ANTHROPIC_BASE_URL", "https://api.anthropic.com")
ENDPOINT = BASE + "/v1/messages"

def ask(question):
    return requests.post({url}, json={BODY})
"""
    site = only_site(tmp_path, source)
    assert site.kind == "http.messages"
    assert site.args["max_tokens"] == 64


def test_aiohttp_session_post_in_async_with(tmp_path):
    source = f"""
import aiohttp
API = "https://api.anthropic.com/v1/messages"

async def ask(question):
    async with aiohttp.ClientSession() as session:
        async with session.post(API, json={BODY}) as response:
            return await response.json()
"""
    site = only_site(tmp_path, source)
    assert (site.kind, site.args["model"]) == ("http.messages", "claude-haiku-5-5")


def test_httpx_async_client_post(tmp_path):
    source = f"""
import httpx

async def ask(question):
    async with httpx.AsyncClient() as client:
        r = await client.post("https://api.anthropic.com/v1/messages", json={BODY})
"""
    assert only_site(tmp_path, source).args["system"] == "Be brief."


def test_urllib_request_with_json_dumps(tmp_path):
    source = f"""
import json
import urllib.request

def ask(question):
    body = {BODY}
    req = urllib.request.Request(
        "https://api.anthropic.com/v1/messages",
        data=json.dumps(body).encode("utf-8"),
        headers={{"content-type": "application/json"}},
        method="POST",
    )
    with urllib.request.urlopen(req) as response:
        return response.read()
"""
    site = only_site(tmp_path, source)
    assert site.kind == "http.messages"
    assert site.args["model"] == "claude-haiku-5-5"
    assert site.span.line == 8


@pytest.mark.parametrize(
    "path", ["/v1/messages/count_tokens", "/v1/complete", "/v1/models", "/v1/chat/completions"]
)
def test_http_posts_elsewhere_are_not_sites(tmp_path, path):
    source = f"""
import requests

def count(question):
    return requests.post("https://api.anthropic.com{path}", json={BODY})
"""
    assert scan(tmp_path, {"app.py": source}).sites == []


def test_http_site_is_flagged_by_rules(tmp_path):
    source = """
import requests

def ask(question):
    return requests.post("https://api.anthropic.com/v1/messages",
                         json={"model": "claude-haiku-5-5", "max_tokens": 900000,
                               "messages": [{"role": "user", "content": question}]})
"""
    result = scan(tmp_path, {"app.py": source})
    assert "CL008" in [f.rule for f in result.findings]


# -- 2. method references -----------------------------------------------------------------------

CLIENT = "import functools\nimport anthropic\nclient = anthropic.Anthropic()\n"
KWARGS = 'max_tokens=32, messages=[{"role": "user", "content": q}]'


def test_getattr_method_is_a_site(tmp_path):
    source = (
        CLIENT
        + f"""
def ask(q):
    return getattr(client.messages, "create")(model="claude-haiku-5-5", {KWARGS})
"""
    )
    site = only_site(tmp_path, source)
    assert (site.kind, site.args["max_tokens"], site.span.line) == ("messages.create", 32, 6)


def test_method_chosen_by_condition_then_called(tmp_path):
    source = (
        CLIENT
        + f"""
def ask(q, live):
    fn = client.messages.stream if live else client.messages.create
    return fn(model="claude-haiku-5-5", {KWARGS})
"""
    )
    site = only_site(tmp_path, source)
    assert site.kind == "messages.stream"
    assert site.span.line == 7


def test_method_stored_in_a_name(tmp_path):
    source = (
        CLIENT
        + f"""
create = client.messages.create

def ask(q):
    return create(model="claude-haiku-5-5", {KWARGS})
"""
    )
    site = only_site(tmp_path, source)
    assert (site.kind, site.qualname, site.args["model"]) == (
        "messages.create",
        "ask",
        "claude-haiku-5-5",
    )


def test_partial_called_at_once_merges_keywords(tmp_path):
    source = (
        CLIENT
        + f"""
def ask(q):
    return functools.partial(client.messages.create, model="claude-haiku-5-5")({KWARGS})
"""
    )
    site = only_site(tmp_path, source)
    assert site.args["model"] == "claude-haiku-5-5"
    assert site.args["max_tokens"] == 32


def test_partial_stored_then_called_is_one_site_at_the_call(tmp_path):
    source = (
        CLIENT
        + f"""
haiku = functools.partial(client.messages.create, model="claude-haiku-5-5")

def ask(q):
    return haiku({KWARGS})
"""
    )
    site = only_site(tmp_path, source)
    assert (site.span.line, site.args["model"], site.args["max_tokens"]) == (
        8,
        "claude-haiku-5-5",
        32,
    )


@pytest.mark.parametrize(
    "pick, kind",
    [
        ("f = m.create", "messages.create"),
        ("f = m.stream if streaming else m.create", "messages.stream"),
        ("f = m.count_tokens\n        f = m.create", "messages.create"),
    ],
)
def test_method_alias_through_an_attribute_is_a_site(tmp_path, pick, kind):
    source = (
        CLIENT
        + f"""
class Chat:
    def __init__(self):
        self.c = anthropic.Anthropic()

    def ask(self, q, streaming=False):
        m = self.c.messages
        {pick}
        return f(model="claude-haiku-5-5", {KWARGS})
"""
    )
    site = only_site(tmp_path, source)
    line = 12 + pick.count("\n")
    assert (site.kind, site.span.line, site.args["model"]) == (kind, line, "claude-haiku-5-5")


def test_method_alias_in_a_method_patched_onto_a_client_class(tmp_path):
    source = (
        CLIENT
        + """
class Chat:
    def __init__(self):
        self.c = anthropic.Anthropic()

def ask(self: Chat, q, streaming=False):
    m = self.c.messages
    f = m.stream if streaming else m.create
    return f(model=self.model, **kwargs)
"""
    )
    site = only_site(tmp_path, source)
    assert (site.kind, site.span.line) == ("messages.stream", 12)


def test_reference_to_another_method_is_not_a_site(tmp_path):
    source = (
        CLIENT
        + f"""
def ask(q):
    fn = client.messages.count_tokens
    return fn(model="claude-haiku-5-5", {KWARGS})
"""
    )
    assert scan(tmp_path, {"app.py": source}).sites == []


# -- 3. Message Batches -------------------------------------------------------------------------

MESSAGES = '[{"role": "user", "content": t}]'
PARAMS = '{"model": "claude-haiku-5-5", "max_tokens": 100, "messages": ' + MESSAGES + "}"


def test_batch_literal_requests_one_site_per_distinct_params(tmp_path):
    params_a = PARAMS.replace("t}", '"a"}')
    params_b = PARAMS.replace("claude-haiku-5-5", "claude-sonnet-5-5").replace("t}", '"b"}')
    source = (
        CLIENT
        + f"""
def run():
    return client.messages.batches.create(requests=[
        {{"custom_id": "a", "params": {params_a}}},
        {{"custom_id": "a2", "params": {params_a}}},
        {{"custom_id": "b", "params": {params_b}}},
    ])
"""
    )
    sites = scan(tmp_path, {"app.py": source}).sites
    assert [(s.kind, s.batched, s.args["model"], s.span.line) for s in sites] == [
        ("messages.batches", True, "claude-haiku-5-5", 7),
        ("messages.batches", True, "claude-sonnet-5-5", 9),
    ]
    assert [s.ordinal for s in sites] == [0, 1]


def test_batch_requests_from_a_comprehension(tmp_path):
    source = (
        CLIENT
        + f"""
def run(texts):
    batch = client.beta.messages.batches.create(
        requests=[{{"custom_id": str(i), "params": {PARAMS}}} for i, t in enumerate(texts)]
    )
"""
    )
    site = only_site(tmp_path, source)
    assert (site.kind, site.batched, site.args["max_tokens"]) == ("messages.batches", True, 100)


def test_batch_requests_appended_in_a_loop_with_typed_constructors(tmp_path):
    source = (
        CLIENT
        + """
from anthropic.types.message_create_params import MessageCreateParamsNonStreaming
from anthropic.types.messages.batch_create_params import Request

def run(texts):
    requests = []
    for i, t in enumerate(texts):
        requests.append(Request(
            custom_id=f"r{i}",
            params=MessageCreateParamsNonStreaming(
                model="claude-haiku-5-5", max_tokens=200,
                messages=[{"role": "user", "content": t}]),
        ))
    return client.messages.batches.create(requests=requests)
"""
    )
    site = only_site(tmp_path, source)
    assert site.batched
    assert site.args["max_tokens"] == 200
    assert site.span.line == 13


def test_batch_over_http(tmp_path):
    source = f"""
import requests

def run(texts):
    reqs = [{{"custom_id": str(i), "params": {PARAMS}}} for i, t in enumerate(texts)]
    return requests.post("https://api.anthropic.com/v1/messages/batches",
                         json={{"requests": reqs}})
"""
    site = only_site(tmp_path, source)
    assert (site.kind, site.batched, site.args["model"]) == (
        "messages.batches",
        True,
        "claude-haiku-5-5",
    )


def test_plain_create_is_not_batched(tmp_path):
    source = (
        CLIENT
        + f"""
def ask(q):
    return client.messages.create(model="claude-haiku-5-5", {KWARGS})
"""
    )
    assert only_site(tmp_path, source).batched is False


def test_batched_flag_round_trips_through_the_cache_codec():
    site = PromptSite(
        path="a.py",
        span=Span(3, 5, 4, 9),
        kind="messages.batches",
        args={"model": "claude-haiku-5-5", "max_tokens": 5, "system": Str("x"), "t": UNKNOWN},
        batched=True,
    )
    decoded = decode_site(encode_site(site), "a.py")
    assert decoded.batched is True
    assert decode_site(encode_site(PromptSite("a.py", Span(1, 1), "k")), "a.py").batched is False


@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_cache_codec_rejects_a_bad_batched_value(bad):
    data = encode_site(PromptSite("a.py", Span(1, 1), "messages.batches", batched=True))
    data["batched"] = bad
    with pytest.raises(ValueError):
        decode_site(data, "a.py")


def test_cache_entry_without_batched_is_rejected():
    data = encode_site(PromptSite("a.py", Span(1, 1), "messages.create"))
    del data["batched"]
    with pytest.raises(KeyError):
        decode_site(data, "a.py")


# -- 4. legacy completions and retired beta namespaces ------------------------------------------


def test_legacy_text_completion_is_a_site(tmp_path):
    source = (
        CLIENT
        + """
def ask(q):
    return client.completions.create(
        model="claude-haiku-5-5",
        max_tokens_to_sample=300,
        prompt=f"\\n\\nHuman: {q}\\n\\nAssistant:",
    )
"""
    )
    site = only_site(tmp_path, source)
    assert site.kind == "completions.create"
    assert site.args["max_tokens"] == 300
    assert "max_tokens_to_sample" not in site.args
    content = site.args["messages"][0]["content"]
    assert "Human:" in content and content.holes == 1


def test_openai_completions_are_not_sites(tmp_path):
    source = """
from openai import OpenAI
client = OpenAI()

def ask(q):
    client.completions.create(model="gpt-3.5-turbo-instruct", prompt=q, max_tokens=5)
    client.chat.completions.create(model="claude-haiku-5-5", messages=[], max_tokens=5)
"""
    assert scan(tmp_path, {"app.py": source}).sites == []


@pytest.mark.parametrize("namespace", ["prompt_caching", "tools"])
def test_retired_beta_namespaces_are_message_sites(tmp_path, namespace):
    source = (
        CLIENT
        + f"""
def ask(q):
    return client.beta.{namespace}.messages.create(model="claude-haiku-5-5", {KWARGS})
"""
    )
    site = only_site(tmp_path, source)
    assert site.kind == f"beta.{namespace}.messages.create"
    assert site.args["max_tokens"] == 32


def test_count_tokens_is_not_a_site(tmp_path):
    source = (
        CLIENT
        + f"""
def size(q):
    client.messages.count_tokens(model="claude-haiku-5-5", {KWARGS})
    client.beta.messages.count_tokens(model="claude-haiku-5-5", {KWARGS})
"""
    )
    assert scan(tmp_path, {"app.py": source}).sites == []


# -- 5. retired pre-Claude 3 ids in the catalog -------------------------------------------------


@pytest.mark.parametrize(
    ("model", "retired_on"),
    [
        ("claude-2.1", "2025-07-21"),
        ("claude-2.0", "2025-07-21"),
        ("claude-2", "2025-07-21"),
        ("claude-instant-1.2", "2024-11-06"),
        ("claude-instant-1", "2024-11-06"),
    ],
)
def test_legacy_completion_on_a_retired_model_is_flagged(tmp_path, model, retired_on):
    source = (
        CLIENT
        + f"""
def ask(q):
    return client.completions.create(
        model="{model}", max_tokens_to_sample=300, prompt=q
    )
"""
    )
    result = scan(tmp_path, {"app.py": source})
    retired = [f for f in result.findings if f.rule == "CL009"]
    assert len(retired) == 1
    assert retired[0].severity == "error"
    assert f"was retired on {retired_on}" in retired[0].message


def test_old_output_cap_applies_to_max_tokens_to_sample(tmp_path):
    source = (
        CLIENT
        + """
def ask(q):
    return client.completions.create(
        model="claude-2.1", max_tokens_to_sample=8000, prompt=q
    )
"""
    )
    result = scan(tmp_path, {"app.py": source})
    over = [f for f in result.findings if f.rule == "CL008"]
    assert len(over) == 1 and "4,096" in over[0].message


@pytest.mark.parametrize("keyword", ["cache_control", "betas", "context_management"])
def test_a_call_with_an_anthropic_only_keyword_is_a_site_whatever_its_client(tmp_path, keyword):
    """No anthropic import and a client reached through another object (a bot's cog): the
    keyword only Anthropic's messages.create takes says the call is a Claude request."""
    source = f"""
async def reply(cog, params):
    return await cog.client.messages.create(**params, {keyword}={{"type": "ephemeral"}})
"""
    assert only_site(tmp_path, source).kind == "messages.create"


def test_an_unknown_client_without_claude_evidence_is_not_a_site(tmp_path):
    source = """
async def reply(cog, params):
    return await cog.client.messages.create(**params)
"""
    result = scan(tmp_path, {"app.py": source})
    assert result.sites == []
