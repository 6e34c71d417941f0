"""Cost against input size on hostile shapes: 10x the input should cost ~10x the time.

Each line prints the CPU seconds for a size and for ten times that size, measured in the
same run (best of a few, interleaved), and their ratio: linear is 10, quadratic 100.

Shapes: a support ticket with a pasted contact list (a finding every ~30 characters), a
long dotted run before an ``@``, a CSV with one row and many columns, JSON Lines where every
line has a key of its own.

Usage: ``.venv/bin/python bench/linear.py [--quick]``.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.classify.test_linear_cost import _text

from onshore.adapters.sources import Limits
from onshore.core.classify.text import TextClassifier
from onshore.services.scan import ScanOptions, scan


def _cpu(fn: Callable[[], object]) -> float:
    started = time.process_time()
    fn()
    return time.process_time() - started


def _ratio(name: str, make: Callable[[int], Callable[[], object]], small: int, rounds: int) -> None:
    run_small, run_large = make(small), make(small * 10)
    run_small()
    best_small = best_large = float("inf")
    for _ in range(rounds):
        best_small = min(best_small, *(_cpu(run_small) for _ in range(3)))
        best_large = min(best_large, _cpu(run_large))
    print(
        f"{name:<34} {small:>8,} {best_small:8.3f} s {small * 10:>9,} {best_large:8.3f} s"
        f"  ratio {best_large / best_small:5.1f}x",
        flush=True,
    )


def main() -> None:
    """Run the shapes and print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    args = parser.parse_args()
    rounds = 2 if args.quick else 4
    clf = TextClassifier()
    tmp = Path(tempfile.mkdtemp(prefix="onshore-bench-linear-"))

    def contacts(n: int) -> Callable[[], object]:
        text = _text(n)
        return lambda: clf.findings(text)

    def dotted(n: int) -> Callable[[], object]:
        text = ("a." * (n // 2))[: n - 5] + "@b.vn"
        return lambda: clf.findings(text)

    def wide(n: int) -> Callable[[], object]:
        path = tmp / f"wide{n}.csv"
        path.write_text(
            ",".join(f"c{i:06d}" for i in range(n)) + "\n" + ",".join("v" for _ in range(n)) + "\n"
        )
        options = ScanOptions(workers=1, limits=Limits(max_columns=10 * n))
        return lambda: scan([str(path)], io.BytesIO(), options)

    def sparse(n: int) -> Callable[[], object]:
        path = tmp / f"sparse{n}.jsonl"
        path.write_text("".join(json.dumps({f"k{i:06d}": "x"}) + "\n" for i in range(n)))
        return lambda: scan([str(path)], io.BytesIO(), ScanOptions(workers=1))

    scale = 1 if args.quick else 2
    print(f"{'shape':<34} {'size':>8} {'cpu':>10} {'10x size':>9} {'cpu':>10}")
    _ratio("classifier: contact-list ticket", contacts, 8_000 * scale, rounds)
    _ratio("classifier: dotted run before @", dotted, 20_000 * scale, rounds)
    _ratio("scan: CSV columns", wide, 1_000 * scale, rounds)
    _ratio("scan: JSON lines, own keys", sparse, 1_000 * scale, rounds)


if __name__ == "__main__":
    main()
