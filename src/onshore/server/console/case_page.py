"""The console's case page: ``/console/cases/<kind>/<case_id>`` (``kind`` is the kind's
name or its URL segment).

``GET`` shows the case as :func:`onshore.services.case_page.case_page` assembles it
(``cases.read``, like ``GET /v1/cases/...``: the same view of the data), with its ledger
entries. The forms on it post to:

- ``POST .../actions/<action>``: take the action through the kind's own service (the one
  ``POST <base_path>/<id>/actions/<action>`` calls), with the permission the lifecycle
  table gives the action (``server.routes.case_actions``) and the note read from the form
  by the action's note model. Success answers 303 back to the page with a message; a typed
  error (separation of duties, a failing guard, a stale version) shows the page again with
  the error, its code and the HTTP status of the JSON API.
- ``POST .../ledger/<index>/verify``: prove the case's leaf against the region's latest
  signed checkpoint and say what was proved, or what failed (``services.case_proofs``).

Downloads: ``GET .../package.zip`` (the production package; it holds the produced
records, so it needs ``records.read`` as reading a record does) and, for an audience
obligation, ``GET .../dossier.json`` and ``.../dossier.html`` (``cases.read``, as
``GET /v1/audience/obligations/<id>/dossier``).
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from onshore.core.cases.note_form import read_note
from onshore.core.errors import InputError, OnshoreError, UserNotFound
from onshore.core.identity import Principal
from onshore.server import errors
from onshore.server.auth import allowed_any
from onshore.server.console.case_services import declaration_for, kind_service
from onshore.server.console.frame import (
    PREFIX,
    ConsoleRoute,
    ctx_of,
    form,
    reader_may,
    redirect,
    render,
    translate,
)
from onshore.server.context import ServerContext
from onshore.server.models import CaseId
from onshore.server.permissions import Permission
from onshore.server.routes.case_actions import action_permissions
from onshore.services.case_files import package_dir, package_zip
from onshore.services.case_page import NameOf, case_page
from onshore.services.case_proofs import Verification, case_entries, verify_entry

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)

_read = reader_may(Permission.CASES_READ)


def page_url(kind: str, case_id: str) -> str:
    """Where the page of a case lives.

    Example:
        >>> page_url("authority_request", "req-1")
        '/console/cases/authority_request/req-1'
    """
    return f"{PREFIX}/cases/{kind}/{case_id}"


def names_of(ctx: ServerContext) -> NameOf:
    """Who an actor id names: a user's or a service account's name, onshore itself, the
    host administrator; None when the id names nobody known (it is shown alone)."""
    seen: dict[str, str | None] = {}

    def name(actor: str) -> str | None:
        if actor not in seen:
            found: str | None = None
            if actor.startswith("usr_"):
                try:
                    found = ctx.users.get(actor).name
                except UserNotFound:
                    found = None
            elif actor.startswith("svc_"):
                try:
                    found = ctx.users.service(actor).name
                except UserNotFound:
                    found = None
            elif actor.startswith("system:"):
                found = f"onshore ({actor.removeprefix('system:')})"
            elif actor.startswith("host:"):
                found = f"host administrator ({actor.removeprefix('host:')})"
            seen[actor] = found
        return seen[actor]

    return name


def _page(
    request: Request,
    principal: Principal,
    kind: str,
    case_id: str,
    *,
    status: int = 200,
    **extra: Any,
) -> HTMLResponse:
    """The case page (``extra``: an error, the values a failed form held, a verification)."""
    ctx = ctx_of(request)
    d = declaration_for(kind)
    svc = kind_service(request, ctx, d)
    now = ctx.vault.runtime.clock.now()
    page = case_page(svc, case_id, principal, now=now, names=names_of(ctx))
    ledger_problem = None
    try:
        entries = case_entries(svc.cases, page.case)
    except OnshoreError as exc:  # a leaf that no longer decodes
        entries, ledger_problem = (), exc
    return render(
        request,
        "case.html",
        status_code=status,
        page=page,
        kind=d,
        url=page_url(d.name, page.case.case_id),
        entries=entries,
        ledger_problem=ledger_problem,
        may_download_package=allowed_any(principal.roles, Permission.RECORDS_READ),
        **extra,
    )


@router.get("/cases/{kind}/{case_id}")
def show(
    request: Request,
    kind: str,
    case_id: CaseId,
    principal: Principal = Depends(_read),  # noqa: B008
) -> HTMLResponse:
    """The case page."""
    return _page(request, principal, kind, case_id)


async def actor(request: Request) -> Principal:
    """The signed-in user, authorised for the permission the lifecycle table gives the
    action in the path (as the JSON API's action route does)."""
    d = declaration_for(str(request.path_params.get("kind", "")))
    action = str(request.path_params.get("action", ""))
    permission = action_permissions(d.lifecycle).get(action, Permission.CASES_WRITE)
    found: Principal = await reader_may(permission)(request, ctx_of(request))
    return found


def _act(
    request: Request, principal: Principal, kind: str, case_id: str, action: str,
    fields: dict[str, str],
) -> Response:  # fmt: skip  # one argument per name the route passes on
    d = declaration_for(kind)
    svc = kind_service(request, ctx_of(request), d)
    try:
        if action not in d.action_names:
            raise InputError(
                f"{d.name} has no action {action!r}", details={"allowed": list(d.action_names)}
            )
        note = read_note(d.note_model(action), fields)
        version = fields.get("version", "").strip()
        svc.act(
            case_id,
            action,
            principal=principal,
            note=note,
            expected_version=int(version) if version.isdigit() else None,
        )
    except OnshoreError as exc:
        return _page(
            request, principal, kind, case_id, status=errors.status_for(exc),
            error=exc, failed_action=action, submitted=fields,
        )  # fmt: skip  # the page again, with the error next to the form
    label = translate(request, action.replace("_", " ").capitalize())
    done = translate(request, "Done: %(action)s.", action=label)
    return redirect(page_url(d.name, case_id), done)


@router.post("/cases/{kind}/{case_id}/actions/{action}")
async def act(
    request: Request,
    kind: str,
    case_id: CaseId,
    action: str,
    principal: Principal = Depends(actor),  # noqa: B008
) -> Response:
    """Take ``action`` on the case as the signed-in user (see the module docstring)."""
    fields = await form(request)
    return await run_in_threadpool(_act, request, principal, kind, case_id, action, fields)


def _verify(request: Request, principal: Principal, kind: str, case_id: str, index: int) -> Any:
    ctx = ctx_of(request)
    d = declaration_for(kind)
    svc = kind_service(request, ctx, d)
    case = svc.cases.get(case_id)
    if case.kind != d.name:
        return _page(request, principal, kind, case_id)  # raises CaseNotFound
    result: Verification = verify_entry(svc.cases, case, index, at=ctx.vault.runtime.clock.now())
    return _page(request, principal, kind, case_id, verification=result)


@router.post("/cases/{kind}/{case_id}/ledger/{index}/verify")
async def verify(
    request: Request,
    kind: str,
    case_id: CaseId,
    index: int,
    principal: Principal = Depends(_read),  # noqa: B008
) -> Response:
    """Check the case's leaf ``index`` against the latest signed checkpoint."""
    response: Response = await run_in_threadpool(_verify, request, principal, kind, case_id, index)
    return response


@router.get("/cases/{kind}/{case_id}/package.zip")
def package(
    request: Request,
    kind: str,
    case_id: CaseId,
    _: Principal = Depends(reader_may(Permission.RECORDS_READ)),  # noqa: B008
) -> Response:
    """The case's production package as a zip archive."""
    d = declaration_for(kind)
    case = kind_service(request, ctx_of(request), d).cases.get(case_id)
    directory = package_dir(case.data) if case.kind == d.name else None
    if directory is None:
        raise InputError("the case has no production package", details={"case_id": case_id})
    body = package_zip(directory, case.case_id)
    return Response(
        body,
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{case.case_id}-package.zip"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/cases/{kind}/{case_id}/dossier.{fmt}")
def dossier(
    request: Request,
    kind: str,
    case_id: CaseId,
    fmt: str,
    _: Principal = Depends(_read),  # noqa: B008
) -> Response:
    """An audience obligation's dossier, as JSON (a download) or a printable page."""
    d = declaration_for(kind)
    svc: Any = kind_service(request, ctx_of(request), d)
    if fmt not in ("json", "html") or not hasattr(svc, "dossier"):
        raise InputError("this case kind has no dossier", details={"kind": d.name})
    if svc.cases.get(case_id).kind != d.name:
        return show(request, kind, case_id, _)
    if fmt == "html":
        return HTMLResponse(svc.dossier_html(case_id), headers={"Cache-Control": "no-store"})
    body = json.dumps(svc.dossier(case_id), ensure_ascii=False, indent=2).encode()
    return Response(
        body,
        media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="{case_id}-dossier.json"',
            "Cache-Control": "no-store",
        },
    )
