"""CL003 on histories kept outside the function that sends them (issue 14, item 3):
a chat class's attribute handed to a client wrapper in another module, a caller loop that
grows a local list, a conversation object converted to messages by a provider adapter."""

from __future__ import annotations

from helpers import scan

CLIENT = """
import anthropic


class Client:
    def __init__(self, model):
        self.model = model
        self.api = anthropic.Anthropic()

    def __call__(self, msgs, sp="", maxtok=1024):
        msgs, extra = self._prepare(msgs, sp)
        return self.api.messages.create(model=self.model, max_tokens=maxtok, messages=msgs, **extra)

    def send(self, msgs, maxtok=1024):
        return self.api.messages.create(model=self.model, max_tokens=maxtok, messages=msgs)

    def _prepare(self, msgs, sp):
        return list(msgs), {"system": sp}
"""

CHAT = """
from .client import Client


class Chat:
    def __init__(self, model):
        self.client = Client(model)
        self.turns = []

    def __call__(self, prompt):
        self.turns.append({{"role": "user", "content": prompt}})
        reply = {send}
        self.turns.append({{"role": "assistant", "content": reply.content}})
        return reply
"""


def cl003(tmp_path, files):
    result = scan(tmp_path, files, select=["CL003"])
    return [(f.path, f.line, f.message) for f in result.findings]


def chat_files(send):
    return {"pkg/__init__.py": "", "pkg/client.py": CLIENT, "pkg/chat.py": CHAT.format(send=send)}


def test_chat_class_history_sent_through_the_wrappers_call_is_flagged(tmp_path):
    found = cl003(tmp_path, chat_files("self.client(self.turns)"))
    assert [(path, line) for path, line, _ in found] == [("pkg/client.py", 12)]
    assert "`self.turns` grows every turn" in found[0][2]


def test_chat_class_history_sent_through_a_wrapper_method_is_flagged(tmp_path):
    found = cl003(tmp_path, chat_files("self.client.send(self.turns)"))
    assert [(path, line) for path, line, _ in found] == [("pkg/client.py", 15)]


def test_chat_class_sending_a_window_is_not_flagged(tmp_path):
    assert cl003(tmp_path, chat_files("self.client(self.turns[-6:])")) == []


def test_chat_class_sending_only_the_new_turn_is_not_flagged(tmp_path):
    send = 'self.client([{"role": "user", "content": prompt}])'
    assert cl003(tmp_path, chat_files(send)) == []


LOOP_CALLER = """
from .client import Client

client = Client("claude-sonnet-5-5")


def main():
    history = []
    while True:
        history.append({"role": "user", "content": input("> ")})
        reply = client.send(history)
        history.append({"role": "assistant", "content": reply.content})
"""


def test_caller_loop_growing_a_local_list_is_flagged(tmp_path):
    files = {"pkg/__init__.py": "", "pkg/client.py": CLIENT, "pkg/main.py": LOOP_CALLER}
    found = cl003(tmp_path, files)
    assert [(path, line) for path, line, _ in found] == [("pkg/client.py", 15)]


def test_caller_making_a_fresh_list_each_call_is_not_flagged(tmp_path):
    caller = LOOP_CALLER.replace("reply = client.send(history)", "reply = client.send([])")
    files = {"pkg/__init__.py": "", "pkg/client.py": CLIENT, "pkg/main.py": caller}
    assert cl003(tmp_path, files) == []


ADAPTER = """
import anthropic
from framework import ChatContext


class ProviderLLM:
    def __init__(self):
        self.client = anthropic.AsyncAnthropic()

    async def chat(self, *, chat_ctx: ChatContext, max_tokens: int = 1024):
        converted, system = chat_ctx.to_provider_format("anthropic")
        messages = list(converted)
        return await self.client.messages.create(
            model="claude-sonnet-5-5", max_tokens=max_tokens, system=system, messages=messages
        )
"""


def test_conversation_object_converted_by_a_provider_adapter_is_flagged(tmp_path):
    found = cl003(tmp_path, {"adapter.py": ADAPTER})
    assert [(path, line) for path, line, _ in found] == [("adapter.py", 13)]
    assert "`chat_ctx`" in found[0][2]


def test_adapter_whose_callers_in_its_module_pass_a_window_is_not_flagged(tmp_path):
    caller = """

llm = ProviderLLM()


async def turn(ctx):
    return await llm.chat(chat_ctx=ctx[-4:])
"""
    assert cl003(tmp_path, {"adapter.py": ADAPTER + caller}) == []


def test_a_prompt_parameter_put_in_a_fresh_list_is_not_a_history(tmp_path):
    body = """
import anthropic
client = anthropic.Anthropic()


def ask(history: str):
    messages = [{"role": "user", "content": history}]
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=300, messages=messages)
"""
    assert cl003(tmp_path, {"app.py": body}) == []


def test_patched_method_sees_the_client_of_the_class_it_is_attached_to(tmp_path):
    body = """
import anthropic
from fastcore.basics import patch


class Client:
    def __init__(self, model):
        self.model = model
        self.c = anthropic.Anthropic()


@patch
def __call__(self: Client, msgs, maxtok=1024, **kwargs):
    m = self.c.messages
    f = m.create
    return f(model=self.model, messages=msgs, max_tokens=maxtok, **kwargs)


class Chat:
    def __init__(self, model):
        self.c = Client(model)
        self.h = []

    def __call__(self, pr):
        self.h.append({"role": "user", "content": pr})
        res = self.c(self.h)
        self.h += [{"role": "assistant", "content": res.content}]
        return res
"""
    found = cl003(tmp_path, {"lib.py": body})
    assert [(path, line) for path, line, _ in found] == [("lib.py", 16)]


# -- the minimum cacheable length (item 2) --------------------------------------------------------

BOUNDED_LOOP = """
import anthropic
client = anthropic.Anthropic()


def label(items):
    messages = [{{"role": "user", "content": "Label each item I send as spam or ham."}}]
    for _ in range(8):
        messages.append({{"role": "user", "content": input()}})
        reply = client.messages.create(model="{model}", max_tokens={max_tokens},
            messages=messages)
        messages.append({{"role": "assistant", "content": reply.content}})
"""


def test_history_that_stays_under_the_minimum_cacheable_length_is_not_flagged(tmp_path):
    # 8 turns x (200 new + 20 reply) + a short first message stays under Haiku 4.5's 4,096.
    body = BOUNDED_LOOP.format(model="claude-haiku-4-5-20251001", max_tokens=20)
    assert cl003(tmp_path, {"app.py": body}) == []


def test_same_loop_with_long_replies_reaches_the_minimum_and_is_flagged(tmp_path):
    body = BOUNDED_LOOP.format(model="claude-haiku-4-5-20251001", max_tokens=1024)
    assert [line for _, line, _ in cl003(tmp_path, {"app.py": body})] == [10]


def test_open_ended_chat_is_flagged_whatever_its_first_message(tmp_path):
    body = """
import anthropic
client = anthropic.Anthropic()


def chat():
    history = []
    while True:
        history.append({"role": "user", "content": input()})
        reply = client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=1024,
            messages=history)
        history.append({"role": "assistant", "content": reply.content})
"""
    assert [line for _, line, _ in cl003(tmp_path, {"app.py": body})] == [10]


# -- tool loops inside one task ----------------------------------------------------------------

TOOL_LOOP = """
import anthropic
client = anthropic.Anthropic()
WEATHER = {{"name": "weather", "description": "Weather for a city.",
           "input_schema": {{"type": "object", "properties": {{"city": {{"type": "string"}}}}}}}}


def run({params}):
    messages = [{{"role": "user", "content": {task}}}]
    response = None
    while response is None or response.stop_reason == "tool_use":
        response = client.messages.create(model="claude-sonnet-4-6", max_tokens=4000,
            tools={tools}, messages=messages)
        messages.append({{"role": "assistant", "content": response.content}})
        result = {{"type": "tool_result", "content": "72F"}}
        messages.append({{"role": "user", "content": [result]}})
"""


def test_open_ended_tool_loop_with_a_small_prompt_seen_whole_is_not_flagged(tmp_path):
    body = TOOL_LOOP.format(params="", task='"Weather in London?"', tools="[WEATHER]")
    assert cl003(tmp_path, {"app.py": body}) == []


def test_open_ended_tool_loop_with_tools_passed_in_is_flagged(tmp_path):
    body = TOOL_LOOP.format(params="tools", task='"Weather in London?"', tools="tools")
    assert [line for _, line, _ in cl003(tmp_path, {"app.py": body})] == [12]


def test_open_ended_tool_loop_on_a_task_passed_in_is_flagged(tmp_path):
    body = TOOL_LOOP.format(params="task", task="task", tools="[WEATHER]")
    assert [line for _, line, _ in cl003(tmp_path, {"app.py": body})] == [12]


def test_tool_loop_re_sending_a_long_system_prompt_is_flagged(tmp_path):
    body = TOOL_LOOP.format(params="", task='"Weather in London?"', tools="[WEATHER]")
    body = body.replace("tools=[WEATHER],", "tools=[WEATHER], system=MANUAL,")
    body = body.replace(
        "WEATHER = {", 'MANUAL = "Always answer in Celsius. " * 400\nWEATHER = {', 1
    )
    assert [line for _, line, _ in cl003(tmp_path, {"app.py": body})] == [13]


def test_top_level_sequence_of_explicit_calls_is_not_a_conversation(tmp_path):
    body = """
import anthropic
client = anthropic.Anthropic()


def ask(messages):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=1000, messages=messages)


MESSAGES = [{"role": "user", "content": "Weather and time in Paris?"}]
response = ask(MESSAGES)
MESSAGES.append({"role": "assistant", "content": response.content})
MESSAGES.append({"role": "user", "content": "and in Rome?"})
response = ask(MESSAGES)
"""
    assert cl003(tmp_path, {"app.py": body}) == []


def test_script_chat_with_a_tool_loop_inside_each_turn_is_read(tmp_path):
    # Two unbounded loops (the chat and the tool rounds of each turn) both enclose the call
    # and the appends. Reading this once stopped the file with a TypeError (comparing two
    # unknown loop bounds); each turn starts a fresh list, so the file is read and not flagged.
    body = """
import anthropic
client = anthropic.Anthropic()

while True:
    question = input()
    history = [{"role": "user", "content": question}]
    while True:
        reply = client.messages.create(model="claude-sonnet-4-6", max_tokens=1024,
            messages=history)
        history.append({"role": "assistant", "content": reply.content})
        if reply.stop_reason != "tool_use":
            break
        history.append({"role": "user", "content": [{"type": "tool_result"}]})
"""
    result = scan(tmp_path, {"app.py": body}, select=["CL003"])
    assert result.diagnostics == []
    assert len(result.sites) == 1


# -- tool loops that stop on the blocks, not on stop_reason ----------------------------------------

FLAG_TOOL_LOOP = """
import anthropic
client = anthropic.Anthropic()
CLOCK = {"name": "clock", "description": "The time now.",
         "input_schema": {"type": "object", "properties": {}}}
history = [{"role": "user", "content": "What time is it in Lisbon?"}]

while True:
    reply = client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=1024,
        tools=[CLOCK], messages=history)
    history.append({"role": "assistant", "content": reply.content})
    answers = []
    for block in reply.content:
        if block.type == "tool_use":
            answers.append({"type": "tool_result", "tool_use_id": block.id, "content": "9:00"})
    if answers:
        history.append({"role": "user", "content": answers})
    else:
        break
"""


def test_tool_loop_stopping_when_no_tool_use_block_comes_back_is_a_small_tool_loop(tmp_path):
    assert cl003(tmp_path, {"app.py": FLAG_TOOL_LOOP}) == []


KEPT_CHAT = """
import anthropic
client = anthropic.Anthropic()
CLOCK = {"name": "clock", "description": "The time now.",
         "input_schema": {"type": "object", "properties": {}}}
history = []

while True:
    history.append({"role": "user", "content": input()})
    while True:
        reply = client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=1024,
            tools=[CLOCK], messages=history)
        history.append({"role": "assistant", "content": reply.content})
        answers = []
        for block in reply.content:
            if block.type == "tool_use":
                answers.append({"type": "tool_result", "content": "9:00"})
        if answers:
            history.append({"role": "user", "content": answers})
        else:
            break
"""


def test_the_same_tool_loop_inside_a_chat_that_keeps_the_history_is_flagged(tmp_path):
    body = KEPT_CHAT
    assert [line for _, line, _ in cl003(tmp_path, {"app.py": body})] == [11]


def test_tool_calls_answered_while_reading_one_responses_blocks_are_not_a_conversation(tmp_path):
    body = """
import anthropic
client = anthropic.Anthropic()
CLOCK = {"name": "clock", "description": "The time now.",
         "input_schema": {"type": "object", "properties": {}}}
history = [{"role": "user", "content": "What time is it in Lisbon?"}]
reply = client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=1024,
    tools=[CLOCK], messages=history)
history.append({"role": "assistant", "content": reply.content})
for block in reply.content:
    if block.type == "tool_use":
        history.append({"role": "user", "content": [{"type": "tool_result", "content": "9:00"}]})
        reply = client.messages.create(model="claude-haiku-4-5-20251001", max_tokens=1024,
            tools=[CLOCK], messages=history)
"""
    assert cl003(tmp_path, {"app.py": body}) == []


TYPED_QUESTION_LOOP = KEPT_CHAT.replace("history = []\n\n", "").replace(
    'history.append({"role": "user", "content": input()})',
    'question = input("You: ").strip()\n    history = [{"role": "user", "content": question}]',
)


def test_a_chat_that_starts_the_list_afresh_each_question_runs_only_a_small_tool_loop(tmp_path):
    """The outer loop rebinds `messages` to a new list per typed question, so nothing is kept
    across questions; the inner tool loop works on one line typed at the terminal."""
    assert cl003(tmp_path, {"app.py": TYPED_QUESTION_LOOP}) == []


def test_a_tool_loop_on_a_value_not_typed_at_the_terminal_is_still_flagged(tmp_path):
    """Only a line typed at input() counts as short: text read from elsewhere may be large."""
    body = TYPED_QUESTION_LOOP.replace('input("You: ").strip()', "fetch_ticket()")
    assert [line for _, line, _ in cl003(tmp_path, {"app.py": body})] == [10]
