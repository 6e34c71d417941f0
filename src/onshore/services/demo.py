"""The demo: synthetic users of several countries written through the SDK, then checked.

``generate_users`` makes fictitious but well-formed users (valid phone numbers per country
via ``phonenumbers``, Vietnamese names with diacritics, CCCD numbers with a real province
code). ``residency_audit`` then reads every region back and proves placement: no VN
subject's record in a non-VN region, and no VN subject's phone, e-mail or ID as bytes in
any other region's files, nor in plaintext in the VN region's files.

Example:
    >>> users = generate_users(5, seed=1)
    >>> len(users), users[0].country in COUNTRY_MIX
    (5, True)
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import phonenumbers

from onshore.core.classify.vocabulary.vn_names import FAMILY_NAMES
from onshore.services.runtime import store_files
from onshore.services.vault import RecordInput, Vault

#: Share of demo users per country.
COUNTRY_MIX: dict[str, float] = {
    "VN": 0.5,
    "SG": 0.15,
    "US": 0.1,
    "TH": 0.08,
    "JP": 0.07,
    "ID": 0.05,
    "DE": 0.05,
}

_VN_FAMILY = FAMILY_NAMES[:16]  # the most frequent surnames, as the classifier knows them
_VN_MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Quang", "Thanh", "Hữu", "Gia"]
_VN_GIVEN = [
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Phương",
    "Quân",
    "Sơn",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
]
_OTHER_GIVEN = ["Alex", "Sam", "Mei", "Hiro", "Anna", "Budi", "Somchai", "Lukas", "Priya", "Wei"]
_OTHER_FAMILY = ["Tan", "Lim", "Smith", "Sato", "Müller", "Santoso", "Wong", "Kim", "Garcia"]
_CCCD_PROVINCES = ["001", "031", "048", "079", "092", "038", "040", "046", "056", "075"]


@dataclass(frozen=True, slots=True)
class DemoUser:
    """A fictitious user and the identifiers that must never leave its country's store."""

    subject_id: str
    country: str
    name: str
    phone: str
    email: str
    national_id: str | None

    def identifiers(self) -> list[str]:
        """The raw identifier strings a byte scan looks for."""
        number = phonenumbers.parse(self.phone)
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        ids = [self.phone, self.phone.lstrip("+"), national.replace(" ", ""), self.email]
        return ids + ([self.national_id] if self.national_id else [])


def _phone(rng: random.Random, country: str) -> str:
    example = phonenumbers.example_number_for_type(country, phonenumbers.PhoneNumberType.MOBILE)
    assert example is not None
    digits = str(example.national_number)
    for _ in range(200):
        tail = "".join(rng.choice("0123456789") for _ in range(4))
        candidate = phonenumbers.parse(f"+{example.country_code}{digits[:-4]}{tail}")
        if phonenumbers.is_valid_number(candidate):
            return phonenumbers.format_number(candidate, phonenumbers.PhoneNumberFormat.E164)
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


def _cccd(rng: random.Random) -> str:
    year = rng.randint(1960, 2005)
    century_gender = (0 if year < 2000 else 2) + rng.randint(0, 1)
    return (
        f"{rng.choice(_CCCD_PROVINCES)}{century_gender}{year % 100:02d}{rng.randint(0, 999999):06d}"
    )


def generate_users(count: int, *, seed: int = 7) -> list[DemoUser]:
    """``count`` fictitious users drawn from ``COUNTRY_MIX``, reproducible from ``seed``."""
    rng = random.Random(seed)
    countries = list(COUNTRY_MIX)
    weights = list(COUNTRY_MIX.values())
    users = []
    for i in range(count):
        country = rng.choices(countries, weights)[0]
        if country == "VN":
            name = f"{rng.choice(_VN_FAMILY)} {rng.choice(_VN_MIDDLE)} {rng.choice(_VN_GIVEN)}"
        else:
            name = f"{rng.choice(_OTHER_GIVEN)} {rng.choice(_OTHER_FAMILY)}"
        users.append(
            DemoUser(
                subject_id=f"demo-{seed}-{i:05d}",
                country=country,
                name=name,
                phone=_phone(rng, country),
                email=f"user{seed}x{i}@example.{country.lower()}",
                national_id=_cccd(rng) if country == "VN" else None,
            )
        )
    return users


def demo_records(users: Iterable[DemoUser]) -> list[RecordInput]:
    """Each user's profile, login and relationship records, with residency signals."""
    out = []
    for u in users:
        signals = {"phone_number": u.phone}
        profile: dict[str, Any] = {"full_name": u.name, "phone": u.phone, "email": u.email}
        if u.national_id:
            profile["cccd"] = u.national_id
        out.append(
            RecordInput(
                u.subject_id, "profile", profile, signals, record_id=f"{u.subject_id}-profile"
            )
        )
        out.append(
            RecordInput(
                u.subject_id,
                "login",
                {"account_name": u.subject_id, "last_login_at": "2026-11-20T08:00:00Z"},
                signals,
                record_id=f"{u.subject_id}-login",
            )
        )
        out.append(
            RecordInput(
                u.subject_id,
                "friends",
                {"friends": [f"{u.subject_id[:-1]}{d}" for d in "123"]},
                signals,
                record_id=f"{u.subject_id}-friends",
            )
        )
    return out


@dataclass
class AuditResult:
    """What ``residency_audit`` found."""

    placed: Counter[tuple[str, str]] = field(default_factory=Counter)  # (subject country, region)
    misplaced: list[str] = field(default_factory=list)
    byte_leaks: list[str] = field(default_factory=list)
    files_scanned: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing is misplaced and nothing leaked."""
        return not self.misplaced and not self.byte_leaks


def residency_audit(vault: Vault, users: list[DemoUser], *, home: str = "VN") -> AuditResult:
    """Read every region back and check placement and byte-level separation."""
    result = AuditResult()
    for name, region in vault.runtime.regions.items():
        after: str | None = None
        while page := region.db.records.page(after, 500):
            for sealed in page:
                record = vault.open_sealed(region, sealed)
                result.placed[(record.subject_country, name)] += 1
                if record.subject_country == home and region.country != home:
                    result.misplaced.append(f"{record.record_id} in {name}")
            after = page[-1].record_id
    needles = [i.encode("utf-8") for u in users if u.country == home for i in u.identifiers()]
    for name in vault.runtime.regions:
        for path in store_files(vault.runtime.settings, name):
            blob = path.read_bytes()
            result.files_scanned += 1
            for needle in needles:
                if needle in blob:
                    result.byte_leaks.append(f"{path.name}")
                    break
    return result
