"""The HTTP routes a case-kind declaration yields: intake, listing, lifecycle, deadlines, a
case with its history, and its actions.

``add_case_routes(router, declaration, service)`` adds, under the declaration's base path:

- ``POST ""``: open a case from the kind's typed intake body (``cases.write``). The
  ``Idempotency-Key`` header makes a retry safe; the declared dedupe key makes the same
  authority reference (or notice) open one case: a repeat answers 200 with the existing
  case instead of 201.
- ``GET ""``: cases by id, a page at a time, with their deadlines (``state``,
  ``due_before``, ``created_from``, ``created_before``, ``cursor``, ``limit``).
- ``GET /lifecycle``, ``GET /due``, ``GET /{case_id}`` (with its history).
- ``POST /{case_id}/actions/{action}``: ``action`` is an enum of the kind's actions; the body
  is ``{"note": ..., "expected_version": ...}`` whose note is checked against the action's
  note model. The permission follows the roles the table gives the action; the service then
  records the principal's id and acting role. No body field says who acts.

Every route takes the authenticated principal (:func:`principal_of` adapts the server's
token principal to :class:`onshore.core.identity.Principal`). The response and body models
are made per kind, so the OpenAPI document describes each kind.
"""

import enum
from collections.abc import Callable, Collection, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.errors import CaseNotFound
from onshore.core.identity import Principal
from onshore.server import auth
from onshore.server.auth import authorize, require
from onshore.server.context import ServerContext, context
from onshore.server.idempotency import idempotency_key
from onshore.server.models import EARLIEST, LATEST, CaseId, check_states
from onshore.server.permissions import Permission
from onshore.server.routes.case_actions import action_permissions, history_view
from onshore.services.case_kinds import KindService

_bearer = HTTPBearer(auto_error=False)

#: What an intake check may add (a limit the server enforces before the service runs).
IntakeCheck = Callable[[BaseModel, ServerContext], None]

#: The intake check of each kind that has one, by kind name (the console's intake form runs
#: the same check as the JSON route).
INTAKE_CHECKS: dict[str, IntakeCheck] = {}


def principal_of(caller: auth.Principal | Principal) -> Principal:
    """The core principal of the server's authenticated caller (a token: its id is the
    token id and its roles the token's role, until tokens belong to users)."""
    if isinstance(caller, Principal):
        return caller
    return Principal(
        "service", caller.token_id, caller.name, frozenset({caller.role}), caller.token_id
    )


def camel(name: str) -> str:
    """``authority_request`` -> ``AuthorityRequest`` (schema names)."""
    return "".join(part.capitalize() for part in name.split("_"))


class Models:
    """The pydantic models of one kind's routes (named after the kind, not the module)."""

    def __init__(self, declaration: CaseKindDeclaration) -> None:
        d = declaration
        stem = camel(d.name)
        self.states = cast(type[enum.Enum], enum.Enum(f"{stem}State", {s: s for s in d.states}))
        self.actions = cast(
            type[enum.Enum], enum.Enum(f"{stem}Action", {a: a for a in d.action_names})
        )
        case_fields: dict[str, Any] = {
            "case_id": (str, ...),
            "kind": (Literal[d.name], ...),
            "state": (self.states, ...),
            "region": (str, ...),
            "created_at": (str, Field(description="ISO 8601")),
            "updated_at": (str, Field(description="ISO 8601")),
            "due_at": (str | None, Field(description="The running deadline (ISO 8601).")),
            "version": (int, ...),
            "data": (dict[str, Any], ...),
            "next": (list[self.actions], Field(description="Actions the state allows next.")),  # type: ignore[name-defined]
        }
        self.case = create_model(f"{stem}Case", __doc__=f"A case of {d.title}.", **case_fields)
        event = create_model(
            f"{stem}Event",
            __doc__="One step of a case's history (actor: the principal's id).",
            seq=(int, ...),
            at=(str, ...),
            actor=(str, ...),
            role=(str, ...),
            action=(str, ...),
            from_=(str, Field(alias="from")),
            to=(str, ...),
            note=(dict[str, Any] | None, None),
        )
        self.detail = create_model(
            f"{stem}CaseDetail",
            __base__=self.case,
            __doc__=f"A case of {d.title} with its history.",
            history=(list[event], ...),  # type: ignore[valid-type]
        )
        self.page = create_model(
            f"{stem}Page",
            __doc__=f"A page of {d.title}.",
            items=(list[self.case], ...),  # type: ignore[name-defined]
            next_cursor=(str | None, None),
        )
        notes = tuple(dict.fromkeys(d.note_model(a) for a in d.action_names))
        note_type: Any = notes[0] if len(notes) == 1 else _union(notes)
        self.action_in = create_model(
            f"{stem}ActionIn",
            __config__=ConfigDict(extra="forbid"),
            __doc__="An action's note (its fields depend on the action) and the version read.",
            note=(
                note_type | None,
                Field(
                    default=None,
                    description="; ".join(
                        f"{a}: {d.note_model(a).__name__}" for a in d.action_names
                    ),
                ),
            ),
            expected_version=(int | None, Field(default=None, ge=1)),
        )


#: How a listing's time filters read.
_TIME = "ISO 8601 (naive means UTC); times beyond 1970..2999 are read as those bounds."


def _clamp(moment: datetime | None) -> datetime | None:
    """A filter time as UTC, within the range the stores keep (a bound beyond it selects
    what the range's end would)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return min(max(moment, EARLIEST), LATEST)
    except OverflowError:  # an offset that pushes year 1 or 9999 out of range
        return EARLIEST if moment.year < 1970 else LATEST


def _union(models: Iterable[type[BaseModel]]) -> Any:
    out: Any = None
    for m in models:
        out = m if out is None else out | m
    return out


def _note(declaration: CaseKindDeclaration, action: str, note: Any) -> dict[str, Any]:
    """The note as the action's own model reads it (422 when it does not fit)."""
    raw = note.model_dump(exclude_unset=True) if isinstance(note, BaseModel) else note or {}
    try:
        checked = declaration.note_model(action).model_validate(raw)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", "note", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None
    return checked.model_dump(exclude_none=True, mode="json")


def add_case_routes(
    router: APIRouter,
    declaration: CaseKindDeclaration,
    service: Callable[..., KindService],
    *,
    skip: Collection[str] = (),
    check_intake: IntakeCheck | None = None,
) -> Models:
    """Add the kind's routes to ``router`` (see module); ``skip`` names routes the module
    serves itself (``intake``, ``list``, ``lifecycle``, ``due``, ``get``, ``act``).
    Add them after the module's own fixed paths (``/report`` before ``/{case_id}``)."""
    d = declaration
    m = Models(d)
    sub = d.base_path[len(router.prefix) :]
    permissions = action_permissions(d.lifecycle)
    Action = m.actions
    open_default = d.open_states if d.name == "audience_obligation" else None

    if check_intake is not None:
        INTAKE_CHECKS[d.name] = check_intake
    if d.intake is not None and "intake" not in skip:
        Intake = d.intake

        def intake(
            body: Intake,  # type: ignore[valid-type]
            response: Response,
            request: Request,
            caller: auth.Principal = Depends(require(Permission.CASES_WRITE)),  # noqa: B008
            _: None = Depends(idempotency_key),
            svc: KindService = Depends(service),  # noqa: B008
            ctx: ServerContext = Depends(context),  # noqa: B008
        ) -> dict[str, Any]:
            if check_intake is not None:
                check_intake(body, ctx)
            opened = svc.intake(body, principal=principal_of(caller))
            if not opened.created:
                response.status_code = 200
            return svc.view(opened.case)

        router.add_api_route(
            sub,
            intake,
            methods=["POST"],
            status_code=201,
            response_model=m.case,
            name=f"open_{d.name}",
            summary=f"Open a case of {d.title.lower()} (a repeat of "
            "the same reference answers 200 with the case already open)",
            responses={
                200: {"description": "The case already open for the same reference."},
                404: {"description": "An unknown authority or region named in the body."},
            },
        )

    if "list" not in skip:

        def list_cases(
            state: list[m.states] = Query(default=[]),  # type: ignore[name-defined]  # noqa: B008
            due_before: datetime | None = Query(default=None, description=_TIME),  # noqa: B008
            created_from: datetime | None = Query(default=None, description=_TIME),  # noqa: B008
            created_before: datetime | None = Query(default=None, description=_TIME),  # noqa: B008
            cursor: str | None = Query(default=None, max_length=200),
            limit: int = Query(default=100, ge=1, le=1000),
            _: auth.Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
            svc: KindService = Depends(service),  # noqa: B008
        ) -> dict[str, Any]:
            states = check_states([s.value for s in state], d.states) or open_default
            page = svc.cases.page(
                kind=d.name,
                states=states,
                due_before=_clamp(due_before),
                created_from=_clamp(created_from),
                created_before=_clamp(created_before),
                after=cursor,
                limit=limit,
            )
            return {"items": [svc.view(c) for c in page.cases], "next_cursor": page.next_cursor}

        router.add_api_route(
            sub,
            list_cases,
            methods=["GET"],
            response_model=m.page,
            name=f"list_{d.name}",
            summary=f"List {d.title.lower()} with their deadlines, a page at a time",
        )

    if "lifecycle" not in skip:

        def lifecycle(
            _: auth.Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
        ) -> dict[str, Any]:
            return {**d.lifecycle.to_dict(), "declaration": d.to_dict()}

        router.add_api_route(
            f"{sub}/lifecycle",
            lifecycle,
            methods=["GET"],
            name=f"lifecycle_{d.name}",
            summary=f"Show the {d.title.lower()} transition table "
            "(states, actions, roles, guards) and the declaration",
        )

    if "due" not in skip:
        hours = (d.clock.due_soon if d.clock else timedelta(hours=24)).total_seconds() / 3600

        def due(
            within_hours: float = Query(default=hours, gt=0, le=24 * 365),
            _: auth.Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
            svc: KindService = Depends(service),  # noqa: B008
        ) -> dict[str, Any]:
            window = timedelta(hours=within_hours)
            report = svc.cases.due(kind=d.name, within=window)
            svc.cases.refresh_gauges(within=window)
            return {
                "overdue": [svc.view(c) for c in report.overdue],
                "due_soon": [svc.view(c) for c in report.due_soon],
            }

        router.add_api_route(
            f"{sub}/due",
            due,
            methods=["GET"],
            name=f"due_{d.name}",
            summary=f"List overdue and due-soon {d.title.lower()} (refreshes the gauges)",
        )

    if "get" not in skip:

        def get_case(
            case_id: CaseId,
            _: auth.Principal = Depends(require(Permission.CASES_READ)),  # noqa: B008
            svc: KindService = Depends(service),  # noqa: B008
        ) -> dict[str, Any]:
            case = svc.cases.get(case_id)
            if case.kind != d.name:  # another kind's case is not found here
                raise CaseNotFound("no case with that id", details={"case_id": case_id})
            out = svc.view(case)
            out["history"] = history_view(svc.cases.history(case_id), notes=d.history_notes)
            return out

        router.add_api_route(
            f"{sub}/{{case_id}}",
            get_case,
            methods=["GET"],
            response_model=m.detail,
            name=f"get_{d.name}",
            summary=f"Show one of the {d.title.lower()} with its history",
        )

    if "act" not in skip:

        async def actor(
            request: Request,
            action: Action,  # type: ignore[valid-type]
            credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),  # noqa: B008
            ctx: ServerContext = Depends(context),  # noqa: B008
        ) -> auth.Principal:
            permission = permissions[action.value]  # type: ignore[attr-defined]
            return await authorize(request, credentials, ctx, permission)

        ActionIn = m.action_in

        def act(
            case_id: CaseId,
            action: Action,  # type: ignore[valid-type]
            body: ActionIn | None = None,  # type: ignore[valid-type]
            caller: auth.Principal = Depends(actor),  # noqa: B008
            svc: KindService = Depends(service),  # noqa: B008
        ) -> dict[str, Any]:
            name = str(action.value)  # type: ignore[attr-defined]
            given = body or ActionIn()
            case = svc.act(
                case_id,
                name,
                principal=principal_of(caller),
                note=_note(d, name, given.note),  # type: ignore[attr-defined]
                expected_version=given.expected_version,  # type: ignore[attr-defined]
            )
            return svc.view(case)

        router.add_api_route(
            f"{sub}/{{case_id}}/actions/{{action}}",
            act,
            methods=["POST"],
            response_model=m.case,
            name=f"act_{d.name}",
            summary=f"Take an action on one of the {d.title.lower()} as the signed-in "
            "principal (see the lifecycle)",
        )
    return m
