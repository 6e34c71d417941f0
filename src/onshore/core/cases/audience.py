"""Audience thresholds: metric names, the six-month mean, thresholds read from the packs,
and the obligation lifecycle (pure).

A metric row is one account's (or service's) audience in one country on one day:
``subscribers`` (subscribers or followers), ``monthly_visits`` (visits in the calendar
month of that day), ``livestreaming`` and ``monetised`` flags. For country ``VN`` the policy
engine sees them as ``vn_followers``/``vn_subscribers``, ``vn_monthly_visits``,
``vn_monthly_visits_avg6m`` (the mean over the six calendar months ending with the day's
month, each month's last reported value; ``None`` unless all six months are reported),
``vn_livestreaming`` and ``vn_monetised`` (1 or 0): the names the packs' ``threshold``
triggers use.

Crossing a threshold opens an ``audience_obligation`` case (table below). Falling back below
is recorded on the case (``record_below``), and nothing closes one but an explicit
``close`` with a reason.

Example:
    >>> six_month_mean({"2026-06": 90000, "2026-07": 100000, "2026-08": 110000,
    ...                 "2026-09": 100000, "2026-10": 100000, "2026-11": 100000}, "2026-11")
    100000.0
    >>> six_month_mean({"2026-11": 900000}, "2026-11") is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from onshore.core.cases.lifecycle import Lifecycle, Transition, rows
from onshore.core.policy.model import MetricTest, Rule

KIND = "audience_obligation"

#: Input columns of a metrics file (CSV header or JSON Lines keys).
COLUMNS: tuple[str, ...] = (
    "subject_id",
    "subject_type",
    "country",
    "date",
    "subscribers",
    "monthly_visits",
    "livestreaming",
    "monetised",
)
SUBJECT_TYPES: tuple[str, ...] = ("account", "service")
#: Requirement types that make a threshold an obligation to notify or register.
NOTIFY_TYPES = frozenset({"notify_when_threshold", "register_when_threshold"})


def metric_names(country: str) -> dict[str, str]:
    """Engine metric name -> metric-row field, for ``country``.

    Example:
        >>> metric_names("VN")["vn_followers"]
        'subscribers'
    """
    p = country.lower() + "_"
    return {
        p + "followers": "subscribers",
        p + "subscribers": "subscribers",
        p + "monthly_visits": "monthly_visits",
        p + "monthly_visits_avg6m": "monthly_visits_avg6m",
        p + "livestreaming": "livestreaming",
        p + "monetised": "monetised",
    }


def month_before(month: str, n: int) -> str:
    """``YYYY-MM`` ``n`` months before ``month``.

    Example:
        >>> month_before("2026-02", 3)
        '2025-11'
    """
    year, mon = int(month[:4]), int(month[5:7])
    index = year * 12 + mon - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def six_month_mean(monthly: Mapping[str, float], month: str) -> float | None:
    """Mean of the six calendar months ending with ``month`` (``YYYY-MM`` keys); ``None``
    unless every one of them has a value."""
    months = [month_before(month, i) for i in range(6)]
    if not all(m in monthly and monthly[m] is not None for m in months):
        return None
    return sum(float(monthly[m]) for m in months) / 6


@dataclass(frozen=True, slots=True)
class Observation:
    """One day's metrics for one subject in one country (from the store's series)."""

    day: str
    subscribers: int | None
    monthly_visits: int | None
    livestreaming: int | None
    monetised: int | None
    batch_id: str = ""
    line: int | None = None


def metrics_as_of(series: Sequence[Observation], country: str, day: str) -> dict[str, float]:
    """The engine metrics for ``country`` on ``day``: the latest value of each field on or
    before ``day`` and the six-month visits mean.

    Example:
        >>> obs = [Observation("2026-11-19", 9990, None, 0, 0),
        ...        Observation("2026-11-20", 10412, None, 0, 1)]
        >>> metrics_as_of(obs, "VN", "2026-11-20")["vn_followers"]
        10412.0
    """
    latest: dict[str, float] = {}
    monthly: dict[str, float] = {}
    for o in sorted(series, key=lambda o: o.day):
        if o.day > day:
            break
        for name in ("subscribers", "monthly_visits", "livestreaming", "monetised"):
            value = getattr(o, name)
            if value is not None:
                latest[name] = float(value)
        if o.monthly_visits is not None:
            monthly[o.day[:7]] = float(o.monthly_visits)
    mean = six_month_mean(monthly, day[:7])
    if mean is not None:
        latest["monthly_visits_avg6m"] = mean
    return {name: latest[field] for name, field in metric_names(country).items() if field in latest}


def threshold_bounds(rules: Iterable[Rule], country: str) -> dict[str, float]:
    """The lowest bound any notify/register threshold rule sets on each metric-row field
    (``subscribers``, ``monthly_visits``...): rows below every bound cannot cross a
    threshold, so only the others are evaluated. A six-month-mean bound applies to the
    monthly value (a mean cannot reach a bound no month reached).

    Example:
        >>> from onshore.services.policy import load_engine
        >>> engine = load_engine(["vn"])
        >>> threshold_bounds([engine.rule(r) for r in ("VN-D147-10k", "VN-D147-23.3a")], "VN")
        {'subscribers': 10000.0, 'livestreaming': 1.0, 'monetised': 1.0, 'monthly_visits': 100000.0}
    """
    names = metric_names(country)
    out: dict[str, float] = {}
    for rule in rules:
        if not any(q.type in NOTIFY_TYPES for q in rule.require):
            continue
        trig = rule.trigger
        for test in [*(trig.any or []), *(trig.all or [])]:
            field = names.get(test.metric)
            if field is None:
                continue
            field = "monthly_visits" if field == "monthly_visits_avg6m" else field
            lows = [float(b) for b in (test.eq, test.gte, test.gt) if b is not None]
            bound = min(lows) if lows else 0.0
            out[field] = min(out.get(field, bound), bound)
    return out


def metric_tests(rules: Iterable[Rule]) -> tuple[MetricTest, ...]:
    """Every metric test ``rules`` make (threshold triggers, ``classify`` tests, and the
    ``metrics`` of their ``applies_to``, ``unless`` and requirement ``when`` conditions): the
    only places the policy engine reads metric values. Two sets of metrics on which each of
    these tests holds alike get the same decision, so decisions can be cached by the tuple
    of test results.

    Example:
        >>> from onshore.services.policy import load_engine
        >>> tests = metric_tests([load_engine(["vn"]).rule("VN-D147-10k")])
        >>> sorted({t.metric for t in tests})
        ['vn_followers', 'vn_livestreaming', 'vn_monetised']
    """
    out: list[MetricTest] = []
    for rule in rules:
        conds = [rule.applies_to, *rule.unless, *(q.when for q in rule.require if q.when)]
        out.extend(rule.trigger.any or ())
        out.extend(rule.trigger.all or ())
        for q in rule.require:
            out.extend(q.any or ())
        for c in conds:
            out.extend(c.metrics or ())
    return tuple(out)


OPERATOR, REVIEWER, APPROVER, ADMIN = "operator", "legal_reviewer", "approver", "admin"
_OPS = frozenset({OPERATOR, ADMIN})
_OPS_REV = frozenset({OPERATOR, REVIEWER, ADMIN})
_FILE = frozenset({OPERATOR, REVIEWER, APPROVER, ADMIN})
OPEN_STATES: tuple[str, ...] = ("open", "dossier_ready", "filed", "acknowledged")
OBLIGATIONS = Lifecycle(
    name=KIND,
    initial="open",
    terminal=frozenset({"closed"}),
    transitions=(
        Transition("open", "prepare", "dossier_ready", _OPS_REV, ("dossier_complete",)),
        Transition("dossier_ready", "prepare", "dossier_ready", _OPS_REV, ("dossier_complete",)),
        Transition("dossier_ready", "file", "filed", _FILE, ("dossier_complete",)),
        Transition("filed", "acknowledge", "acknowledged", _OPS_REV, ("requires:reference",)),
        *(Transition(s, "record_below", s, _OPS) for s in OPEN_STATES),
        *(Transition(s, "record_above", s, _OPS) for s in OPEN_STATES),
        *rows(OPEN_STATES, "close", "closed", _OPS_REV, ("requires:reason",)),
    ),
    descriptions={
        "open": "the threshold was crossed; the notification is owed by the due date",
        "dossier_ready": "contact details and the content summary are in",
        "filed": "the dossier was filed; its hash is on the ledger",
        "acknowledged": "the authority acknowledged the filing",
        "closed": "closed with a reason (never by falling below the threshold)",
    },
)

#: What the account holder supplies for the dossier.
DOSSIER_FIELDS: dict[str, str] = {
    "contact": "contact details (name plus an email, phone or address)",
    "content_summary": "a summary of the main content, supplied by the account holder",
}


def dossier_missing(details: Mapping[str, Any]) -> list[str]:
    """What the dossier still lacks from the account holder.

    Example:
        >>> dossier_missing({"contact": {"name": "An", "email": "an@example.vn"}})
        ['content_summary']
    """
    out = []
    contact = details.get("contact")
    if (
        not isinstance(contact, Mapping)
        or not str(contact.get("name") or "").strip()
        or not any(str(contact.get(k) or "").strip() for k in ("email", "phone", "address"))
    ):
        out.append("contact")
    summary = details.get("content_summary")
    if not isinstance(summary, str) or not summary.strip():
        out.append("content_summary")
    return out
