"""``/console/new/<kind>``: open a case from the browser, with the form its kind's intake
model yields (:mod:`onshore.core.cases.note_form`: text, choices, numbers, JSON for nested
parts such as a request's scope).

The form posts, with the session's CSRF token, to the same service object as the kind's
JSON intake route (``POST /v1/cases/<segment>``), after the same intake check
(``routes.cases.INTAKE_CHECKS``) and with the same permission (``cases.write``): a repeat
of the same reference opens nothing new and leads to the case already open. A refusal
shows the form again with the error, its code and the values sent.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.note_form import form_fields, read_note
from onshore.core.errors import CaseNotFound, OnshoreError
from onshore.core.identity import Principal
from onshore.server import errors
from onshore.server.console.case_page import page_url
from onshore.server.console.case_services import declaration_for, kind_service
from onshore.server.console.frame import (
    ConsoleRoute,
    ctx_of,
    form,
    reader_may,
    redirect,
    render,
    translate,
)
from onshore.server.permissions import Permission
from onshore.server.routes.cases import INTAKE_CHECKS

router = APIRouter(route_class=ConsoleRoute, include_in_schema=False)


def intake_url(kind: CaseKindDeclaration) -> str:
    """The page that opens a case of ``kind``."""
    return f"/console/new/{kind.segment}"


def _declared(kind: str) -> CaseKindDeclaration:
    d = declaration_for(kind)
    if d.intake is None:  # opened by the system only (audience obligations)
        raise CaseNotFound(f"{d.name} cases are not opened by hand", details={"kind": d.name})
    return d


def _form(
    request: Request, d: CaseKindDeclaration, *, status: int = 200, **extra: Any
) -> HTMLResponse:
    assert d.intake is not None
    return render(
        request,
        "intake.html",
        status_code=status,
        kind=d,
        fields=form_fields(d.intake),
        url=intake_url(d),
        **extra,
    )


@router.get("/new/{kind}")
def new(
    request: Request,
    kind: str,
    principal: Principal = Depends(reader_may(Permission.CASES_WRITE)),  # noqa: B008
) -> HTMLResponse:
    """The form that opens a case of ``kind``."""
    return _form(request, _declared(kind))


def _open(request: Request, principal: Principal, kind: str, fields: dict[str, str]) -> Response:
    d = _declared(kind)
    ctx = ctx_of(request)
    svc = kind_service(request, ctx, d)
    try:
        assert d.intake is not None
        body = d.intake.model_validate(read_note(d.intake, fields))
        check = INTAKE_CHECKS.get(d.name)
        if check is not None:
            check(body, ctx)
        opened = svc.intake(body, principal=principal)
    except OnshoreError as exc:
        return _form(request, d, status=errors.status_for(exc), error=exc, submitted=fields)
    message = (
        "Case opened." if opened.created else "The same reference is already open: here it is."
    )
    return redirect(page_url(d.name, opened.case.case_id), translate(request, message))


@router.post("/new/{kind}")
async def open_case(
    request: Request,
    kind: str,
    principal: Principal = Depends(reader_may(Permission.CASES_WRITE)),  # noqa: B008
) -> Response:
    """Open a case of ``kind`` from the posted form as the signed-in user."""
    fields = await form(request)
    return await run_in_threadpool(_open, request, principal, kind, fields)
