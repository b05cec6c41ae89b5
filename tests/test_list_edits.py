"""A list filled after it is written (``messages = []``, then appends, directly or through a
project helper that appends to the list it is handed) is read with those edits."""

from __future__ import annotations

from helpers import scan

from costlint.site import UNKNOWN

CHAT = """
import anthropic
client = anthropic.Anthropic()

def add_user_message(messages, text):
    messages.append({"role": "user", "content": text})

"""
SEND = 'client.messages.create(model="claude-haiku-5-5", max_tokens=300, messages=messages)'


def messages_at_the_call(tmp_path, caller: str):
    result = scan(tmp_path, {"app.py": CHAT + caller.replace("chat(messages)", SEND)})
    (site,) = result.sites
    return site.args["messages"]


def test_a_helper_that_appends_to_the_list_it_is_handed_fills_it(tmp_path):
    caller = """
messages = []
add_user_message(messages, "Is this ticket about billing? Answer yes or no.")
print(len(messages))
chat(messages)
"""
    assert messages_at_the_call(tmp_path, caller) == [
        {"role": "user", "content": "Is this ticket about billing? Answer yes or no."}
    ]


def test_direct_appends_in_a_function_are_replayed_in_order(tmp_path):
    caller = """
def ask(question):
    messages = [{"role": "user", "content": "Hello"}]
    messages.append({"role": "assistant", "content": "Hi"})
    add_user_message(messages, "Spell 'cat' backwards.")
    return chat(messages)

ask("unused")
"""
    assert messages_at_the_call(tmp_path, caller) == [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi"},
        {"role": "user", "content": "Spell 'cat' backwards."},
    ]


def test_a_list_filled_in_a_loop_it_was_not_made_in_stays_unknown(tmp_path):
    caller = """
def ask(questions):
    messages = []
    for question in questions:
        add_user_message(messages, question)
    return chat(messages)

ask(["a", "b"])
"""
    assert messages_at_the_call(tmp_path, caller) is UNKNOWN


def test_a_list_made_and_filled_once_per_iteration_is_replayed(tmp_path):
    caller = """
for ticket in ["Refund please", "Reset my password"]:
    messages = []
    add_user_message(messages, "Label this ticket: billing or account.")
    chat(messages)
"""
    assert messages_at_the_call(tmp_path, caller) == [
        {"role": "user", "content": "Label this ticket: billing or account."}
    ]


def test_a_helper_that_appends_under_a_branch_makes_the_list_unknown(tmp_path):
    helper = """
def maybe_add(messages, text, loud):
    if loud:
        messages.append({"role": "user", "content": text.upper()})

messages = []
maybe_add(messages, "hello", True)
chat(messages)
"""
    assert messages_at_the_call(tmp_path, helper) is UNKNOWN
