"""Import mappings (``core.import_mapping``): options and YAML documents, the checks against
a source's columns, the fingerprint and the record ids."""

from __future__ import annotations

import pytest

from onshore.core.errors import ImportMappingError
from onshore.core.import_mapping import Mapping, merged, options_dict, record_id

COLUMNS = ["uid", "name", "phone", "country", "password_hash", "type"]


def test_options_and_documents_give_the_same_mapping() -> None:
    by_options = Mapping.from_options(
        ["subject=uid", "phone_number=phone", "signals.address_country=country",
         "exclude=password_hash"]
    )  # fmt: skip
    by_document = Mapping.from_dict(
        {"subject": "uid", "signals": {"phone_number": "phone", "address_country": "country"},
         "exclude": ["password_hash"]}
    )  # fmt: skip
    assert by_options == by_document
    checked = by_options.checked(COLUMNS)
    assert checked.data == ("uid", "name", "phone", "country", "type")
    assert checked.id_column == "uid" and checked.kind == "profile"
    assert Mapping.from_dict(checked.to_dict()).checked(COLUMNS) == checked  # round trip


def test_a_row_becomes_data_signals_and_kind() -> None:
    m = Mapping.from_options(["subject=uid", "kind_column=type", "ip=phone"]).checked(COLUMNS)
    row = {"uid": "7", "name": None, "phone": "", "country": "VN", "password_hash": "x",
           "type": "account"}  # fmt: skip
    data, signals, kind = m.record_parts(row)
    assert data == {"uid": "7", "phone": "", "country": "VN", "password_hash": "x",
                    "type": "account"}  # fmt: skip
    assert signals == {} and kind == "account"  # an empty cell is no signal


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ([], "mapping"),
        ({}, "subject"),
        ({"subject": "uid", "colour": "x"}, "colour"),
        ({"subject": "uid", "signals": ["phone"]}, "signals"),
        ({"subject": "uid", "signals": {"gps": "phone"}}, "signals.gps"),
        ({"subject": "uid", "data": 3}, "data"),
        ({"subject": "uid", "kind": 3}, "kind"),
        ({"subject": "uid", "id": True}, "id"),
    ],
)
def test_bad_documents_name_the_key(raw: object, field: str) -> None:
    with pytest.raises(ImportMappingError) as err:
        Mapping.from_dict(raw)
    assert err.value.code == "import.mapping_invalid"
    assert err.value.details["field"] == field


def test_a_column_the_source_lacks_is_named() -> None:
    with pytest.raises(ImportMappingError) as err:
        Mapping.from_options(["subject=uid", "phone_number=mobile"]).checked(COLUMNS)
    assert err.value.details == {"field": "signals.phone_number", "column": "mobile"}


def test_the_fingerprint_changes_with_what_the_mapping_does() -> None:
    a = Mapping.from_options(["subject=uid"]).checked(COLUMNS)
    b = Mapping.from_options(["subject=uid", "exclude=password_hash"]).checked(COLUMNS)
    assert a.fingerprint() == Mapping.from_options(["subject=uid"]).checked(COLUMNS).fingerprint()
    assert a.fingerprint() != b.fingerprint()


def test_options_lay_over_a_document() -> None:
    doc = {"subject": "uid", "signals": {"phone_number": "phone"}, "kind": "profile"}
    over = options_dict(["ip=country", "kind=account"])
    assert merged(doc, over) == {
        "subject": "uid", "signals": {"phone_number": "phone", "ip": "country"}, "kind": "account"
    }  # fmt: skip


def test_record_ids_are_deterministic_per_import_and_row() -> None:
    assert record_id("users", "1") == record_id("users", "1")
    assert len({record_id("users", "1"), record_id("users", "2"), record_id("other", "1")}) == 3
    assert "~" not in record_id("users", "1")  # never read as a region-tagged id
