"""The embedded default configuration (DESIGN §3): a domestic VN social network with regions
vn-hcm and sg-1, as a dict (used when no ``onshore.toml`` exists) and as the TOML text that
``onshore init`` writes.

Example:
    >>> import tomllib
    >>> tomllib.loads(DEFAULT_TOML) == default_config_dict()
    True
"""

from __future__ import annotations

from typing import Any

CONFIG_FILE = "onshore.toml"


def default_config_dict() -> dict[str, Any]:
    """The embedded default (DESIGN §3): a domestic VN social network, regions vn-hcm and sg-1."""
    return {
        "deployment": {
            "name": "demo",
            "packs": ["vn"],
            "entity": {"incorporated_in": "VN", "sectors": ["social_network"]},
            "default_region": "sg-1",
        },
        "regions": {
            "vn-hcm": {
                "country": "VN",
                "store": "sqlite:///data/vn-hcm.db",
                "objects": "file:///data/vn-hcm/objects",
            },
            "sg-1": {"country": "SG", "store": "sqlite:///data/sg-1.db"},
        },
    }


#: Where the documentation lives (the wheel installs no docs/): pyproject's Documentation URL.
DOCS_URL = "https://github.com/onshore-dev/onshore/blob/main/docs"

DEFAULT_TOML = (
    (
        "# onshore configuration (created by `onshore init`); every key is described in\n"
        f"# {DOCS_URL}/configuration.md\n"
    )
    + """\
[deployment]
name = "demo"
packs = ["vn"]
# A domestic social network: Decree 53 art. 26.2 keeps VN users' data in Vietnam.
entity = { incorporated_in = "VN", sectors = ["social_network"] }
# storage_decisions = ["VN-D53-26.3"]   # a foreign entity that received an MPS storage decision
default_region = "sg-1"

[regions.vn-hcm]
country = "VN"
store = "sqlite:///data/vn-hcm.db"        # or postgresql://...
objects = "file:///data/vn-hcm/objects"    # or s3://bucket/prefix

[regions.sg-1]
country = "SG"
store = "sqlite:///data/sg-1.db"
"""
)
