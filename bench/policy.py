"""Policy decisions per second with the full ``vn`` + ``eu`` packs loaded (one core).

Measures, in the same run:
- the baseline: a full evaluation of a store decision (``PolicyEngine.evaluate``), uncached;
- cached ``storage_decision`` calls as the vault makes them (same write time for a batch);
- cached calls at a new time each call (the compiled per-epoch cache; obligations recomputed
  only when they carry due dates).

Goal: >= 500k cached decisions/s. Usage: ``.venv/bin/python bench/policy.py [--quick]``.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime, timedelta

from onshore.core.policy import EntityFacts, Facts
from onshore.services.policy import load_engine

DOMESTIC = EntityFacts("VN", frozenset({"social_network"}))
FOREIGN = EntityFacts("SG", frozenset({"social_network"}))
KEYS = [
    ("VN", frozenset({"political_opinion", "email"}), "SG", DOMESTIC),  # deny
    ("VN", frozenset({"political_opinion", "email"}), "VN", DOMESTIC),  # allow
    ("VN", frozenset({"phone_number"}), "SG", FOREIGN),  # allow + TIA obligation
    ("DE", frozenset({"email"}), "VN", DOMESTIC),  # GDPR deny
    ("DE", frozenset({"email"}), "DE", DOMESTIC),  # no decision
    ("VN", frozenset({"person_name", "address"}), "VN", DOMESTIC),  # allow
]


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    args = parser.parse_args()
    cold_n = 300 if args.quick else 2_000
    hot_n = 200_000 if args.quick else 2_000_000
    at = datetime(2025, 6, 1, 10, tzinfo=UTC)

    t0 = time.perf_counter()
    engine = load_engine(["vn", "eu"])
    load_s = time.perf_counter() - t0
    print(f"load vn+eu: {len(engine.rules)} rules in {load_s * 1000:.1f} ms")

    facts = [Facts(e, s, c, r) for s, c, r, e in KEYS]
    t0 = time.perf_counter()
    for i in range(cold_n):
        engine.evaluate("store", facts[i % len(facts)], at)
    cold = _rate(cold_n, time.perf_counter() - t0)
    print(f"baseline  full evaluation (uncached): {cold:>12,.0f} decisions/s")

    decide = engine.storage_decision
    for s, c, r, e in KEYS:  # warm
        decide(s, c, r, e, at)
    batch = [(s, c, r, e) for s, c, r, e in KEYS] * (hot_n // len(KEYS))
    t0 = time.perf_counter()
    for s, c, r, e in batch:
        decide(s, c, r, e, at)
    hot = _rate(len(batch), time.perf_counter() - t0)
    goal = "met" if hot >= 500_000 else "NOT met"
    print(
        f"cached    storage_decision, same time: {hot:>11,.0f} decisions/s "
        f"({hot / cold:,.0f}x baseline; goal >= 500,000/s: {goal})"
    )

    moving_n = hot_n // 20
    times = [at + timedelta(seconds=i) for i in range(moving_n)]
    t0 = time.perf_counter()
    for i, when in enumerate(times):
        s, c, r, e = KEYS[i % len(KEYS)]
        decide(s, c, r, e, when)
    moving = _rate(moving_n, time.perf_counter() - t0)
    print(
        f"cached    storage_decision, new time each call: {moving:>9,.0f} decisions/s "
        f"({moving / cold:,.1f}x baseline)"
    )
    engine.clear_cache()


if __name__ == "__main__":
    main()
