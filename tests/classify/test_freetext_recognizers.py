"""Issue 18's free-text cases, one behaviour each: obfuscated e-mail, split phones, disclosed
health conditions, dates that are not births, CMND columns, and the RE2 pre-filter."""

from __future__ import annotations

import pytest

from onshore.core.classify import TextClassifier
from onshore.core.classify.column import cell_findings, classify_column
from onshore.core.classify.recognizers import cmnd, email_obfuscated, health_condition

CLF = TextClassifier()


def spans(text: str, clf: TextClassifier = CLF) -> list[tuple[str, str]]:
    return [(f.category, text[f.start or 0 : f.end]) for f in clf.findings(text)]


@pytest.mark.parametrize(
    ("text", "address"),
    [
        ("Liên hệ: lan.nguyen [at] gmail.com nhé", "lan.nguyen [at] gmail.com"),
        ("mail me: tuan @ gmail.com", "tuan @ gmail.com"),
        ("viết cho mình hoa(at)gmail(dot)com", "hoa(at)gmail(dot)com"),
        ("gửi về minh [a] gmail [chấm] com ạ", "minh [a] gmail [chấm] com"),
        ("write to an at yahoo dot com dot vn.", "an at yahoo dot com dot vn"),
    ],
)
def test_obfuscated_email_in_text(text: str, address: str) -> None:
    assert spans(text) == [("email", address)]


def test_obfuscated_email_rebuilds_the_address() -> None:
    assert email_obfuscated.rebuild("lan [at] gmail [dot] com") == "lan@gmail.com"
    assert spans("I work at google.com and live at home.") == []
    assert spans("an@gmail.com") == [("email", "an@gmail.com")]  # left to ``email``
    assert CLF.findings("an@gmail.com")[0].detector == "email"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("Gọi mình số 0388 170 478 nhé", "0388 170 478"),
        ("SĐT +84 388.170.478 (Zalo)", "+84 388.170.478"),
        ("người nhận chị Hà 0388-170-478, giá 250.000đ", "0388-170-478"),
    ],
)
def test_split_phone_numbers(text: str, number: str) -> None:
    assert ("phone_number", number) in spans(text)


@pytest.mark.parametrize(
    "text",
    [
        "Giá 1.250.000đ, mã đơn 0388170478",
        "thanh toán đơn 0388170478 xong",
        "đặt ngày 08.05.2024, phiên bản 2.3.10",
        "Số 0123 456 789 không hợp lệ",  # not in the numbering plan
    ],
)
def test_prices_orders_dates_are_no_phones(text: str) -> None:
    assert [c for c, _ in spans(text) if c == "phone_number"] == []


@pytest.mark.parametrize(
    ("text", "condition"),
    [
        ("tôi bị tiểu đường type 2 mấy năm rồi", "tiểu đường type 2"),
        ("I was diagnosed with HIV in 2019", "HIV"),
        ("Mẹ mình mắc ung thư vú giai đoạn 2", "ung thư vú giai đoạn 2"),
        ("bố em đang điều trị cao huyết áp", "cao huyết áp"),
        ("My brother has epilepsy.", "epilepsy"),
    ],
)
def test_disclosed_health_condition(text: str, condition: str) -> None:
    assert spans(text) == [("health", condition)]


@pytest.mark.parametrize(
    "text",
    [
        "Bài viết: 10 cách phòng chống tiểu đường",
        "Người bị tiểu đường nên ăn gì?",
        "Tips to prevent diabetes in older adults.",
        "I have a question about diabetes",
        "He has hearing aids.",
        "Triệu chứng ung thư phổi là gì?",
    ],
)
def test_general_health_information_is_no_disclosure(text: str) -> None:
    assert spans(text) == []


def test_health_is_the_only_special_category_read_in_text() -> None:
    text = "Tôi theo đạo Cao Đài, là người Sán Dìu, ủng hộ đảng đối lập; tôi bị hen suyễn."
    assert spans(text) == [("health", "hen suyễn")]
    assert health_condition.RECOGNIZER.category == "health"


@pytest.mark.parametrize(
    ("text", "births"),
    [
        ("Em sinh ngày 12/03/1995, quê Huế", ["12/03/1995"]),
        ("DOB: 1990-03-05", ["1990-03-05"]),
        ("Đơn hàng đặt ngày 2024-05-08 đã giao", []),
        ("Mình đặt bánh sinh nhật, giao ngày 2024-05-08 nha shop", []),
        ("Tiệc sinh nhật tổ chức vào 2024-05-08", []),
        ("Sinh nhật con mình năm nay, ship hàng 2024-05-08", []),
    ],
)
def test_dates_need_birth_context(text: str, births: list[str]) -> None:
    assert [s for c, s in spans(text) if c == "date_of_birth"] == births


def test_cmnd_column_without_a_telling_name() -> None:
    ids = ["025123456", "186543210", "031234567", "121987654", "271234567", "025999888"]
    verdict = classify_column("f3", ids)
    assert verdict.categories == {"national_id"}
    assert [f.detector for f in cell_findings(verdict, "079123456")] == ["vn_cmnd"]
    assert cmnd.column_fit(ids) == 1.0


@pytest.mark.parametrize(
    "values",
    [
        [str(100_000_123 + i * 3) for i in range(30)],  # ascending ids
        ["512345678", "923456789", "712345678", "612345678", "812345678"],  # no province
        ["251234567", "259876543", "253456789", "252222333", "258888777"],  # one province
        ["025123456", "186543210"],  # too few
    ],
)
def test_nine_digit_columns_that_are_not_cmnd(values: list[str]) -> None:
    assert classify_column("c1", values).categories == frozenset()


def test_cccd_column_without_a_telling_name() -> None:
    values = ["079090012345", "001305678901", "048195001234", "031 188 123 456"]
    assert classify_column("col_7", values).categories == {"national_id"}


def test_prefilter_covers_the_new_patterns() -> None:
    """The RE2 set is built from every recognizer's patterns: the new ones included."""
    names = [r.name for r in CLF._owners]
    assert "email_obfuscated" in names and "health_condition" in names
    text = "lan [at] gmail [dot] com; tôi bị tiểu đường"
    hit = {CLF._owners[i].name for i in CLF.engine.candidates(text)}
    assert {"email_obfuscated", "health_condition"} <= hit
    plain = TextClassifier(use_re2=False)
    assert (
        spans(text, plain)
        == spans(text)
        == [
            ("email", "lan [at] gmail [dot] com"),
            ("health", "tiểu đường"),
        ]
    )
