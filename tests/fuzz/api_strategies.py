"""Hypothesis strategies for the HTTP API's request bodies: records, batches, authority
requests, takedown notices, transparency periods and audience metrics (JSON rows, CSV and
JSON Lines), each as well-formed bodies, wrong shapes and corrupted bytes.

Every strategy yields ``bytes`` ready to send: mostly JSON of the right shape with hostile
values (huge or negative numbers, impossible dates, control characters, deep nesting, wrong
types), some of it corrupted (cut short, invalid UTF-8, a byte flipped, nested past the
limit), so the server's whole refusal path is exercised.
"""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

#: Text that includes what breaks naive handling: NUL and other controls, surrogates'
#: neighbours, right-to-left marks, very long runs.
TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40
) | st.sampled_from(["", " ", "\x00", "a\x00b", "\u202e", "0" * 300, "+84912345678", "VN"])

NUMBERS = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30, -(10**30)]),
    st.floats(allow_nan=False, allow_infinity=False),
)

DAYS = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["2026-13-01", "2026-02-30", "0000-01-01", "9999-12-31", "", "yesterday"]),
)
TIMES = st.one_of(
    st.datetimes().map(lambda t: t.isoformat()),
    st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat()),
    DAYS,
    st.sampled_from(["2100-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "T", "2026-01-01T25:00"]),
)

LEAF = st.one_of(st.none(), st.booleans(), NUMBERS, TEXT, DAYS)
JSON: st.SearchStrategy[Any] = st.recursive(
    LEAF,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)


def sometimes(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``value`` usually, any JSON value now and then (the wrong type)."""
    return st.one_of(value, value, value, JSON)


def _object(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[dict[str, Any]]:
    base = st.fixed_dictionaries(
        {k: sometimes(v) for k, v in required.items()},
        optional={**{k: sometimes(v) for k, v in optional.items()}, "unknown_field": JSON},
    )
    # now and then a required member is missing
    return base | base.flatmap(
        lambda d: st.sampled_from(sorted(d) or [""]).map(
            lambda k: {n: v for n, v in d.items() if n != k}
        )
    )


PHONES = st.sampled_from(["+84912345678", "0912345678", "+6591234567", "12", ""]) | TEXT
SIGNALS = _object(
    {},
    {
        "declared_residence": st.sampled_from(["VN", "SG", "XX", ""]) | TEXT,
        "phone_number": PHONES,
        "address_country": TEXT,
        "ip": st.sampled_from(["1.2.3.4", "::1", "999.1.1.1"]) | st.lists(TEXT, max_size=3),
    },
)
RECORD = _object(
    {
        "subject": TEXT,
        "kind": st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,10}\Z") | TEXT,
        "data": st.dictionaries(TEXT, JSON, max_size=6),
    },
    {
        "signals": SIGNALS,
        "categories": st.dictionaries(
            TEXT, st.lists(st.sampled_from(["phone_number", "email", "nope"]) | TEXT, max_size=3)
        ),
        "record_id": TEXT,
    },
)
#: A record the vault accepts (so the success path is fuzzed too).
VALID_RECORD = st.fixed_dictionaries(
    {
        "subject": st.from_regex(r"\Au-[a-z0-9]{1,12}\Z"),
        "kind": st.sampled_from(["profile", "login", "note"]),
        "data": st.dictionaries(
            st.sampled_from(["name", "phone", "email", "bio", "city"]),
            st.one_of(NUMBERS, TEXT, st.just("+84912345678")),
            max_size=4,
        ),
        "signals": st.fixed_dictionaries(
            {"phone_number": st.sampled_from(["+84912345678", "+6591234567"])}
        ),
    }
)
RECORD = RECORD | VALID_RECORD
BATCH = _object({"records": st.lists(RECORD, max_size=5)}, {}) | st.fixed_dictionaries(
    {"records": st.lists(VALID_RECORD, min_size=1, max_size=5)}
)
WITHIN = _object(
    {
        "amount": NUMBERS,
        "unit": st.sampled_from(["hour", "day", "working_day", "month", "year", "fortnight"]),
    },
    {},
)
SCOPE = _object(
    {},
    {
        "subjects": st.lists(TEXT, max_size=4),
        "phone_number": st.lists(PHONES, max_size=4),
        "email": st.lists(TEXT, max_size=3),
        "national_id": st.lists(TEXT, max_size=3),
        "from": TIMES,
        "to": TIMES,
        "categories": st.lists(st.sampled_from(["phone_number", "email"]) | TEXT, max_size=3),
    },
)
AUTHORITY_REQUEST = _object(
    {
        "authority": st.sampled_from(["VN-A05", "VN-MPS", "SG-SPF", "XX"]) | TEXT,
        "process_type": st.sampled_from(["warrant", "emergency", "subpoena"]) | TEXT,
        "reference": TEXT,
        "legal_basis": TEXT,
        "scope": SCOPE,
    },
    {"respond_within": WITHIN, "ndo_until": TIMES},
)
PERIOD = _object(
    {"from": TIMES, "to": TIMES},
    {"country": st.sampled_from(["VN", "SG", "vn", "XXX"]), "k": NUMBERS},
)
NOTICE = _object(
    {
        "source": st.sampled_from(["authority_order", "trusted_flagger", "user_complaint"]) | TEXT,
        "notice": _object(
            {"reason": TEXT},
            {
                "content": st.lists(
                    _object({}, {"url": TEXT, "puid": TEXT, "content_type": TEXT}), max_size=3
                ),
                "jurisdictions": st.lists(st.sampled_from(["VN", "EU", "XX"]), max_size=3),
                "sender": _object({}, {"name": TEXT, "kind": TEXT, "email": TEXT}),
                "reference": TEXT,
            },
        ),
    },
    {"urgent": st.booleans(), "region": st.sampled_from(["vn-hcm", "sg-1", "mars"])},
)
METRIC_ROW = _object(
    {"subject_id": TEXT, "country": st.sampled_from(["VN", "SG", "vn", ""]), "date": DAYS},
    {
        "subject_type": st.sampled_from(["account", "service", "robot"]),
        "subscribers": NUMBERS,
        "monthly_visits": NUMBERS,
        "livestreaming": st.sampled_from([True, False, "yes", "0", 2]),
        "monetised": st.sampled_from([True, False, "no"]),
    },
)
METRICS = _object({"rows": st.lists(METRIC_ROW, max_size=6)}, {"strict": st.booleans()})


def _cell(value: Any) -> str:
    return str(value).replace("\n", " ")


@st.composite
def csv_body(draw: st.DrawFn) -> bytes:
    """A CSV metrics body: a header (known, repeated or unknown columns) and rows."""
    columns = draw(
        st.lists(
            st.sampled_from(["subject_id", "country", "date", "subscribers", "monetised"]) | TEXT,
            min_size=1,
            max_size=6,
        )
    )
    rows = draw(st.lists(st.lists(LEAF, min_size=len(columns), max_size=len(columns)), max_size=5))
    text = ",".join(map(_cell, columns)) + "\n"
    text += "".join(",".join(map(_cell, row)) + "\n" for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@st.composite
def corrupted(draw: st.DrawFn, body: bytes) -> bytes:
    """``body`` damaged one way: cut short, a byte flipped, invalid UTF-8 or nested deep."""
    how = draw(st.sampled_from(["cut", "flip", "utf8", "deep", "garbage"]))
    if how == "cut" and body:
        return body[: draw(st.integers(0, len(body) - 1))]
    if how == "flip" and body:
        at = draw(st.integers(0, len(body) - 1))
        return body[:at] + bytes([draw(st.integers(0, 255))]) + body[at + 1 :]
    if how == "utf8":
        at = draw(st.integers(0, len(body)))
        return (
            body[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xed\xa0\x80"])) + body[at:]
        )
    if how == "deep":
        depth = draw(st.integers(30, 20_000))
        return b"[" * depth + body + b"]" * depth
    return draw(st.binary(max_size=64))


def bodies(shape: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """JSON bytes of ``shape`` (mostly), or those bytes corrupted."""
    encoded = shape.map(lambda v: json.dumps(v).encode())
    return st.one_of(encoded, encoded, encoded, encoded.flatmap(corrupted))
