"""Migration plans: which stored records the policy packs now want elsewhere, and where.

``plan_migration`` re-decides the placement of every record of the source regions as the
vault would place it (``services.placement``: the subject's own country first, then the
default region, then the rest by name; the first region the packs do not deny wins) at a
given date (``MigrationOptions.at``: the packs' rules have effective dates) and with some
regions retired, and compares it with where the record is. A record moves when the packs
now deny its region (the *rule* is the denying rules, even in a retired region) or its
region is retired (the rule is ``retired:<region>``); a record that may stay stays, even
where the vault would place a new record elsewhere. A record no remaining region may hold
is counted as ``stuck`` and never moved.

The facts placement needs are the record's categories (kept in the clear on every row) and
its subject's country, which is only inside the ciphertext: it is decrypted in the source
region by that region's sealer, used for the decision and dropped; it is never logged or
written into the plan. Nothing is written: a plan is a value (``onshore migrate plan``);
``services.migration_run`` stores and executes it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from onshore.core.errors import InputError
from onshore.core.policy import Outcome
from onshore.core.policy.residency import RegionOption, placement_order
from onshore.core.timestamps import utc
from onshore.ports import SealedRecord
from onshore.ports.region_moves import MoveItem
from onshore.services.region_set import RegionSet
from onshore.services.runtime import Region

#: Records read per page of a source region.
PAGE = 500
#: The rule of a record that no remaining region may hold.
STUCK = "no_permitted_region"


@dataclass(frozen=True, slots=True)
class MigrationOptions:
    """What a plan re-decides: the date, regions retired, and the source regions (empty:
    every region)."""

    at: datetime
    retire: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def to_json(self) -> str:
        """The options as the control store keeps them."""
        return json.dumps(
            {"at": self.at.isoformat(), "retire": list(self.retire), "from": list(self.sources)},
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str) -> MigrationOptions:
        """Options read back from ``to_json``."""
        doc = json.loads(text)
        return cls(utc(doc["at"]), tuple(doc["retire"]), tuple(doc["from"]))


@dataclass
class MigrationPlan:
    """A plan: the records that move (``moves``), how many were read per region and how many
    must move but have nowhere to go, by (region, rule)."""

    options: MigrationOptions
    moves: list[MoveItem] = field(default_factory=list)
    scanned: dict[str, int] = field(default_factory=dict)
    stuck: Counter[tuple[str, str]] = field(default_factory=Counter)

    def groups(self) -> list[tuple[str, str, str, int]]:
        """``(rule, from, to, count)`` for every group of moves, sorted."""
        tally = Counter((m.rule, m.from_region, m.to_region) for m in self.moves)
        return [(*key, n) for key, n in sorted(tally.items())]

    def to_dict(self) -> dict[str, object]:
        """JSON-ready plan summary (counts only: no record id, no personal data)."""
        return {
            "at": self.options.at.isoformat(),
            "retire": list(self.options.retire),
            "from": list(self.options.sources),
            "scanned": dict(sorted(self.scanned.items())),
            "moves": [
                {"rule": r, "from_region": f, "to_region": t, "records": n}
                for r, f, t, n in self.groups()
            ],
            "total": len(self.moves),
            "stuck": [
                {"from_region": region, "rule": rule, "records": n}
                for (region, rule), n in sorted(self.stuck.items())
            ],
        }


def check_options(region_set: RegionSet, options: MigrationOptions) -> None:
    """``UnknownRegion`` for a region that is not configured; ``InputError`` when every
    region would be retired."""
    runtime = region_set.runtime
    for name in (*options.retire, *options.sources):
        runtime.region(name)
    if set(runtime.regions) <= set(options.retire):
        raise InputError(
            "cannot retire every region: records would have nowhere to go",
            details={"field": "retire"},
        )


def sealed_rows(region: Region, page: int = PAGE) -> Iterator[list[SealedRecord]]:
    """Every sealed row of ``region``, page by page, in record-id order."""
    after: str | None = None
    while True:
        rows = region.db.records.page(after, page)
        if not rows:
            return
        yield rows
        after = rows[-1].record_id


class Decider:
    """Re-decides placements for one plan's options (decisions cached per fact tuple)."""

    def __init__(self, region_set: RegionSet, options: MigrationOptions) -> None:
        self.runtime = region_set.runtime
        self.options = options
        self._open = [
            RegionOption(r.name, r.country)
            for r in self.runtime.regions.values()
            if r.name not in options.retire
        ]
        self._cache: dict[tuple[str, str, frozenset[str]], tuple[str | None, str | None]] = {}

    def _denied_by(self, country: str, categories: frozenset[str], region: Region) -> str | None:
        decision = self.runtime.engine.storage_decision(
            subject_country=country,
            categories=categories,
            region_country=region.country,
            entity=self.runtime.entity,
            at=self.options.at,
        )
        if decision.outcome == Outcome.DENY:
            return ",".join(sorted(decision.deciding_rules)) or "policy"
        return f"retired:{region.name}" if region.name in self.options.retire else None

    def _destination(self, country: str, categories: frozenset[str], here: str) -> str | None:
        default = self.runtime.settings.deployment.default_region
        for option in placement_order(tuple(self._open), country, default):
            if option.name == here:
                continue
            decision = self.runtime.engine.storage_decision(
                subject_country=country,
                categories=categories,
                region_country=option.country,
                entity=self.runtime.entity,
                at=self.options.at,
            )
            if decision.outcome != Outcome.DENY:
                return option.name
        return None

    def decide(
        self, region: Region, country: str, categories: frozenset[str]
    ) -> tuple[str | None, str | None]:
        """``(rule, destination)`` for a record of a ``country`` subject with
        ``categories`` in ``region``: ``(None, None)`` when it may stay, a destination of
        None when it must move but no region may hold it."""
        key = (region.name, country, categories)
        hit = self._cache.get(key)
        if hit is None:
            rule = self._denied_by(country, categories, region)
            dest = self._destination(country, categories, region.name) if rule else None
            hit = self._cache[key] = (rule, dest)
        return hit


def plan_migration(
    region_set: RegionSet,
    options: MigrationOptions,
    *,
    progress: Callable[[int], None] | None = None,
) -> MigrationPlan:
    """The records that would move under ``options`` (see the module docstring); nothing is
    written. ``progress`` is called with the number of records read after every page."""
    check_options(region_set, options)
    runtime = region_set.runtime
    decider = Decider(region_set, options)
    plan = MigrationPlan(options)
    names: Sequence[str] = options.sources or sorted(runtime.regions)
    for name in names:
        region = runtime.regions[name]
        plan.scanned[name] = 0
        for rows in sealed_rows(region):
            for sealed in rows:
                # the subject's country is sealed: decrypt here, in the source region only
                country = region_set.sealer.open(region, sealed).subject_country
                rule, dest = decider.decide(region, country, frozenset(sealed.categories))
                if rule is None:
                    continue
                if dest is None:
                    plan.stuck[(name, rule)] += 1
                else:
                    plan.moves.append(MoveItem(sealed.record_id, name, dest, rule))
            plan.scanned[name] += len(rows)
            if progress is not None:
                progress(len(rows))
    return plan
