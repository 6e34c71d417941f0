"""Request and response bodies shared by several routes (pydantic; unknown fields rejected).

Example:
    >>> RecordIn.model_validate({"subject": "u1", "kind": "profile", "data": {}}).kind
    'profile'
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from onshore.services.vault import Receipt, Record

#: The ``responses=`` mapping FastAPI documents in the OpenAPI (status -> description).
Responses = dict[int | str, dict[str, Any]]

#: What a ``purpose`` may look like: a short token the ledger can hold (no spaces, no ids).
PURPOSE_PATTERN = r"^[A-Za-z][A-Za-z0-9_.:\-]{0,63}$"
REGION_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"


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
        min_length=1, max_length=64, description="Record kind, e.g. profile.", examples=["profile"]
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
