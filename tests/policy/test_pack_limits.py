"""Policy pack loader limits (issue #19, finding 4): durations and dates range-checked at the
model, pack files that are not regular files refused unread, a size limit."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from onshore.core.errors import PackError
from onshore.core.policy import parse_pack
from onshore.core.policy.bounds import MAX_DURATION
from onshore.core.policy.duration import add_duration
from onshore.services.policy import PACK_MAX_BYTES, read_pack, read_text
from onshore.settings import DeploymentSettings
from tests.policy.test_parse_errors import GOOD
from tests.support.cli import onshore

WITHIN = "    require: {type: store_in_country, country: VN}\n"


def _with_duration(amount: int, unit: str = "day") -> str:
    assert WITHIN in GOOD
    return GOOD.replace(
        WITHIN,
        "    require:\n      - {type: notify_within, to: x,\n"
        f"         within: {{amount: {amount}, unit: {unit}}}}}\n",
    ).replace("sources: {H1: our counsel}\n", "sources: {H1: our counsel}\nauthorities: {x: X}\n")


def test_a_sane_duration_loads() -> None:
    pack = parse_pack(_with_duration(30), "p.yaml")
    assert pack.rules[0].require[0].within is not None


@pytest.mark.parametrize("unit", sorted(MAX_DURATION))
def test_every_unit_at_its_limit_computes_a_deadline(unit: str) -> None:
    pack = parse_pack(_with_duration(MAX_DURATION[unit], unit), "p.yaml")
    within = pack.rules[0].require[0].within
    assert within is not None
    due = add_duration(datetime(2999, 12, 31, tzinfo=UTC), within.amount, within.unit)
    assert due.year > 2999  # no OverflowError even from the last pack date


@pytest.mark.parametrize(
    ("amount", "unit"),
    [(9_999_999_999, "day"), (MAX_DURATION["day"] + 1, "day"), (10**30, "hour"), (201, "year")],
)
def test_a_huge_duration_is_a_pack_error_naming_file_and_line(amount: int, unit: str) -> None:
    with pytest.raises(PackError) as exc:
        parse_pack(_with_duration(amount, unit), "house.yaml")
    message = str(exc.value)
    assert message.startswith("house.yaml:21: rules.0.require.0.within: a duration of ")
    assert "over the limit" in message and exc.value.details["line"] == 21  # the within: line


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("effective: 2024-01-01}", "effective: 9999-12-31}"),
        ("effective: 2020-01-01,", "effective: 0001-01-01,"),
        ("sunset: 2024-01-01,", "sunset: 3000-01-01,"),
    ],
)
def test_dates_out_of_range_are_pack_errors(old: str, new: str) -> None:
    assert old in GOOD
    with pytest.raises(PackError, match=r"outside 1900-01-01 \.\. 2999-12-31"):
        parse_pack(GOOD.replace(old, new), "house.yaml")


def test_rule_dates_are_range_checked_too() -> None:
    text = GOOD.replace(
        "    status: confirmed\n", "    status: confirmed\n    sunset: 9999-01-01\n"
    )
    with pytest.raises(PackError, match=r"house\.yaml:16: rules\.0\.sunset: date 9999-01-01"):
        parse_pack(text, "house.yaml")


def test_policy_check_refuses_a_huge_duration_instead_of_crashing(tmp_path: Path) -> None:
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "pack.yaml").write_text(_with_duration(9_999_999_999), encoding="utf-8")
    done = onshore("policy", "check", str(folder))
    assert done.returncode != 0
    assert "OverflowError" not in done.stderr and "Traceback" not in done.stderr
    assert "over the limit" in " ".join((done.stdout + done.stderr).split())


def _refused(path: Path, what: str) -> None:
    with pytest.raises(PackError, match=what) as exc:
        read_pack(path)
    file = path / "pack.yaml" if path.is_dir() else path
    assert exc.value.details["file"] == str(file) and exc.value.details["line"] == 1


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pack.yaml"
    os.mkfifo(fifo)
    result: list[BaseException | None] = []

    def load() -> None:
        try:
            read_pack(fifo)
        except BaseException as exc:  # handed to the test thread
            result.append(exc)
        else:
            result.append(None)

    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(10)
    if worker.is_alive():  # unblock it: open the writing end
        with open(fifo, "wb"):
            pass
        pytest.fail("reading a FIFO pack blocked")
    assert isinstance(result[0], PackError) and "a FIFO, not a regular file" in str(result[0])


def test_a_link_to_dev_zero_is_refused_unread(tmp_path: Path) -> None:
    link = tmp_path / "pack.yaml"
    link.symlink_to("/dev/zero")
    _refused(link, "a device, not a regular file")


def test_a_directory_named_like_a_pack_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "house" / "pack.yaml").mkdir(parents=True)
    _refused(tmp_path / "house", "a directory, not a regular file")


def test_a_link_to_a_regular_pack_file_is_read(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text(GOOD, encoding="utf-8")
    (tmp_path / "house").mkdir()
    (tmp_path / "house" / "pack.yaml").symlink_to(real)
    assert read_pack(tmp_path / "house").id == "house"


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "pack.yaml"
    big.write_text(GOOD + "#" * PACK_MAX_BYTES + "\n", encoding="utf-8")
    _refused(big, "over the limit of 1,048,576")
    small = tmp_path / "small.yaml"
    small.write_text(GOOD, encoding="utf-8")
    with pytest.raises(PackError, match="over the limit of 100"):
        read_text(small, max_bytes=100)
    assert read_text(small) == GOOD


def test_the_size_limit_is_a_setting() -> None:
    field = DeploymentSettings.model_fields["pack_max_bytes"]
    assert field.default == PACK_MAX_BYTES and field.description


def test_case_times_out_of_range_are_pack_errors() -> None:
    """A case evaluated in the year 9999 would overflow its deadlines in ``policy check``."""
    from onshore.core.policy.cases import parse_cases

    shipped = Path(__file__).resolve().parents[2] / "policy_packs" / "eu" / "cases.yaml"
    text = shipped.read_text(encoding="utf-8")
    assert parse_cases(text, "cases.yaml").cases
    first_at = next(line for line in text.splitlines() if line.strip().startswith("at:"))
    broken = text.replace(first_at, first_at.split("at:")[0] + "at: 9999-12-31T23:00:00Z", 1)
    with pytest.raises(PackError, match=r"cases\.yaml:\d+: cases\.0\.at: date 9999-12-31"):
        parse_cases(broken, "cases.yaml")
