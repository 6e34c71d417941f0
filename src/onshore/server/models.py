"""Request and response bodies shared by several routes (pydantic; unknown fields rejected).

Example:
    >>> RecordIn.model_validate({"subject": "u1", "kind": "profile", "data": {}}).kind
    'profile'
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Path, Query
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from onshore.core.errors import InputError
from onshore.core.local_time import bare_date
from onshore.services.vault import Receipt, Record

#: The ``responses=`` mapping FastAPI documents in the OpenAPI (status -> description).
Responses = dict[int | str, dict[str, Any]]

#: What a ``purpose`` may look like: a short token the ledger can hold (no spaces, no ids).
PURPOSE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.:\-]{0,63}$"
REGION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: What a record kind may look like (the vault's rule).
KIND_PATTERN = r"^[A-Za-z][A-Za-z0-9_.:\-]{0,63}$"
#: What an id in a path may look like: no control character (NUL included) and no slash.
ID_PATTERN = r"^[^\x00-\x1f\x7f/]+$"
#: The earliest and latest instants a request may name (a report period, a deadline).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2999, 12, 31, tzinfo=UTC)


def path_id(max_length: int = 128) -> Any:
    """A path parameter that is an id: 1 to ``max_length`` characters, no control
    character and no slash (422 ``input.invalid`` otherwise)."""
    return Path(pattern=ID_PATTERN, min_length=1, max_length=max_length)


#: Path parameters, each refused with 422 when malformed (a NUL byte, a negative index).
RecordId = Annotated[str, path_id(128)]
SubjectId = Annotated[str, path_id(256)]
CaseId = Annotated[str, path_id(128)]
TokenRef = Annotated[str, path_id(128)]
RegionName = Annotated[str, Path(pattern=REGION_PATTERN)]
ActionName = Annotated[str, Path(pattern=r"^[a-z][a-z_]{0,63}$")]
LeafIndex = Annotated[int, Path(ge=0)]


def states_query(states: tuple[str, ...]) -> Any:
    """A ``state`` query parameter (repeatable) whose values are one of ``states``."""
    return Query(
        default=[],
        description="Only cases in these states (default: the open ones).",
        json_schema_extra={"items": {"type": "string", "enum": list(states)}},
    )


def check_states(given: list[str], states: tuple[str, ...]) -> list[str] | None:
    """``given`` when every value is one of ``states`` (``None`` when empty); 422 otherwise."""
    unknown = sorted(set(given) - set(states))
    if unknown:
        raise InputError("unknown case state", details={"allowed": list(states)})
    return given or None


def _real_day(value: str) -> str:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError("not a calendar day (YYYY-MM-DD)") from None
    if not EARLIEST.date() <= day <= LATEST.date():
        raise ValueError(f"a day between {EARLIEST.date()} and {LATEST.date()}")
    return value


#: A calendar day as ``YYYY-MM-DD`` that exists (``2026-13-01`` is refused at the model).
IsoDay = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$"), AfterValidator(_real_day)]


def aware(value: datetime) -> datetime:
    """``value`` with a timezone (a naive one is taken as UTC), within the accepted range.

    Example:
        >>> aware(datetime(2026, 1, 1)).isoformat()
        '2026-01-01T00:00:00+00:00'
    """
    moment = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    try:
        inside = EARLIEST <= moment <= LATEST
    except OverflowError:  # an offset that pushes year 1 or 9999 out of range
        inside = False
    if not inside:
        raise ValueError(f"a time between {EARLIEST.date()} and {LATEST.date()}")
    return moment


#: A date-time that is timezone-aware (a bare date is midnight in the deployment's zone,
#: ``core.local_time``; a naive date-time means UTC) and within the accepted range.
AwareTime = Annotated[datetime, BeforeValidator(bare_date), AfterValidator(aware)]


class Strict(BaseModel):
    """Base of every request body: unknown fields are a 422."""

    model_config = ConfigDict(extra="forbid")


class Signals(Strict):
    """Residency signals (DESIGN §2), strongest first."""

    declared_residence: str | None = Field(
        default=None,
        max_length=64,
        description="Declared country of residence (ISO alpha-2).",
        examples=["VN"],
    )
    phone_number: str | None = Field(
        default=None,
        max_length=64,
        description="A verified phone number (E.164 preferred).",
        examples=["+84912345678"],
    )
    address_country: str | None = Field(
        default=None, max_length=64, description="Billing or postal address country."
    )
    ip: str | list[str] | None = Field(
        default=None, description="IP address(es) of recent logins (offline geolocation)."
    )


class RecordIn(Strict):
    """One record to store."""

    subject: str = Field(
        min_length=1, max_length=256, description="The data subject's id.", examples=["u-1"]
    )
    kind: str = Field(
        pattern=KIND_PATTERN,
        description="Record kind: a letter, then letters, digits or _ . : - (e.g. profile).",
        examples=["profile"],
    )
    data: dict[str, Any] = Field(
        description="The record's fields.",
        examples=[{"full_name": "Nguyễn Văn An", "phone": "+84912345678"}],
    )
    signals: Signals | None = Field(default=None, description="Residency signals.")
    categories: dict[str, list[str]] | None = Field(
        default=None, description="Declared data categories per field (skips classification)."
    )
    record_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Your id for the record (idempotent re-put); default: a random id.",
    )

    def as_input(self) -> dict[str, Any]:
        """The mapping ``Vault.put_many`` takes."""
        out: dict[str, Any] = {"subject": self.subject, "kind": self.kind, "data": self.data}
        if self.signals is not None:
            out["signals"] = self.signals.model_dump(exclude_none=True)
        if self.categories is not None:
            out["categories"] = self.categories
        if self.record_id is not None:
            out["record_id"] = self.record_id
        return out


class ReceiptOut(BaseModel):
    """Where a record went (DESIGN §3 interface)."""

    record_id: str
    region: str
    ledger_index: int

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptOut:
        """From the vault's receipt."""
        return cls(
            record_id=receipt.record_id, region=receipt.region, ledger_index=receipt.ledger_index
        )


class RecordOut(BaseModel):
    """A decrypted record."""

    record_id: str
    subject: str
    kind: str
    data: dict[str, Any]
    region: str
    categories: list[str]
    subject_country: str
    created_at: datetime

    @classmethod
    def of(cls, record: Record) -> RecordOut:
        """From the vault's record."""
        return cls(
            record_id=record.record_id,
            subject=record.subject_id,
            kind=record.kind,
            data=record.data,
            region=record.region,
            categories=list(record.categories),
            subject_country=record.subject_country,
            created_at=record.created_at,
        )
