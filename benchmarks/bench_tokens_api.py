"""Benchmark: TokenCounter's API back-end against the fake API with per-request latency.

Run from the repository root:

    python benchmarks/bench_tokens_api.py [--requests 500] [--latency 0.05] [--concurrency 8]

The first run counts every distinct request through the real SDK; the second run, with the
same cache directory, must make zero requests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from fakeapi import FakeAPI  # noqa: E402

from costlint.tokens import CountRequest, TokenCounter, placeholder_request  # noqa: E402


def make_requests(n: int) -> list[CountRequest]:
    requests = []
    for i in range(n):
        args = {
            "system": f"You are support agent {i}. Answer from the policy below.\n" * 20,
            "messages": [{"role": "user", "content": f"Question {i}: where is my order?"}],
        }
        request = placeholder_request("claude-sonnet-4-6", args)
        assert request is not None
        requests.append(request)
    return requests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=8)
    options = parser.parse_args()

    import anthropic  # noqa: F401  (import once up front so it is not timed)

    requests = make_requests(options.requests)
    with FakeAPI(latency=options.latency) as api, tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache"

        def counter() -> TokenCounter:
            return TokenCounter(
                "api", cache_dir=cache, env=api.env(), concurrency=options.concurrency
            )

        start = time.perf_counter()
        first = counter().count(requests)
        wall = time.perf_counter() - start
        first_requests = len(api.count_requests)
        assert all(r.source == "api" for r in first), "first run fell back to estimates"

        start = time.perf_counter()
        second = counter().count(requests)
        wall2 = time.perf_counter() - start
        second_requests = len(api.count_requests) - first_requests
        assert all(r.source == "cache" for r in second)

    ideal = options.requests * options.latency / options.concurrency
    print(
        f"{options.requests} distinct requests, {options.latency * 1000:.0f} ms latency, "
        f"concurrency {options.concurrency}"
    )
    print(f"first run:  {wall:.2f} s wall, {first_requests} requests (ideal {ideal:.2f} s)")
    print(f"second run: {wall2:.3f} s wall, {second_requests} requests (cache)")
    print(f"max in flight at the server: {api.max_in_flight}")
    if second_requests:
        sys.exit("second run made requests: the cache does not work")


if __name__ == "__main__":
    main()
