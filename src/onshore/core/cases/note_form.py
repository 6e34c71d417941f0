"""An action's note model as an HTML form, and a submitted form back as a note (pure).

The console generates one form per action a user may take from the action's note model
(and the form that opens a case from its kind's intake model)
(:meth:`~onshore.core.cases.declaration.CaseKindDeclaration.note_model`): each model field
becomes a :class:`FormField` whose ``widget`` says how to draw it (a text line, a text
area, a choice of the field's declared ``enum``, a check box, a number, or a JSON text area
for structured fields such as a narrowed scope or a decision). A ``requires:<field>``
guard of the transition marks that field required. :func:`read_note` turns the submitted
strings back into the note the case service takes, checked by the same model the JSON API
checks it with (``InputError`` with the model's errors otherwise).

Example:
    >>> from pydantic import BaseModel
    >>> class Reject(BaseModel):
    ...     reason_code: str | None = None
    ...     reason: str | None = None
    >>> [f.name for f in form_fields(Reject, ("requires:reason_code",))]
    ['reason_code', 'reason']
    >>> form_fields(Reject, ("requires:reason_code",))[0].required
    True
    >>> read_note(Reject, {"reason_code": "other", "reason": "", "csrf_token": "x"})
    {'reason_code': 'other'}
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from onshore.core.errors import InputError

#: How a field is drawn.
Widget = Literal["text", "textarea", "select", "checkbox", "number", "json"]

#: Free-text fields drawn as a text area whatever their length limit.
_LONG_TEXT = frozenset(
    {"comment", "reason", "justification", "legal_opinion", "appeal_grounds", "content_summary"}
)


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of an action's form: its name (the note field), how it is drawn, whether
    the transition requires it, its choices (a ``select``) and the model's description."""

    name: str
    widget: Widget
    required: bool = False
    choices: tuple[str, ...] = ()
    description: str = ""

    @property
    def label(self) -> str:
        """The field's name as words (``reason_code`` -> ``Reason code``)."""
        return self.name.replace("_", " ").capitalize()


def _base(annotation: Any) -> Any:
    """The annotation without ``None`` (``str | None`` -> ``str``)."""
    origin = get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else Any
    return annotation


def _widget(name: str, annotation: Any, choices: tuple[str, ...], max_length: int | None) -> Widget:
    base = _base(annotation)
    origin = get_origin(base) or base
    if choices:
        return "select"
    if base is bool:
        return "checkbox"
    if base is int:
        return "number"
    if origin in (dict, list, tuple) or base is Any:
        return "json"
    if isinstance(base, type) and issubclass(base, BaseModel):  # a nested model
        return "json"
    if base is datetime or (max_length is not None and max_length <= 200):
        return "text"
    return "textarea" if name in _LONG_TEXT or max_length is None or max_length > 200 else "text"


def _max_length(info: Any) -> int | None:
    for meta in info.metadata:
        value = getattr(meta, "max_length", None)
        if isinstance(value, int):
            return value
    return None


def form_fields(model: type[BaseModel], guards: Sequence[str] = ()) -> tuple[FormField, ...]:
    """The form of a note ``model`` (see the module docstring); ``guards`` are the
    transition's guards (``requires:<field>`` marks a field required)."""
    required = {g.partition(":")[2] for g in guards if g.startswith("requires:")}
    out: list[FormField] = []
    for name, info in model.model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        raw = extra.get("enum")
        choices = tuple(str(c) for c in raw) if isinstance(raw, list) else ()
        widget = _widget(name, info.annotation, choices, _max_length(info))
        needed = name in required or info.is_required()
        out.append(FormField(name, widget, needed, choices, info.description or ""))
    return tuple(out)


def read_note(model: type[BaseModel], submitted: Mapping[str, str]) -> dict[str, Any]:
    """The note a submitted form carries, checked by ``model`` (fields the model does not
    name, such as the CSRF token, are ignored; blank fields are left out)."""
    raw: dict[str, Any] = {}
    for spec in form_fields(model):
        value = submitted.get(spec.name)
        if spec.widget == "checkbox":
            if value is not None:
                raw[spec.name] = value not in ("", "0", "false", "off")
            continue
        if value is None or not value.strip():
            continue
        if spec.widget == "json":
            try:
                raw[spec.name] = json.loads(value)
            except ValueError:
                raise InputError(
                    f"{spec.name} must be JSON", details={"field": spec.name}
                ) from None
        elif spec.widget == "number":
            try:
                raw[spec.name] = int(value)
            except ValueError:
                raise InputError(
                    f"{spec.name} must be a whole number", details={"field": spec.name}
                ) from None
        else:
            raw[spec.name] = value.strip()
    try:
        checked = model.model_validate(raw)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
            for e in exc.errors(include_url=False)
        ]
        raise InputError("the note does not fit the action", details={"errors": errors}) from None
    return checked.model_dump(exclude_none=True, mode="json")
