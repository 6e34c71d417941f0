"""A proof bundle's JSON view: the decoded event when the leaf decodes, ``null`` when not
(verification then names the malformed leaf)."""

from __future__ import annotations

import pytest

from onshore.core.errors import LeafError
from onshore.core.ledger import ProofBundle, verify_bundle
from onshore.services.ledger import Ledger
from tests.ledger.conftest import REGION, T0, placed


@pytest.fixture
def sealed(log: Ledger) -> Ledger:
    log.append([placed(i) for i in range(3)])
    log.checkpoint(T0)
    return log


def test_a_well_formed_leaf_is_shown_as_its_event(sealed: Ledger) -> None:
    event = sealed.prove("rec-1").to_dict()["event"]
    assert event is not None
    assert event["region"] == REGION
    assert event["type"] == "record_placed"


def test_a_malformed_leaf_is_shown_as_no_event_and_fails_verification(sealed: Ledger) -> None:
    good = sealed.prove("rec-1")
    bad = ProofBundle(
        good.region,
        good.index,
        good.leaf[:-1],
        good.inclusion_proof,
        good.checkpoint,
        good.public_key,
    )
    view = bad.to_dict()
    assert view["event"] is None
    assert view["leaf"] == good.leaf[:-1].hex()
    with pytest.raises(LeafError):
        verify_bundle(ProofBundle.from_json(bad.to_json()), sealed.verifier_key())
