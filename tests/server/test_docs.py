"""``docs/api.md``: every curl example runs against a live server with the status it shows;
every error code the server maps is named in the doc."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from onshore.server.errors import STATUS
from tests.server.live import LiveServer

DOC = Path(__file__).parents[2] / "docs" / "api.md"


def curl_examples(text: str) -> list[tuple[str, int]]:
    """(command, expected status) for each ``curl`` command in a ``sh`` block followed by
    ``# -> NNN``; continuation lines (ending in ``\\``) are joined."""
    examples: list[tuple[str, int]] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        lines = block.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if not line.startswith("curl "):
                i += 1
                continue
            command = [line]
            while command[-1].rstrip().endswith("\\") or _open_quote(" ".join(command)):
                i += 1
                command.append(lines[i])
            i += 1
            expect = re.fullmatch(r"# -> (\d{3})", lines[i].strip()) if i < len(lines) else None
            assert expect, f"curl example without '# -> STATUS' after it: {command[0]}"
            examples.append(("\n".join(command), int(expect.group(1))))
    return examples


def _open_quote(text: str) -> bool:
    return text.replace("'\"'\"'", "").count("'") % 2 == 1


def test_doc_has_examples_for_every_resource() -> None:
    commands = " ".join(c for c, _ in curl_examples(DOC.read_text(encoding="utf-8")))
    for resource in (
        "/v1/records",
        "/v1/records/batch",
        "/v1/subjects/",
        "/erasure",
        "/v1/decisions",
        "/checkpoint",
        "/proofs/records/",
        "/proofs/leaves/",
        "/proofs/consistency",
        "/v1/tokens",
        "/healthz",
        "/metrics",
        "/openapi.json",
        "/transfer",
    ):
        assert resource in commands, resource


def test_doc_names_every_error_status() -> None:
    text = DOC.read_text(encoding="utf-8")
    for status in sorted(set(STATUS.values())):
        assert f"| {status} |" in text, status


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_curl_examples_run(live: LiveServer) -> None:
    examples = curl_examples(DOC.read_text(encoding="utf-8"))
    assert len(examples) >= 20
    env = {"BASE": live.base, "TOKEN": live.tokens["admin"], "PATH": "/usr/bin:/bin"}
    for command, expected in examples:
        assert "|" not in command.replace("'", "").split("-d")[0], command
        run = subprocess.run(
            ["bash", "-c", command + " -o /dev/null -w '%{http_code}'"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert run.returncode == 0, (command, run.stderr)
        assert run.stdout.strip() == str(expected), (command, run.stdout)
