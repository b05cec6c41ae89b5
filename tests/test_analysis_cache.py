"""Files with call sites come from .costlint_cache/ on a repeat run, without their prompt text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import fakeapi
import pytest
from fakeapi import Fault
from helpers import WASTE, scan, write

from costlint import extraction
from costlint.fixes import PrefixCache
from costlint.site import UNKNOWN, Finding, HistoryInfo, PromptSite, Span, Str, TokenCount
from costlint.sitecodec import decode_analysis, decode_finding, encode_analysis, encode_finding

fake_api = fakeapi.fake_api
CANARY = "Zyxwvut canary policy text"
LONG = f"{CANARY}. Refunds are issued within 30 days when the item is unused. " * 120
CLIENT = "import anthropic\nclient = anthropic.Anthropic()\n"
CALL = """
def ask(question):
    return client.messages.create(model="claude-sonnet-5-5", max_tokens=1024, system=SYSTEM,
                                  messages=[{"role": "user", "content": question}])
"""


def cache_text(root: Path) -> str:
    """Everything the cache holds as text, each file entry's body as the JSON it is."""
    parts = []
    for path in (root / ".costlint_cache").rglob("*.json"):
        text = path.read_text()
        parts.append(text)
        if path.parent.name == "files":
            parts.extend(entry["body"] for entry in json.loads(text)["files"].values())
    return "\n".join(parts)


def edit_bodies(root: Path, change) -> None:
    """Apply ``change`` to the parsed body of every file entry (its MAC is left as it was)."""
    for path in (root / ".costlint_cache" / "files").glob("*.json"):
        shard = json.loads(path.read_text())
        for entry in shard["files"].values():
            body = json.loads(entry["body"])
            change(body)
            entry["body"] = json.dumps(body)
        path.write_text(json.dumps(shard))


def findings_json(result) -> list[str]:
    return [json.dumps(f.to_json(), sort_keys=True) for f in result.findings]


class CountingExtractors:
    """Wraps extraction.extractor_for to count the files actually extracted."""

    def __init__(self, monkeypatch):
        self.calls = 0
        original = extraction.extractor_for

        def counted(kind):
            self.calls += 1
            return original(kind)

        monkeypatch.setattr(extraction, "extractor_for", counted)


# -- replaying -------------------------------------------------------------------------------
def test_repeat_run_replays_sites_and_findings_without_extracting(tmp_path, monkeypatch):
    files = {
        "waste.py": WASTE,
        "chat.py": CLIENT
        + "history = []\n"
        + "def turn(text):\n"
        + '    history.append({"role": "user", "content": text})\n'
        + '    return client.messages.create(model="claude-opus-4-1", max_tokens=64000,\n'
        + "                                  messages=history)\n",
    }
    first = scan(tmp_path, files)
    assert {f.rule for f in first.findings} >= {"CL002", "CL003"}
    counting = CountingExtractors(monkeypatch)
    second = scan(tmp_path)
    assert counting.calls == 0
    assert findings_json(second) == findings_json(first)
    assert [s.address for s in second.sites] == [s.address for s in first.sites]
    assert [s.tokens for s in second.sites] == [s.tokens for s in first.sites]
    assert all(f.site in second.sites for f in second.findings)


def test_a_hit_normalises_no_call_text_until_one_is_asked_for(tmp_path, monkeypatch):
    from costlint import fingerprint

    first = scan(tmp_path, {"waste.py": WASTE, "app.py": CLIENT + CALL})
    normalised = []
    original = fingerprint.normalize_call
    monkeypatch.setattr(
        fingerprint, "normalize_call", lambda text: normalised.append(text) or original(text)
    )
    second = scan(tmp_path)
    assert normalised == []  # the fingerprints came with the cached findings
    assert [f.fingerprint for f in second.findings] == [f.fingerprint for f in first.findings]
    site = second.findings[0].site
    assert site.call_text == "" and site.source_lines == {}
    site.load_source()  # what the caret display and a fingerprint at another path ask
    assert normalised
    by_address = {s.address: s for s in first.sites}
    for again in second.sites:  # every site of the file is stamped at once, as extracted
        if again.path == site.path:
            assert again.call_text == by_address[again.address].call_text
            assert again.source_lines == by_address[again.address].source_lines
    moved = second.findings[0]
    assert fingerprint.fingerprint_at(moved, "moved.py") == fingerprint.fingerprint_at(
        first.findings[0], "moved.py"
    )


def test_a_hit_under_another_repository_path_remakes_the_fingerprints(tmp_path, monkeypatch):
    from costlint import fingerprint
    from costlint.config import load_config
    from costlint.pipeline import RunOptions, run

    project = tmp_path / "sub"
    first = scan(project, {"waste.py": WASTE})
    counting = CountingExtractors(monkeypatch)
    options = RunOptions(cwd=project, repo_root=tmp_path)  # the same files, seen from above
    second = run(load_config(project), options)
    assert counting.calls == 0  # a cache hit
    assert {f.repo_path for f in second.findings} == {"sub/waste.py"}
    assert [f.fingerprint for f in second.findings] == [
        fingerprint.fingerprint_at(f, "sub/waste.py") for f in first.findings
    ]
    assert second.findings[0].fingerprint != first.findings[0].fingerprint


@pytest.mark.slow
def test_report_and_sarif_identical_after_replay(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"waste.py": WASTE, "app.py": CLIENT + "SYSTEM = 'Answer yes or no.'\n" + CALL})

    def costlint(*args: str) -> str:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
        done = subprocess.run(
            [sys.executable, "-m", "costlint.cli", *args],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert done.returncode in (0, 1), done.stderr
        return done.stdout

    cases = [("report", "json"), ("check", "sarif")]
    fresh = [costlint(cmd, "--no-cache", "--format", f) for cmd, f in cases]
    first = [costlint(cmd, "--format", f) for cmd, f in cases]
    assert any(p.name.endswith(".json") for p in (tmp_path / ".costlint_cache").rglob("*"))
    second = [costlint(cmd, "--format", f) for cmd, f in cases]
    assert fresh == first == second
    assert json.loads(second[0])["cost"]["call_sites"]


def test_cache_holds_no_prompt_text_from_any_front_end(tmp_path):
    files = {
        "inline.py": CLIENT + f"SYSTEM = {LONG!r}\n" + CALL,
        "fstring.py": CLIENT + "def ask(name, q):\n"
        f"    system = f'{CANARY} for {{name}}. ' + {LONG!r}\n"
        "    return client.messages.create(model='claude-sonnet-5-5', max_tokens=100,\n"
        "        system=[{'type': 'text', 'text': system, 'cache_control': {'type': 'ephemeral', 'ttl': '1h'}}],\n"  # noqa: E501
        "        messages=[{'role': 'user', 'content': q}])\n",
        "prompts/support.j2": LONG + "{% for turn in history %}{{ turn }}{% endfor %}\n",
        "config/bot.prompt.yaml": "model: claude-opus-4-1\nmax_tokens: 32000\n"
        f"system: {json.dumps(LONG)}\n",
    }
    result = scan(tmp_path, files)
    assert len(result.sites) >= 3 and result.findings
    text = cache_text(tmp_path)
    assert '"analysis"' in text
    assert "Zyxwvut" not in text and "Refunds" not in text
    assert '"1h"' in text  # cache settings are not prompt text, and pricing reads them


# -- invalidation ----------------------------------------------------------------------------
def test_changed_imported_prompt_invalidates_the_caller(tmp_path):
    files = {"app.py": CLIENT + "from prompts import SYSTEM\n" + CALL}
    short = scan(tmp_path, {**files, "prompts.py": "SYSTEM = 'Be brief.'\n"})
    assert "CL002" not in {f.rule for f in short.findings}
    long = scan(tmp_path, {"prompts.py": f"SYSTEM = {LONG!r}\n"})
    assert "CL002" in {f.rule for f in long.findings}


def test_module_created_where_an_import_was_missing_invalidates(tmp_path):
    files = {"app.py": CLIENT + "from prompts import SYSTEM\n" + CALL}
    missing = scan(tmp_path, files)
    assert missing.sites[0].args["system"] is UNKNOWN
    created = scan(tmp_path, {"prompts.py": f"SYSTEM = {LONG!r}\n"})
    assert "CL002" in {f.rule for f in created.findings}


def test_template_change_reaches_every_caller_of_a_jinja_cached_template(tmp_path):
    render = (
        "from jinja2 import Environment, FileSystemLoader\n"
        'env = Environment(loader=FileSystemLoader("prompts"))\n'
        'SYSTEM = env.get_template("support.j2").render(company="{company}")\n'
    )
    files = {name: CLIENT + render + CALL for name in ("a.py", "b.py")}
    short = scan(tmp_path, {**files, "prompts/support.j2": "Be brief for {{ company }}.\n"})
    assert "CL002" not in {f.rule for f in short.findings}
    long = scan(tmp_path, {"prompts/support.j2": LONG + "{{ company }}\n"})
    assert sorted(f.path for f in long.findings if f.rule == "CL002") == ["a.py", "b.py"]


def test_other_rule_selection_or_options_do_not_reuse_findings(tmp_path, monkeypatch):
    yes_no = CALL.replace("claude-sonnet-5-5", "claude-haiku-5-5").replace("1024", "64000")
    files = {"app.py": CLIENT + "SYSTEM = 'Answer yes or no.'\n" + yes_no, "waste.py": WASTE}
    only = scan(tmp_path, files, select=["CL002"])
    assert {f.rule for f in only.findings} == {"CL002"}
    every = scan(tmp_path)
    assert {"CL001", "CL002"} <= {f.rule for f in every.findings}
    write(tmp_path, {"pyproject.toml": "[tool.costlint.rules.CL002]\nmin_tokens = 100000\n"})
    counting = CountingExtractors(monkeypatch)
    raised = scan(tmp_path)
    assert counting.calls >= 2
    assert "CL002" not in {f.rule for f in raised.findings}


def test_damaged_entry_or_shard_is_extracted_again(tmp_path):
    first = scan(tmp_path, {"waste.py": WASTE, "plain.py": "X = 1\n"})
    shards = list((tmp_path / ".costlint_cache" / "files").glob("*.json"))
    damaged = []

    def damage(body):
        if "analysis" in body:
            body["analysis"]["sites"][0]["args"] = "not a list of pairs"
            damaged.append(True)

    edit_bodies(tmp_path, damage)
    assert len(damaged) == 1
    assert findings_json(scan(tmp_path)) == findings_json(first)
    for path in shards:
        path.write_text('{"format": [[[')
    assert findings_json(scan(tmp_path)) == findings_json(first)


@pytest.mark.slow
def test_cache_is_a_few_shard_files_with_one_entry_per_path(tmp_path):
    files = {f"pkg/m{i}.py": f"X = {i}\n" for i in range(300)}
    scan(tmp_path, {**files, "waste.py": WASTE})
    scan(tmp_path, {"pkg/m0.py": "X = 'edited'\n"})
    shards = list((tmp_path / ".costlint_cache" / "files").rglob("*.json"))
    assert 0 < len(shards) <= 64
    entries = [p for s in shards for p in json.loads(s.read_text())["files"]]
    assert sorted(entries) == sorted([*files, "waste.py"])  # the edit replaced m0's entry


# -- token counts from the API ---------------------------------------------------------------
def _cli(root: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    return subprocess.run(
        [sys.executable, "-m", "costlint.cli", *args],
        cwd=root, env={**full, **env}, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


@pytest.mark.slow
def test_api_counts_are_replayed_as_cache_and_fallbacks_are_not_kept(tmp_path, fake_api):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"waste.py": WASTE})
    fake_api.always = Fault.server_error()
    down = _cli(tmp_path, fake_api.env(), "check", "--tokens", "api", "--format", "json")
    assert json.loads(down.stdout)["findings"][0]["tokens"]["source"] == "estimate"
    assert '"analysis"' not in cache_text(tmp_path)  # estimates after a failure: not kept
    fake_api.always = None
    up = _cli(tmp_path, fake_api.env(), "check", "--tokens", "api", "--format", "json")
    assert json.loads(up.stdout)["findings"][0]["tokens"]["source"] == "api", up.stderr
    sent = len(fake_api.count_requests)
    again = _cli(tmp_path, fake_api.env(), "check", "--tokens", "api", "--format", "json")
    assert json.loads(again.stdout)["findings"][0]["tokens"]["source"] == "cache"
    assert len(fake_api.count_requests) == sent
    offline = _cli(tmp_path, {}, "check", "--tokens", "estimate", "--format", "json")
    assert json.loads(offline.stdout)["findings"][0]["tokens"]["source"] == "estimate"


@pytest.mark.slow
def test_api_mode_without_a_key_fails_on_every_run(tmp_path):
    (tmp_path / ".git").mkdir()
    write(tmp_path, {"waste.py": WASTE})
    assert _cli(tmp_path, {}, "check", "--tokens", "estimate").returncode == 1  # fills the cache
    for _ in range(2):
        done = _cli(tmp_path, {}, "check", "--tokens", "api")
        assert done.returncode == 2
        assert "ANTHROPIC_API_KEY" in done.stderr


# -- the codec -------------------------------------------------------------------------------
def _site() -> PromptSite:
    return PromptSite(
        path="app.py",
        span=Span(3, 5, 6, 10),
        kind="messages.create",
        qualname="Bot.ask",
        ordinal=1,
        args={
            "model": "claude-sonnet-5-5",
            "max_tokens": 512,
            "temperature": 0.2,
            "system": [
                {"type": "text", "text": Str(CANARY), "cache_control": {"type": "ephemeral"}},
                {"type": "text", "text": Str(CANARY + " {user}", 1, len(CANARY) + 1)},
            ],
            "messages": UNKNOWN,
            "metadata": {CANARY: "value"},
        },
        arg_spans={"model": Span(4, 9)},
        client_timeout=False,
        repeated=True,
        history=HistoryInfo(growing=True, whole=True, variable="self.history", turn_bound=3),
        ignore=frozenset({"CL004"}),
        notes=[CANARY],
        tokens={"input": TokenCount(1800, "api"), "prefix": TokenCount(1700, "estimate")},
    )


def test_codec_keeps_structure_and_settings_and_drops_text():
    site = _site()
    finding = Finding("CL002", "uncached-long-prompt", "warning", "app.py", 3, 5, "msg", site=site)
    finding.tokens, finding.remedy = site.tokens["prefix"], PrefixCache(("system",))
    encoded = encode_analysis("app.py", [site], [finding])
    assert CANARY not in json.dumps(encoded)
    [back], [again] = decode_analysis(json.loads(json.dumps(encoded)), "app.py")
    assert back.address == site.address and back.span == site.span
    assert back.args["model"] == "claude-sonnet-5-5" and back.args["max_tokens"] == 512
    system = back.args["system"]
    assert system[0]["cache_control"] == {"type": "ephemeral"}
    assert system[0]["text"] == "" and system[1]["text"].holes == 1
    assert back.args["messages"] is UNKNOWN
    assert list(back.args["metadata"].values()) == [""]  # a key that is text is dropped too
    assert back.history == site.history and back.ignore == site.ignore
    assert back.tokens["input"] == TokenCount(1800, "cache")  # counted by the API last run
    assert back.tokens["prefix"] == TokenCount(1700, "estimate")
    assert again.site is back and again.rule == "CL002" and again.remedy == finding.remedy
    assert again.tokens == TokenCount(1700, "estimate")


# -- a forged or damaged cache is untrusted input ------------------------------------------
def _forge(root: Path, change) -> None:
    edit_bodies(root, lambda body: change(body["analysis"]) if "analysis" in body else None)


FORGERIES = {
    "cell is text": lambda a: a["sites"][0].update(cell="x"),
    "span of text": lambda a: a["sites"][0].update(span=["a", 1, None, None]),
    "site of another file": lambda a: a["sites"][0].update(path="other.py"),
    "unknown count source": lambda a: a["sites"][0]["tokens"].update(input=[5, "forged"]),
    "negative count": lambda a: a["sites"][0]["tokens"].update(input=[-5, "estimate"]),
    "history field": lambda a: a["sites"][0].update(history={"growing": "yes"}),
    "finding of no site": lambda a: a["findings"][0].update(site=99),
    "unknown severity": lambda a: a["findings"][0].update(severity="fatal"),
    "line is a float": lambda a: a["findings"][0].update(line=2.5),
    "value of two kinds": lambda a: a["sites"][0]["args"][0].__setitem__(1, {"s": "x", "u": 1}),
    "deep nesting": lambda a: a["sites"][0]["args"].append(["deep", _nested(200)]),
}


def _nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


def test_forged_entries_are_refused_and_the_file_read_again(tmp_path):
    first = scan(tmp_path, {"waste.py": WASTE})
    expected = findings_json(first)
    for name, change in FORGERIES.items():
        scan(tmp_path)  # a good entry again
        _forge(tmp_path, change)
        assert findings_json(scan(tmp_path)) == expected, name


SWITCH = {"kind": "model-switch", "suggested_model": "m", "task": "", "price_ratio": None}
CAP = {"kind": "output-cap", "suggested_max_tokens": 64, "max_tokens": 4096, "answer": ""}
FORGED_REMEDIES = {
    "kind unknown": {"kind": "free-money"},
    "kind not text": {"kind": ["model-switch"]},
    "model not text": {**SWITCH, "suggested_model": 5},
    "ratio infinite": {**SWITCH, "price_ratio": float("inf")},
    "ratio a flag": {**SWITCH, "price_ratio": True},
    "cap is text": {**CAP, "suggested_max_tokens": "x"},
    "cap negative": {**CAP, "suggested_max_tokens": -1},
    "field missing": {"kind": "history-cache"},
    "field unknown": {"kind": "batch", "discount": 0.9},
    "parts not text": {"kind": "prefix-cache", "prefix_parts": [1]},
    "not an object": "prefix-cache",
}


@pytest.mark.parametrize("name", sorted(FORGED_REMEDIES))
def test_forged_remedies_are_refused(name):
    finding = Finding("CL002", "n", "warning", "app.py", 1, 1, "m", site=_site())
    encoded = encode_finding(finding, 0)
    decode_finding(encoded, [_site()])  # the real entry reads back
    encoded["remedy"] = FORGED_REMEDIES[name]
    with pytest.raises(ValueError):
        decode_finding(encoded, [_site()])


@pytest.mark.slow
def test_forged_finding_remedy_is_refused_and_the_file_read_again(tmp_path):
    write(tmp_path, {"waste.py": WASTE})
    forged = []

    def change(analysis):
        analysis["findings"][0]["remedy"] = {"kind": "model-switch", "suggested_model": 5}
        forged.append(True)

    for command, exit_code in (("check", 1), ("report", 0)):
        first = _cli(tmp_path, {}, command, "--format", "json")  # writes the cache
        _forge(tmp_path, change)
        done = _cli(tmp_path, {}, command, "--format", "json")
        assert done.returncode == first.returncode == exit_code, done.stderr
        assert done.stdout == first.stdout and json.loads(done.stdout)["findings"]
    assert forged


def test_forged_diagnostics_of_a_file_without_calls_are_refused(tmp_path):
    first = scan(tmp_path, {"broken.py": "def (:\n"})
    assert first.diagnostics
    edit_bodies(
        tmp_path, lambda body: body.update(diagnostics=[{"path": "broken.py", "message": 5}])
    )
    assert scan(tmp_path).diagnostics == first.diagnostics


def test_a_prompt_file_added_under_a_promptfoo_glob_is_seen(tmp_path):
    config = (
        "prompts:\n  - file://prompts/*.txt\n"
        "providers:\n  - id: anthropic:messages:claude-opus-5-5\n"
        "    config:\n      max_tokens: 1000\n"
    )
    files = {"evals/promptfooconfig.yaml": config, "evals/prompts/a.txt": "Be brief.\n"}
    before = scan(tmp_path, files)
    after = scan(tmp_path, {"evals/prompts/b.txt": "Answer yes or no: is it spam?\n"})
    assert len(after.sites) == len(before.sites) + 1
