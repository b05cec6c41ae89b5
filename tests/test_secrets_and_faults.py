"""The API key never leaks; each API fault ends in estimates, one warning, the usual exit."""

from __future__ import annotations

import json
import os
import socket
import ssl
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import fakeapi
import pytest
from fakeapi import Fault
from helpers import WASTE, write

pytestmark = pytest.mark.slow  # see README: the fast test subset

fake_api = fakeapi.fake_api
SECRET = "sk-ant-api03-COSTLINT-CANARY-KEY-7f3a9c"
FORMATS = ("text", "json", "markdown", "sarif", "github")


def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    write(tmp_path, {"app.py": WASTE})
    return tmp_path


def costlint(cwd: Path, env: dict[str, str], *args: str, timeout: float = 60):
    full = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "GITHUB_"))}
    full.update(env)
    return subprocess.run(
        [sys.executable, "-m", "costlint.cli", *args],
        cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip


def everything_written(root: Path, *procs) -> str:
    texts = [p.stdout + p.stderr for p in procs]
    for path in root.rglob("*"):
        if path.is_file():
            texts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(texts)


def test_key_never_appears_in_any_format_output_cache_or_summary(tmp_path):
    with fakeapi.FakeAPI(key=SECRET) as api:
        _check_no_leak(tmp_path, api)


def _check_no_leak(tmp_path, fake_api):
    root = project(tmp_path)
    summary = root / "step-summary.md"
    env = {**fake_api.env(SECRET), "GITHUB_STEP_SUMMARY": str(summary)}
    fake_api.always = Fault.unauthorized()  # a 401 whose message could echo the key
    procs = []
    for command in ("check", "report"):
        for fmt in FORMATS:
            out = root / f"out-{command}.{fmt}"
            proc = costlint(
                root, env, command, "--tokens", "api", "--format", fmt, "--output-file", str(out)
            )
            assert proc.returncode in (0, 1), proc.stderr
            procs.append(proc)
    fake_api.always = None
    ok = costlint(root, env, "check", "--tokens", "api", "--format", "json")
    procs.append(ok)
    assert json.loads(ok.stdout)["findings"][0]["tokens"]["source"] == "api"
    assert (root / ".costlint_cache").is_dir()
    assert SECRET not in everything_written(root, *procs)
    cache = root / ".costlint_cache"
    for path in (cache / "counts").rglob("*.json"):
        assert set(json.loads(path.read_text())) <= {"input_tokens", "model", "mac"}  # counts only
    shards = list((cache / "files").rglob("*.json"))
    assert shards  # app.py's analysis: its counts and findings
    for path in shards:
        text = path.read_text()
        for entry in json.loads(text)["files"].values():
            assert set(entry) == {"key", "body", "mac"}
            assert set(json.loads(entry["body"])) <= {"deps", "diagnostics", "analysis"}
        assert "Refunds" not in text and "unused" not in text  # no prompt text


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _PlainHTTP(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def plain_http_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PlainHTTP)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()


def _healthy_seconds(root: Path, api: fakeapi.FakeAPI) -> float:
    """How long the same check takes right now against an API that answers: the yardstick for the
    fault runs, so a loaded machine does not fail them (only the time the fault adds is bounded)."""
    started = time.monotonic()
    proc = costlint(root, api.env(), "check", "--tokens", "api", "--no-cache", "--format", "json")
    assert json.loads(proc.stdout)["findings"][0]["tokens"]["source"] == "api", proc.stderr
    return time.monotonic() - started


def _assert_fell_back(proc, started: float, budget: float, healthy: float) -> None:
    assert proc.returncode == 1, proc.stderr  # findings: the fault does not change the exit code
    finding = json.loads(proc.stdout)["findings"][0]
    assert finding["tokens"]["source"] == "estimate"
    warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1, proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    assert time.monotonic() - started - healthy < budget + 10  # the fault costs at most the budget


@pytest.mark.parametrize(
    "base_url",
    [
        pytest.param("refused", id="connection-refused"),
        pytest.param("http://costlint-no-such-host.invalid", id="dns-failure"),
        pytest.param("tls", id="tls-error"),
    ],
)
def test_network_faults(tmp_path, base_url, plain_http_server):
    root = project(tmp_path)
    if base_url == "refused":
        base_url = f"http://127.0.0.1:{_closed_port()}"
    elif base_url == "tls":
        base_url = f"https://127.0.0.1:{plain_http_server}"  # TLS handshake against plain HTTP
    env = {"ANTHROPIC_API_KEY": SECRET, "ANTHROPIC_BASE_URL": base_url}
    (root / "pyproject.toml").write_text("[tool.costlint]\napi-time-budget = 5\n")
    with fakeapi.FakeAPI(key=SECRET) as answering:
        healthy = _healthy_seconds(root, answering)
    started = time.monotonic()
    proc = costlint(root, env, "check", "--tokens", "api", "--no-cache", "--format", "json")
    _assert_fell_back(proc, started, 5, healthy)


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(Fault.unauthorized(), id="401"),
        pytest.param(Fault.forbidden(), id="403"),
        pytest.param(Fault.rate_limited(retry_after=None), id="429-no-retry-after"),
        pytest.param(Fault.spend_limit(), id="429-spend-limit"),
        pytest.param(Fault.overloaded(), id="529"),
        pytest.param(Fault.server_error(), id="500"),
        pytest.param(Fault.malformed_json(), id="200-malformed"),
        pytest.param(Fault.slow(30), id="timeout"),
    ],
)
def test_api_faults(tmp_path, fake_api, fault):
    root = project(tmp_path)
    (root / "pyproject.toml").write_text("[tool.costlint]\napi-time-budget = 4\n")
    healthy = _healthy_seconds(root, fake_api)
    fake_api.always = fault
    started = time.monotonic()
    proc = costlint(
        root, fake_api.env(SECRET), "check", "--tokens", "api", "--no-cache", "--format", "json"
    )
    _assert_fell_back(proc, started, 4, healthy)


def test_ssl_module_available():
    assert ssl.OPENSSL_VERSION  # the TLS case above needs a real TLS stack
