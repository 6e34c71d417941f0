"""Errors about what a caller handed over: bad input (``input.*``), things that do not exist
(``*.not_found``) and conflicts with what is stored.
"""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError


class InputError(OnshoreError):
    """A caller handed over something onshore cannot accept."""

    code = "input.invalid"


class MissingSubject(InputError):
    """A record came without a subject id."""

    code = "input.missing_subject"


class NotSerialisable(InputError):
    """A record's data cannot be represented as JSON."""

    code = "input.not_serialisable"


class RecordTooLarge(InputError):
    """A record is over the configured size limit."""

    code = "input.record_too_large"


class UnknownCategory(InputError):
    """A data category is not in the vocabulary (``onshore.core.taxonomy``)."""

    code = "input.unknown_category"


class UnknownIdentifier(InputError):
    """A ``find`` asked for an identifier type that has no blind index."""

    code = "input.unknown_identifier"


class RecordConflict(OnshoreError):
    """A record id already holds different content; change it with ``Vault.update`` instead."""

    code = "record.conflict"


class NotFound(OnshoreError):
    """Something asked for does not exist."""

    code = "not_found"


class RecordNotFound(NotFound):
    """No record with that id exists in any configured region."""

    code = "record.not_found"


class UnknownRegion(NotFound):
    """The region name is not configured."""

    code = "region.unknown"


class TokenNotFound(NotFound):
    """No API token has that name or id."""

    code = "token.not_found"


class TokenNameTaken(InputError):
    """An API token with that name already exists (names are unique, revoked ones included)."""

    code = "token.name_taken"


class BodyTooLarge(InputError):
    """A request body is over the server's size limit (HTTP 413)."""

    code = "input.body_too_large"


class InvalidJson(InputError):
    """A request body is not valid JSON (HTTP 400)."""

    code = "input.invalid_json"


class MethodNotAllowed(InputError):
    """The HTTP method is not allowed on that path (HTTP 405)."""

    code = "input.method_not_allowed"


class TooManyItems(InputError):
    """A request holds more rows or items than the server's limit (HTTP 413)."""

    code = "input.too_many_items"


class TooManyFields(InputError):
    """A record's data or a JSON object has more fields than the server's limit (HTTP 413)."""

    code = "input.too_many_fields"


class StringTooLong(InputError):
    """A string in a request body is longer than the server's limit (HTTP 413)."""

    code = "input.string_too_long"


class HeaderTooLarge(InputError):
    """The request line and headers are over the server's size limit (HTTP 431)."""

    code = "input.header_too_large"


class InvalidEncoding(InputError):
    """A request body (CSV, JSON Lines) is not UTF-8 text (HTTP 400)."""

    code = "input.invalid_encoding"


class BadRequest(InputError):
    """The HTTP request itself is malformed (answered by the protocol layer, HTTP 400)."""

    code = "input.bad_request"


class CaseNotFound(NotFound):
    """No case with that id exists (in the regions searched)."""

    code = "case.not_found"
