"""A breach's clock: what the packs owe for it, per country, from its discovery.

For every country whose subjects a breach reached, the ``notify_within`` obligations the
packs give for the ``breach`` operation with the discovery as the ``breach_detected`` event,
under the law in force at discovery: to an authority (the pack's authority key and name),
to the subjects, or (a processor's duty) to the controller. The case is due at the
earliest authority deadline.

Example:
    >>> clock_of.__name__
    'clock_of'
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from onshore.core.cases.breach_notice import Owed
from onshore.core.policy import Facts
from onshore.services.runtime import Runtime


def owed(
    runtime: Runtime, discovered_at: datetime, countries: list[str], *, high_risk: bool
) -> list[Owed]:
    """Every notification the packs owe for a breach of ``countries``' subjects
    discovered at ``discovered_at`` (the law in force then)."""
    out: list[Owed] = []
    engine = runtime.engine
    for country in countries:
        facts = Facts(
            runtime.entity,
            subject_country=country,
            request="breach",
            flags=frozenset({"high_risk"} if high_risk else ()),
            events={"breach_detected": discovered_at},
        )
        decision = engine.evaluate("breach", facts, discovered_at)
        for o in decision.obligations:
            if o.kind != "notify_within":
                continue
            to = o.key.split(":")[1] if o.key.startswith("notify:") else ""
            audience = {"subjects": "subjects", "controller": "controller"}.get(to, "authority")
            rule = engine.rule(o.rule_id)
            pack = next(p for p in engine.packs if p.id == engine.pack_of(o.rule_id))
            name = pack.authorities.get(to, "") if audience == "authority" else ""
            out.append(Owed(o.rule_id, audience, to, country, o.due, name, rule.title))
    return out


def clock_of(runtime: Runtime, data: Mapping[str, Any]) -> dict[str, Any]:
    """The clock of a breach whose case data is ``data``: what is ``owed`` for every
    country its scope reaches (and every country it names; else the default region's),
    the ``deadline`` (the earliest authority deadline) and the rules that require a notice
    to the subjects (``subject_notice_required``)."""
    by_country = data["affected"]["by_country"]
    countries = sorted({*by_country, *data.get("countries", ())})
    if not countries:
        region = runtime.region(runtime.settings.deployment.default_region)
        countries = [region.country]
    found = owed(
        runtime,
        datetime.fromisoformat(data["discovered_at"]),
        countries,
        high_risk=bool(data.get("high_risk")),
    )
    dated = [o for o in found if o.audience == "authority" and o.due is not None]
    first = min(dated, key=lambda o: o.due or datetime.max) if dated else None
    deadline = None
    if first is not None and first.due is not None:
        deadline = {"due": first.due.isoformat(), "source": first.rule, "description": first.title}
    return {
        "owed": [o.to_dict() for o in found],
        "deadline": deadline,
        "subject_notice_required": sorted({o.rule for o in found if o.audience == "subjects"}),
    }
