"""costlint's performance benchmark: one command, one table (issue 8).

    python benchmarks/run.py [--skip-scale] [--skip-peers] [--runs 5] [--precommit-runs 21]

Run it with the Python of the environment costlint is installed in (the `costlint` script next
to that interpreter is used, else the one on PATH). Cases, all offline (no ANTHROPIC_API_KEY,
`--tokens estimate`):

- pre-commit: `costlint check a.py b.py` in a small git repository with PRE_COMMIT=1, as a whole
  process; median of --precommit-runs (>= 15) runs; plus `python -X importtime` of that command
  (which modules cost start-up time). Target: median <= 0.15 s. Shown beside it with no
  target: the same command run just after a.py was edited (a.py analysed, b.py cached).
- large tree: a generated tree of 2,000 Python files (benchmarks/generate_tree.py, seed 1): the
  ast.parse floor (one process that reads and ast.parses every .py file), `costlint check
  --no-cache` (and .costlint_cache deleted before each run), and the peers `tokenlint` and
  `agentguard-lint` from PyPI, installed in benchmarks/.peers-venv. The tools run round-robin
  (one run of each per round) so that load drift hits them alike; medians of --runs rounds.
  Targets: costlint <= 2x the floor, and faster than both peers.
- scale: 20,000 generated files (--scale-runs runs, each after a floor run): costlint time and
  peak memory (the whole process tree's RSS and PSS, sampled from /proc every 50 ms, and the
  largest single process's ru_maxrss from wait4). Targets: <= 11x the 2,000-file time, < 300 MB.
  The floor's own 20,000/2,000 ratio is shown too: it is how far the machine is from linear.
  `--skip-scale` leaves it out.
- repeat: a run with an empty cache, then a second run on the unchanged tree (cache kept, no
  --no-cache). Target: second <= 1/3 of the first. Also shown, with no target: a third run
  after appending a comment to one module with Claude calls (restored afterwards).
- coverage: one `costlint check --format json` run on the 2,000-file tree; findings and call
  sites per rule, and per generated scenario, so we know the tree exercises every rule.

Prints machine info and a table; writes everything to benchmarks/results/latest.json. Generated
trees live outside the repository (--work-dir, default $TMPDIR/costlint-bench) so that the
repository's own config and .gitignore do not apply to them; each is a git repository with its
files committed (as a real checkout is), and is reused while the generator and its arguments are
unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
GENERATOR = HERE / "generate_tree.py"
DENSE_GENERATOR = HERE / "generate_dense.py"
RESULTS = HERE / "results"
PEERS_VENV = HERE / ".peers-venv"
PEERS = {"tokenlint": "tokenlint", "agentguard-lint": "agentguard"}  # package -> console script
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096

TARGETS = {
    "precommit_s": 0.15,  # issue 18 (issue 8 had 0.25 s)
    "floor_ratio": 2.0,
    "scale_ratio": 11.0,
    "scale_rss_mb": 300.0,
    "repeat_ratio": 1 / 3,
    "dense_warm_over_tokenlint": 0.5,
    "dense_cold_over_tokenlint": 1.0,
    "linearity_ratio": 2.2,
    "diff_warm_ratio": 1 / 3,
}
CHECK_FORMATS = ("text", "json", "sarif", "markdown", "github", "gitlab", "junit")

# ------------------------------------------------------------------------------ processes


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as fh:
                kids += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return kids


def _tree_mem(pid: int) -> tuple[int, int]:
    """(RSS, PSS) bytes summed over a process and all its descendants ((0, 0) once gone).

    RSS counts pages shared between a parent and its forked workers once per process; PSS
    splits each shared page between the processes that map it, so its sum is the real total.
    """
    rss = pss = 0
    todo, seen = [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/statm") as fh:
                rss += int(fh.read().split()[1]) * PAGE
            with open(f"/proc/{p}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):
            continue
        todo += _children(p)
    return rss, pss


class Run:
    """One timed whole-process run."""

    def __init__(
        self,
        wall: float,
        user: float,
        sys_: float,
        maxrss_kb: int,
        tree_rss: int,
        tree_pss: int,
        code: int,
        stdout: str,
        stderr: str,
    ):
        self.wall, self.user, self.sys, self.maxrss_kb = wall, user, sys_, maxrss_kb
        self.tree_rss, self.tree_pss = tree_rss, tree_pss
        self.code, self.stdout, self.stderr = code, stdout, stderr

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    def brief(self) -> dict[str, Any]:
        return {
            "wall_s": round(self.wall, 4),
            "cpu_s": round(self.cpu, 4),
            "exit": self.code,
            "maxrss_mb": round(self.maxrss_kb / 1024, 1),
            "tree_rss_mb": round(self.tree_rss / 2**20, 1) if self.tree_rss else None,
        }


def run_process(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    *,
    sample: bool = False,
    timeout: float = 3600.0,
    keep_output: bool = True,
) -> Run:
    """Run cmd; wall time from just before fork to reaping; rusage from wait4."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        peak = [0, 0]
        stop = threading.Event()
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=cwd,
            env=env,
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

        def sampler() -> None:
            while not stop.is_set():
                rss, pss = _tree_mem(proc.pid)
                peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
                stop.wait(0.05)

        def killer() -> None:
            if not stop.wait(timeout):
                try:
                    os.killpg(proc.pid, 9)
                except OSError:
                    pass

        threads = [threading.Thread(target=killer, daemon=True)]
        if sample:
            threads.append(threading.Thread(target=sampler, daemon=True))
        for t in threads:
            t.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        stop.set()
        proc.returncode = os.waitstatus_to_exitcode(status)
        for t in threads:
            t.join()
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace") if keep_output else ""
        stderr = err.read().decode("utf-8", "replace")
    return Run(
        wall,
        usage.ru_utime,
        usage.ru_stime,
        usage.ru_maxrss,
        peak[0],
        peak[1],
        proc.returncode,
        stdout,
        stderr,
    )


def offline_env(pre_commit: bool = False) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("ANTHROPIC_") and k not in ("PRE_COMMIT", "CI")
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["NO_COLOR"] = "1"
    if pre_commit:
        env["PRE_COMMIT"] = "1"
    return env


def summarize(runs: list[Run]) -> dict[str, Any]:
    walls = [r.wall for r in runs]
    cpus = [r.cpu for r in runs]
    return {
        "runs": len(runs),
        "median_s": round(statistics.median(walls), 4),
        "min_s": round(min(walls), 4),
        "max_s": round(max(walls), 4),
        "cpu_median_s": round(statistics.median(cpus), 4),
        "maxrss_mb": round(max(r.maxrss_kb for r in runs) / 1024, 1),
        "tree_rss_mb": round(max(r.tree_rss for r in runs) / 2**20, 1)
        if any(r.tree_rss for r in runs)
        else None,
        "tree_pss_mb": round(max(r.tree_pss for r in runs) / 2**20, 1)
        if any(r.tree_pss for r in runs)
        else None,
        "exit_codes": sorted({r.code for r in runs}),
        "errors": [
            f"exit {r.code}: " + ((r.stderr.strip().splitlines() or ["(no stderr)"])[-1][:200])
            for r in runs
            if r.code not in (0, 1)
        ],
        "all_s": [round(w, 4) for w in walls],
    }


_PKG_DIR: list[Path] = []


def code_fingerprint(costlint: str) -> str:
    """Hash of the costlint package's .py/.json/.yaml files, to notice edits during a run."""
    if not _PKG_DIR:
        r = subprocess.run(
            [
                _script_python(costlint),
                "-c",
                "import os, costlint; print(os.path.dirname(costlint.__file__))",
            ],
            capture_output=True,
            text=True,
        )
        _PKG_DIR.append(Path(r.stdout.strip() or "."))
    h = hashlib.sha256()
    for path in sorted(_PKG_DIR[0].rglob("*")):
        if path.suffix in (".py", ".json", ".yaml") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(_PKG_DIR[0])).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def say(msg: str) -> None:
    print(msg, flush=True)


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# ------------------------------------------------------------------------------ machine


def machine_info(costlint: str) -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass

    def git(*args: str) -> str:
        try:
            return subprocess.run(
                ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    version = subprocess.run([costlint, "--version"], capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--", "src")
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "mem_gib": mem,
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "platform": platform.platform(),
        "costlint": version,
        "costlint_script": costlint,
        "git_commit": git("rev-parse", "--short", "HEAD"),
        "src_dirty": bool(dirty),
        "load_at_start": load(),
    }


# ------------------------------------------------------------------------------ trees


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def ensure_tree(work: Path, files: int, seed: int) -> tuple[Path, dict[str, Any]]:
    tree = work / f"tree-{files}-s{seed}"
    stamp = work / f"tree-{files}-s{seed}.stamp"
    want = f"{_sha(GENERATOR)} {files} {seed}"
    if (
        tree.is_dir()
        and stamp.is_file()
        and stamp.read_text() == want
        and (tree / "manifest.json").is_file()
    ):
        say(f"  reusing {tree}")
    else:
        say(f"  generating {files:,} files into {tree} ...")
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, str(GENERATOR), str(tree), "--files", str(files), "--seed", str(seed)],
            check=True,
        )
        say(f"  generated in {time.perf_counter() - t0:.1f} s")
        subprocess.run(["git", "init", "-q", str(tree)], check=True)
        stamp.write_text(want)
    # A real project is a git checkout with its files committed (costlint's discovery may ask
    # git for the file list), so the tree gets one commit.
    has_head = subprocess.run(
        ["git", "rev-parse", "-q", "--verify", "HEAD"], cwd=tree, capture_output=True
    )
    if has_head.returncode != 0:
        subprocess.run(["git", "add", "."], cwd=tree, check=True)
        subprocess.run(
            [
                "git",
                "-c",
                "user.name=bench",
                "-c",
                "user.email=bench@localhost",
                "commit",
                "-q",
                "--no-verify",
                "-m",
                "generated tree",
            ],
            cwd=tree,
            check=True,
        )
    manifest = json.loads((tree / "manifest.json").read_text())
    return tree, manifest


def clear_cache(tree: Path) -> None:
    shutil.rmtree(tree / ".costlint_cache", ignore_errors=True)


FLOOR = r"""
import ast, os, sys
n = lines = 0
for root, dirs, files in os.walk("."):
    dirs[:] = [d for d in dirs if not d.startswith(".")]
    for name in files:
        if name.endswith(".py"):
            with open(os.path.join(root, name), "rb") as fh:
                text = fh.read().decode("utf-8")
            ast.parse(text, filename=name)
            n += 1
print(n)
"""

# ------------------------------------------------------------------------------ cases

WASTEFUL = '''"""Ticket triage: decide urgency and tag sentiment."""
import anthropic

client = anthropic.Anthropic()

TRIAGE_PROMPT = (
    "You are a support triage assistant. Read the ticket and decide whether it needs a human "
    "within the hour. Answer yes or no."
)


def is_urgent(ticket_text: str) -> bool:
    response = client.messages.create(
        model="claude-haiku-5-5",
        max_tokens=20000,
        system=TRIAGE_PROMPT,
        messages=[{"role": "user", "content": ticket_text}],
    )
    return response.content[0].text.strip().lower().startswith("yes")


def tag_sentiment(review: str) -> str:
    response = client.messages.create(
        model="claude-opus-5-5",
        max_tokens=10,
        system="Classify the sentiment of the review as positive, negative or neutral.",
        messages=[{"role": "user", "content": review}],
    )
    return response.content[0].text.strip()
'''

CLEAN = '''"""Ticket summaries, done right: a small model and a sized max_tokens."""
from dataclasses import dataclass

import anthropic

client = anthropic.Anthropic()


@dataclass
class Ticket:
    id: int
    body: str


def summarize(ticket: Ticket) -> str:
    response = client.messages.create(
        model="claude-haiku-5-5",
        max_tokens=200,
        system="Summarize the ticket for an agent in two lines.",
        messages=[{"role": "user", "content": ticket.body}],
    )
    return response.content[0].text


def chat(turns: list[str]) -> list[str]:
    history: list[dict] = []
    replies = []
    for text in turns:
        history.append({"role": "user", "content": text})
        reply = client.messages.create(model="claude-haiku-5-5", max_tokens=512,
                                       messages=history[-6:])
        history.append({"role": "assistant", "content": reply.content})
        replies.append(reply.content[0].text)
    return replies
'''


def parse_importtime(stderr: str) -> list[tuple[str, int, int, int]]:
    """[(module, self_us, cumulative_us, depth)] from `python -X importtime` output."""
    rows = []
    for line in stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if m:
            rows.append((m.group(4), int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2))
    return rows


def case_precommit(costlint: str, runs: int) -> dict[str, Any]:
    say("\n== pre-commit case (2 small files, offline, PRE_COMMIT=1)")
    repo = Path(tempfile.mkdtemp(prefix="costlint-precommit-"))
    try:
        (repo / "a.py").write_text(WASTEFUL)
        (repo / "b.py").write_text(CLEAN)
        subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
        subprocess.run(["git", "add", "a.py", "b.py"], cwd=repo, check=True)
        env = offline_env(pre_commit=True)
        cmd = [costlint, "check", "a.py", "b.py"]
        first = run_process(cmd, repo, env)  # warm-up (also writes __pycache__ if missing)
        findings = len(re.findall(r"^a\.py:\d+:\d+: CL\d+", first.stdout, re.M))
        run_process(cmd, repo, env)
        timed = [run_process(cmd, repo, env) for _ in range(runs)]
        baseline = [run_process([sys.executable, "-c", "pass"], repo, env) for _ in range(runs)]
        # The same command just after a.py was edited (a new comment line each run): a.py is
        # analysed afresh, b.py comes from the cache. No target; shown beside the warm case.
        edited = []
        for k in range(runs):
            (repo / "a.py").write_text(WASTEFUL + f"# edit {k}\n")
            edited.append(run_process(cmd, repo, env))
        (repo / "a.py").write_text(WASTEFUL)
        run_process(cmd, repo, env)  # back to the warm state for the import profile
        # Import profile: the same command under -X importtime, 3 times; per-module medians.
        py = _script_python(costlint)
        imp_runs = []
        for _ in range(3):
            r = run_process([py, "-X", "importtime", costlint, "check", "a.py", "b.py"], repo, env)
            imp_runs.append(parse_importtime(r.stderr))
        self_us: dict[str, list[int]] = {}
        cum_top: dict[str, list[int]] = {}
        for rows in imp_runs:
            for name, s, c, depth in rows:
                self_us.setdefault(name, []).append(s)
                if depth == 0:
                    cum_top.setdefault(name, []).append(c)
        total_ms = statistics.median(sum(s for _, s, _, _ in rows) for rows in imp_runs) / 1000
        top_level = sorted(
            ((n, statistics.median(v) / 1000) for n, v in cum_top.items()), key=lambda x: -x[1]
        )[:12]
        top_self = sorted(
            ((n, statistics.median(v) / 1000) for n, v in self_us.items()), key=lambda x: -x[1]
        )[:12]
        heavy = [
            "anthropic",
            "httpx",
            "pydantic",
            "jinja2",
            "ruamel.yaml",
            "pathspec",
            "click",
            "yaml",
            "costlint.catalog",
            "costlint.resolve",
        ]
        loaded = {m: (m in self_us) for m in heavy}
        n_modules = statistics.median(len(rows) for rows in imp_runs)
    finally:
        shutil.rmtree(repo, ignore_errors=True)
    s = summarize(timed)
    s.update(
        {
            "command": "costlint check a.py b.py",
            "findings_in_a": findings,
            "first_run_exit": first.code,
            "python_startup": summarize(baseline),
            "edited": summarize(edited),
            "importtime": {
                "total_import_ms": round(total_ms, 1),
                "modules_imported": n_modules,
                "top_level_cumulative_ms": [[n, round(v, 1)] for n, v in top_level],
                "top_self_ms": [[n, round(v, 1)] for n, v in top_self],
                "heavy_modules_loaded": loaded,
            },
            "target_s": TARGETS["precommit_s"],
            "met": s["median_s"] <= TARGETS["precommit_s"],
        }
    )
    say(
        f"  median {s['median_s']:.3f} s (min {s['min_s']:.3f}, {runs} runs; python startup "
        f"{s['python_startup']['median_s']:.3f} s); {findings} findings in a.py; imports "
        f"{total_ms:.0f} ms over {n_modules:.0f} modules"
    )
    return s


def _script_python(script: str) -> str:
    try:
        first = Path(script).read_text(errors="replace").splitlines()[0]
        if first.startswith("#!") and "python" in first:
            return first[2:].strip().split()[0]
    except (OSError, IndexError):
        pass
    return sys.executable


def ensure_peers(skip: bool) -> dict[str, dict[str, Any]]:
    """Install the peers in their own venv; {package: {ok, script|reason, version}}."""
    status: dict[str, dict[str, Any]] = {}
    if skip:
        return {p: {"ok": False, "reason": "skipped (--skip-peers)"} for p in PEERS}
    py = PEERS_VENV / "bin" / "python"
    if not py.exists():
        say(f"  creating {PEERS_VENV}")
        r = subprocess.run(
            [sys.executable, "-m", "venv", str(PEERS_VENV)], capture_output=True, text=True
        )
        if r.returncode:
            return {
                p: {"ok": False, "reason": f"venv failed: {r.stderr.strip()[-200:]}"} for p in PEERS
            }
    for package, script in PEERS.items():
        exe = PEERS_VENV / "bin" / script
        if not exe.exists():
            say(f"  pip install {package}")
            r = subprocess.run(
                [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", package],
                capture_output=True,
                text=True,
            )
            if r.returncode or not exe.exists():
                lines = [ln for ln in (r.stderr or r.stdout).splitlines() if ln.strip()]
                status[package] = {
                    "ok": False,
                    "reason": "pip install failed: " + (lines[-1] if lines else "?"),
                }
                continue
        v = subprocess.run([str(py), "-m", "pip", "show", package], capture_output=True, text=True)
        version = next(
            (
                ln.split(":", 1)[1].strip()
                for ln in v.stdout.splitlines()
                if ln.startswith("Version:")
            ),
            "?",
        )
        status[package] = {"ok": True, "script": str(exe), "version": version}
    return status


def peer_summary(package: str, run: Run) -> str:
    out = run.stdout
    if package == "tokenlint":
        m = re.search(r"(\d+) fail\s+(\d+) warn\s+(\d+) info", out)
        return (
            f"{m.group(1)} fail, {m.group(2)} warn, {m.group(3)} info" if m else out.strip()[-120:]
        )
    m = re.search(r"^(\d+) finding\(s\).*$", out, re.M)
    return m.group(0) if m else (out.strip().splitlines() or ["(no output)"])[-1][:160]


def case_large(
    costlint: str,
    tree: Path,
    manifest: dict[str, Any],
    rounds: int,
    peers: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    say(f"\n== large tree: {manifest['files']:,} files, {rounds} rounds (round-robin)")
    env = offline_env()
    tools: dict[str, list[str]] = {
        "floor": [sys.executable, "-c", FLOOR],
        "costlint": [costlint, "check", ".", "--tokens", "estimate", "--no-cache"],
    }
    for package, st in peers.items():
        if st["ok"]:
            tools[package] = [st["script"], "."]
    results: dict[str, list[Run]] = {name: [] for name in tools}
    notes: dict[str, str] = {}
    # Warm-up: one untimed run of each (page cache, .pyc files).
    for name, cmd in tools.items():
        clear_cache(tree)
        r = run_process(cmd, tree, env, timeout=1800)
        ok = r.code in (0, 1)
        if name == "floor":
            ok = ok and r.stdout.strip() == str(manifest["files"])
            notes[name] = f"parsed {r.stdout.strip()} files"
        elif name == "costlint":
            notes[name] = (r.stdout.strip().splitlines() or [""])[-1][:160]
        else:
            notes[name] = peer_summary(name, r)
        if not ok:
            reason = (r.stderr.strip().splitlines() or r.stdout.strip().splitlines() or ["?"])[-1]
            say(f"  {name}: cannot run (exit {r.code}): {reason[:200]}")
            if name in peers:
                peers[name] = {
                    **peers[name],
                    "ok": False,
                    "reason": f"exit {r.code}: {reason[:200]}",
                }
            results.pop(name)
        else:
            say(f"  warm-up {name}: {r.wall:.2f} s, exit {r.code}: {notes[name]}")
    for k in range(rounds):
        line = []
        for name in list(results):
            clear_cache(tree)
            r = run_process(
                tools[name], tree, env, sample=(name == "costlint"), timeout=1800, keep_output=False
            )
            results[name].append(r)
            line.append(f"{name} {r.wall:.2f}s" + ("" if r.code in (0, 1) else f" [exit {r.code}]"))
        say(f"  round {k + 1}/{rounds}: " + ", ".join(line) + f"  (load {load()[0]})")
    clear_cache(tree)
    out: dict[str, Any] = {
        "files": manifest["files"],
        "python_lines": manifest["python_lines"],
        "notebooks": manifest["notebooks"],
        "tools": {},
        "notes": notes,
    }
    for name, runs in results.items():
        out["tools"][name] = summarize(runs)
        out["tools"][name]["command"] = (
            "python -c <read + ast.parse every .py>"
            if name == "floor"
            else " ".join([Path(tools[name][0]).name, *tools[name][1:]])
        )
    c = out["tools"].get("costlint", {}).get("median_s")
    f = out["tools"].get("floor", {}).get("median_s")
    if c and f:
        out["costlint_over_floor"] = round(c / f, 2)
        out["floor_met"] = c <= TARGETS["floor_ratio"] * f
    for package in PEERS:
        p = out["tools"].get(package, {}).get("median_s")
        if c and p:
            out[f"costlint_over_{package}"] = round(c / p, 2)
    return out


def claude_module(tree: Path) -> Path:
    """The first module (in name order) of the tree that calls messages.create."""
    for path in sorted(tree.rglob("*.py")):
        if ".git" not in path.parts and "messages.create(" in path.read_text("utf-8"):
            return path
    raise SystemExit(f"no module with a Claude call in {tree}")


def case_repeat(costlint: str, tree: Path, pairs: int) -> dict[str, Any]:
    say(f"\n== repeat runs: fresh cache, then unchanged tree ({pairs} pairs)")
    env = offline_env()
    cmd = [costlint, "check", ".", "--tokens", "estimate"]
    first, second, edited = [], [], []
    cache_files = cache_bytes = 0
    target = claude_module(tree)
    original = target.read_bytes()
    for k in range(pairs):
        clear_cache(tree)
        a = run_process(cmd, tree, env, keep_output=False)
        cache = tree / ".costlint_cache"
        files = [p for p in cache.rglob("*") if p.is_file()] if cache.is_dir() else []
        cache_files, cache_bytes = len(files), sum(p.stat().st_size for p in files)
        b = run_process(cmd, tree, env, keep_output=False)
        # Informational: the usual next run, after one module with Claude calls was edited.
        try:
            target.write_bytes(original + f"\n# edited {k}\n".encode())
            c = run_process(cmd, tree, env, keep_output=False)
        finally:
            target.write_bytes(original)
        first.append(a)
        second.append(b)
        edited.append(c)
        say(
            f"  pair {k + 1}: first {a.wall:.2f} s, second {b.wall:.2f} s, after editing "
            f"{target.relative_to(tree)} {c.wall:.2f} s "
            f"(cache: {cache_files} files, {cache_bytes / 1024:.0f} KiB)"
        )
    clear_cache(tree)
    s1, s2 = summarize(first), summarize(second)
    ratio = s2["median_s"] / s1["median_s"]
    return {
        "first": s1,
        "second": s2,
        "one_module_edited": summarize(edited),
        "edited_file": str(target.relative_to(tree)),
        "ratio": round(ratio, 3),
        "cache_files": cache_files,
        "cache_kib": round(cache_bytes / 1024, 1),
        "target": "<= 1/3",
        "met": ratio <= TARGETS["repeat_ratio"],
    }


def case_coverage(
    costlint: str, tree: Path, manifest: dict[str, Any], work: Path
) -> dict[str, Any]:
    say(f"\n== rule coverage (--format json on the {manifest['files']:,}-file tree)")
    env = offline_env()
    out_file = work / f"findings-{manifest['files']}.json"
    clear_cache(tree)
    r = run_process(
        [
            costlint,
            "check",
            ".",
            "--tokens",
            "estimate",
            "--no-cache",
            "--format",
            "json",
            "--output-file",
            str(out_file),
        ],
        tree,
        env,
        keep_output=False,
    )
    clear_cache(tree)
    data = json.loads(out_file.read_text())
    findings = data.get("findings", [])
    call_sites = (data.get("cost") or {}).get("call_sites") or []
    rules: dict[str, dict[str, Any]] = {}
    for f in findings:
        e = rules.setdefault(
            f["rule"], {"name": f.get("name"), "findings": 0, "sites": set(), "files": set()}
        )
        e["findings"] += 1
        e["sites"].add((f["path"], f["line"], f.get("cell")))
        e["files"].add(f["path"])
    per_rule = {
        k: {
            "name": v["name"],
            "findings": v["findings"],
            "sites": len(v["sites"]),
            "files": len(v["files"]),
            "intended_sites": manifest["intended_rule_sites"].get(k, 0),
        }
        for k, v in sorted(rules.items())
    }
    for k, n in manifest["intended_rule_sites"].items():
        per_rule.setdefault(
            k, {"name": None, "findings": 0, "sites": 0, "files": 0, "intended_sites": n}
        )
    # Per generated scenario: how many of its calls costlint found, and which rules fired.
    scen_of = manifest.get("sites", {})
    by_scen: dict[str, dict[str, Any]] = {
        s: {"generated": n, "detected": 0, "intended": manifest["scenario_rules"][s], "fired": {}}
        for s, n in manifest["scenarios"].items()
    }
    for site in call_sites:
        s = scen_of.get(site.get("address"))
        if s:
            by_scen[s]["detected"] += 1
    for f in findings:
        s = scen_of.get(f.get("address"))
        if s:
            by_scen[s]["fired"][f["rule"]] = by_scen[s]["fired"].get(f["rule"], 0) + 1
    gaps = []
    for s, e in sorted(by_scen.items()):
        for rule in e["intended"]:
            if e["fired"].get(rule, 0) < e["generated"]:
                gaps.append(f"{s}: {rule} on {e['fired'].get(rule, 0)}/{e['generated']}")
        if s == "negatives" and e["detected"]:
            gaps.append(f"negatives: {e['detected']} non-Claude calls taken for Claude calls")
    exercised = sorted(k for k, v in per_rule.items() if v["findings"])
    say(
        f"  exit {r.code}; {len(findings)} findings, {len(call_sites)} call sites, "
        f"{len(data.get('diagnostics', []))} diagnostics; rules exercised: {', '.join(exercised)}"
    )
    return {
        "files": manifest["files"],
        "exit": r.code,
        "wall_s": round(r.wall, 2),
        "findings": len(findings),
        "call_sites": len(call_sites),
        "generated_claude_calls": sum(manifest["scenarios"].values()),
        "diagnostics": len(data.get("diagnostics", [])),
        "per_rule": per_rule,
        "rules_exercised": exercised,
        "scenarios": by_scen,
        "gaps": gaps,
    }


def case_scale(
    costlint: str,
    tree: Path,
    manifest: dict[str, Any],
    runs: int,
    base: dict[str, Any],
) -> dict[str, Any]:
    """costlint and the floor on the big tree, interleaved; ratios to the large-tree medians."""
    say(f"\n== scale: {manifest['files']:,} files ({runs} run(s) each, interleaved with the floor)")
    env = offline_env()
    floors, timed = [], []
    for k in range(runs):
        f = run_process([sys.executable, "-c", FLOOR], tree, env, timeout=3600, keep_output=False)
        floors.append(f)
        clear_cache(tree)
        r = run_process(
            [costlint, "check", ".", "--tokens", "estimate", "--no-cache"],
            tree,
            env,
            sample=True,
            timeout=3600,
            keep_output=False,
        )
        timed.append(r)
        say(
            f"  run {k + 1}: floor {f.wall:.1f} s; costlint {r.wall:.1f} s, exit {r.code}, peak "
            f"process-tree RSS {r.tree_rss / 2**20:.0f} MB (PSS {r.tree_pss / 2**20:.0f} MB), "
            f"largest single process {r.maxrss_kb / 1024:.0f} MB (load {load()[0]})"
        )
    clear_cache(tree)
    s = summarize(timed)
    fl = summarize(floors)
    rss = max(s["tree_rss_mb"] or 0, s["maxrss_mb"])
    out = {
        "files": manifest["files"],
        "python_lines": manifest["python_lines"],
        "costlint": s,
        "floor": fl,
        "floor_s": fl["median_s"],
        "costlint_over_floor": round(s["median_s"] / fl["median_s"], 2),
        "peak_rss_mb": rss,
        "peak_pss_mb": s["tree_pss_mb"],
        "rss_met": rss < TARGETS["scale_rss_mb"],
    }
    base_costlint = base.get("costlint", {}).get("median_s")
    base_floor = base.get("floor", {}).get("median_s")
    if base_costlint:
        out["ratio_to_large"] = round(s["median_s"] / base_costlint, 2)
        out["ratio_met"] = out["ratio_to_large"] <= TARGETS["scale_ratio"]
    if base_floor:
        # How far the machine itself is from linear: the floor does the same work per line.
        out["floor_ratio_to_large"] = round(fl["median_s"] / base_floor, 2)
    return out


# ------------------------------------------------------------------------------ issue 18 cases


def _git_commit(tree: Path, message: str) -> None:
    subprocess.run(["git", "add", "-A", "."], cwd=tree, check=True)
    subprocess.run(
        ["git", "-c", "user.name=bench", "-c", "user.email=bench@localhost"]
        + ["commit", "-q", "--no-verify", "-m", message],
        cwd=tree,
        check=True,
    )


DENSE_EDIT = """

def added_by_the_head_commit(question: str) -> str:
    response = client.messages.create(
        model="claude-opus-4-5",
        max_tokens=32000,
        system="Answer yes or no.",
        messages=[{"role": "user", "content": question}],
    )
    return response.content[0].text
"""


def ensure_dense(work: Path, modules: int, seed: int) -> Path:
    """The dense tree as a git repository with two commits: the generated tree, then one
    module with an added call (so ``diff --base HEAD~1`` has a change to price)."""
    tree = work / f"dense-{modules}-s{seed}"
    stamp = work / f"dense-{modules}-s{seed}.stamp"
    want = f"{_sha(DENSE_GENERATOR)} {modules} {seed}"
    if tree.is_dir() and stamp.is_file() and stamp.read_text() == want:
        say(f"  reusing {tree}")
        return tree
    say(f"  generating the dense tree ({modules:,} modules) into {tree} ...")
    subprocess.run(
        [sys.executable, str(DENSE_GENERATOR), str(tree), "--modules", str(modules)]
        + ["--configs", str(max(1, modules // 15)), "--templates", str(max(1, modules // 15))]
        + ["--seed", str(seed)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    _git_commit(tree, "generated dense tree")
    first = min(tree.glob("app/pkg*/mod*.py"))
    first.write_text(first.read_text() + DENSE_EDIT)
    _git_commit(tree, "one more call")
    stamp.write_text(want)
    return tree


EDITED = "costlint warm, 1 module edited"


def case_dense(
    costlint: str, tree: Path, rounds: int, peers: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Warm and cold costlint next to tokenlint, round-robin, on the dense tree."""
    say(f"\n== dense tree: {tree.name}, {rounds} rounds (round-robin)")
    env = offline_env()
    tools: dict[str, list[str]] = {
        "costlint warm": [costlint, "check", ".", "--tokens", "estimate"],
        "costlint --no-cache": [costlint, "check", ".", "--tokens", "estimate", "--no-cache"],
    }
    st = peers.get("tokenlint", {})
    if st.get("ok"):
        tools["tokenlint"] = [st["script"], "."]
    results: dict[str, list[Run]] = {name: [] for name in tools}
    edited = next(p for p in sorted(tree.rglob("*.py")) if "anthropic" in p.read_text())
    clear_cache(tree)
    for name, cmd in tools.items():  # warm-up; the first also fills the cache
        r = run_process(cmd, tree, env, timeout=1800, keep_output=name != "tokenlint")
        say(f"  warm-up {name}: {r.wall:.2f} s, exit {r.code}")
    notes = {}
    for k in range(rounds):
        line = []
        for name, cmd in tools.items():
            r = run_process(cmd, tree, env, timeout=1800, keep_output=(k == 0))
            if k == 0 and name != "tokenlint":
                notes[name] = (r.stdout.strip().splitlines() or [""])[-1][:160]
            results[name].append(r)
            line.append(f"{name} {r.wall:.2f}s")
        # The warm command just after one module was edited (a comment added): that module is
        # analysed afresh, the rest comes from the cache. Restored and re-cached, untimed.
        warm = tools["costlint warm"]
        edited_source = edited.read_text()
        edited.write_text(edited_source + f"# edit {k}\n")
        r = run_process(warm, tree, env, timeout=1800, keep_output=False)
        results.setdefault(EDITED, []).append(r)
        line.append(f"edited {r.wall:.2f}s")
        edited.write_text(edited_source)
        run_process(warm, tree, env, timeout=1800, keep_output=False)
        say(f"  round {k + 1}/{rounds}: " + ", ".join(line) + f"  (load {load()[0]})")
    clear_cache(tree)
    out: dict[str, Any] = {"tree": tree.name, "tools": {}, "notes": notes}
    for name, runs in results.items():
        out["tools"][name] = summarize(runs)
    token = out["tools"].get("tokenlint", {}).get("median_s")
    for name, key in (("costlint warm", "warm"), ("costlint --no-cache", "cold")):
        mine = out["tools"][name]["median_s"]
        if token:
            ratio = round(mine / token, 2)
            out[f"{key}_over_tokenlint"] = ratio
            out[f"{key}_met"] = ratio <= TARGETS[f"dense_{key}_over_tokenlint"]
    return out


def linear_module(calls: int) -> str:
    """One module with ``calls`` Claude calls, each with findings (oversized, overkill)."""
    lines = ['"""Generated: many calls in one module."""', "import anthropic", ""]
    lines.append("client = anthropic.Anthropic()")
    for i in range(calls):
        lines += [
            "",
            "",
            f"def ask_{i}(question: str) -> str:",
            "    response = client.messages.create(",
            '        model="claude-opus-4-5",',
            "        max_tokens=64000,",
            f'        system="Answer yes or no about item {i}.",',
            '        messages=[{"role": "user", "content": question}],',
            "    )",
            "    return response.content[0].text",
        ]
    return "\n".join(lines) + "\n"


def case_linearity(costlint: str, work: Path, small: int, runs: int) -> dict[str, Any]:
    """t(2n calls) / t(n calls) in one module, for every output format (warm cache, so the
    figure is about findings and output, not parsing)."""
    sizes = (small, 2 * small)
    say(f"\n== output linearity: one module with {sizes[0]:,} vs {sizes[1]:,} calls")
    env = offline_env()
    out: dict[str, Any] = {"sizes": list(sizes), "formats": {}}
    trees = {}
    for n in sizes:
        tree = work / f"linear-{n}"
        shutil.rmtree(tree, ignore_errors=True)
        tree.mkdir(parents=True)
        (tree / "many.py").write_text(linear_module(n))
        subprocess.run(["git", "init", "-q", str(tree)], check=True)
        _git_commit(tree, "one big module")
        first = run_process([costlint, "check", ".", "--tokens", "estimate"], tree, env)
        say(f"  {n:,} calls: cache filled in {first.wall:.2f} s, exit {first.code}")
        trees[n] = tree
    for fmt in CHECK_FORMATS:
        times: dict[int, list[Run]] = {n: [] for n in sizes}
        for _ in range(runs):
            for n in sizes:
                cmd = [costlint, "check", ".", "--tokens", "estimate", "--format", fmt]
                times[n].append(run_process(cmd, trees[n], env, timeout=1800, keep_output=False))
        a, b = summarize(times[sizes[0]]), summarize(times[sizes[1]])
        ratio = round(b["median_s"] / a["median_s"], 2)
        out["formats"][fmt] = {
            "small": a,
            "large": b,
            "ratio": ratio,
            "met": ratio <= TARGETS["linearity_ratio"],
        }
        say(f"  {fmt}: {a['median_s']:.2f} s -> {b['median_s']:.2f} s ({ratio}x)")
    for tree in trees.values():
        shutil.rmtree(tree, ignore_errors=True)
    return out


def case_diff(costlint: str, tree: Path, runs: int) -> dict[str, Any]:
    """``diff --base HEAD~1`` with a warm cache vs ``--no-cache``, interleaved."""
    say(f"\n== diff --base HEAD~1 on {tree.name}: warm cache vs --no-cache ({runs} runs each)")
    env = offline_env()
    base = [costlint, "diff", "--base", "HEAD~1", "--tokens", "estimate"]
    clear_cache(tree)
    warmup = run_process(base, tree, env, timeout=1800)
    say(f"  warm-up (fills the cache): {warmup.wall:.2f} s, exit {warmup.code}")
    warm, cold = [], []
    for k in range(runs):
        w = run_process(base, tree, env, timeout=1800, keep_output=False)
        c = run_process([*base, "--no-cache"], tree, env, timeout=1800, keep_output=False)
        warm.append(w)
        cold.append(c)
        say(f"  run {k + 1}: warm {w.wall:.2f} s, --no-cache {c.wall:.2f} s (load {load()[0]})")
    clear_cache(tree)
    sw, sc = summarize(warm), summarize(cold)
    ratio = round(sw["median_s"] / sc["median_s"], 3)
    return {
        "warm": sw,
        "no_cache": sc,
        "ratio": ratio,
        "met": ratio <= TARGETS["diff_warm_ratio"],
        "note": (warmup.stdout.strip().splitlines() or [""])[-1][:160],
    }


# ------------------------------------------------------------------------------ table


def fmt_s(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f} s" if x < 1 else f"{x:.2f} s" if x < 100 else f"{x:.0f} s"


def verdict(ok: bool | None, *summaries: dict[str, Any]) -> str:
    """MET / NOT MET, or INVALID when a run the figure rests on exited with an error."""
    errors = [e for s in summaries for e in s.get("errors", [])]
    if errors:
        return f"INVALID ({len(errors)} run(s) failed: {errors[0][:40]})"
    return "-" if ok is None else ("MET" if ok else "NOT MET")


def issue18_rows(res: dict[str, Any]) -> list[tuple[str, str, str, str, str]]:
    """Table rows of the dense-tree, diff and output-linearity cases."""
    rows: list[tuple[str, str, str, str, str]] = []
    ln = res.get("linearity")
    if ln:
        small, large = ln["sizes"]
        for fmt, e in ln["formats"].items():
            rows.append(
                (
                    f"linearity --format {fmt}: {small:,} -> {large:,} calls",
                    f"{fmt_s(e['small']['median_s'])} -> {fmt_s(e['large']['median_s'])}",
                    f"{e['large']['runs']} run(s) each, warm cache",
                    f"ratio <= {TARGETS['linearity_ratio']}",
                    f"{verdict(e['met'], e['small'], e['large'])} ({e['ratio']}x)",
                )
            )
    dn = res.get("dense")
    if dn:
        t = dn["tools"]
        for name, key in (("costlint warm", "warm"), ("costlint --no-cache", "cold")):
            c = t[name]
            target = TARGETS[f"dense_{key}_over_tokenlint"]
            ratio = dn.get(f"{key}_over_tokenlint")
            rows.append(
                (
                    f"dense tree: {name}",
                    fmt_s(c["median_s"]),
                    f"{c['runs']} runs, cpu {fmt_s(c['cpu_median_s'])}",
                    f"<= {target}x tokenlint",
                    verdict(dn.get(f"{key}_met"), c)
                    + (f" ({ratio}x)" if ratio is not None else " (tokenlint not run)"),
                )
            )
        if EDITED in t:
            e = t[EDITED]
            rows.append(
                (
                    f"dense tree: {EDITED}",
                    fmt_s(e["median_s"]),
                    f"{e['runs']} runs, cpu {fmt_s(e['cpu_median_s'])}",
                    "",
                    "",
                )
            )
        if "tokenlint" in t:
            p = t["tokenlint"]
            version = res["peers"].get("tokenlint", {}).get("version", "")
            rows.append(
                (
                    f"dense tree: tokenlint {version}",
                    fmt_s(p["median_s"]),
                    f"{p['runs']} runs, cpu {fmt_s(p['cpu_median_s'])}",
                    "",
                    "",
                )
            )
    df = res.get("diff")
    if df:
        rows.append(
            (
                "diff --base HEAD~1 --no-cache (dense)",
                fmt_s(df["no_cache"]["median_s"]),
                f"{df['no_cache']['runs']} runs",
                "",
                "",
            )
        )
        rows.append(
            (
                "diff --base HEAD~1, warm cache (dense)",
                fmt_s(df["warm"]["median_s"]),
                f"{df['warm']['runs']} runs",
                "<= 1/3 of --no-cache",
                f"{verdict(df['met'], df['warm'], df['no_cache'])} ({df['ratio']:.2f})",
            )
        )
    return rows


def table(res: dict[str, Any]) -> str:
    m = res["machine"]
    rows: list[tuple[str, str, str, str, str]] = []
    pc = res.get("precommit")
    if pc:
        rows.append(
            (
                "pre-commit: costlint check a.py b.py",
                fmt_s(pc["median_s"]),
                f"{pc['runs']} runs, min {fmt_s(pc['min_s'])}, cpu {fmt_s(pc['cpu_median_s'])}",
                f"<= {TARGETS['precommit_s']} s",
                verdict(pc["met"], pc),
            )
        )
        if "edited" in pc:
            ed = pc["edited"]
            rows.append(
                (
                    "  the same, a.py edited before each run",
                    fmt_s(ed["median_s"]),
                    f"{ed['runs']} runs, min {fmt_s(ed['min_s'])}, cpu {fmt_s(ed['cpu_median_s'])}",
                    "",
                    "",
                )
            )
        rows.append(
            (
                "  python -c pass (interpreter start-up)",
                fmt_s(pc["python_startup"]["median_s"]),
                "",
                "",
                "",
            )
        )
    rows += issue18_rows(res)
    lg = res.get("large")
    if lg:
        t = lg["tools"]
        n = f"{lg['files']:,}"
        if "floor" in t:
            rows.append(
                (
                    f"{n} files: ast.parse floor (1 process)",
                    fmt_s(t["floor"]["median_s"]),
                    f"{t['floor']['runs']} runs, cpu {fmt_s(t['floor']['cpu_median_s'])}",
                    "",
                    "",
                )
            )
        if "costlint" in t:
            c = t["costlint"]
            rows.append(
                (
                    f"{n} files: costlint check --no-cache",
                    fmt_s(c["median_s"]),
                    f"{c['runs']} runs, cpu {fmt_s(c['cpu_median_s'])}, RSS {c['tree_rss_mb']} MB",
                    "<= 2x floor",
                    verdict(lg.get("floor_met"), c, t.get("floor", {}))
                    + f" ({lg.get('costlint_over_floor')}x)",
                )
            )
        for package in PEERS:
            st = res["peers"].get(package, {})
            if package in t:
                p = t[package]
                ratio = lg.get(f"costlint_over_{package}")
                rows.append(
                    (
                        f"{n} files: {package} {st.get('version', '')}",
                        fmt_s(p["median_s"]),
                        f"{p['runs']} runs, cpu {fmt_s(p['cpu_median_s'])}",
                        "costlint faster",
                        verdict(ratio is not None and ratio < 1, p, t.get("costlint", {}))
                        + f" (costlint {ratio}x)",
                    )
                )
            else:
                rows.append(
                    (f"{n} files: {package}", "n/a", st.get("reason", "not run")[:60], "", "")
                )
    rp = res.get("repeat")
    if rp:
        rows.append(
            (
                "repeat: 1st run, empty .costlint_cache",
                fmt_s(rp["first"]["median_s"]),
                f"{rp['first']['runs']} runs",
                "",
                "",
            )
        )
        rows.append(
            (
                "repeat: 2nd run, unchanged tree",
                fmt_s(rp["second"]["median_s"]),
                f"cache {rp['cache_files']} files",
                "<= 1/3 of 1st",
                f"{verdict(rp['met'], rp['first'], rp['second'])} ({rp['ratio']:.2f})",
            )
        )
        if "one_module_edited" in rp:
            rows.append(
                (
                    "repeat: after editing 1 Claude module",
                    fmt_s(rp["one_module_edited"]["median_s"]),
                    f"{rp['edited_file']}",
                    "",
                    "",
                )
            )
    sc = res.get("scale")
    if sc:
        n = f"{sc['files']:,}"
        rows.append(
            (
                f"{n} files: ast.parse floor",
                fmt_s(sc["floor_s"]),
                f"{sc['floor']['runs']} run(s); {sc.get('floor_ratio_to_large')}x the "
                f"{res['large']['files']:,}-file floor",
                "",
                "",
            )
        )
        rows.append(
            (
                f"{n} files: costlint check --no-cache",
                fmt_s(sc["costlint"]["median_s"]),
                f"{sc['costlint']['runs']} run(s), {sc['costlint_over_floor']}x floor",
                f"<= 11x {res['large']['files']:,}-file time",
                f"{verdict(sc.get('ratio_met'), sc['costlint'])} ({sc.get('ratio_to_large')}x)",
            )
        )
        rows.append(
            (
                f"{n} files: costlint peak memory",
                f"{sc['peak_rss_mb']:.0f} MB",
                f"process-tree RSS (PSS {sc['peak_pss_mb']} MB)",
                "< 300 MB",
                verdict(sc["rss_met"], sc["costlint"]),
            )
        )
    elif res.get("scale_skipped"):
        rows.append(("20,000 files", "skipped", "--skip-scale", "", ""))
    widths = [
        max(len(r[i]) for r in rows + [("case", "median", "detail", "target", "status")])
        for i in range(5)
    ]
    lines = [
        f"costlint benchmark, {m['date']}",
        f"machine: {m['nproc']} cores, {m['cpu']}, {m['mem_gib']} GiB, Python {m['python']}, "
        f"{m['costlint']} (git {m['git_commit']}"
        f"{', src/ has uncommitted changes' if m['src_dirty'] else ''}); "
        f"load avg at start {m['load_at_start'][0]}, at end {res.get('load_at_end', ['?'])[0]}",
        f"costlint code fingerprint {res.get('code_fingerprints', {}).get('start', '?')}"
        + (
            f"; WARNING: the code changed during: {', '.join(res['changed_during'])}"
            if res.get("changed_during")
            else " (unchanged during the run)"
        ),
        "",
    ]
    header = ("case", "median", "detail", "target", "status")
    lines.append("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    lines.append("  ".join("-" * w for w in widths))
    for r in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    cov = res.get("coverage")
    if cov:
        lines += [
            "",
            f"rule coverage on the {cov['files']:,}-file tree: {cov['findings']} findings, "
            f"{cov['call_sites']} call sites found of {cov['generated_claude_calls']} generated "
            f"Claude calls (+ notebook cells, - non-Claude look-alikes)",
        ]
        lines.append(
            "  rule   name                      findings  sites  files  sites meant to trigger it"
        )
        for rule, e in cov["per_rule"].items():
            lines.append(
                f"  {rule:6} {str(e['name'] or '-'):25} {e['findings']:8}  {e['sites']:5}  "
                f"{e['files']:5}  {e['intended_sites']}"
            )
        if cov["gaps"]:
            lines.append("  scenarios where the intended rule fired on fewer calls than generated:")
            lines += [f"    {g}" for g in cov["gaps"]]
    pc = res.get("precommit")
    if pc:
        it = pc["importtime"]
        lines += [
            "",
            f"pre-commit imports (python -X importtime, median of 3): {it['total_import_ms']} ms "
            f"in {it['modules_imported']:.0f} modules; heaviest top-level imports (cumulative):",
        ]
        lines.append(
            "  " + ", ".join(f"{n} {v:.1f} ms" for n, v in it["top_level_cumulative_ms"][:10])
        )
        lines.append(
            "  heaviest single modules (self): "
            + ", ".join(f"{n} {v:.1f} ms" for n, v in it["top_self_ms"][:8])
        )
        loaded = [k for k, v in it["heavy_modules_loaded"].items() if v]
        lines.append(
            f"  loaded in the pre-commit case: {', '.join(loaded) or 'none of the heavy ones'}"
        )
    return "\n".join(lines)


# ------------------------------------------------------------------------------ main


def find_costlint(explicit: str | None) -> str:
    if explicit:
        return explicit
    beside = Path(sys.executable).parent / "costlint"
    if beside.exists():
        return str(beside)
    found = shutil.which("costlint")
    if not found:
        raise SystemExit("costlint is not installed (pip install -e .) and not on PATH")
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="costlint performance benchmark (issues 8 and 18)")
    p.add_argument(
        "--costlint", help="costlint executable (default: next to this Python, else PATH)"
    )
    p.add_argument(
        "--work-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "costlint-bench",
        help="where generated trees live (outside the repository)",
    )
    p.add_argument("--files", type=int, default=2000)
    p.add_argument("--scale-files", type=int, default=20000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--runs", type=int, default=5, help="rounds on the large tree (>= 5)")
    p.add_argument("--precommit-runs", type=int, default=21, help="pre-commit runs (>= 15)")
    p.add_argument("--repeat-pairs", type=int, default=3)
    p.add_argument("--scale-runs", type=int, default=2, help="runs on the big tree (each tool)")
    p.add_argument("--skip-scale", action="store_true")
    p.add_argument("--skip-peers", action="store_true")
    p.add_argument("--dense-modules", type=int, default=2010, help="modules in the dense tree")
    p.add_argument("--skip-dense", action="store_true", help="no dense-tree and diff cases")
    p.add_argument("--diff-runs", type=int, default=3, help="runs of each diff variant")
    p.add_argument(
        "--linearity-calls", type=int, default=1500, help="calls in the smaller one-module case"
    )
    p.add_argument("--linearity-runs", type=int, default=1, help="runs per format and size")
    p.add_argument("--skip-linearity", action="store_true")
    p.add_argument("--output", type=Path, default=RESULTS / "latest.json")
    args = p.parse_args(argv)

    costlint = find_costlint(args.costlint)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    res: dict[str, Any] = {
        "machine": machine_info(costlint),
        "targets": TARGETS,
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    m = res["machine"]
    say(
        f"costlint benchmark {m['date']}: {m['nproc']} cores, {m['cpu']}, Python {m['python']}, "
        f"{m['costlint']} (git {m['git_commit']}), load {m['load_at_start']}"
    )

    res["code_fingerprints"] = {"start": code_fingerprint(costlint)}
    res["changed_during"] = []

    def checkpoint(case: str) -> None:
        fp = code_fingerprint(costlint)
        last = list(res["code_fingerprints"].values())[-1]
        res["code_fingerprints"][case] = fp
        if fp != last:
            res["changed_during"].append(case)
            say(f"  WARNING: costlint's code changed during the {case} case ({last} -> {fp})")

    res["precommit"] = case_precommit(costlint, max(args.precommit_runs, 15))
    checkpoint("precommit")
    if not args.skip_linearity:
        res["linearity"] = case_linearity(
            costlint, args.work_dir, args.linearity_calls, max(args.linearity_runs, 1)
        )
        checkpoint("linearity")

    say("\n== trees and peers")
    tree, manifest = ensure_tree(args.work_dir, args.files, args.seed)
    res["tree"] = {
        k: manifest[k]
        for k in (
            "files",
            "python_lines",
            "claude_files",
            "notebooks",
            "prompt_text_files",
            "lines_per_module",
            "seed",
        )
    }
    res["peers"] = ensure_peers(args.skip_peers)
    for package, st in res["peers"].items():
        say(f"  {package}: " + (f"{st['version']} ({st['script']})" if st["ok"] else st["reason"]))
    checkpoint("setup")
    if not args.skip_dense:
        dense = ensure_dense(args.work_dir, args.dense_modules, args.seed)
        res["dense"] = case_dense(costlint, dense, max(args.runs, 5), res["peers"])
        checkpoint("dense")
        res["diff"] = case_diff(costlint, dense, max(args.diff_runs, 1))
        checkpoint("diff")
    res["large"] = case_large(costlint, tree, manifest, max(args.runs, 5), res["peers"])
    checkpoint("large")
    res["coverage"] = case_coverage(costlint, tree, manifest, args.work_dir)
    checkpoint("coverage")
    res["repeat"] = case_repeat(costlint, tree, max(args.repeat_pairs, 1))
    checkpoint("repeat")
    if args.skip_scale:
        res["scale_skipped"] = True
    else:
        big, big_manifest = ensure_tree(args.work_dir, args.scale_files, args.seed)
        res["scale"] = case_scale(
            costlint, big, big_manifest, max(args.scale_runs, 1), res["large"]["tools"]
        )
        checkpoint("scale")
    res["load_at_end"] = load()
    text = table(res)
    res["table"] = text
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(res, indent=1, default=str) + "\n")
    say("\n" + text)
    say(f"\nwrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
