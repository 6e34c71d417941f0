"""``onshore scan s3://bucket/prefix`` against a real S3-compatible server started here
(moto's standalone server on a free local port; no network), with buckets declared with
their country in ``onshore.toml``."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from onshore.services.scan import ScanOptions, scan
from onshore.settings.defaults import DEFAULT_TOML
from tests.classify.corpus import generate
from tests.scan.writers import write_csv, write_jsonl, write_parquet
from tests.support.cli import onshore

KEYS = ("row", "column", "start", "end", "category", "detector", "confidence", "subject_country")

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "onshore-test",
    "AWS_SECRET_ACCESS_KEY": "onshore-test-secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture()
def aws(monkeypatch: pytest.MonkeyPatch, s3_endpoint: str) -> str:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", s3_endpoint)
    return s3_endpoint


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory, s3_endpoint: str) -> Path:
    """The corpus as files, uploaded to s3://lake-sg/exports/2026/ (and kept locally)."""
    import boto3

    d = tmp_path_factory.mktemp("s3lake")
    corpus = generate(seed=11, users=200, posts=200)
    files = [
        write_csv(d / "users.csv", corpus.users_columns, corpus.users),
        write_jsonl(d / "posts.jsonl", corpus.posts_columns, corpus.posts),
        write_parquet(d / "users.parquet", corpus.users_columns, corpus.users),
    ]
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="lake-sg")
    for f in files:
        client.upload_file(str(f), "lake-sg", f"exports/2026/{f.name}")
    client.put_object(Bucket="lake-sg", Key="exports/2026/README", Body=b"not data")
    return d


def _findings(specs: list[str], options: ScanOptions) -> list[dict[str, object]]:
    out = io.BytesIO()
    summary = scan(specs, out, options)
    assert summary.complete, summary.problems
    return [json.loads(line) for line in out.getvalue().splitlines()]


def _by_name(found: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(str(f["source"]).rsplit("/", 1)[-1], *(f[k] for k in KEYS)) for f in found}


@pytest.mark.parametrize("workers", [1, 2])
def test_objects_give_the_findings_of_the_same_local_files(
    aws: str, lake: Path, workers: int
) -> None:
    remote = _findings(["s3://lake-sg/exports/2026/"], ScanOptions(workers=workers))
    local = _findings([str(lake)], ScanOptions(workers=1))
    assert len(local) > 1000
    assert _by_name(remote) == _by_name(local)
    sources = {f["source"] for f in remote}
    assert sources == {f"s3://lake-sg/exports/2026/{n}" for n in _names(lake)}


def _names(lake: Path) -> set[str]:
    return {p.name for p in lake.iterdir()}


def test_declared_bucket_sets_located_in_and_violations(
    aws: str, lake: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ENDPOINT_URL")  # the endpoint comes from onshore.toml
    config = tmp_path / "onshore.toml"
    config.write_text(
        DEFAULT_TOML + f'\n[scan.s3]\nendpoint_url = "{aws}"\n\n'
        '[[scan.buckets]]\nname = "lake-sg"\ncountry = "SG"\n',
        encoding="utf-8",
    )
    out = tmp_path / "f.jsonl"
    done = onshore(
        "scan", "s3://lake-sg/exports/2026/users.parquet", "--out", str(out), "--json",
        "--config", str(config), "--entity-country", "VN",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["located_in"] == "SG"
    assert summary["violations"] > 0
    found = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    flagged = [f for f in found if f["residency_violation"]]
    assert flagged and all(f["subject_country"] == "VN" for f in flagged)


def test_bad_urls_and_missing_buckets_are_reported(aws: str, tmp_path: Path) -> None:
    malformed = onshore("scan", "s3:///no-bucket", "--out", str(tmp_path / "a.jsonl"))
    assert malformed.returncode == 2 and "s3://bucket/prefix" in malformed.stderr
    missing = onshore("scan", "s3://no-such-bucket/x/", "--out", str(tmp_path / "b.jsonl"))
    assert missing.returncode == 1
    assert "unreadable" in missing.stderr and "no-such-bucket" in missing.stderr
    assert "Traceback" not in missing.stderr + malformed.stderr


def test_buckets_declared_in_two_countries_are_refused(aws: str, tmp_path: Path) -> None:
    config = tmp_path / "onshore.toml"
    config.write_text(
        DEFAULT_TOML + '\n[[scan.buckets]]\nname = "lake-sg"\ncountry = "SG"\n\n'
        '[[scan.buckets]]\nname = "lake-vn"\ncountry = "VN"\n',
        encoding="utf-8",
    )
    done = onshore(
        "scan", "s3://lake-sg/a", "s3://lake-vn/b", "--config", str(config),
        "--out", str(tmp_path / "f.jsonl"),
    )  # fmt: skip
    assert done.returncode == 2 and "different countries" in done.stderr
