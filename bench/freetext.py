"""Free-text accuracy on the labelled corpus: precision, recall and F1 per category.

The corpus (``tests/fixtures/freetext``) has a tuning part, which the recognizers were fixed
against, and two held-out parts written separately with other phrasing and never tuned on.
All are scored with ``tests/classify/freetext_scoring.py``; ``--misses`` lists the false
positives and negatives of a part. The corpus is small, so ``--quick`` (``make bench``'s
short run) changes nothing.

Usage: ``.venv/bin/python bench/freetext.py [--quick] [--misses tuning|held_out|held_out_b]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.classify.freetext_scoring import PARTS, load, score_items

from onshore.core.classify import TextClassifier


def main() -> None:
    """Print the scores of both parts (and the misses of one when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", choices=PARTS, help="list the errors of this part")
    parser.add_argument("--quick", action="store_true", help="accepted for make bench")
    args = parser.parse_args()
    clf = TextClassifier()
    for part in PARTS:
        items = load(part)
        scores = score_items(items, clf)
        texts = sum(1 for i in items if i["kind"] == "text")
        print(f"\n{part}: {texts} texts, {len(items) - texts} columns")
        print(scores.table())
        if args.misses == part:
            for miss in scores.false_positives:
                print(json.dumps(miss, ensure_ascii=False))


if __name__ == "__main__":
    main()
