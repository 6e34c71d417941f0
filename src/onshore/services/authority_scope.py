"""An authority request's scope, resolved to blind-index terms (no identifier kept in the clear).

``resolve_scope(runtime, raw)`` checks a scope (``subjects``, the identifier categories of
:data:`onshore.core.cases.scope.SCOPE_IDENTIFIERS`, ``from``, ``to``, ``categories``),
normalises each identifier, and returns what the case stores: the scope's shape with every
account masked, and for each region the blind-index terms and subject refs under every live
index key (old and new during a key rotation), which ``collect`` later looks up.

Example:
    >>> import tempfile
    >>> from onshore.services.runtime import open_runtime
    >>> from onshore.settings import Settings, default_config_dict
    >>> cfg = default_config_dict(); cfg["base_dir"] = tempfile.mkdtemp()
    >>> for r in cfg["regions"].values(): r["store"] = "memory://"
    >>> rt = open_runtime(Settings.model_validate(cfg), create_keys=True)
    >>> raw = {"subjects": ["u1"], "email": ["lan@example.vn"], "categories": ["email"]}
    >>> out = resolve_scope(rt, raw)
    >>> out["scope"]["accounts"], sorted(out["scope_terms"]) == sorted(rt.regions)
    (2, True)
    >>> rt.close()
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from onshore.core import blind_index
from onshore.core.cases.scope import SCOPE_IDENTIFIERS, Scope, mask
from onshore.core.errors import InputError
from onshore.services.reindex import live_index_keys
from onshore.services.runtime import Runtime


def resolve_scope(runtime: Runtime, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The case data of a request's ``scope``: its shape with the identifiers masked
    (``scope``), and per region the blind-index terms and subject refs under every live
    index key (``scope_terms``). ``InputError`` names the first field that is not valid."""
    if not isinstance(raw, Mapping):
        raise InputError("scope must be an object", details={"field": "scope"})
    allowed = {"subjects", "from", "to", "categories", *SCOPE_IDENTIFIERS}
    extra = set(raw) - allowed
    if extra:
        raise InputError(
            f"unknown scope field {sorted(extra)[0]!r}", details={"allowed": sorted(allowed)}
        )
    scope = Scope.from_dict(raw)
    phone_region = runtime.settings.deployment.default_phone_region
    shown: list[dict[str, str]] = []
    terms: dict[str, dict[str, list[str]]] = {n: {"terms": [], "refs": []} for n in runtime.regions}
    for category in SCOPE_IDENTIFIERS:
        for value in _strings(raw.get(category), category):
            normal = blind_index.normalise(category, value, default_region=phone_region)
            if normal is None:
                raise InputError(f"not a valid {category} in scope", details={"field": category})
            shown.append({"type": category, "masked": mask(normal)})
            for name, r in runtime.regions.items():
                for key in live_index_keys(r.keys):  # old and new during a rotation
                    terms[name]["terms"].append(blind_index.term(key, category, normal).hex())
    for subject in _strings(raw.get("subjects"), "subjects"):
        shown.append({"type": "subject", "masked": mask(subject)})
        for name, r in runtime.regions.items():
            for key in live_index_keys(r.keys):
                terms[name]["refs"].append(blind_index.subject_ref(key, subject).hex())
    if not shown:
        raise InputError("a scope names at least one account (subject, phone, email or ID)")
    return {
        "scope": {**scope.to_dict(), "accounts": len(shown), "identifiers": shown},
        "scope_terms": terms,
    }


def _strings(value: Any, name: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise InputError(f"scope {name} must be a list of strings", details={"field": name})
    return list(value)
