"""One case command's session: against the configured server as the logged-in principal, or
locally on the host as the host administrator.

A case command asks :func:`case_session` for a session and calls it the same way in both
modes; the answers have the shape the HTTP API gives (a case view, a history), so the
command prints them alike. When ``ONSHORE_URL`` or ``onshore login`` names a server, every
step goes to its routes with the token (the server decides who acts); otherwise the command
opens the stores of ``--config`` and acts as :func:`onshore.cli.host.host_principal`.

Example:
    >>> from onshore.core.cases.registry import kind
    >>> CaseKindCli("requests", kind("authority_request")).roles_for("approve")
    frozenset({'legal_reviewer'})
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from onshore.cli.host import host_principal
from onshore.cli.remote import Remote, open_remote
from onshore.core.cases.declaration import CaseKindDeclaration
from onshore.core.cases.lifecycle import Lifecycle
from onshore.core.errors import CaseNotFound

if TYPE_CHECKING:
    from onshore.core.identity import Principal
    from onshore.ports import Case, CaseEvent


@dataclass(frozen=True)
class CaseKindCli:
    """A declared case kind as the CLI reaches it: its command group, its declaration (the
    HTTP prefix, the lifecycle, who may take each step) and, locally, how to open its
    service and show a case as the API does. ``columns`` are the ``(heading, data key)``
    pairs ``list`` shows besides the case id, state and deadline."""

    command: str
    declaration: CaseKindDeclaration
    open_local: Callable[[Path | None], AbstractContextManager[Any]] | None = None
    view: Callable[[Case], dict[str, Any]] | None = None
    columns: tuple[tuple[str, str], ...] = ()

    @property
    def prefix(self) -> str:
        """The URL prefix of the kind's routes."""
        return self.declaration.base_path

    @property
    def lifecycle(self) -> Lifecycle:
        """The kind's lifecycle table."""
        return self.declaration.lifecycle

    def roles_for(self, action: str) -> frozenset[str]:
        """Every role the lifecycle lets take ``action`` (from any state)."""
        return self.declaration.roles_of(action)


def history_rows(events: list[CaseEvent], *, notes: bool) -> list[dict[str, Any]]:
    """A case's history as the API shows it (with each step's note when ``notes``)."""
    return [e.row(notes=notes) for e in events]


class CaseSession:
    """The steps every case kind shares, on the server (``remote``) or on the host (``svc``)."""

    def __init__(self, kind: CaseKindCli, remote: Remote | None, svc: Any = None) -> None:
        self.kind = kind
        self.remote = remote
        self.svc = svc
        self.principal: Principal | None = None if remote else host_principal()

    def _view(self, case: Case) -> dict[str, Any]:
        assert self.kind.view is not None
        return self.kind.view(case)

    def actor(self) -> dict[str, Principal]:
        """The ``principal=`` of a local service call: the host administrator (the case
        service records its id and the role the lifecycle lets it act in)."""
        return {"principal": self.principal or host_principal()}

    def act(self, case_id: str, action: str, note: dict[str, Any]) -> dict[str, Any]:
        """Take ``action`` on a case; the case as it is afterwards."""
        if self.remote:
            path = f"{self.kind.prefix}/{case_id}/actions/{action}"
            return dict(self.remote.request("POST", path, body={"note": note}))
        return self._view(self.svc.act(case_id, action, note=note, **self.actor()))

    def show(self, case_id: str) -> dict[str, Any]:
        """A case with its history."""
        if self.remote:
            return dict(self.remote.request("GET", f"{self.kind.prefix}/{case_id}"))
        case = self.svc.cases.get(case_id)
        if case.kind != self.kind.declaration.name:  # another kind's case is not found here
            raise CaseNotFound("no case with that id", details={"case_id": case_id})
        out = self._view(case)
        events = list(self.svc.cases.history(case_id))
        out["history"] = history_rows(events, notes=self.kind.declaration.history_notes)
        return out

    def list(self, states: list[str] | None) -> list[dict[str, Any]]:
        """Every case of the kind (optionally only in ``states``), by id."""
        if self.remote:
            items: list[dict[str, Any]] = []
            cursor: str | None = None
            while True:
                params: dict[str, Any] = {"state": states or [], "limit": 1000}
                if cursor:
                    params["cursor"] = cursor
                page = self.remote.request("GET", self.kind.prefix, params=params)
                items.extend(page["items"])
                cursor = page.get("next_cursor")
                if not cursor:
                    return items
        cases = self.svc.cases.iter_cases(kind=self.kind.lifecycle.name, states=states or None)
        return [self._view(c) for c in cases]


@contextmanager
def case_session(kind: CaseKindCli, config: Path | None) -> Iterator[CaseSession]:
    """A session on the configured server, or on the stores of ``config`` locally."""
    remote = open_remote()
    if remote is not None:
        with remote:
            yield CaseSession(kind, remote)
        return
    assert kind.open_local is not None
    with kind.open_local(config) as svc:
        yield CaseSession(kind, None, svc)
