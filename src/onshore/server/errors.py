"""The one error mapper: error code -> HTTP status, and the one JSON error shape.

Every ``OnshoreError`` class has a row in ``STATUS`` (a test fails when a class lacks
one). Every error response is ``{"error": {"code", "message", "details"}}``; messages are
the errors' own (which never hold personal data); unexpected exceptions become a bare
``500 onshore.error`` with a request id, and neither the response nor the log line carries
the exception's message or a stack trace.

Example:
    >>> from onshore.core.errors import NoPermittedRegion
    >>> status_for(NoPermittedRegion("no region may hold this record"))
    409
"""

from __future__ import annotations

import logging
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from onshore.core.errors import OnshoreError

log = logging.getLogger("onshore.server")

#: Error code -> HTTP status. One row per class in ``onshore.core.errors``.
STATUS: dict[str, int] = {
    "onshore.error": 500,
    "config.invalid": 500,
    "input.invalid": 422,
    "input.missing_subject": 422,
    "input.not_serialisable": 422,
    "input.record_too_large": 413,
    "input.unknown_category": 422,
    "input.unknown_identifier": 422,
    "input.body_too_large": 413,
    "input.invalid_json": 400,
    "input.method_not_allowed": 405,
    "serve.cannot_listen": 500,
    "input.too_many_items": 413,
    "input.too_many_fields": 413,
    "input.string_too_long": 413,
    "input.header_too_large": 431,
    "input.invalid_encoding": 400,
    "input.bad_request": 400,
    "server.timeout": 504,
    "server.unreachable": 502,
    "idempotency.key_invalid": 422,
    "idempotency.key_reused": 422,
    "idempotency.in_progress": 409,
    "not_found": 404,
    "record.not_found": 404,
    "record.conflict": 409,
    "region.unknown": 404,
    "token.not_found": 404,
    "token.name_taken": 409,
    "residency.error": 409,
    "residency.no_permitted_region": 409,
    "policy.error": 409,
    "policy.denied": 409,
    "policy.pack_invalid": 500,
    "store.error": 503,
    "store.unavailable": 503,
    "store.integrity": 409,
    "store.schema_outdated": 503,
    "store.schema_too_new": 503,
    "store.migration_failed": 503,
    "migration.error": 500,
    "migration.plan_not_found": 404,
    "migration.in_progress": 409,
    "migration.verify_failed": 500,
    "crypto.error": 500,
    "keys.missing": 500,
    "keys.unavailable": 503,
    "keys.rotation_incomplete": 409,
    "store.partial": 503,
    "keys.mismatch": 500,
    "crypto.decryption_failed": 500,
    "ledger.error": 500,
    "ledger.proof_invalid": 409,
    "ledger.leaf_invalid": 422,
    "ledger.checkpoint_invalid": 409,
    "ledger.signature_invalid": 409,
    "ledger.bundle_invalid": 422,
    "ledger.leaf_not_found": 404,
    "ledger.payload_rejected": 422,
    "ledger.audit_failed": 409,
    "auth.error": 401,
    "auth.unauthenticated": 401,
    "auth.forbidden": 403,
    "auth.invalid_credentials": 401,
    "auth.totp_required": 401,
    "auth.totp_invalid": 401,
    "auth.user_disabled": 401,
    "auth.owner_disabled": 401,
    "auth.token_expired": 401,
    "auth.role_revoked": 403,
    "auth.locked": 429,
    "user.not_found": 404,
    "user.name_taken": 409,
    "user.conflict": 409,
    "auth.session_expired": 401,
    "auth.csrf_failed": 403,
    "auth.oidc_error": 401,
    "auth.oidc_disabled": 404,
    "auth.oidc_state": 400,
    "auth.oidc_token_invalid": 401,
    "auth.oidc_user_unknown": 403,
    "auth.oidc_link_taken": 409,
    "auth.oidc_provider_unavailable": 503,
    "case.error": 409,
    "case.not_found": 404,
    "case.illegal_transition": 409,
    "case.role_not_permitted": 403,
    "case.separation_of_duties": 403,
    "case.guard_failed": 422,
    "case.conflict": 409,
    "case.disclosure_blocked": 409,
    "backup.error": 500,
    "backup.invalid": 422,
    "backup.destination_unknown": 422,
    "backup.target_not_empty": 409,
    "webhook.signature_invalid": 401,
    "webhook.replayed": 401,
    "import.mapping_invalid": 422,
    "import.mapping_changed": 409,
    "import.too_many_errors": 422,
}

#: Codes whose message is about the server, not the caller: the response says only that
#: something failed on our side (the full message goes to the log, which holds no secrets).
_OPAQUE = {500}


def status_for(error: OnshoreError) -> int:
    """The HTTP status of ``error``: its own code's row, else its nearest ancestor's."""
    for cls in type(error).__mro__:
        code = getattr(cls, "code", None)
        if isinstance(code, str) and code in STATUS:
            return STATUS[code]
    return 500


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """The one error shape.

    Example:
        >>> error_body("auth.forbidden", "no")["error"]["code"]
        'auth.forbidden'
    """
    return {"error": {"code": code, "message": message, "details": details or {}}}


def error_response(
    code: str,
    message: str,
    status: int,
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A JSON error response in the one shape."""
    return JSONResponse(error_body(code, message, details), status_code=status, headers=headers)


def _request_id(request: Request) -> str:
    return str(request.scope.get("state", {}).get("request_id", ""))


def onshore_error_response(request: Request, exc: OnshoreError) -> JSONResponse:
    """Render an ``OnshoreError`` (401 responses carry ``WWW-Authenticate: Bearer``)."""
    status = status_for(exc)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    if status == 429 and isinstance(exc.details.get("retry_after"), int):
        headers = {"Retry-After": str(exc.details["retry_after"])}
    if status in _OPAQUE:
        log.error("internal error", extra={"code": exc.code, "request_id": _request_id(request)})
        return error_response(
            exc.code,
            "internal error; see the server log",
            status,
            {"request_id": _request_id(request)},
            headers,
        )
    if status == 503:
        log.warning(
            "store unavailable", extra={"code": exc.code, "request_id": _request_id(request)}
        )
    return error_response(exc.code, exc.message, status, exc.details, headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Never echo the offending input back: it may be personal data.
    return [
        {
            "loc": [str(p) for p in e.get("loc", ())],
            "type": str(e.get("type", "")),
            "msg": str(e.get("msg", "")),
        }
        for e in exc.errors()[:20]
    ]


def validation_error_response(request: Request, exc: RequestValidationError) -> JSONResponse:
    """Render a request that did not parse: 400 for bad JSON, 422 for the wrong shape."""
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response("input.invalid_json", "the request body is not valid JSON", 400)
    return error_response(
        "input.invalid",
        "the request does not match the schema",
        422,
        {"errors": _validation_details(exc)},
    )


def http_error_response(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Render routing errors (unknown path, wrong method) in the one shape; a body FastAPI
    could not parse is rendered as what its parser raised (``server.inputs``)."""
    cause = exc.__cause__
    if isinstance(cause, OnshoreError):
        return onshore_error_response(request, cause)
    if exc.status_code == 400 and isinstance(cause, ValueError | RecursionError):
        return error_response("input.invalid_json", "the request body is not valid JSON", 400)
    if exc.status_code == 404:
        return error_response("not_found", "no such resource", 404)
    if exc.status_code == 405:
        from onshore.server.contract import allowed_methods

        headers = dict(exc.headers or {})
        methods = allowed_methods(request)
        if methods:
            headers["Allow"] = ", ".join(methods)
        return error_response(
            "input.method_not_allowed", "method not allowed", 405, headers=headers
        )
    code = "onshore.error" if exc.status_code >= 500 else "input.invalid"
    return error_response(code, str(exc.detail), exc.status_code)


def log_unexpected(exc: BaseException, request_id: str) -> None:
    """Log an unexpected exception by type and frames only (its message may hold data)."""
    frames = [
        f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}:{f.name}"
        for f in traceback.extract_tb(exc.__traceback__)[-8:]
    ]
    log.error(
        "unexpected error",
        extra={"exc_type": type(exc).__name__, "frames": frames, "request_id": request_id},
    )


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(OnshoreError, onshore_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, validation_error_response)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, http_error_response)  # type: ignore[arg-type]
