"""The policy-pack model: what a pack file may contain (schema ``onshore.policy-pack/v1``).

Every key is documented in ``docs/policy-packs.md`` (a test checks it). Unknown keys are
errors. The parser (``onshore.core.policy.parse``) builds these from YAML and adds the
cross-references checks (instruments, groups, sources, sectors, supersession...).

Example:
    >>> Duration.model_validate({"amount": 72, "unit": "hour", "from": "detection"}).start
    'detection'
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainValidator, field_validator, model_validator

from onshore.core.policy.bounds import MAX_DURATION, date_in_range
from onshore.core.policy.countries import CountrySet, is_jurisdiction
from onshore.core.policy.vocabulary import OPS as OPS  # re-exported: shells import it here
from onshore.core.policy.vocabulary import REQUIREMENT_COMMON_KEYS, REQUIREMENT_KEYS, TRIGGER_KEYS


def _country_set(value: Any) -> CountrySet:
    if isinstance(value, CountrySet):
        return value
    return CountrySet.parse(value)


def _jurisdiction(value: Any) -> str:
    if not isinstance(value, str) or not is_jurisdiction(value):
        raise ValueError(f"unknown country or bloc {value!r} (ISO 3166-1 alpha-2 or EU/EEA)")
    return value


Countries = Annotated[CountrySet, PlainValidator(_country_set)]
Jurisdiction = Annotated[str, PlainValidator(_jurisdiction)]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, arbitrary_types_allowed=True
    )


class Duration(_Model):
    """An amount of time counted from a start event (``from``; default: the evaluation time).

    At most 200 years in any unit (``MAX_DURATION``).
    """

    amount: int = Field(ge=0, description="How many units.")
    unit: Literal["hour", "day", "working_day", "month", "year"] = Field(
        description="hour, day, working_day (Monday-Friday), month or year."
    )
    start: str = Field(
        "at", alias="from", description="Start event name; its time comes from the facts."
    )

    @model_validator(mode="after")
    def _bounded(self) -> Duration:
        limit = MAX_DURATION[self.unit]
        if self.amount > limit:
            unit = self.unit.replace("_", " ")
            years = "" if self.unit == "year" else " (200 years)"
            raise ValueError(
                f"a duration of {self.amount:,} {unit}s is over the limit of {limit:,} "
                f"{unit}s{years}"
            )
        return self


class Range(_Model):
    """Numeric bounds; every bound given must hold."""

    gte: float | None = Field(None, description="Greater than or equal.")
    gt: float | None = Field(None, description="Strictly greater.")
    lte: float | None = Field(None, description="Less than or equal.")
    lt: float | None = Field(None, description="Strictly less.")


class MetricTest(Range):
    """A test of one metric from the facts (threshold triggers, classification)."""

    metric: str = Field(description="Metric name, read from the facts' metrics.")
    eq: float | bool | None = Field(None, description="Equal to (booleans count as 1/0).")


class Condition(_Model):
    """Who and what a rule covers; every key given must hold (an AND)."""

    incorporated_in: Countries | None = Field(None, description="Entity's incorporation.")
    sectors: list[str] | None = Field(None, description="Entity is in any of these sectors.")
    size: list[Literal["micro", "small", "medium", "large", "household", "startup"]] | None = Field(
        None, description="Entity size is one of these."
    )
    roles: list[str] | None = Field(None, description="Entity has any of these roles.")
    subject_in: Countries | None = Field(None, description="Data subject's jurisdiction.")
    destination_in: Countries | None = Field(
        None, description="Where the data goes (storage region, recipient, reader)."
    )
    data: list[str] | None = Field(None, description="Groups or categories; any must be involved.")
    labels: list[str] | None = Field(None, description="Data classes; any must hold.")
    flags: list[str] | None = Field(None, description="Situational flags; any must be set.")
    without_flags: list[str] | None = Field(None, description="None of these flags is set.")
    artifacts: list[str] | None = Field(None, description="Any of these artifacts is held.")
    requests: list[str] | None = Field(None, description="The request kind is one of these.")
    data_subjects: Range | None = Field(None, description="Entity's number of data subjects.")
    metrics: list[MetricTest] | None = Field(None, description="Metric tests; all must hold.")


class Trigger(_Model):
    """When a rule's requirements fire (kept apart from the requirements)."""

    type: Literal["always", "authority_decision", "event", "threshold"] = Field(
        description="always, authority_decision, event or threshold."
    )
    by: str | None = Field(None, description="Authority taking the decision (authorities key).")
    decision: str | None = Field(
        None, description="Decision id in storage_decisions (default: the rule id)."
    )
    pre: list[str] = Field(default_factory=list, description="Preconditions (documentation).")
    event: str | None = Field(None, description="Event name that must be in the facts.")
    any: list[MetricTest] | None = Field(None, description="Threshold: any test holds.")
    all: list[MetricTest] | None = Field(None, description="Threshold: all tests hold.")

    @model_validator(mode="before")
    @classmethod
    def _keys_for_type(cls, data: Any) -> Any:
        if isinstance(data, str):
            data = {"type": data}
        if isinstance(data, dict) and isinstance(data.get("type"), str):
            allowed = TRIGGER_KEYS.get(data["type"])
            if allowed is not None:
                extra = sorted(set(data) - allowed - {"type"})
                if extra:
                    raise ValueError(
                        f"key {extra[0]!r} is not allowed for a {data['type']} trigger"
                    )
        return data

    @model_validator(mode="after")
    def _complete(self) -> Trigger:
        if self.type == "event" and not self.event:
            raise ValueError("an event trigger needs 'event'")
        if self.type == "threshold" and not (self.any or self.all):
            raise ValueError("a threshold trigger needs 'any' or 'all'")
        return self


class Requirement(_Model):
    """A typed requirement; ``type`` decides which other keys are accepted."""

    type: Literal[
        "store_in_country",
        "local_presence",
        "retain_min",
        "retain_max",
        "retain_artifact",
        "transfer_requires",
        "respond_within",
        "remove_within",
        "notify_within",
        "notify_when_threshold",
        "register_when_threshold",
        "authenticate_accounts",
        "store_identity",
        "file_artifact",
        "update_artifact",
        "report",
        "lock_accounts",
        "classify",
        "prohibit",
        "permit",
        "penalty",
        "define",
    ] = Field(description="The requirement type (see the table in the docs).")
    description: str | None = Field(None, description="Human text for the obligation.")
    status: Literal["confirmed", "confirmed_secondary", "unconfirmed"] | None = Field(
        None, description="Overrides the rule's status for this requirement."
    )
    when: Condition | None = Field(None, description="Extra condition for this requirement.")
    country: Jurisdiction | None = Field(None, description="store_in_country: the country.")
    copy_abroad: Literal["allowed", "denied", "unconfirmed"] = Field(
        "denied", description="store_in_country: may a copy be transferred abroad?"
    )
    artifact: str | None = Field(None, description="Artifact name (tia_dossier, dpia_dossier).")
    any_of: list[str] | None = Field(None, description="Safeguards any of which satisfies it.")
    adequate: Countries | None = Field(None, description="Destinations needing no safeguard.")
    timing: Literal["before", "after"] = Field(
        "before", description="transfer_requires: a precondition, or owed after."
    )
    within: Duration | None = Field(None, description="Deadline for the duty.")
    to: str | None = Field(None, description="Recipient authority (authorities key).")
    form: str | None = Field(None, description="Official form to use.")
    requests: list[str] | None = Field(None, description="Request kinds this answers.")
    ack: Duration | None = Field(None, description="respond_within: acknowledge within.")
    extend_once: Duration | None = Field(None, description="respond_within: one extension.")
    period: Duration | None = Field(None, description="Retention or update period.")
    until: str | None = Field(None, description="Event ending the duty.")
    method: str | None = Field(None, description="authenticate_accounts: method.")
    fallback: str | None = Field(None, description="authenticate_accounts: fallback method.")
    fields: list[str] | None = Field(None, description="store_identity: identity fields.")
    guardian_under: int | None = Field(None, description="store_identity: guardian below age.")
    forms: list[str] | None = Field(None, description="local_presence: accepted forms.")
    label: str | None = Field(None, description="classify: the data class assigned.")
    any: list[MetricTest] | None = Field(None, description="classify: any test holds.")
    cap: str | None = Field(None, description="penalty: the maximum penalty, as text.")

    @model_validator(mode="before")
    @classmethod
    def _keys_for_type(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("type"), str):
            allowed = REQUIREMENT_KEYS.get(data["type"])
            if allowed is not None:
                extra = sorted(set(data) - allowed - REQUIREMENT_COMMON_KEYS)
                if extra:
                    raise ValueError(
                        f"key {extra[0]!r} is not allowed for a {data['type']} requirement"
                    )
        return data

    @model_validator(mode="after")
    def _complete(self) -> Requirement:
        needs = {
            "store_in_country": "country",
            "retain_min": "period",
            "retain_max": "period",
            "classify": "label",
            "update_artifact": "period",
        }
        key = needs.get(self.type)
        if key and getattr(self, key) is None:
            raise ValueError(f"a {self.type} requirement needs {key!r}")
        if self.type == "classify" and not self.any:
            raise ValueError("a classify requirement needs 'any'")
        return self


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, dict | str) else value


class Rule(_Model):
    """One rule: applicability, trigger and requirements, with its citation and status."""

    id: str = Field(description="Unique rule id, e.g. VN-D53-26.2.")
    instrument: str = Field(description="Instrument id (its window bounds the rule).")
    title: str = Field(description="One line saying what the rule does.")
    cite: str = Field(description="Article citation.")
    status: Literal["confirmed", "confirmed_secondary", "unconfirmed"] = Field(
        description="unconfirmed rules warn; they deny only when the deployment opts in."
    )
    sources: list[str] = Field(min_length=1, description="Keys of the pack's sources.")
    on: list[str] | None = Field(None, description="Operations the rule is considered for.")
    applies_to: Condition = Field(
        default_factory=lambda: Condition.model_validate({}), description="Who/what it covers."
    )
    unless: list[Condition] = Field(default_factory=list, description="Exclusions (any).")
    trigger: Trigger = Field(
        default_factory=lambda: Trigger.model_validate({"type": "always"}),
        description="When it fires.",
    )
    require: list[Requirement] = Field(default_factory=list, description="Requirements.")
    relaxes: list[str] = Field(default_factory=list, description="Rule ids this one waives.")
    delegates_to: list[str] = Field(
        default_factory=list, description="Implementing rules that give it effect."
    )
    effective: date | None = Field(None, description="Rule-level start (within the instrument).")
    sunset: date | None = Field(None, description="Rule-level end (exclusive).")
    note: str | None = Field(None, description="Free text for reviewers.")

    _dates = field_validator("effective", "sunset")(date_in_range)

    @field_validator("require", "unless", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return _as_list(value)

    @field_validator("on")
    @classmethod
    def _ops(cls, value: list[str] | None) -> list[str] | None:
        for op in value or ():
            if op not in OPS:
                raise ValueError(f"unknown operation {op!r} (one of {', '.join(OPS)})")
        return value


class Instrument(_Model):
    """A law or decree; the same id may appear again for a later version.

    Windows of one id must not overlap.
    """

    id: str = Field(description="Short id used by rules (LCS18, D53...).")
    ref: str = Field(description="Official number, e.g. 24/2018/QH14.")
    title: str = Field(description="Name of the instrument.")
    effective: date = Field(description="First day in force.")
    sunset: date | Literal["unconfirmed"] | None = Field(
        None, description="First day no longer in force; 'unconfirmed' when unknown."
    )
    superseded_by: str | None = Field(None, description="Instrument id replacing it.")
    in_doubt_from: date | None = Field(
        None, description="From this day its survival is unconfirmed: rules add a warning."
    )
    note: str | None = Field(None, description="Free text for reviewers.")

    @field_validator("effective", "sunset", "in_doubt_from")
    @classmethod
    def _dates(cls, value: Any) -> Any:
        return date_in_range(value) if isinstance(value, date) else value


class Group(_Model):
    """A named set of data categories (or other groups) a law defines."""

    categories: list[str] = Field(min_length=1, description="Categories or group names.")
    description: str | None = Field(None, description="What the law calls it.")
    defined_by: str | None = Field(None, description="Rule id of the definition.")


class PackInfo(_Model):
    """The pack's identity."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$", description="Pack id (directory name).")
    jurisdiction: Jurisdiction = Field(description="Country or bloc the pack encodes.")
    version: str = Field(description="Pack version (quote it in YAML).")
    title: str = Field(description="Human name.")
    utc_offset: str = Field(
        "+00:00",
        pattern=r"^[+-](0\d|1[0-4]):[0-5]\d$",
        description="Offset at which its dates start (e.g. +07:00).",
    )


class Pack(_Model):
    """A whole pack file."""

    schema_version: Literal["onshore.policy-pack/v1"] = Field(
        alias="schema", description="Always onshore.policy-pack/v1."
    )
    pack: PackInfo = Field(description="Identity.")
    sources: dict[str, str] = Field(default_factory=dict, description="Source key -> title.")
    authorities: dict[str, str] = Field(default_factory=dict, description="Authority key -> name.")
    sectors: dict[str, str] = Field(default_factory=dict, description="Sector vocabulary.")
    roles: dict[str, str] = Field(default_factory=dict, description="Role vocabulary.")
    groups: dict[str, Group] = Field(default_factory=dict, description="Category groups.")
    instruments: list[Instrument] = Field(min_length=1, description="Laws and decrees.")
    rules: list[Rule] = Field(description="The rules.")

    @property
    def id(self) -> str:
        """The pack id."""
        return self.pack.id
