"""A small deployment for the migration tests: regions vn-hcm and sg-1, a foreign entity, and
a test pack whose rule starts on 2027-01-01 to require VN subjects' e-mail addresses to be
stored in Viet Nam. Seeded while the rule is not yet in force and the deployment had only
sg-1 (the platform before it onshored): every record is in sg-1; then vn-hcm is added.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from onshore.services.runtime import open_runtime
from onshore.services.vault import Vault
from onshore.settings import load_settings

#: The date the test pack's rule starts.
RULE_STARTS = "2027-01-01"
#: A date after it: ``migrate plan --at``.
AFTER = "2027-02-01"

PACK = """\
schema: onshore.policy-pack/v1
pack: {id: zz, jurisdiction: VN, version: "1", title: test localisation, utc_offset: "+07:00"}
sources: {S1: test}
instruments:
  - {id: T1, ref: test, title: Test localisation law, effective: 2027-01-01}
rules:
- id: ZZ-email-local
  instrument: T1
  title: Store VN users' e-mail addresses in Viet Nam
  cite: test
  status: confirmed
  sources: [S1]
  applies_to: {subject_in: VN, data: [email]}
  require:
    - {type: store_in_country, country: VN}
"""


def write_world(
    base: Path, stores: dict[str, str], control: str | None = None, *, only_sg: bool = False
) -> Path:
    """``onshore.toml`` and the test pack under ``base``; the config file's path.
    ``only_sg``: a deployment of region sg-1 alone."""
    pack = base / "packs" / "zz"
    pack.mkdir(parents=True, exist_ok=True)
    (pack / "pack.yaml").write_text(PACK, encoding="utf-8")
    control_line = f'control_store = "{control}"\n' if control else ""
    text = f"""\
[deployment]
name = "migrate-test"
packs = ["zz"]
pack_paths = ["{base / "packs"}"]
entity = {{ incorporated_in = "SG", sectors = ["social_network"] }}
default_region = "sg-1"
{control_line}
{"" if only_sg else f'[regions.vn-hcm]{chr(10)}country = "VN"{chr(10)}store = "{stores["vn-hcm"]}"'}

[regions.sg-1]
country = "SG"
store = "{stores["sg-1"]}"
"""
    path = base / "onshore.toml"
    path.write_text(text, encoding="utf-8")
    return path


def seed(
    base: Path, stores: dict[str, str], control: str | None, vn_mail: int, others: int
) -> tuple[Path, dict[str, list[str]]]:
    """Store the population in sg-1 alone, then add vn-hcm (with its keys): the full config
    and the record ids by group: ``moving`` (VN e-mail records), ``vn_other`` (VN records
    without e-mail) and ``sg`` (SG subjects' records)."""
    first = write_world(base, stores, control, only_sg=True)
    vault = Vault(open_runtime(load_settings(first), create_keys=True))
    try:
        vn = [
            {"subject": f"vn-{i}", "kind": "contact", "data": {"email": f"user{i}@example.vn"},
             "signals": {"declared_residence": "VN"}}
            for i in range(vn_mail)
        ]  # fmt: skip
        vn_other = [
            {"subject": f"vn-{i}", "kind": "note", "data": {"text": f"hello {i}"},
             "signals": {"declared_residence": "VN"}}
            for i in range(others)
        ]  # fmt: skip
        sg = [
            {"subject": f"sg-{i}", "kind": "contact", "data": {"email": f"sg{i}@example.sg"},
             "signals": {"declared_residence": "SG"}}
            for i in range(others)
        ]  # fmt: skip
        ids = {
            "moving": [r.record_id for r in vault.put_many(vn)],
            "vn_other": [r.record_id for r in vault.put_many(vn_other)],
            "sg": [r.record_id for r in vault.put_many(sg)],
        }
    finally:
        vault.close()
    config = write_world(base, stores, control)
    open_runtime(load_settings(config), create_keys=True).close()
    return config, ids


def at(day: str) -> datetime:
    """Midnight UTC of an ISO day."""
    return datetime.fromisoformat(day).replace(tzinfo=UTC)
