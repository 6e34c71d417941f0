"""What one requirement does for one operation: deny, permit, oblige, or inform.

Example:
    >>> Effect("deny", "must be stored in VN; destination is SG").kind
    'deny'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from onshore.core.policy.compiled import CompiledRule, describe_test, metric_holds
from onshore.core.policy.countries import expand
from onshore.core.policy.decision import Obligation
from onshore.core.policy.duration import add_duration, describe
from onshore.core.policy.facts import Facts
from onshore.core.policy.model import Duration, Requirement

#: Requirement types whose obligations of one key keep the LATEST due (the longest wins).
LONGEST_WINS = frozenset({"retain_min"})


@dataclass(frozen=True, slots=True)
class Effect:
    """``kind`` is ``deny``, ``permit``, ``oblige``, ``warn`` or ``info``."""

    kind: str
    text: str
    obligation: Obligation | None = None


def due_of(rule: CompiledRule, d: Duration, facts: Facts, at: datetime) -> tuple[datetime, str]:
    """Deadline of ``d`` from its start event (evaluation time if the facts lack it)."""
    start = facts.events.get(d.start, at) if d.start != "at" else at
    start = start.astimezone(rule.tz)
    origin = "this operation" if d.start == "at" or d.start not in facts.events else d.start
    return add_duration(start, d.amount, d.unit, rule.calendar), origin


def _when(rule: CompiledRule, d: Duration, facts: Facts, at: datetime) -> tuple[datetime, str]:
    due, origin = due_of(rule, d, facts, at)
    return due, f"within {describe(d.amount, d.unit)} of {origin} (by {due.isoformat()})"


def _oblige(
    rule: CompiledRule,
    req: Requirement,
    text: str,
    key: str,
    d: Duration | None,
    facts: Facts,
    at: datetime,
) -> Effect:
    due = None
    if d is not None:
        due, when = _when(rule, d, facts, at)
        text = f"{text} {when}"
    if req.to:
        text += f" [to {req.to}]"
    if req.form:
        text += f" [form {req.form}]"
    return Effect("oblige", text, Obligation(rule.id, req.type, text, due, key))


_DEFAULT_TEXT = {
    "local_presence": "keep a local presence",
    "retain_artifact": "keep the artifact available for inspection",
    "notify_within": "notify the authority",
    "notify_when_threshold": "notify the authority of contact details",
    "register_when_threshold": "register or obtain a licence",
    "authenticate_accounts": "authenticate user accounts",
    "store_identity": "store users' identity information",
    "file_artifact": "file the dossier",
    "update_artifact": "update the dossier when something changed",
    "report": "report to the authority",
    "lock_accounts": "lock violating accounts",
    "remove_within": "remove the content",
    "respond_within": "answer the request",
    "prohibit": "the operation is prohibited",
}


def requirement_effects(
    rule: CompiledRule, index: int, req: Requirement, op: str, facts: Facts, at: datetime
) -> tuple[list[Effect], str | None]:
    """Effects of ``req`` (the ``index``-th of ``rule``) on ``op``; or why it does not bite."""
    t = req.type
    text = req.description or _DEFAULT_TEXT.get(t, t.replace("_", " "))
    dest = facts.destination
    if t == "store_in_country":
        country = req.country or ""
        inside = dest is not None and expand(dest) <= expand(country)
        if op == "store" or op not in ("transfer", "read"):
            if inside:
                return [Effect("permit", f"stored in {country} as required")], None
            return [Effect("deny", f"must be stored in {country}; destination is {dest}")], None
        if inside:
            return [Effect("permit", f"stays in {country}")], None
        if req.copy_abroad == "denied":
            return [Effect("deny", f"may not leave {country} (destination {dest})")], None
        if req.copy_abroad == "unconfirmed":
            return [
                Effect("warn", f"whether a copy may be kept outside {country} is unconfirmed")
            ], None
        if req.within is not None:
            return [_oblige(rule, req, text, f"copy:{rule.id}", req.within, facts, at)], None
        return [Effect("info", f"a copy may be kept outside {country}")], None
    if t == "transfer_requires":
        needs = sorted({*([req.artifact] if req.artifact else []), *(req.any_of or ())})
        have = sorted(facts.artifacts & set(needs))
        adequate = bool(req.adequate and req.adequate.contains(dest))
        if req.timing == "before":
            if adequate:
                return [Effect("permit", f"transfer to {dest} allowed: adequate destination")], None
            if have:
                return [Effect("permit", f"transfer allowed: {', '.join(have)} in place")], None
            return [Effect("deny", f"transfer to {dest} needs one of: {', '.join(needs)}")], None
        if have:
            return [Effect("permit", f"allowed; {', '.join(have)} already on file")], None
        key = f"file:{req.artifact}:{req.to}"
        return [
            Effect("permit", f"allowed; {req.artifact} owed afterwards"),
            _oblige(rule, req, text, key, req.within, facts, at),
        ], None
    if t in ("retain_min", "retain_max"):
        assert req.period is not None
        due, when = _when(rule, req.period, facts, at)
        if t == "retain_min" and op == "erase":
            if at < due:
                return [Effect("deny", f"must be kept until {due.isoformat()}")], None
            return [Effect("info", "minimum retention has passed")], None
        verb = "keep at least" if t == "retain_min" else "delete at the latest"
        until = f" (until {req.until})" if req.until else ""
        desc = f"{req.description + ': ' if req.description else ''}{verb} {when}{until}"
        return [Effect("oblige", desc, Obligation(rule.id, t, desc, due, t))], None
    if t in ("respond_within", "remove_within"):
        if req.requests and facts.request not in req.requests:
            return [], f"answers {', '.join(req.requests)} requests, not {facts.request or 'none'}"
        effects = []
        kind = "respond" if t == "respond_within" else "remove"
        if req.ack is not None:
            effects.append(
                _oblige(
                    rule, req, "acknowledge the request", f"ack:{facts.request}", req.ack, facts, at
                )
            )
        if req.extend_once is not None:
            text += (
                f" (extendable once by {describe(req.extend_once.amount, req.extend_once.unit)})"
            )
        effects.append(_oblige(rule, req, text, f"{kind}:{facts.request}", req.within, facts, at))
        return effects, None
    if t == "classify":
        tests = req.any or []
        if any(metric_holds(m, facts.metrics.get(m.metric)) for m in tests):
            return [Effect("info", f"data classified as {req.label}")], None
        return [], f"not {req.label}: none of {'; '.join(describe_test(m) for m in tests)}"
    if t == "prohibit":
        return [Effect("deny", text)], None
    if t == "permit":
        return [Effect("permit", text)], None
    if t == "penalty":
        return [Effect("info", f"penalty exposure: {req.cap or text}")], None
    if t == "define":
        return [Effect("info", text)], None
    if t == "update_artifact":
        return [_oblige(rule, req, text, f"update:{req.artifact}", req.period, facts, at)], None
    key = {
        "notify_within": f"notify:{req.to}:{op}",
        "file_artifact": f"file:{req.artifact}:{req.to}",
    }.get(t, f"{t}:{rule.id}:{index}")
    return [_oblige(rule, req, text, key, req.within or req.period, facts, at)], None
