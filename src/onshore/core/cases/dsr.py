"""Data-subject requests: the table, the request types and the typed grounds (pure).

A data subject asks the platform to show them their data (``access``), give them a copy to
take elsewhere (``copy``), correct it (``correction``), erase it (``erasure``), restrict
its processing (``restriction``), object to it (``objection``) or withdraw their consent
(``withdrawal``). :data:`REQUEST_TYPES` maps each to the request name the policy packs'
``respond_within`` rules use (``provide``, ``correct``, ``delete``, ``restrict``,
``object``, ``withdraw``): the packs set the deadline, this module only names things.

Nothing happens to data before the subject's identity is verified (``verify_identity``,
recording who verified and how, never a document). Then, by type: ``assemble`` writes the
access/copy package and ``deliver`` (someone else) signs and hands it over; ``erase`` erases
across regions unless retention defers it (``defer_erasure``: the answer names the date and
the rules); ``comply`` records the outcome of the other types; ``refuse`` records typed
grounds (:data:`REFUSAL_GROUNDS`).

Example:
    >>> REQUESTS.step("received", "verify_identity").target
    'verified'
    >>> REQUEST_TYPES["erasure"]
    'delete'
    >>> sorted(ACTIONS_OF["access"])
    ['assemble', 'refuse']
"""

from __future__ import annotations

from onshore.core.cases.lifecycle import Lifecycle, Transition

KIND = "dsr"

#: Each request type and the request name of the packs' ``respond_within`` rules.
REQUEST_TYPES: dict[str, str] = {
    "access": "provide",
    "copy": "provide",
    "correction": "correct",
    "erasure": "delete",
    "restriction": "restrict",
    "objection": "object",
    "withdrawal": "withdraw",
}

#: How an identity may be verified (the method is recorded; no document is stored).
VERIFICATION_METHODS: dict[str, str] = {
    "account_session": "the subject asked from inside their signed-in account",
    "otp_phone": "a one-time code sent to the phone number on the account",
    "otp_email": "a one-time code sent to the e-mail address on the account",
    "electronic_id": "an electronic identity (e.g. VNeID level 2) was checked",
    "document_seen": "an identity document was seen and handed back (not copied)",
    "in_person": "the subject was identified in person",
    "representative": "a representative's mandate and the subject's identity were checked",
}

#: The grounds a request may be refused on (several may apply; each is recorded).
REFUSAL_GROUNDS: dict[str, str] = {
    "identity_not_verified": "the requester's identity could not be verified",
    "no_data_held": "no personal data of the subject is held",
    "manifestly_unfounded": "the request is manifestly unfounded",
    "excessive_or_repetitive": "the request is excessive or repeats an answered one",
    "legal_obligation": "a law requires the processing or the data to be kept",
    "legal_claims": "the data is needed to establish, exercise or defend legal claims",
    "national_security_or_defence": "national defence, security or public order",
    "public_interest": "a task in the public interest or official authority",
    "rights_of_others": "answering would disclose another person's data",
    "contract_performance": "the processing is needed to perform a contract with the subject",
}

#: The actions that act on data, per request type (besides ``verify_identity``).
ACTIONS_OF: dict[str, frozenset[str]] = {
    "access": frozenset({"assemble", "refuse"}),
    "copy": frozenset({"assemble", "refuse"}),
    "erasure": frozenset({"erase", "defer_erasure", "refuse"}),
    "correction": frozenset({"comply", "refuse"}),
    "restriction": frozenset({"comply", "refuse"}),
    "objection": frozenset({"comply", "refuse"}),
    "withdrawal": frozenset({"comply", "refuse"}),
}

OPERATOR, REVIEWER, APPROVER, ADMIN = "operator", "legal_reviewer", "approver", "admin"
_STAFF = frozenset({OPERATOR, REVIEWER, ADMIN})
_REVIEW = frozenset({REVIEWER, ADMIN})
_RELEASE = frozenset({REVIEWER, APPROVER, ADMIN})

#: The lifecycle of a data-subject request (``docs/dsr.md`` renders it).
REQUESTS = Lifecycle(
    name=KIND,
    initial="received",
    terminal=frozenset({"answered", "refused", "withdrawn"}),
    transitions=(
        Transition("received", "acknowledge", "acknowledged", _STAFF),
        Transition("received", "verify_identity", "verified", _STAFF, ("requires:method",)),
        Transition("acknowledged", "verify_identity", "verified", _STAFF, ("requires:method",)),
        Transition("received", "refuse", "refused", _REVIEW, ("requires:grounds",)),
        Transition("acknowledged", "refuse", "refused", _REVIEW, ("requires:grounds",)),
        Transition("received", "extend", "received", _REVIEW, ("requires:reason", "once")),
        Transition("acknowledged", "extend", "acknowledged", _REVIEW, ("requires:reason", "once")),
        Transition("verified", "extend", "verified", _REVIEW, ("requires:reason", "once")),
        Transition("verified", "assemble", "assembled", _STAFF, ("type_allows",)),
        Transition(
            "assembled",
            "deliver",
            "answered",
            _RELEASE,
            ("distinct_from:assemble", "package_intact"),
        ),
        Transition(
            "verified",
            "erase",
            "answered",
            _REVIEW,
            ("type_allows", "distinct_from:verify_identity", "erasure_due"),
        ),
        Transition(
            "verified",
            "defer_erasure",
            "erasure_deferred",
            _REVIEW,
            ("type_allows", "distinct_from:verify_identity", "erasure_deferred"),
        ),
        Transition(
            "erasure_deferred", "erase", "answered", _REVIEW, ("type_allows", "erasure_due")
        ),
        Transition("verified", "comply", "answered", _REVIEW, ("type_allows", "requires:outcome")),
        Transition("verified", "refuse", "refused", _REVIEW, ("requires:grounds",)),
        Transition("erasure_deferred", "refuse", "refused", _REVIEW, ("requires:grounds",)),
        Transition("received", "withdraw", "withdrawn", _STAFF),
        Transition("acknowledged", "withdraw", "withdrawn", _STAFF),
        Transition("verified", "withdraw", "withdrawn", _STAFF),
    ),
    descriptions={
        "received": "The request is logged; its clock runs from receipt.",
        "acknowledged": "The subject was told the request arrived (2 working days in VN).",
        "verified": "The requester is the subject (who verified and how are recorded).",
        "assembled": "The access/copy package is written, waiting for a second person.",
        "erasure_deferred": "Retention outranks erasure until a date the rules give.",
        "answered": "The request was carried out and the subject answered.",
        "refused": "The request was refused on recorded grounds.",
        "withdrawn": "The subject withdrew the request.",
    },
)
