"""CL005 batch-eligible and CL006 cache-breaker: the cases the issue lists (positive and
negative) beyond the rule files' own examples (which test_rule_examples checks: line, message)."""

from __future__ import annotations

import pytest
from helpers import scan

from costlint.engine import load_rules

RULES = {rule.id: rule for rule in load_rules()}


def _one(tmp_path, rule_id, files):
    result = scan(tmp_path, files, select=[rule_id])
    return [f for f in result.findings if f.rule == rule_id]


JUDGE = """
import anthropic

client = anthropic.Anthropic()


def grade(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=16,
                                  messages=[{"role": "user", "content": text}])
"""


def test_cl005_follows_a_registry_decorator_and_an_executor_two_modules_away(tmp_path):
    files = {
        "lib/__init__.py": "",
        "lib/api.py": (
            "import anthropic\n\nclient = anthropic.Anthropic()\nREGISTRY = {}\n\n\n"
            "def register(kind):\n    def wrap(func):\n        REGISTRY[kind] = func\n"
            "        return func\n    return wrap\n\n\n@register('claude')\n"
            "def complete(text):\n"
            "    return client.messages.create(model='claude-haiku-4-5', max_tokens=16,\n"
            "                                  messages=[{'role': 'user', 'content': text}])\n"
        ),
        "gen_answers.py": (
            "import concurrent.futures\nfrom functools import partial\n\n"
            "from lib.api import REGISTRY\n\n\n"
            "def answer(question, kind):\n    fn = REGISTRY[kind]\n    return fn(question)\n\n\n"
            "if __name__ == '__main__':\n    questions = open('q.txt').read().splitlines()\n"
            "    job = partial(answer, kind='claude')\n"
            "    with concurrent.futures.ThreadPoolExecutor(8) as pool:\n"
            "        futures = [pool.submit(job, q) for q in questions]\n"
        ),
    }
    [finding] = _one(tmp_path, "CL005", files)
    assert finding.path == "lib/api.py"
    assert "loop over `questions` in gen_answers.py:16" in finding.message
    assert '`if __name__ == "__main__"`' in finding.message


def test_cl005_nested_loops_in_another_function_and_a_method(tmp_path):
    files = {
        "judge.py": JUDGE,
        "bench.py": (
            "from judge import grade\n\n\nclass Decoder:\n"
            "    def codegen(self, prompts, samples):\n        out = []\n"
            "        for prompt in prompts:\n            for _ in range(samples):\n"
            "                out.append(grade(prompt))\n        return out\n\n\n"
            "def evaluate(tasks):\n    return Decoder().codegen(tasks, 5)\n"
        ),
    }
    [finding] = _one(tmp_path, "CL005", files)
    assert "loop over `prompts` in bench.py:7" in finding.message


@pytest.mark.parametrize(
    "caller",
    [
        # an interactive bot: one user's request at a time
        "from telegram.ext import Application\nfrom judge import grade\n\n\n"
        "def on_photos(items):\n    return [grade(i) for i in items]\n",
        # a request handler's small fan-out
        "from judge import grade\n\n\ndef handle(request):\n"
        "    return [grade(t) for t in request.json['texts']]\n",
        # per-item moderation
        "from judge import grade\n\n\ndef moderate_all(comments):\n"
        "    return [grade(c) for c in comments]\n",
        # a retry loop, even in a script
        "from judge import grade\n\nif __name__ == '__main__':\n"
        "    for attempt in range(3):\n        grade('x')\n",
        # a live input: a session's messages arrive on a channel while the job runs
        "from judge import grade\n\n\nclass Translator:\n"
        "    async def _run(self):\n        async for text in self._input_ch:\n"
        "            grade(text)\n",
        # ... or from a queue read by a plain for loop
        "from judge import grade\n\n\ndef run_worker(listener):\n"
        "    for message in listener.incoming_queue():\n        grade(message)\n",
        # a loop that is neither in an offline entry nor writes results anywhere
        "from judge import grade\n\n\ndef helper(items):\n    return [grade(i) for i in items]\n",
    ],
)
def test_cl005_never(tmp_path, caller):
    assert _one(tmp_path, "CL005", {"judge.py": JUDGE, "caller.py": caller}) == []


def test_cl005_a_job_over_a_dataset_still_counts_beside_the_live_input_rule(tmp_path):
    caller = (
        "from judge import grade\n\n\nasync def run_eval(rows):\n"
        "    for row in rows:\n        grade(row)\n"
    )
    [finding] = _one(tmp_path, "CL005", {"judge.py": JUDGE, "caller.py": caller})
    assert "loop over `rows` in caller.py:5" in finding.message


def test_cl005_agent_loop_around_a_fan_out_is_not_a_batch(tmp_path):
    files = {
        "judge.py": JUDGE,
        "agent.py": (
            "import anthropic\nfrom judge import grade\n\nclient = anthropic.Anthropic()\n\n\n"
            "def check_files(paths):\n    return [grade(p) for p in paths]\n\n\n"
            "def main(paths):\n    messages = []\n    for step in range(10):\n"
            "        reply = client.messages.create(model='claude-sonnet-5-5', max_tokens=512,\n"
            "                                       messages=messages)\n"
            "        if reply.stop_reason == 'tool_use':\n            check_files(paths)\n"
        ),
    }
    assert [f for f in _one(tmp_path, "CL005", files) if f.path == "judge.py"] == []


def test_cl005_a_multi_step_agent_run_per_task_is_not_a_batch(tmp_path):
    agent = (
        "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
        "def agent_loop(prompt, tools):\n"
        "    messages = [{'role': 'user', 'content': prompt}]\n"
        "    reply = client.messages.create(model='claude-sonnet-5-5', max_tokens=512,\n"
        "                                   tools=tools, messages=messages)\n"
        "    while reply.stop_reason == 'tool_use':\n"
        "        messages.append({'role': 'assistant', 'content': reply.content})\n"
        "        reply = client.messages.create(model='claude-sonnet-5-5', max_tokens=512,\n"
        "                                       tools=tools, messages=messages)\n"
        "    return reply\n\n\n"
        "def run_evaluation(tasks):\n    return [agent_loop(t, []) for t in tasks]\n"
    )
    assert _one(tmp_path, "CL005", {"agent.py": agent}) == []


def test_cl005_a_conversation_kept_by_a_helper_object_is_not_a_batch(tmp_path):
    code = (
        "import anthropic\n\nclient = anthropic.Anthropic()\n\n\n"
        "def simulate(questions, history):\n"
        "    for question in questions:\n"
        "        history.add_turn_user(question)\n"
        "        reply = client.messages.create(model='claude-sonnet-5-5', max_tokens=300,\n"
        "                                       messages=history.get_turns())\n"
        "        history.add_turn_assistant(reply.content[0].text)\n\n\n"
        "if __name__ == '__main__':\n    simulate(['a', 'b'], None)\n"
    )
    assert _one(tmp_path, "CL005", {"chat.py": code}) == []


SEQUENTIAL = {
    "a chain: each step is handed the last one's output": (
        "    current = task\n"
        "    for step in steps:\n"
        "        out = grade(step + current)\n"
        "        if out:\n"
        "            current = out.content[0].text\n"
    ),
    "context accumulated for the next step": (
        "    context = ''\n"
        "    for step in steps:\n"
        "        result = grade(step + context)\n"
        "        context += str(result)\n"
    ),
    "a refinement loop: the first round too": (
        "    draft, notes = '', ''\n"
        "    for round_no in range(1, MAX_ROUNDS + 1):\n"
        "        if round_no == 1:\n"
        "            draft = grade(task)\n"
        "        else:\n"
        "            draft = grade(str(draft) + notes)\n"
        "        review = str(draft)\n"
        "        if review.startswith('ok'):\n"
        "            break\n"
        "        notes = review\n"
    ),
    "a fallback over models: the loop ends at the first success": (
        "    for model in steps:\n"
        "        try:\n"
        "            reply = grade(model + task)\n"
        "            return reply\n"
        "        except RuntimeError:\n"
        "            continue\n"
    ),
    "a latency benchmark: a clock read before and after each request": (
        "    import time\n"
        "    latencies = []\n"
        "    for step in steps:\n"
        "        start = time.perf_counter()\n"
        "        grade(step)\n"
        "        latencies.append(time.perf_counter() - start)\n"
    ),
    "a latency benchmark: both readings named": (
        "    from time import perf_counter\n"
        "    for step in steps:\n"
        "        t0 = perf_counter()\n"
        "        grade(step)\n"
        "        t1 = perf_counter()\n"
        "        print(step, t1 - t0)\n"
    ),
}

INDEPENDENT = {
    "results accumulated beside the request": (
        "    results, total = [], 0\n"
        "    for step in steps:\n"
        "        print(len(results), total)\n"
        "        reply = grade(step)\n"
        "        results.append(reply)\n"
        "        total += len(str(reply))\n"
    ),
    "a counter handed to the request": (
        "    n = 0\n    for step in steps:\n        n += 1\n        grade(f'{n}: {step}')\n"
    ),
    "a result set in if/elif branches and stored by key": (
        "    tags = {}\n"
        "    for step in steps:\n"
        "        prompt = step.strip()\n"
        "        if step.startswith('a'):\n"
        "            out = grade(prompt)\n"
        "        elif step.startswith('b'):\n"
        "            out = grade(prompt.upper())\n"
        "        tags[step] = str(out)\n"
    ),
    "a prompt built first in the same iteration": (
        "    for step in steps:\n"
        "        prompt = step.strip()\n"
        "        if not prompt:\n"
        "            prompt = 'empty'\n"
        "        grade(prompt)\n"
    ),
    "a rate limiter that notes when the last request went": (
        "    import time\n"
        "    last = 0.0\n"
        "    for step in steps:\n"
        "        wait = 1.0 - (time.time() - last)\n"
        "        if wait > 0:\n"
        "            time.sleep(wait)\n"
        "        grade(step)\n"
        "        last = time.time()\n"
    ),
    "a timestamp taken before the request only": (
        "    import time\n"
        "    rows = []\n"
        "    for step in steps:\n"
        "        rows.append((time.time(), grade(step)))\n"
    ),
}


def _job(body):
    return (
        JUDGE
        + "MAX_ROUNDS = 50\n\n\ndef run_all(task, steps):\n"
        + body
        + ("\n\nif __name__ == '__main__':\n    run_all('t', open('steps.txt').read().split())\n")
    )


@pytest.mark.parametrize("body", SEQUENTIAL.values(), ids=SEQUENTIAL.keys())
def test_cl005_requests_that_depend_on_an_earlier_iteration_are_not_a_batch(tmp_path, body):
    assert _one(tmp_path, "CL005", {"job.py": _job(body)}) == []


@pytest.mark.parametrize("body", INDEPENDENT.values(), ids=INDEPENDENT.keys())
def test_cl005_state_beside_independent_requests_is_still_a_batch(tmp_path, body):
    [finding] = _one(tmp_path, "CL005", {"job.py": _job(body)})
    assert "loop over `steps`" in finding.message


CHAT_AGENT = """
import anthropic

client = anthropic.Anthropic()


class Agent:
    def __init__(self):
        self.{kept} = []

    def _summarise(self):
        old = self.{kept}[:-4]
        client.messages.create(model="claude-haiku-4-5", max_tokens=300,
                               messages=[{{"role": "user", "content": str(old)}}])

    def query(self, question):
        self.{kept}.append({{"role": "user", "content": question}})
        if len(self.{kept}) > 10:
            self._summarise()
        return client.messages.create(model="claude-haiku-4-5", max_tokens=300,
                                      messages={sent})


if __name__ == "__main__":
    agent = Agent()
    for question in open("questions.txt").read().splitlines():
        agent.query(question)
"""


def test_cl005_requests_of_a_conversation_object_are_its_turns_not_a_batch(tmp_path):
    code = CHAT_AGENT.format(kept="history", sent="self.history")
    assert _one(tmp_path, "CL005", {"chat.py": code}) == []


def test_cl005_an_object_that_sends_fresh_messages_is_still_a_batch(tmp_path):
    code = CHAT_AGENT.format(kept="notes", sent='[{"role": "user", "content": question}]')
    lines = sorted(f.line for f in _one(tmp_path, "CL005", {"chat.py": code}))
    assert len(lines) == 2  # the summary and the question, both over the questions


def test_cl005_suppressed_on_the_call_line(tmp_path):
    code = (
        RULES["CL005"]
        .examples["flag"][2]
        .code.replace("max_tokens=512,", "max_tokens=512,  # costlint: ignore[CL005]")
    )
    assert _one(tmp_path, "CL005", {"example.py": code}) == []


BREAKER = """
import time
import uuid
from datetime import datetime

import anthropic

client = anthropic.Anthropic()


def ask(question, user):
{prelude}
    return client.messages.create(
        model="claude-sonnet-5-5",
        max_tokens=512,
        system=[{{"type": "text", "text": {text}, "cache_control": {{"type": "ephemeral"}}}}],
        messages=[{{"role": "user", "content": question}}],
    )
"""


@pytest.mark.parametrize(
    ("prelude", "text", "named"),
    [
        ("    stamp = time.time()", 'f"Rules. Now: {stamp}"', "time.time()"),
        ("    rid = uuid.uuid4()", 'f"Rules. Request {rid}"', "uuid.uuid4()"),
        ("    pass", '"Rules at " + datetime.now().strftime("%H:%M")', "strftime"),
    ],
)
def test_cl006_per_call_parts(tmp_path, prelude, text, named):
    code = BREAKER.format(prelude=prelude, text=text)
    [finding] = _one(tmp_path, "CL006", {"app.py": code})
    assert named in finding.message and "sits before the cache breakpoint" in finding.message


@pytest.mark.parametrize(
    ("prelude", "text"),
    [
        ("    day = datetime.now().strftime('%Y-%m-%d')", 'f"Rules. Today: {day}"'),
        ("    pass", 'f"Rules. Today: {datetime.now():%A %d %B %Y}"'),
        ("    rules = open('rules.md').read()", "rules"),
        ("    pass", "user"),
        ("    pass", 'f"Rules for {user}"'),  # no caller in sight: a wrapper's slot
    ],
)
def test_cl006_stable_parts(tmp_path, prelude, text):
    code = BREAKER.format(prelude=prelude, text=text)
    assert _one(tmp_path, "CL006", {"app.py": code}) == []


def test_cl006_without_a_breakpoint_is_not_a_cache_breaker(tmp_path):
    code = BREAKER.format(prelude="    pass", text='f"Now {time.time()}"').replace(
        ', "cache_control": {"type": "ephemeral"}', ""
    )
    assert _one(tmp_path, "CL006", {"app.py": code}) == []


def test_cl006_a_parameter_varies_when_its_caller_passes_a_per_call_value(tmp_path):
    code = BREAKER.format(prelude="    pass", text='f"Rules for {user}"')
    caller = "from app import ask\n\nfor n, q in enumerate(open('q.txt')):\n    ask(q, n)\n"
    [finding] = _one(tmp_path, "CL006", {"app.py": code, "run.py": caller})
    assert "`n` at run.py:4 sits before the cache breakpoint" in finding.message


def test_cl006_a_file_read_per_call_by_the_caller(tmp_path):
    code = BREAKER.format(prelude="    pass", text='f"Rules: {user}"')
    caller = "from app import ask\n\nfor path in paths:\n    ask('q', open(path).read())\n"
    [finding] = _one(tmp_path, "CL006", {"app.py": code, "run.py": caller})
    assert "`open(path).read()` at run.py:4" in finding.message
    assert "file contents read per call" in finding.message


def test_cl006_a_document_shared_by_an_inner_loop_of_chunks_is_per_group(tmp_path):
    code = BREAKER.format(prelude="    pass", text='f"Document: {user}"')
    caller = (
        "from app import ask\n\n\ndef situate(docs):\n    for doc in docs:\n"
        "        for chunk in doc.chunks:\n            ask(chunk, doc.text)\n"
    )
    assert _one(tmp_path, "CL006", {"app.py": code, "run.py": caller}) == []


def test_the_callers_files_are_dependencies_of_the_callee_analysis(tmp_path):
    from helpers import write

    from costlint.config import load_config
    from costlint.discover import discover
    from costlint.extraction import Extractor

    (tmp_path / ".git").mkdir()
    caller = "from judge import grade\n\nif __name__ == '__main__':\n    [grade(x) for x in xs]\n"
    write(tmp_path, {"judge.py": JUDGE, "caller.py": caller, "other.py": "x = 1\n"})
    config = load_config(tmp_path)
    extractor = Extractor(config, tmp_path, use_cache=False)
    [source] = [s for s in discover([], config, tmp_path) if s.rel == "judge.py"]
    for _ in range(2):  # the second answer comes from the graph's memo: same dependencies
        result = extractor.one(source)
        assert result.sites[0].batch is not None
        assert (tmp_path / "caller.py").resolve() in result.dependencies.files
        assert (tmp_path / "other.py").resolve() not in result.dependencies.files


PRICED = """
from datetime import datetime

import anthropic

client = anthropic.Anthropic()
POLICY = "You are the support assistant for Acme. " + "Answer from policy clause. " * 900


def answer(question):
    now = datetime.now().isoformat()
    return client.messages.create(
        model="claude-sonnet-4-5",
        max_tokens=1024,
        system=[{"type": "text", "text": POLICY + f"Now: {now}",
                 "cache_control": {"type": "ephemeral"}}],
        messages=[{"role": "user", "content": question}],
    )


def grade(text):
    return client.messages.create(model="claude-haiku-4-5", max_tokens=16,
                                  messages=[{"role": "user", "content": text}])


if __name__ == "__main__":
    for row in open("rows.txt"):
        grade(row)
"""


def _costs(tmp_path):
    from costlint.price import price_run

    result = scan(tmp_path, {"app.py": PRICED}, select=["CL005", "CL006"])
    costs = price_run(result)
    by_rule = {cost.finding.rule: cost for cost in costs.findings}
    sites = {site.address.rsplit("::", 1)[-1]: site for site in costs.sites}
    return by_rule, sites


def test_cl005_is_priced_at_the_catalog_batch_discount(tmp_path):
    by_rule, sites = _costs(tmp_path)
    cost = by_rule["CL005"]
    assert cost.finding.remedy.kind == "batch"
    assert cost.kind == "saving"
    assert cost.saving == pytest.approx(sites["grade"].now * 0.5)


def test_cl006_now_writes_every_call_and_after_reads_the_stable_part(tmp_path):
    from costlint.price.formulas import (
        PlanChange,
        monthly_cost,
        replace,  # Plan is a NamedTuple
    )
    from costlint.price.run import current_plan, workload

    by_rule, sites = _costs(tmp_path)
    cost = by_rule["CL006"]
    assert cost.finding.remedy.kind == "move-volatile-after-breakpoint"
    assert cost.kind == "saving" and cost.saving > 0
    assert 0 < cost.detail["hit_rate"] < 1
    assert cost.change == PlanChange(cache_broken=False)
    site = sites["answer"]
    plan = current_plan(site.site, cost.finding.site and _model(site))
    assert plan.cache_broken and plan.prefix_cache == "5m"
    work = workload(site.site, site.usage)
    uncached = monthly_cost(work, replace(plan, prefix_cache=None, cache_broken=False))
    assert site.now == pytest.approx(monthly_cost(work, plan))
    assert site.now > uncached  # writing on every call costs more than not caching
    assert site.now - cost.saving < uncached  # reading the stable part costs less


def _model(site_cost):
    from costlint.catalog import load_catalog

    return load_catalog().resolve(site_cost.model)


def test_cl006_suppressed_on_the_call_line(tmp_path):
    code = BREAKER.format(prelude="    stamp = time.time()", text='f"Rules. Now: {stamp}"')
    code = code.replace(
        "client.messages.create(", "client.messages.create(  # costlint: ignore[CL006]"
    )
    assert _one(tmp_path, "CL006", {"app.py": code}) == []
    assert _one(tmp_path, "CL006", {"app.py": code.replace("ignore[CL006]", "ignore[CL005]")})


def test_a_call_that_is_the_loops_iterable_is_not_inside_the_loop(tmp_path):
    """`for chunk in llm.chat(...)` runs the call once (its stream is what is iterated)."""
    code = """
import anthropic
client = anthropic.Anthropic()

def chat(ctx):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=512, messages=ctx)

def evaluate_candidate(summary):
    chunks = []
    for chunk in chat([{"role": "user", "content": summary}]):
        chunks.append(chunk)
    return chunks

if __name__ == "__main__":
    print(evaluate_candidate("..."))
"""
    result = scan(tmp_path, {"job.py": code}, select=["CL005"])
    assert not [f for f in result.findings if f.rule == "CL005"]
