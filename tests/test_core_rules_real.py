"""The core rules (CL001-CL004) on patterns real projects use (issue 14)."""

from __future__ import annotations

from helpers import scan

HEAD = """
import anthropic
client = anthropic.Anthropic()
MANUAL = "Refunds are issued within 30 days of purchase when the item is unused. " * 150
"""


def rules(tmp_path, body, select=("CL001", "CL002", "CL003", "CL004")):
    result = scan(tmp_path, {"app.py": HEAD + body}, select=list(select))
    return [f.rule for f in result.findings]


# -- CL003: tool loops with an iteration limit ---------------------------------------------------

AGENT_LOOP = """
def run(task, limit):
    messages = [{{"role": "user", "content": task}}]
    turns = 0
    {loop}
        {step}
        response = client.messages.create(model="claude-sonnet-5-5", max_tokens=2000,
            messages=messages)
        messages.append({{"role": "assistant", "content": response.content}})
        if response.stop_reason != "tool_use":
            break
        messages.append({{"role": "user", "content": "tool result"}})
"""


def test_while_true_with_counter_cap_is_not_a_conversation(tmp_path):
    body = AGENT_LOOP.format(
        loop="while True:", step="turns += 1\n        if turns >= limit:\n            break"
    )
    assert "CL003" not in rules(tmp_path, body)


def test_while_counter_below_runtime_limit_is_not_a_conversation(tmp_path):
    body = AGENT_LOOP.format(loop="while turns < limit:", step="turns += 1")
    assert "CL003" not in rules(tmp_path, body)


def test_range_of_runtime_limit_is_not_a_conversation(tmp_path):
    body = AGENT_LOOP.format(loop="for _ in range(limit):", step="pass")
    assert "CL003" not in rules(tmp_path, body)


def test_open_ended_loop_is_still_a_conversation(tmp_path):
    body = AGENT_LOOP.format(loop="while True:", step="turns += 1")
    assert rules(tmp_path, body) == ["CL003"]


# -- CL003: which breakpoints cover the conversation ---------------------------------------------

CHAT = """
def chat():
    history = []
    while True:
        history.append({{"role": "user", "content": input()}})
        reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
            {extra}messages=history)
        history.append({{"role": "assistant", "content": reply.content}})
"""


def test_breakpoint_on_system_alone_does_not_cover_the_history(tmp_path):
    extra = 'system=[{"type": "text", "text": MANUAL, "cache_control": {"type": "ephemeral"}}],\n'
    assert "CL003" in rules(tmp_path, CHAT.format(extra=extra))


def test_top_level_automatic_caching_covers_the_history(tmp_path):
    extra = 'cache_control={"type": "ephemeral"},\n'
    assert "CL003" not in rules(tmp_path, CHAT.format(extra=extra))


# -- CL003: growth and windows through rebinding ---------------------------------------------------

REBIND = """
history = []

def turn(text):
    global history
    {grow}
    {window}
    reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500, messages=history)
    history.append({{"role": "assistant", "content": reply.content}})
"""


def test_window_by_rebinding_before_the_call_is_not_flagged(tmp_path):
    body = REBIND.format(
        grow='history.append({"role": "user", "content": text})', window="history = history[-6:]"
    )
    assert "CL003" not in rules(tmp_path, body)


def test_growth_by_rebinding_is_flagged(tmp_path):
    body = REBIND.format(
        grow='history = history + [{"role": "user", "content": text}]', window="pass"
    )
    assert rules(tmp_path, body) == ["CL003"]


def test_growth_by_rebinding_from_another_name_is_flagged(tmp_path):
    body = REBIND.format(
        grow='earlier = history\n    history = earlier + [{"role": "user", "content": text}]',
        window="pass",
    )
    assert rules(tmp_path, body) == ["CL003"]


CHAT_CLASS = """
class Chat:
    def __init__(self):
        self.history = []

    def add(self, role, content):
        self.history.append({{"role": role, "content": content}})
        if len(self.history) > 20:
            self.{method}()

    def {method}(self):
        {body}

    def ask(self, text):
        self.add("user", text)
        reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
            messages=self.history)
        self.add("assistant", reply.content)
"""

KEEP_RECENT = """kept = []
        for message in reversed(self.history):
            if len(kept) < 10:
                kept.insert(0, message)
        self.history = kept"""


def test_history_rebound_in_a_trimming_method_is_not_flagged(tmp_path):
    body = CHAT_CLASS.format(method="_trim_history", body=KEEP_RECENT)
    assert "CL003" not in rules(tmp_path, body)


def test_history_rebound_in_another_method_or_reset_is_flagged(tmp_path):
    rebuilt = CHAT_CLASS.format(method="_rebuild", body=KEEP_RECENT)
    assert rules(tmp_path, rebuilt) == ["CL003"]
    reset = CHAT_CLASS.format(method="_trim_history", body="self.history = []")
    assert rules(tmp_path / "reset", reset) == ["CL003"]


# -- CL004: the output budget it reads, retired top-tier models ----------------------------------

CLASSIFY = """
def label(ticket):
    return client.messages.create(model="{model}", max_tokens={max_tokens},
        system="Extract the invoice date field from the text.",
        messages=[{{"role": "user", "content": ticket}}])
"""


def test_simple_task_with_a_4096_budget_is_overkill(tmp_path):
    body = CLASSIFY.format(model="claude-opus-5-5", max_tokens=4096)
    assert "CL004" in rules(tmp_path, body)


def test_simple_task_with_a_long_form_budget_is_not_read(tmp_path):
    body = CLASSIFY.format(model="claude-opus-5-5", max_tokens=16000)
    assert "CL004" not in rules(tmp_path, body)


def test_retired_top_tier_model_on_a_simple_task_gets_the_small_model(tmp_path):
    body = CLASSIFY.format(model="claude-3-opus-20240229", max_tokens=1024)
    result = scan(tmp_path, {"app.py": HEAD + body}, select=["CL004"])
    assert [f.rule for f in result.findings] == ["CL004"]
    assert "haiku" in result.findings[0].fix


# -- CL001 / CL004: tools as evidence ------------------------------------------------------------

POINT = """
POINT = {"name": "record_point", "description": "Record a point",
    "input_schema": {"type": "object", "properties": {
        "x": {"type": "number"}, "y": {"type": "number"}, "z": {"type": "number"}}}}
"""
LOOKUPS = """
TOOLS = [
    {"name": "order_status", "description": "Status of an order",
     "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}}},
    {"name": "refund_policy", "description": "The refund rule for a country",
     "input_schema": {"type": "object", "properties": {"country": {"type": "string"}}}},
]
"""
AGENT_TOOLS = """
TOOLS = [
    {"name": "run_bash", "description": "Run a shell command",
     "input_schema": {"type": "object", "properties": {"cmd": {"type": "string"}}}},
    {"name": "read_file", "description": "Read a file",
     "input_schema": {"type": "object", "properties": {"path": {"type": "string"}}}},
]
"""


def test_forced_small_tool_sizes_the_answer(tmp_path):
    body = (
        POINT
        + """
def locate(text):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=8192, tools=[POINT],
        tool_choice={"type": "tool", "name": "record_point"},
        messages=[{"role": "user", "content": text}])
"""
    )
    result = scan(tmp_path, {"app.py": HEAD + body}, select=["CL001"])
    assert [f.rule for f in result.findings] == ["CL001"]
    assert "set max_tokens=256" in result.findings[0].fix


def test_forced_tool_with_free_text_field_is_not_sized(tmp_path):
    body = """
DRAFT = {"name": "save_draft", "input_schema": {"type": "object",
    "properties": {"title": {"type": "string"}, "content": {"type": "string"}}}}

def draft(text):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=8192, tools=[DRAFT],
        tool_choice={"type": "tool", "name": "save_draft"},
        messages=[{"role": "user", "content": text}])
"""
    assert rules(tmp_path, body, select=["CL001"]) == []


def _support_with_lookups(system: str) -> str:
    """An Opus call with the two small lookup tools and the given system prompt."""
    return (
        LOOKUPS
        + f"""
def support(question):
    return client.messages.create(model="claude-opus-5-5", max_tokens=1024, tools=TOOLS,
        system="{system}",
        messages=[{{"role": "user", "content": question}}])
"""
    )


def test_top_tier_with_two_small_lookup_tools_is_overkill(tmp_path):
    body = _support_with_lookups("Answer the customer's question using the tools.")
    result = scan(tmp_path, {"app.py": HEAD + body}, select=["CL004"])
    assert [f.rule for f in result.findings] == ["CL004"]
    assert "routing between 2 small tools" in result.findings[0].message


def test_top_tier_agent_with_shell_and_file_tools_is_not_overkill(tmp_path):
    body = (
        AGENT_TOOLS
        + """
def agent(task):
    return client.messages.create(model="claude-opus-5-5", max_tokens=1024, tools=TOOLS,
        system="Fix the failing test.", messages=[{"role": "user", "content": task}])
"""
    )
    assert rules(tmp_path, body, select=["CL004"]) == []


def test_top_tier_small_tools_in_a_growing_loop_is_not_overkill(tmp_path):
    body = (
        LOOKUPS
        + """
def support():
    messages = []
    while True:
        messages.append({"role": "user", "content": input()})
        reply = client.messages.create(model="claude-opus-5-5", max_tokens=1024, tools=TOOLS,
            system="Answer the customer's question using the tools.", messages=messages)
        messages.append({"role": "assistant", "content": reply.content})
"""
    )
    assert rules(tmp_path, body, select=["CL004"]) == []


def test_top_tier_small_tools_with_complex_instructions_is_not_overkill(tmp_path):
    body = _support_with_lookups("Write a detailed report on the customer's account history.")
    assert rules(tmp_path, body, select=["CL004"]) == []


# -- CL002: the known parts of the prefix ---------------------------------------------------------


def test_unknown_tools_do_not_stop_the_system_prompt_count(tmp_path):
    body = """
from toolbox import load_tools

def answer(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
        tools=load_tools(), system=MANUAL, messages=[{"role": "user", "content": q}])
"""
    result = scan(tmp_path, {"app.py": HEAD + body}, select=["CL002"])
    assert [f.rule for f in result.findings] == ["CL002"]
    assert "system prompt" in result.findings[0].message


# -- CL003: growth through helpers, splatted requests and return values --------------------------


def test_helper_that_appends_to_the_passed_list_grows_the_history(tmp_path):
    body = """
def add_turn(h, role, text):
    h.append({"role": role, "content": text})

def chat():
    history = []
    while True:
        add_turn(history, "user", input())
        reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
            messages=history)
        add_turn(history, "assistant", reply.content[0].text)
"""
    assert rules(tmp_path, body) == ["CL003"]


def test_helper_that_only_reads_the_list_does_not_grow_it(tmp_path):
    body = """
def show(h):
    print(len(h))

def ask(q):
    history = [{"role": "user", "content": q}]
    for _ in range(3):
        show(history)
        client.messages.create(model="claude-sonnet-5-5", max_tokens=500, messages=history)
"""
    assert rules(tmp_path, body) == []


def test_messages_inside_a_splatted_request_dict(tmp_path):
    body = """
def chat():
    history = []
    while True:
        history.append({"role": "user", "content": input()})
        params = {"model": "claude-sonnet-5-5", "max_tokens": 500, "messages": history}
        reply = client.messages.create(**params)
        history.append({"role": "assistant", "content": reply.content})
"""
    assert rules(tmp_path, body) == ["CL003"]


def test_history_rebound_and_returned_to_the_caller(tmp_path):
    body = """
def respond(history, text):
    history = history + [{"role": "user", "content": text}]
    reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500, messages=history)
    return history + [{"role": "assistant", "content": reply.content}]
"""
    assert rules(tmp_path, body) == ["CL003"]


JOINED = """
def chat():
    answers = []
    while True:
        q = input()
        context = " | ".join({joined})
        reply = client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
            messages=[{{"role": "user", "content": f"Earlier answers: {{context}}. {{q}}"}}])
        answers.append(reply.content[0].text)
"""


def test_earlier_results_joined_into_the_prompt_are_a_growing_history(tmp_path):
    result = scan(tmp_path, {"app.py": HEAD + JOINED.format(joined="answers")}, select=["CL003"])
    assert [f.rule for f in result.findings] == ["CL003"]
    assert "joined into the prompt" in result.findings[0].message


def test_a_window_of_earlier_results_joined_into_the_prompt_is_not_flagged(tmp_path):
    assert rules(tmp_path, JOINED.format(joined="answers[-3:]")) == []


def test_large_stable_block_after_the_per_call_text_is_reported(tmp_path):
    body = """
def answer(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
        messages=[{"role": "user", "content": f"Question: {q}\\n\\nPolicy:\\n" + MANUAL}])
"""
    result = scan(tmp_path, {"app.py": HEAD + body}, select=["CL002"])
    assert [f.rule for f in result.findings] == ["CL002"]
    assert "move it before the per-call text" in result.findings[0].fix


def test_small_block_after_the_per_call_text_is_not_reported(tmp_path):
    body = """
def answer(q):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
        messages=[{"role": "user", "content": f"Question: {q}\\n\\nBe brief."}])
"""
    assert rules(tmp_path, body, select=["CL002"]) == []


def test_lists_passed_inside_a_lambda_do_not_break_extraction(tmp_path):
    body = """
def chat():
    history = []
    sender = lambda: client.messages.create(model="claude-sonnet-5-5", max_tokens=500,
        messages=history)
    while True:
        history.append({"role": "user", "content": input()})
        sender()
"""
    result = scan(tmp_path, {"app.py": HEAD + body}, select=["CL003"])
    assert not [d for d in result.diagnostics if "internal error" in d.message]


def test_call_that_returns_a_tool_result_is_not_sized_as_a_tool_call(tmp_path):
    body = (
        POINT
        + """
def locate(text, first, result):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=8192, tools=[POINT],
        tool_choice={"type": "tool", "name": "record_point"},
        messages=[{"role": "user", "content": text},
                  {"role": "assistant", "content": first.content},
                  {"role": "user", "content": [{"type": "tool_result", "content": result}]}])
"""
    )
    assert rules(tmp_path, body, select=["CL001"]) == []
