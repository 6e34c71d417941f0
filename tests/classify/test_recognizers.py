"""Table tests for every recognizer: fictitious positives and tricky negatives.

Each row is (value, expected): the value is checked whole (as a cell or a field) and inside
a sentence with the recognizer's context word, so both paths are covered.
"""

from __future__ import annotations

import pytest

from onshore.core.classify import TextClassifier
from onshore.core.classify.recognizer import Recognizer
from onshore.core.classify.recognizers import (
    address,
    bank_account,
    card_number,
    cccd,
    cmnd,
    date_of_birth,
    email,
    email_obfuscated,
    ethnic_group,
    health_condition,
    iban,
    ip_address,
    passport,
    person_name,
    phone,
    vn_phone,
    vn_tax_code,
)

TABLES: dict[Recognizer, list[tuple[str, bool]]] = {
    vn_phone.RECOGNIZER: [
        ("0912 345 678", True),
        ("0912.345.678", True),
        ("0912-345-678", True),
        ("091 234 5678", True),
        ("+84 91 234 5678", True),
        ("+84912345678", True),
        ("84912345678", True),
        ("(+84) 912 345 678", True),
        ("(028) 3822 1234", True),
        ("028 3822 1234", True),
        ("0398765432", True),
        ("0123 456 789", False),  # retired 012x prefix
        ("0912 345 67", False),  # one digit short
        ("0541 234 567", False),  # not a mobile range
        ("1234567890", False),
    ],
    phone.RECOGNIZER: [
        ("+1 415 555 0132", True),
        ("+44 20 7123 4567", True),
        ("+65 6123 4567", True),
        ("(415) 555-0132", True),
        ("415-555-0132", True),
        ("+1 415 555", False),
        ("1.200.000", False),  # a price
        ("2024-05-01", False),  # a date
        ("0912 345 67", False),  # an invalid Vietnamese number
    ],
    cccd.RECOGNIZER: [
        ("079090012345", True),  # Ho Chi Minh City, born 1990, male
        ("001305678901", True),  # Ha Noi, female, 2005
        ("096200123456", True),  # Ca Mau
        ("097090012345", False),  # province code out of range
        ("000190012345", False),
        ("079590012345", False),  # century digit 5: born after 2100
        ("07909001234", False),  # 11 digits
        ("111111111111", False),
    ],
    cmnd.RECOGNIZER: [
        ("025123456", True),
        ("186543210", True),
        ("000000000", False),
        ("12345678", False),
        ("001234567", False),
    ],
    passport.RECOGNIZER: [
        ("C1234567", True),
        ("B7654321", True),
        ("N2345678", True),
        ("A1234567", False),  # not a Vietnamese series
        ("C123456", False),
        ("c1234567", False),
    ],
    vn_tax_code.RECOGNIZER: [
        ("0100109106", True),
        ("0100109106-001", True),
        ("0100109107", False),  # wrong check digit
        ("12345", False),
    ],
    email.RECOGNIZER: [
        ("an.nguyen@example.com.vn", True),
        ("user+tag@mail.example.org", True),
        ("a@xn--d1acufc.xn--p1ai", True),
        ("info@presidio.", False),
        ("hello-world", False),
        ("@example.com", False),
        ("an@localhost", False),
    ],
    ip_address.RECOGNIZER: [
        ("14.160.0.1", True),
        ("113.161.42.7", True),
        ("2001:db8::1", True),
        ("fe80::1%eth0", True),
        ("192.168.1.0/24", True),
        ("256.1.1.1", False),
        ("1.2.3", False),
        ("0.0.0.0", False),
        ("::", False),
        ("12:30:45", False),
    ],
    card_number.RECOGNIZER: [
        ("4111 1111 1111 1111", True),  # Visa test number
        ("5555555555554444", True),  # Mastercard test number
        ("378282246310005", True),  # Amex test number
        ("9704 0000 0000 0018", True),  # NAPAS, Luhn-valid
        ("4111 1111 1111 1112", False),  # Luhn-invalid
        ("1234 5678 9012 3456", False),  # Luhn-invalid
        ("9999 9999 9999 9995", False),  # no issuer
        ("0000000000000000", False),
    ],
    iban.RECOGNIZER: [
        ("DE89 3704 0044 0532 0130 00", True),
        ("GB82WEST12345698765432", True),
        ("BE68539007547034", True),
        ("DE89 3704 0044 0532 0130 01", False),
        ("XX00 1234", False),
    ],
    bank_account.RECOGNIZER: [
        ("0071000123456", True),
        ("19036789012345", True),
        ("12345", False),
        ("0000000000", False),
    ],
    person_name.RECOGNIZER: [
        ("Nguyễn Văn An", True),
        ("Trần Thị Bích Ngọc", True),
        ("NGUYỄN VĂN AN", True),
        ("Tran Thi Mai", True),
        ("Le Van Hung", True),
        ("Hồ Chí Minh", False),  # the city (and a historical figure)
        ("Le Monde", False),
        ("Do Not Disturb", False),
        ("Nguyễn", False),
    ],
    address.RECOGNIZER: [
        ("12 Nguyễn Trãi, Phường 5, Quận 1, TP. Hồ Chí Minh", True),
        ("Số 8 ngõ 12 Láng Hạ, Đống Đa, Hà Nội", True),
        ("45 Le Loi, Phuong Ben Nghe, Quan 1, TP HCM", True),
        ("Thôn 3, Xã Ea Tu, TP. Buôn Ma Thuột, Đắk Lắk", True),
        ("Apple, Banana, Cherry", False),
        ("12 items, 3 boxes", False),
    ],
    date_of_birth.RECOGNIZER: [
        ("05/03/1990", True),
        ("1990-03-05", True),
        ("31-12-2001", True),
        ("30/02/1990", False),
        ("05/13/1990", False),
        ("05/03/1850", False),
    ],
    ethnic_group.RECOGNIZER: [
        ("Kinh", True),
        ("Tày", True),
        ("Tay", True),
        ("H'Mông", True),
        ("Ê Đê", True),
        ("Việt Kiều", False),
        ("French", False),
    ],
    email_obfuscated.RECOGNIZER: [
        ("lan.nguyen [at] gmail.com", True),
        ("lan.nguyen [at] gmail [dot] com", True),
        ("tuan(at)yahoo(dot)com(dot)vn", True),
        ("hoa @ outlook.com", True),
        ("minh [a] gmail [chấm] com", True),
        ("ngoc a còng gmail chấm com", True),
        ("an at gmail dot com", True),
        ("an [at] gmail", False),  # no top-level label
        ("lan [at] gmail [dot] zzzz", False),  # not a known top-level label
        ("lan [at] localhost", False),
        ("work at google.com", False),  # a bare ``at`` needs a spelled-out dot or a mail host
    ],
    health_condition.RECOGNIZER: [
        ("tiểu đường", True),
        ("tieu duong type 2", True),
        ("Ung Thư Vú", True),
        ("ung thư vú giai đoạn 2", True),
        ("diabetes", True),
        ("HIV", True),
        ("Alzheimer's disease", True),
        ("aids", False),  # acronyms keep their case
        ("đường", False),
        ("cảm cúm nhẹ", False),
    ],
}

ROWS = [(rec, value, ok) for rec, rows in TABLES.items() for value, ok in rows]
CLASSIFIER = TextClassifier()


@pytest.mark.parametrize(("rec", "value", "ok"), ROWS, ids=lambda x: getattr(x, "name", str(x)))
def test_whole_value(rec: Recognizer, value: str, ok: bool) -> None:
    assert (rec.check(value) is not None) is ok


TEXT_ROWS = [(rec, value, ok) for rec, value, ok in ROWS if rec.patterns]


@pytest.mark.parametrize(
    ("rec", "value", "ok"), TEXT_ROWS, ids=lambda x: getattr(x, "name", str(x))
)
def test_in_a_sentence_with_context(rec: Recognizer, value: str, ok: bool) -> None:
    text = f"Thông tin ({rec.context[0]}): {value} ."
    spans = [
        text[f.start : f.end]
        for f in CLASSIFIER.findings(text)
        if f.category == rec.category and f.start is not None and f.end is not None
    ]
    assert (value in spans) is ok


def test_every_recognizer_has_a_table_and_a_citation() -> None:
    from onshore.core.classify.registry import BUILTIN

    for rec in BUILTIN:
        assert rec in TABLES, rec.name
        assert any(ok for _, ok in TABLES[rec]) and any(not ok for _, ok in TABLES[rec])
    for module in (address, bank_account, card_number, cccd, cmnd, date_of_birth, email):
        assert module.__doc__ and "Format:" in module.__doc__
    for module in (ethnic_group, iban, ip_address, passport, person_name, phone, vn_phone):
        assert module.__doc__ and "Format:" in module.__doc__
    for module in (email_obfuscated, health_condition):
        assert module.__doc__ and "Format:" in module.__doc__
    assert vn_tax_code.__doc__ and "Format:" in vn_tax_code.__doc__


DECOY_TEXTS = [
    "Đơn hàng #0912345678 đã được giao",
    "Mã vận đơn: 079090012345",
    "Order 4111111111111112 shipped",
    "tracking number 1Z999AA10123456784",
    "Giá: 1.200.000 VND, giảm còn 990.000",
    "version 1.2.3.4 released",
    "commit 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    "uuid 550e8400-e29b-41d4-a716-446655440000",
    "Call 0123 456 789 now",
    "random 1234 5678 9012 3456 digits",
    "Sống tại đường Lê Lợi",
    "Hồ Chí Minh City is large",
    "invoice no. 2024-000123",
    "OTP của bạn là 123456789",
]


@pytest.mark.parametrize("text", DECOY_TEXTS)
def test_decoys_do_not_fire(text: str) -> None:
    found = [(f.category, text[f.start or 0 : f.end]) for f in CLASSIFIER.findings(text)]
    assert [f for f in found if f[0] != "address"] == []
