"""Free-text classification throughput (MB/s) and F1: onshore vs Presidio, same corpus, same run.

The corpus is the seeded labelled generator of the test suite (``tests/classify/corpus.py``):
Vietnamese posts and bios with embedded personal data and decoys. Presidio runs its
``AnalyzerEngine`` with the predefined pattern recognizers and a blank spaCy pipeline (its
NER model cannot be downloaded here), so it finds no names or addresses; F1 is reported on
every labelled category and, separately, on the categories Presidio has recognizers for.

Goal (issue 18): >= 50x Presidio's throughput with a higher F1. Both engines run in this one
process, one text at a time; the ratio is printed by wall time and by CPU time (the CPU ratio
is the one to trust on a machine other jobs load).
Usage: ``.venv/bin/python bench/classify.py [--quick]``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.classify.corpus import Label, generate
from tests.classify.scoring import Scores, score

from onshore.core.classify import TextClassifier

#: Presidio entity -> onshore category.
PRESIDIO_TO_CATEGORY = {
    "PHONE_NUMBER": "phone_number",
    "EMAIL_ADDRESS": "email",
    "CREDIT_CARD": "card_number",
    "IBAN_CODE": "bank_account",
    "IP_ADDRESS": "ip_address",
    "US_BANK_NUMBER": "bank_account",
    "PERSON": "person_name",
    "LOCATION": "address",
    "DATE_TIME": "date_of_birth",
}
PRESIDIO_CATEGORIES = {"phone_number", "email", "card_number", "bank_account", "ip_address"}


def _texts(seed: int, n: int) -> tuple[list[str], list[Label]]:
    corpus = generate(seed=seed, users=n // 2, posts=n // 2)
    texts: list[str] = []
    labels: list[Label] = []
    for table, rows, col in (("users", corpus.users, "bio"), ("posts", corpus.posts, "noi_dung")):
        key = next(
            c
            for c in (corpus.users_columns if table == "users" else corpus.posts_columns)
            if c.lower().replace("_", "") in {"bio", "gioithieu", "noidung"}
        )
        spans = [
            lab for lab in corpus.labels_for(table) if lab.column == key and lab.start is not None
        ]
        index: dict[int, int] = {}
        for i, row in enumerate(rows):
            value = row.get(key)
            if value:
                index[i] = len(texts)
                texts.append(value)
        labels += [
            Label("t", index[lab.row], "text", lab.category, lab.start, lab.end)
            for lab in spans
            if lab.row in index
        ]
        _ = col
    return texts, labels


def _presidio() -> object:
    import spacy
    import tldextract
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import SpacyNlpEngine

    # offline: the bundled public-suffix snapshot, never a download
    tldextract.tldextract.TLD_EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=())

    class BlankSpacy(SpacyNlpEngine):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "en", "model_name": "blank"}])

        def load(self) -> None:
            self.nlp = {"en": spacy.blank("en")}

    engine = BlankSpacy()
    engine.load()
    return AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])


def _findings_onshore(
    texts: list[str], warm: list[str]
) -> tuple[list[dict[str, object]], float, float]:
    clf = TextClassifier()
    for text in warm:  # steady state: regex DFA caches and lazily compiled metadata are built
        clf.findings(text)
    started, cpu = time.perf_counter(), time.process_time()
    out = []
    for i, text in enumerate(texts):
        for f in clf.findings(text):
            out.append(
                {
                    "source": "t",
                    "row": i,
                    "column": "text",
                    "category": f.category,
                    "start": f.start,
                    "end": f.end,
                }
            )
    return out, time.perf_counter() - started, time.process_time() - cpu


def _findings_presidio(
    analyzer: object, texts: list[str], warm: list[str]
) -> tuple[list[dict[str, object]], float, float]:
    analyze = analyzer.analyze  # type: ignore[attr-defined]
    for text in warm:
        analyze(text, language="en")
    started, cpu = time.perf_counter(), time.process_time()
    out = []
    for i, text in enumerate(texts):
        for r in analyze(text, language="en"):
            category = PRESIDIO_TO_CATEGORY.get(r.entity_type)
            if category is not None:
                out.append(
                    {
                        "source": "t",
                        "row": i,
                        "column": "text",
                        "category": category,
                        "start": r.start,
                        "end": r.end,
                    }
                )
    return out, time.perf_counter() - started, time.process_time() - cpu


def _restricted(labels: list[Label], findings: list[dict[str, object]]) -> Scores:
    return score(
        [lab for lab in labels if lab.category in PRESIDIO_CATEGORIES],
        [f for f in findings if f["category"] in PRESIDIO_CATEGORIES],
    )


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small, fast run")
    parser.add_argument("--texts", type=int, default=0, help="number of texts (default 4000)")
    args = parser.parse_args()
    n = args.texts or (600 if args.quick else 4000)
    texts, labels = _texts(seed=20260, n=n)
    warm, _ = _texts(seed=1, n=200)  # a different corpus, for both engines
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"corpus: {len(texts)} texts, {megabytes:.2f} MB, {len(labels)} labelled spans")

    ours, t_ours, c_ours = _findings_onshore(texts, warm)
    analyzer = _presidio()
    theirs, t_theirs, c_theirs = _findings_presidio(analyzer, texts, warm)

    s_ours, s_theirs = score(labels, ours), score(labels, theirs)
    r_ours, r_theirs = _restricted(labels, ours), _restricted(labels, theirs)
    mbs_ours, mbs_theirs = megabytes / t_ours, megabytes / t_theirs
    print(
        f"onshore  : {mbs_ours:8.2f} MB/s  ({t_ours:.2f} s)  F1 all {s_ours.overall.f1:.3f}"
        f"  F1 on Presidio's categories {r_ours.overall.f1:.3f}"
    )
    print(
        f"presidio : {mbs_theirs:8.3f} MB/s  ({t_theirs:.2f} s)  F1 all {s_theirs.overall.f1:.3f}"
        f"  F1 on Presidio's categories {r_theirs.overall.f1:.3f}"
    )
    print(
        f"throughput ratio onshore/presidio: {mbs_ours / mbs_theirs:.0f}x (goal >= 50x);"
        f" by CPU time {c_theirs / c_ours:.0f}x ({c_ours:.2f} s vs {c_theirs:.2f} s)"
    )
    print(
        f"F1 onshore {s_ours.overall.f1:.3f} vs presidio {s_theirs.overall.f1:.3f} (goal: higher)"
    )
    print("\nonshore per category:\n" + s_ours.table())
    print("\npresidio per category:\n" + s_theirs.table())


if __name__ == "__main__":
    main()
