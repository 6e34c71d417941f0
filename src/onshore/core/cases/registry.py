"""Every declared case kind, by name: adding a kind is one module in
:mod:`onshore.core.cases.kinds` plus one line here.

Example:
    >>> sorted(KINDS)
    ['audience_obligation', 'authority_request', 'breach', 'dsr', 'takedown', 'transfer_assessment']
    >>> by_segment("takedowns").name
    'takedown'
"""

from __future__ import annotations

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.kinds.audience_obligation import AUDIENCE_OBLIGATION
from onshore.core.cases.kinds.authority_request import AUTHORITY_REQUEST
from onshore.core.cases.kinds.breach import BREACH
from onshore.core.cases.kinds.dsr import DSR
from onshore.core.cases.kinds.takedown import TAKEDOWN
from onshore.core.cases.kinds.transfer_assessment import TRANSFER_ASSESSMENT
from onshore.core.errors import InputError

#: The declared kinds, by name (table order: requests, takedowns, obligations, DSRs, breaches,
#: transfer assessments).
KINDS: dict[str, CaseKindDeclaration] = {
    k.name: k
    for k in (AUTHORITY_REQUEST, TAKEDOWN, AUDIENCE_OBLIGATION, DSR, BREACH, TRANSFER_ASSESSMENT)
}


def kind(name: str) -> CaseKindDeclaration:
    """The declared kind ``name``; ``InputError`` when there is none."""
    try:
        return KINDS[name]
    except KeyError:
        raise InputError(f"unknown case kind {name!r}", details={"known": sorted(KINDS)}) from None


def by_segment(segment: str) -> CaseKindDeclaration:
    """The declared kind whose URL segment is ``segment``; ``InputError`` otherwise."""
    for k in KINDS.values():
        if k.segment == segment:
            return k
    raise InputError(f"unknown case segment {segment!r}", details={"known": sorted(KINDS)})
