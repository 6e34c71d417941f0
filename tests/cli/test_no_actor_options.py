"""No command lets the caller say who acts: no ``--actor`` or ``--role`` anywhere (issue 14).

The only ``--role`` options name the role a service account or a user is *given*
(``onshore token create --role``, ``onshore users ... --role``) or the entity's role in a
hypothetical the policy engine explains (``onshore policy explain --role processor``), never
the role someone acts in.
"""

from __future__ import annotations

from collections.abc import Iterator

import typer.main
from typer.core import TyperGroup

from onshore.cli.main import app

#: Commands whose ``--role`` is not the caller's: a role granted to an account, or the
#: entity's role (controller, processor) in a policy question.
GRANTS_A_ROLE = ("token create", "users", "policy explain")


def commands(group: object, path: str = "") -> Iterator[tuple[str, object]]:
    """Every command under ``group``, by its full path (``requests act``)."""
    assert isinstance(group, TyperGroup)
    for name in group.list_commands(None):  # type: ignore[arg-type]
        command = group.get_command(None, name)  # type: ignore[arg-type]
        full = f"{path} {name}".strip()
        yield full, command
        if isinstance(command, TyperGroup):
            yield from commands(command, full)


def test_no_command_takes_the_actor_or_the_role() -> None:
    root = typer.main.get_command(app)
    root.load_all()  # type: ignore[attr-defined]
    seen = dict(commands(root))
    assert {"requests act", "takedowns act", "audience file", "token create"} <= set(seen)
    offending = []
    for path, command in seen.items():
        for param in getattr(command, "params", []):
            names = {param.name, *(o.lstrip("-") for o in getattr(param, "opts", []))}
            if "actor" in names or ("role" in names and not path.startswith(GRANTS_A_ROLE)):
                offending.append(f"onshore {path} {'/'.join(param.opts)}")
    assert offending == []
