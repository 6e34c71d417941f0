"""``onshore scan`` on data lakes: the Spark engine (``--engine spark``) and object storage
(``s3://`` sources, buckets declared with their country in ``[[scan.buckets]]``).

Example:
    >>> buckets_in(["users.csv", "s3://lake-sg/events/", "s3://lake-sg/logs"])
    ['lake-sg']
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from onshore.core.errors import InputError

if TYPE_CHECKING:
    from onshore.services.scan import ScanOptions, ScanSummary

#: The engines ``--engine`` accepts.
ENGINES = ("local", "spark")


def buckets_in(sources: Sequence[str]) -> list[str]:
    """The buckets named by the ``s3://`` sources, in order, once each."""
    from urllib.parse import urlsplit

    seen: dict[str, None] = {}
    for spec in sources:
        if spec.startswith("s3://"):
            seen.setdefault(urlsplit(spec).netloc, None)
    return list(seen)


def prepare_storage(sources: Sequence[str], config: Path | None) -> str | None:
    """Apply ``[scan.s3] endpoint_url`` (unless ``AWS_ENDPOINT_URL`` is set) and return the
    country where the scanned buckets are declared to be (None when no source is in a
    declared bucket). InputError when the buckets are declared in different countries."""
    buckets = buckets_in(sources)
    if not buckets:
        return None
    from onshore.settings import load_settings

    settings = load_settings(config)
    endpoint = settings.scan.s3.endpoint_url
    if endpoint and not os.environ.get("AWS_ENDPOINT_URL"):
        os.environ["AWS_ENDPOINT_URL"] = endpoint  # the S3 client and worker processes read it
    countries = {b: settings.scan.bucket_country(b) for b in buckets}
    declared = {c for c in countries.values() if c is not None}
    if len(declared) > 1:
        shown = ", ".join(f"{b} in {c}" for b, c in countries.items() if c)
        raise InputError(
            f"the buckets are declared in different countries ({shown}): "
            "scan each country's buckets separately"
        )
    if declared and None in countries.values():
        missing = ", ".join(b for b, c in countries.items() if c is None)
        raise InputError(
            f"bucket(s) {missing} not declared in [[scan.buckets]] while others are: "
            "declare them or give --located-in"
        )
    return declared.pop() if declared else None


def check_engine(engine: str, sources: Sequence[str], out: Path) -> None:
    """InputError for an unknown engine, or Spark options the local engine cannot honour."""
    if engine not in ENGINES:
        raise InputError(f"--engine: {engine!r} is not one of {', '.join(ENGINES)}")
    if engine == "spark" and str(out) == "-":
        raise InputError("--engine spark writes findings partitions: --out must be a directory")


def run_spark(
    sources: Sequence[str], out: Path, options: ScanOptions, master: str | None, fmt: str
) -> ScanSummary:
    """Scan on Spark: findings partitions in ``out/findings`` (the CLI adds
    ``out/summary.json``, the same JSON as ``--json``)."""
    from onshore.services.runtime.spark_engine import spark_scan

    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} is a file; --engine spark writes a directory")
    out.mkdir(parents=True, exist_ok=True)
    return spark_scan(sources, out, options, master=master, fmt=fmt)
