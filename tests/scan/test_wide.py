"""Wide input (issue 18 item 5): a 100,000-column table is read in full when the limit allows
it (time in bench/scan.py; tests/scan/test_hostile.py bounds the growth), the limits come
from ``[scan_limits]`` of the configuration, and bad input is counted in the summary."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from onshore.adapters.sources import Limits
from onshore.cli.main import main
from onshore.ports.sources import MAX_COLUMNS, MAX_DEPTH, MAX_LINE_BYTES
from onshore.services.scan import ScanOptions, scan
from onshore.settings.scan_limits import ScanLimitSettings


def _wide_row(columns: int) -> tuple[list[str], list[str]]:
    names = [f"c{i:06d}" for i in range(columns)]
    values = [f"09{i + 12345678:08d}" if i % 5000 == 0 else f"v{i}" for i in range(columns)]
    return names, values


@pytest.mark.parametrize(("suffix", "columns"), [(".csv", 100_000), (".jsonl", 20_000)])
def test_a_very_wide_table_is_read_in_full_under_a_raised_limit(
    tmp_path: Path, suffix: str, columns: int
) -> None:
    names, values = _wide_row(columns)
    path = tmp_path / f"wide{suffix}"
    if suffix == ".csv":
        path.write_text(",".join(names) + "\n" + ",".join(values) + "\n", encoding="utf-8")
    else:
        path.write_text(json.dumps(dict(zip(names, values, strict=True))) + "\n", "utf-8")
    out = io.BytesIO()
    options = ScanOptions(workers=2, limits=Limits(max_columns=columns))
    summary = scan([str(path)], out, options)
    assert summary.complete and summary.rows == 1 and summary.bad_input == {}
    found = [json.loads(line) for line in out.getvalue().splitlines()]
    assert sorted(f["column"] for f in found) == names[::5000]
    assert {f["category"] for f in found} == {"phone_number"}


def test_scan_settings_default_to_the_port_limits() -> None:
    s = ScanLimitSettings()
    assert (s.max_line_bytes, s.max_columns, s.max_depth) == (
        MAX_LINE_BYTES,
        MAX_COLUMNS,
        MAX_DEPTH,
    )


def test_the_limits_come_from_the_configuration_and_bad_input_is_counted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.jsonl"
    path.write_text(
        json.dumps({f"k{i}": "x" for i in range(30)})
        + "\n"
        + '{"a":' * 9
        + "1"
        + "}" * 9
        + '\n{"email": "an@example.vn"}\n',
        encoding="utf-8",
    )
    config = tmp_path / "onshore.toml"
    config.write_text(
        '[deployment]\ndefault_region = "vn-hcm"\npacks = ["vn"]\n'
        'entity = { incorporated_in = "VN", sectors = ["social_network"] }\n'
        '[regions.vn-hcm]\ncountry = "VN"\nstore = "sqlite:///data/vn.db"\n'
        "[scan_limits]\nmax_columns = 20\nmax_depth = 5\n",
        encoding="utf-8",
    )
    args = ["scan", str(path), "--out", str(tmp_path / "f.jsonl"), "--workers", "1"]
    with pytest.raises(SystemExit) as exc:
        main([*args, "--config", str(config), "--json"])
    assert exc.value.code == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["bad_input"] == {"too_deep": 1, "too_many_columns": 1}
    assert summary["findings"] == 1
    with pytest.raises(SystemExit) as exc:  # an option overrides the configuration
        main([*args, "--config", str(config), "--max-depth", "50", "--json"])
    assert json.loads(capsys.readouterr().out)["bad_input"] == {"too_many_columns": 1}
    with pytest.raises(SystemExit) as exc:
        main([*args, "--config", str(config)])
    assert "bad input skipped: 1 too_deep, 1 too_many_columns" in capsys.readouterr().out


def test_every_scan_limit_is_described_and_documented() -> None:
    text = (Path(__file__).parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert "## `[scan_limits]`" in text
    for name, field in ScanLimitSettings.model_fields.items():
        assert field.description, name
        assert f"`{name}`" in text, f"{name} is not in docs/configuration.md"
