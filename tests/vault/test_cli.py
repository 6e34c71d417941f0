"""The vault CLI as a user runs it: exit codes, JSON output. The round trip runs a real
`onshore` process; the other commands run in this process (``tests/support/cli.py``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.cli import onshore

ONSHORE = [sys.executable, "-m", "onshore.cli.main"]


def run_process(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in a real process (end to end)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONSHORE_")}
    return subprocess.run(
        [*ONSHORE, *args], cwd=cwd, capture_output=True, text=True, timeout=120, env=env
    )


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``onshore ARGS`` in this process."""
    return onshore(*args, cwd=cwd)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    done = run(d, "init")
    assert done.returncode == 0, done.stderr
    assert (d / "onshore.toml").exists()
    assert (d / "data" / "vn-hcm" / "keys").stat().st_mode & 0o777 == 0o700
    return d


def test_put_get_find_round_trip(workdir: Path) -> None:
    """End to end: three real processes."""
    put = run_process(
        workdir,
        "put",
        "-s",
        "u-1",
        "-k",
        "profile",
        "--json",
        "-d",
        '{"full_name": "Trần Thị Mai", "phone": "+84912345678"}',
        "--signal",
        "phone_number=+84912345678",
    )
    assert put.returncode == 0, put.stderr
    receipt = json.loads(put.stdout)
    assert receipt["region"] == "vn-hcm" and isinstance(receipt["ledger_index"], int)
    got = run_process(workdir, "get", receipt["record_id"])
    assert got.returncode == 0
    assert json.loads(got.stdout)["data"]["full_name"] == "Trần Thị Mai"
    found = run_process(workdir, "find", "--phone", "0912 345 678", "--json")
    assert receipt["record_id"] in [r["record_id"] for r in json.loads(found.stdout)]


@pytest.mark.parametrize(
    ("args", "code", "error_code"),
    [
        (("put", "-s", "", "-k", "p", "-d", "{}"), 2, "input.missing_subject"),
        (("put", "-s", "u", "-k", "p", "-d", "{not json"), 2, "input.invalid"),
        (("put", "-s", "u", "-k", "p", "-d", "{}", "--signal", "nope"), 2, "input.invalid"),
        (("get", "does-not-exist"), 1, "record.not_found"),
        (("find", "--by", "religion=x"), 2, "input.unknown_identifier"),
        (("get", "x", "--caller-region", "mars"), 1, "record.not_found"),
        (("keys", "rotate", "mars-1"), 1, "region.unknown"),
    ],
)
def test_errors_have_messages_and_exit_codes(
    workdir: Path, args: tuple[str, ...], code: int, error_code: str
) -> None:
    done = run(workdir, *args)
    assert done.returncode == code, done.stderr
    assert f"error[{error_code}]" in done.stderr
    assert "Traceback" not in done.stderr


def test_no_permitted_region_exits_3(tmp_path: Path) -> None:
    (tmp_path / "onshore.toml").write_text(
        '[deployment]\ndefault_region = "sg-1"\n'
        'entity = { incorporated_in = "VN", sectors = ["social_network"] }\n'
        '[regions.sg-1]\ncountry = "SG"\nstore = "sqlite:///data/sg.db"\n'
    )
    init = run(tmp_path, "keys", "rotate", "sg-1")
    assert init.returncode == 1 and "keys_dir" in init.stderr  # no keys yet: config error
    assert run(tmp_path, "init").returncode == 0
    done = run(
        tmp_path,
        "put",
        "-s",
        "u",
        "-k",
        "p",
        "-d",
        '{"phone": "+84912345678"}',
        "--signal",
        "phone_number=+84912345678",
    )
    assert done.returncode == 3
    assert "residency.no_permitted_region" in done.stderr


def test_key_rotation_with_rewrap(workdir: Path) -> None:
    done = run(workdir, "keys", "rotate", "vn-hcm", "--rewrap")
    assert done.returncode == 0, done.stderr
    assert "re-wrapped" in done.stdout


def test_demo_passes_its_checks(tmp_path: Path) -> None:
    done = run(tmp_path, "demo", "--users", "40")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("PASS") == 2
    again = run(tmp_path, "demo", "--users", "40")
    assert again.returncode == 0
    assert "already" in again.stdout


def test_every_command_has_help() -> None:
    from typer.main import get_command

    from onshore.cli.commands import COMMANDS
    from onshore.cli.main import app

    root = get_command(app)
    assert root.help
    ctx = root.context_class(root, info_name="onshore")
    names = root.list_commands(ctx)  # type: ignore[attr-defined]
    assert set(names) == set(COMMANDS) and {"put", "scan", "serve", "users", "worker"} <= set(names)
    for name in names:
        cmd = root.get_command(ctx, name)  # type: ignore[attr-defined]
        assert cmd.help, f"onshore {name} has no help"
        for sub_name, sub in getattr(cmd, "commands", {}).items():
            assert sub.help, f"onshore {name} {sub_name} has no help"


def test_the_help_lists_each_command_by_its_own_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    """``onshore --help`` lists the commands without loading them, by the summaries in
    ``onshore.cli.commands``: each is its command's help's first paragraph, and the help reads
    the same as with every command loaded."""
    import inspect

    from typer.main import get_command

    from onshore.cli.commands import COMMANDS
    from onshore.cli.lazy_group import LazyGroup
    from onshore.cli.main import app

    root = get_command(app)
    assert isinstance(root, LazyGroup)
    root.load_all()
    assert sorted(root.commands) == sorted(COMMANDS)
    for name, entry in COMMANDS.items():
        first = inspect.cleandoc(root.commands[name].help or "").split("\n\n")[0]
        assert entry.summary == first, name
    lazy = onshore("--help", env={"COLUMNS": "100"})
    format_help = LazyGroup.format_help

    def loaded_first(self: LazyGroup, ctx: object, formatter: object) -> None:
        self.load_all()
        format_help(self, ctx, formatter)

    monkeypatch.setattr(LazyGroup, "format_help", loaded_first)
    eager = onshore("--help", env={"COLUMNS": "100"})
    assert lazy.returncode == eager.returncode == 0
    assert lazy.stdout == eager.stdout and "backup" in lazy.stdout


def test_run_app_keeps_typer_exit_codes() -> None:
    import typer

    from onshore.cli.errors import run_app

    app = typer.Typer()

    @app.command()
    def boom(code: int) -> None:
        raise typer.Exit(code)

    @app.command()
    def fine() -> None:
        """Nothing."""

    for argv, expected in ((["boom", "4"], 4), (["boom", "0"], 0), (["fine"], 0), (["nope"], 2)):
        with pytest.raises(SystemExit) as info:
            run_app(app, argv)
        assert info.value.code == expected, argv
