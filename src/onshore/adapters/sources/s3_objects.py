"""Objects in S3 or an S3-compatible store (``s3://bucket/prefix``), read with pyarrow's S3
filesystem.

Every object under the prefix with a readable suffix (``.parquet``, ``.csv``, ``.tsv``,
``.jsonl``, ``.ndjson``, ``.json``; a URL naming one object is read whatever its suffix) is
one table labelled with its URL. An object is copied to a temporary file, then read by the
local reader of its kind (Parquet needs random access), one object at a time: the disk
holds at most one object. Credentials come from the AWS chain (environment,
``~/.aws/credentials``, instance roles); ``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_S3``)
points at an S3-compatible store. A bucket that cannot be listed, missing credentials or a
refused connection is an ``unreadable`` problem, never a traceback.

Example:
    >>> split_url("s3://lake/events/2026/")
    ('lake', 'events/2026')
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs

from onshore.adapters.sources.base import Table
from onshore.adapters.sources.csv_file import CsvTable
from onshore.adapters.sources.jsonl_file import JsonlTable
from onshore.adapters.sources.parquet_file import ParquetTable
from onshore.core.errors import InputError

#: Suffixes read when listing a prefix (a URL naming one object is read whatever its name).
SUFFIXES = frozenset({".parquet", ".csv", ".tsv", ".jsonl", ".ndjson", ".json"})

#: Bytes copied per read while an object is fetched.
CHUNK = 8 << 20


def split_url(url: str) -> tuple[str, str]:
    """``s3://bucket/key/prefix`` -> ``(bucket, key/prefix)``; InputError when malformed."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not parts.netloc or parts.query or parts.fragment:
        raise InputError(f"{url!r} is not an s3://bucket/prefix URL")
    return parts.netloc, parts.path.strip("/")


def endpoint_url() -> str | None:
    """The S3 endpoint override from the environment, if any (AWS SDK names)."""
    return os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or None


def s3_filesystem(endpoint: str | None = None) -> pafs.S3FileSystem:
    """pyarrow's S3 filesystem: credentials from the AWS chain, ``endpoint`` (or the
    environment's) for S3-compatible stores, region from ``AWS_REGION``/``AWS_DEFAULT_REGION``."""
    kwargs: dict[str, object] = {}
    url = endpoint or endpoint_url()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise InputError(f"S3 endpoint {url!r} is not an http(s):// URL with a host")
        kwargs["endpoint_override"] = parts.netloc
        kwargs["scheme"] = parts.scheme
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region"] = region
    return pafs.S3FileSystem(**kwargs)


class _Failed(Table):
    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        return iter(())


def _reader(path: Path, key: str) -> Table:
    suffix = PurePosixPath(key).suffix.lower()
    if suffix == ".parquet":
        return ParquetTable(path)
    if suffix in (".jsonl", ".ndjson", ".json"):
        return JsonlTable(path)
    return CsvTable(path)


class S3Table(Table):
    """One object: fetched to a temporary file, then read by the reader of its kind."""

    def __init__(self, fs: pafs.S3FileSystem, bucket: str, key: str, size: int) -> None:
        super().__init__(label=f"s3://{bucket}/{key}")
        self.fs, self.path, self.key, self.size = fs, f"{bucket}/{key}", key, size

    def _batches(self, rows: int) -> Iterator[tuple[np.ndarray, pa.RecordBatch]]:
        self.bytes_total = self.size
        suffix = PurePosixPath(self.key).suffix.lower() or ".csv"
        with tempfile.TemporaryDirectory(prefix="onshore-s3-") as tmp:
            local = Path(tmp) / f"object{suffix}"
            with self.fs.open_input_stream(self.path) as src, local.open("wb") as dst:
                shutil.copyfileobj(src, dst, CHUNK)
            inner = _reader(local, self.key)
            inner.label, inner.limits = self.label, self.limits
            inner.problems, inner._examples = self.problems, self._examples  # shared
            for batch in inner._batches(rows):
                self.rows_read, self.rows_skipped = inner.rows_read, inner.rows_skipped
                self.bytes_done = inner.bytes_done
                yield batch
            self.rows_read, self.rows_skipped = inner.rows_read, inner.rows_skipped
            self.bytes_done = self.size


def _failure(label: str, exc: Exception) -> Table:
    text = str(exc).splitlines()[0][:300] if str(exc) else exc.__class__.__name__
    failed = _Failed(label=label)
    failed.problem(
        "unreadable",
        f"cannot list {label}: {text} (credentials come from the AWS environment/config chain;"
        " AWS_ENDPOINT_URL or [scan.s3] endpoint_url for S3-compatible stores)",
        fatal=True,
    )
    return failed


def s3_tables(url: str, endpoint: str | None = None) -> Iterator[Table]:
    """One table per object under ``url`` (sorted by key); an ``unreadable`` table when the
    bucket cannot be listed or nothing readable is there."""
    bucket, prefix = split_url(url)
    label = f"s3://{bucket}/{prefix}" if prefix else f"s3://{bucket}"
    try:
        fs = s3_filesystem(endpoint)
        base = f"{bucket}/{prefix}" if prefix else bucket
        info = fs.get_file_info(base)
        if info.type == pafs.FileType.File:
            found = [info]
        else:
            listed = fs.get_file_info(pafs.FileSelector(base, recursive=True, allow_not_found=True))
            found = sorted(
                (
                    i
                    for i in listed
                    if i.type == pafs.FileType.File
                    and PurePosixPath(i.path).suffix.lower() in SUFFIXES
                ),
                key=lambda i: i.path,
            )
    except (OSError, pa.ArrowException) as exc:
        yield _failure(label, exc)
        return
    if not found:
        yield _failure(label, FileNotFoundError("no readable object (Parquet, CSV, JSON Lines)"))
        return
    for item in found:
        key = item.path.split("/", 1)[1] if "/" in item.path else item.path
        yield S3Table(fs, bucket, key, int(item.size or 0))
