"""Ingest: idempotent batches, bad rows with line and reason, strict files all or nothing,
corrections kept as revisions, on SQLite, memory and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from onshore.core.errors import InputError
from onshore.services.audience import AudienceService
from onshore.services.runtime import open_runtime

from .conftest import T0, write_csv, write_jsonl

GOOD = [
    "acct-1,account,VN,2026-11-19,9990,,false,false",
    "acct-1,account,VN,2026-11-20,10412,,false,true",
    "acct-2,,VN,2026-11-20,50,10,no,no",
]
BAD = [
    "acct-3,account,vn,2026-13-01,5,,,",           # line 5: bad date
    ",account,VN,2026-11-20,1,,,",                 # line 6: no subject
    "acct-1,account,VN,2026-11-20,10500,,,",       # line 7: duplicate of line 3
    "acct-4,account,VN,2026-11-20,-3,,,",          # line 8: negative
    "acct-5,person,VN,2026-11-20,3,,,",            # line 9: bad subject type
    "acct-6,account,Viet Nam,2026-11-20,3,,,",     # line 10: bad country
    "acct-7,account,VN,2026-11-20,,,maybe,",       # line 11: bad flag
    "acct-8,account,VN,2026-11-20,,,,",            # line 12: no metric
    "acct-9,account,VN,2026-11-20,12.5,,,",        # line 13: not an integer
]  # fmt: skip


def test_bad_rows_are_reported_and_the_rest_applied(svc: AudienceService, tmp_path: Path) -> None:
    report = svc.ingest_file(write_csv(tmp_path / "m.csv", GOOD + BAD))
    assert (report.rows, report.good, report.bad, report.inserted) == (12, 3, 9, 3)
    assert [(b["line"], b["reason"].split(" ")[0]) for b in report.bad_rows] == [
        (5, "date"),
        (6, "subject_id"),
        (7, "duplicate"),
        (8, "subscribers"),
        (9, "subject_type"),
        (10, "country"),
        (11, "livestreaming"),
        (12, "no"),
        (13, "subscribers"),
    ]
    assert report.bad_rows[2]["reason"].startswith("duplicate of line 3")
    assert svc.store.count() == 3


def test_resending_a_file_changes_nothing(svc: AudienceService, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "m.csv", GOOD)
    first = svc.ingest_file(path)
    assert first.applied and first.inserted == 3 and len(first.opened) == 1
    history = svc.status("acct-1")["history"]
    again = svc.ingest_file(path)
    assert again.already_applied and not again.applied and again.inserted == 0
    assert again.opened == [] and svc.store.count() == 3
    assert svc.status("acct-1")["history"] == history
    # the same rows in another file (another order, another batch) change nothing either
    other = svc.ingest_file(write_csv(tmp_path / "n.csv", list(reversed(GOOD))))
    assert (other.inserted, other.updated, other.unchanged) == (0, 0, 3)
    assert len(svc.obligations()) == 1


def test_strict_file_with_a_bad_row_applies_nothing(svc: AudienceService, tmp_path: Path) -> None:
    with pytest.raises(InputError) as info:
        svc.ingest_file(write_csv(tmp_path / "m.csv", GOOD + BAD[:1]), strict=True)
    assert info.value.details["bad_rows"] == [{"line": 5, "reason": "date must be YYYY-MM-DD"}]
    assert svc.store.count() == 0 and svc.obligations() == []


def test_correction_keeps_the_replaced_value(svc: AudienceService, tmp_path: Path) -> None:
    svc.ingest_file(write_csv(tmp_path / "a.csv", GOOD))
    fix = svc.ingest_file(
        write_csv(tmp_path / "b.csv", ["acct-1,account,VN,2026-11-20,10420,,false,true"])
    )
    assert (fix.inserted, fix.updated, fix.unchanged) == (0, 1, 0)
    status = svc.status("acct-1", on="2026-11-20")
    assert status["subscribers"]["subscribers"] == 10420
    [old] = status["revisions"]
    assert old["subscribers"] == 10412 and old["line"] == 3 and old["replaced_by"] == fix.batch_id


def test_jsonl_and_rows(svc: AudienceService, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", [
        {"subject_id": "s-1", "subject_type": "service", "country": "VN", "date": "2026-11-20",
         "monthly_visits": 120000, "livestreaming": True},
        {"subject_id": "s-2", "country": "VN", "date": "2026-11-20", "subscribers": "many"},
    ])  # fmt: skip
    report = svc.ingest_file(path)
    assert (report.good, report.bad) == (1, 1)
    assert report.bad_rows == [{"line": 2, "reason": "subscribers must be a non-negative integer"}]
    rows = svc.ingest_rows([{"subject_id": "s-3", "country": "VN", "date": "2026-11-20",
                             "subscribers": 3, "monetised": False}])  # fmt: skip
    assert (
        rows.inserted == 1
        and svc.ingest_rows(
            [
                {
                    "subject_id": "s-3",
                    "country": "VN",
                    "date": "2026-11-20",
                    "subscribers": 3,
                    "monetised": False,
                }
            ]
        ).already_applied
    )


def test_file_level_problems_are_errors(svc: AudienceService, tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("subject_id,country\nacct,VN\n")
    with pytest.raises(InputError, match="missing column 'date'"):
        svc.ingest_file(tmp_path / "x.csv")
    (tmp_path / "y.csv").write_text("subject_id,country,date,followers\nacct,VN,2026-11-20,3\n")
    with pytest.raises(InputError, match="unknown column 'followers'"):
        svc.ingest_file(tmp_path / "y.csv")
    (tmp_path / "z.csv").write_text("subject_id,country,date,subscribers\na,VN,2026-11-20,1,9\n")
    with pytest.raises(InputError, match="cannot read"):
        svc.ingest_file(tmp_path / "z.csv")
    with pytest.raises(InputError, match="unknown field"):
        svc.ingest_rows([{"subject_id": "a", "followers": 1}])
    assert svc.store.count() == 0


def test_line_numbers_hold_across_chunks(svc: AudienceService, tmp_path: Path) -> None:
    lines = [f"acct-{i},account,VN,2026-11-20,{i % 9000},," + ",," for i in range(150_000)]
    lines[123_456] = "acct-x,account,VN,2026-11-20,-1,,,"
    lines = [ln.rstrip(",") + ",," if ln.count(",") < 7 else ln for ln in lines]
    report = svc.ingest_file(write_csv(tmp_path / "big.csv", lines))
    assert report.bad_rows == [
        {"line": 123_458, "reason": "subscribers must be a non-negative integer"}
    ]
    assert report.inserted == 149_999


@pytest.mark.postgres
def test_postgres_store(pg_url: str, tmp_path: Path) -> None:
    from onshore.adapters.clock import FixedClock
    from tests.audience.conftest import foreign
    from tests.cases.conftest import settings_for

    settings = foreign(settings_for(tmp_path))
    cfg = settings.model_dump()
    cfg["regions"]["vn-hcm"]["store"] = pg_url
    from onshore.settings import Settings

    rt = open_runtime(Settings.model_validate(cfg), create_keys=True, clock=FixedClock(T0))
    try:
        svc = AudienceService(rt, registry=CollectorRegistry())
        report = svc.ingest_file(write_csv(tmp_path / "m.csv", GOOD + BAD))
        assert (report.inserted, report.bad, len(report.opened)) == (3, 9, 1)
        assert svc.ingest_file(tmp_path / "m.csv").already_applied
        fix = svc.ingest_file(
            write_csv(
                tmp_path / "b.csv",
                [
                    "acct-1,account,VN,2026-11-20,10420,,false,true",
                    "acct-2,account,VN,2026-11-20,50,10,false,false",
                ],
            )
        )
        assert (fix.inserted, fix.updated, fix.unchanged) == (0, 1, 1)
        assert svc.status("acct-1")["revisions"][0]["subscribers"] == 10412
    finally:
        rt.close()


def test_every_later_repeat_of_a_key_names_the_first(svc: AudienceService, tmp_path: Path) -> None:
    lines = [
        "acct-1,account,VN,2026-11-20,5,,,",   # line 2
        "acct-2,account,VN,2026-11-20,6,,,",   # line 3
        "acct-1,account,VN,2026-11-20,7,,,",   # line 4: duplicate of 2
        "acct-1,account,VN,2026-11-21,8,,,",   # line 5: another day, good
        "acct-1,account,vn,2026-11-20,9,,,",   # line 6: duplicate of 2 (country upper-cased)
    ]  # fmt: skip
    report = svc.ingest_file(write_csv(tmp_path / "d.csv", lines))
    assert (report.good, report.bad) == (3, 2)
    assert [(b["line"], b["reason"][:20]) for b in report.bad_rows] == [
        (4, "duplicate of line 2 "),
        (6, "duplicate of line 2 "),
    ]
    assert [o.subscribers for o in svc.store.series("acct-1", "VN")] == [5, 8]
