"""A package whose record file does not match the manifest is not reported as matching."""

from __future__ import annotations

from pathlib import Path

from onshore.core.cases.package import verify_package
from onshore.services.authority_requests import AuthorityRequestService
from onshore.services.production import read_package

from .test_package import package as package  # the fixture

MATCH = "record files match the manifest"


def test_match_is_claimed_only_when_every_file_matches(
    package: tuple[AuthorityRequestService, str, Path],
) -> None:
    _, _, out = package
    files = dict(read_package(out))
    assert MATCH in verify_package(files).checks
    body = bytearray(files["records/post.jsonl"])
    body[1] ^= 0x01
    changed = verify_package({**files, "records/post.jsonl": bytes(body)})
    assert not changed.ok and MATCH not in changed.checks
    assert "records/post.jsonl does not match its SHA-256 in the manifest" in changed.failures
    extra = verify_package({**files, "records/extra.jsonl": b"{}\n"})
    assert MATCH not in extra.checks
