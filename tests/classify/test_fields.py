"""classify_fields: the vault's write-path verdict per field (name first, then value)."""

from __future__ import annotations

import pytest

from onshore.core.classify import classify_fields, infer_subject_country
from onshore.core.taxonomy import CATEGORIES

NAMED = [
    ("phone", "x", "phone_number"),
    ("so_dien_thoai", "x", "phone_number"),
    ("soDienThoai", "x", "phone_number"),
    ("Số điện thoại", "x", "phone_number"),
    ("email", "x", "email"),
    ("ho_ten", "x", "person_name"),
    ("full_name", "x", "person_name"),
    ("dan_toc", "x", "ethnicity"),
    ("quan_diem_chinh_tri", "x", "political_opinion"),
    ("political_view", "x", "political_opinion"),
    ("friends", ["u1", "u2"], "relationship"),
    ("last_login_ip", "x", "ip_address"),
    ("cccd", "x", "national_id"),
    ("ton_giao", "x", "religion"),
    ("van_tay", "x", "biometric"),
    ("khuon_mat", "x", "biometric"),
    ("ngay_sinh", "x", "date_of_birth"),
    ("gioi_tinh", "x", "gender"),
    ("dia_chi", "x", "address"),
    ("tien_an", "x", "criminal_record"),
    ("suc_khoe", "x", "health"),
    ("xu_huong_tinh_duc", "x", "sex_life"),
    ("so_tai_khoan", "x", "bank_account"),
    ("ma_so_thue", "x", "tax_id"),
    ("ho_chieu", "x", "passport_number"),
    ("username", "x", "account_name"),
    ("device_id", "x", "device_id"),
    ("last_login_at", "x", "login_time"),
]


@pytest.mark.parametrize(("field", "value", "category"), NAMED)
def test_field_names_decide(field: str, value: object, category: str) -> None:
    assert classify_fields({field: value})[field] == frozenset({category})


VALUES = [
    ("contact", "0912 345 678", {"phone_number"}),
    ("contact", "+84 91 234 5678", {"phone_number"}),
    ("contact", "an.nguyen@example.vn", {"email"}),
    ("x1", "079090012345", {"national_id"}),
    ("x2", "4111 1111 1111 1111", {"card_number"}),
    ("x3", "14.160.0.1", {"ip_address"}),
    ("x4", "Nguyễn Thị Minh Khai", {"person_name"}),
    ("x5", "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh", {"address"}),
]


@pytest.mark.parametrize(("field", "value", "expected"), VALUES)
def test_unnamed_fields_by_value(field: str, value: str, expected: set[str]) -> None:
    assert classify_fields({field: value})[field] == frozenset(expected)


DECOYS = [
    ("order_id", "ORD-2024-000123"),
    ("tracking_number", "1Z999AA10123456784"),
    ("price", "1.200.000"),
    ("version", "1.2.3"),
    ("ref", "4111111111111112"),
    ("sha", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),
    ("uuid", "550e8400-e29b-41d4-a716-446655440000"),
    ("contact", "0123 456 789"),
    ("email_verified", True),
    ("note", "hello"),
    ("age", 31),
]


@pytest.mark.parametrize(("field", "value"), DECOYS)
def test_decoys_get_nothing(field: str, value: object) -> None:
    assert classify_fields({field: value})[field] == frozenset()


def test_free_text_fields_add_what_they_contain() -> None:
    verdict = classify_fields({"bio": "Mình là An, zalo 0987 654 321, mail an@example.vn nhé"})
    assert verdict["bio"] == {"user_content", "phone_number", "email"}


def test_nested_values_contribute() -> None:
    verdict = classify_fields({"profile": {"sdt": "0912345678", "ten": "An"}})
    assert verdict["profile"] == {"phone_number", "person_name"}


def test_every_category_is_in_the_vocabulary() -> None:
    verdict = classify_fields({f: v for f, v, _ in NAMED} | {"bio": "gọi 0912345678"})
    assert set().union(*verdict.values()) <= CATEGORIES


@pytest.mark.parametrize(
    ("row", "country"),
    [
        ({"phone": "0912345678"}, "VN"),
        ({"phone": "+65 6123 4567", "cccd": "079090012345"}, "SG"),
        ({"cccd": "079090012345"}, "VN"),
        ({"declared_residence": "sg", "phone": "0912345678"}, "SG"),
        ({"address": "12 Lê Lợi, Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh"}, "VN"),
        ({"note": "nothing here"}, None),
    ],
)
def test_infer_subject_country(row: dict[str, object], country: str | None) -> None:
    assert infer_subject_country(row) == country


def test_infer_subject_country_uses_the_lookup_for_ips() -> None:
    class Lookup:
        def country_of(self, ip: str) -> str | None:
            return {"14.160.0.1": "VN"}.get(ip)

    assert infer_subject_country({"last_login_ip": "14.160.0.1"}, Lookup()) == "VN"
    assert infer_subject_country({"last_login_ip": "14.160.0.1"}) is None
