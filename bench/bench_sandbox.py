"""What bounded grading costs: preview and grade through the sandbox's children, and hostile calls.

    python bench/bench_sandbox.py [--calls 400]

Prints p50/p99 of ordinary previews and grades through the pool (the budget: preview p99 under
30 ms), the same in-process for comparison, a batch through grade_many, the time of hostile
calls (refused by the parser, or killed by the OS limits with the parser's rule bypassed), the
parent's resident memory before and after, and the children's.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader import grading, sandbox

EXPRESSION = {
    "kind": "expression",
    "variables": ["t"],
    "functions": {"f": "sigmoid"},
    "answer": {"expr": "f(t) * (1 - f(t))"},
}
NUMERIC = {"kind": "numeric", "answer": {"value": 0.25}}
ORDINARY = [
    (EXPRESSION, "f(t)*(1-f(t))"),
    (EXPRESSION, "exp(-t)/(1+exp(-t))^2"),
    (EXPRESSION, "f(t)*(1+f(t))"),
    (NUMERIC, "0,25"),
    (NUMERIC, "1/4"),
]
HOSTILE = ["(2*t)^(10^300)", "t^(t^(t^99))", "exp(exp(exp(99)))", "(10^9)!"]


def _rss_kb(pid: str = "self") -> int:
    with open(f"/proc/{pid}/status") as status:
        return int(next(x for x in status if x.startswith("VmRSS:")).split()[1])


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"p50 {statistics.median(ordered) * 1000:7.2f} ms   p99 {p99 * 1000:7.2f} ms"


def _measure(call, calls: int) -> list[float]:
    samples = []
    for i in range(calls):
        spec, raw = ORDINARY[i % len(ORDINARY)]
        start = time.perf_counter()
        call(spec, None, raw)
        samples.append(time.perf_counter() - start)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=400)
    args = parser.parse_args()

    before = _rss_kb()
    start = time.perf_counter()
    sandbox.warm_up()
    settings = sandbox.settings()
    print(
        f"pool: {settings.workers} children, {settings.memory_mb} MiB each, "
        f"{settings.timeout} s per answer; cold start {time.perf_counter() - start:.2f} s"
    )
    print(f"{'preview through the pool':28} {_percentiles(_measure(sandbox.preview, args.calls))}")
    print(f"{'grade through the pool':28} {_percentiles(_measure(sandbox.grade, args.calls))}")
    print(f"{'preview in-process':28} {_percentiles(_measure(grading.preview, args.calls))}")
    print(f"{'grade in-process':28} {_percentiles(_measure(grading.grade, args.calls))}")
    batch = [(spec, seed, raw) for seed in range(20) for spec, raw in ORDINARY]
    start = time.perf_counter()
    sandbox.grade_many(batch)
    per_item = (time.perf_counter() - start) / len(batch)
    print(f"{'grade_many, per item':28} {per_item * 1000:7.2f} ms ({len(batch)} items)")

    print("\nhostile calls (grade):")
    for raw in HOSTILE:
        start = time.perf_counter()
        result = sandbox.grade(EXPRESSION, None, raw)
        print(
            f"  {raw:24} {time.perf_counter() - start:6.3f} s  {result.status} "
            f"{result.error['code'] if result.error else ''}"
        )
    for op, arg, label in [
        ("_sympy_power", 10**300, "(2*t)**(10**300), no rule"),
        ("_sympy_power", 10**9, "(2*t)**(10**9), no rule"),
        ("_allocate", 4096, "allocate 4 GiB"),
        ("_abort", None, "abort()"),
    ]:
        sandbox.warm_up()
        start = time.perf_counter()
        outcome = sandbox._probe(op, arg)
        print(f"  {label:24} {time.perf_counter() - start:6.3f} s  {outcome[0]} {outcome[1]}")
    sandbox.warm_up()
    pool = sandbox._current_pool()
    children = [c.process.pid for c in pool.children]
    print(
        f"\nparent RSS {before / 1024:.0f} → {_rss_kb() / 1024:.0f} MiB; children RSS "
        + ", ".join(f"{_rss_kb(str(pid)) / 1024:.0f}" for pid in children)
        + " MiB"
    )
    sandbox.shutdown()


if __name__ == "__main__":
    main()
