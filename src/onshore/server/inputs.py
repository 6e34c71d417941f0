"""JSON request bodies, parsed and checked against the server's input limits before any
route sees them.

Every router is built with ``route_class=LimitedRoute``: a query parameter the route does not
declare is refused (422 ``input.invalid``, as unknown body fields are), and its requests
parse their JSON body
with ``parse_json``, which refuses, before pydantic or any service does work on it, a body
that is not UTF-8 JSON (400 ``input.invalid_json``), nests deeper than ``max_json_depth``
(400 ``input.invalid_json``), holds a string longer than ``max_string_chars`` (413
``input.string_too_long``), an array longer than ``max_array_items`` (413
``input.too_many_items``) or an object with more than ``max_data_fields`` members (413
``input.too_many_fields``). The walk is iterative and stops at the first excess, so its cost
is bounded by the body limit, whatever the shape.

Example:
    >>> limits = InputLimits(max_json_depth=3)
    >>> parse_json(b'{"a": [1, 2]}', limits)
    {'a': [1, 2]}
    >>> parse_json(b'[[[[1]]]]', limits)
    Traceback (most recent call last):
    ...
    onshore.core.errors.InvalidJson: the JSON body nests deeper than 3 levels
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from onshore.core.errors import (
    InputError,
    InvalidJson,
    StringTooLong,
    TooManyFields,
    TooManyItems,
)


@dataclass(frozen=True, slots=True)
class InputLimits:
    """The limits a JSON body is checked against (``[server]`` settings)."""

    max_json_depth: int = 32
    max_string_chars: int = 64 * 1024
    max_array_items: int = 10_000
    max_data_fields: int = 1_000


def _string(value: str, limit: int) -> None:
    if len(value) > limit:
        raise StringTooLong(
            f"a string in the body is over the {limit}-character limit",
            details={"limit": limit, "size": len(value)},
        )


def check_json(value: Any, limits: InputLimits) -> None:
    """Raise the typed error of the first limit ``value`` exceeds (see module)."""
    max_depth, max_chars = limits.max_json_depth, limits.max_string_chars
    max_items, max_fields = limits.max_array_items, limits.max_data_fields
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, str):
            _string(node, max_chars)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > max_depth:
            raise InvalidJson(
                f"the JSON body nests deeper than {max_depth} levels",
                details={"reason": "too_deep", "limit": max_depth},
            )
        children: Iterable[Any]
        if isinstance(node, dict):
            if len(node) > max_fields:
                raise TooManyFields(
                    f"an object in the body has more than {max_fields} fields",
                    details={"limit": max_fields, "count": len(node)},
                )
            for key in node:
                _string(key, max_chars)
            children = node.values()
        else:
            if len(node) > max_items:
                raise TooManyItems(
                    f"an array in the body has more than {max_items} items",
                    details={"limit": max_items, "count": len(node)},
                )
            children = node
        for child in children:
            if isinstance(child, str):
                _string(child, max_chars)
            elif isinstance(child, dict | list):
                stack.append((child, depth + 1))


def parse_json(body: bytes, limits: InputLimits) -> Any:
    """Parse a UTF-8 JSON body and check it against ``limits`` (see module).

    Example:
        >>> parse_json(b'"\\xff"', InputLimits())
        Traceback (most recent call last):
        ...
        onshore.core.errors.InvalidJson: the request body is not valid JSON (not UTF-8)
    """
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidJson(
            "the request body is not valid JSON (not UTF-8)", details={"reason": "encoding"}
        ) from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidJson(
            f"the request body is not valid JSON: {exc.msg}",
            details={"reason": "syntax", "line": exc.lineno, "column": exc.colno},
        ) from None
    except RecursionError:
        raise InvalidJson(
            f"the JSON body nests deeper than {limits.max_json_depth} levels",
            details={"reason": "too_deep", "limit": limits.max_json_depth},
        ) from None
    check_json(value, limits)
    return value


def count_fields(data: Mapping[str, Any], limit: int) -> int:
    """The fields of a record's ``data``, nested members and array items included; raises
    ``TooManyFields`` as soon as the count passes ``limit`` (so the cost is bounded).

    Example:
        >>> count_fields({"a": 1, "b": {"c": [1, 2]}}, 10)
        5
    """
    count = 0
    stack: list[Any] = [data]
    while stack:
        node = stack.pop()
        members: Iterable[Any] = node.values() if isinstance(node, dict) else node
        for child in members:
            count += 1
            if count > limit:
                raise TooManyFields(
                    f"a record's data has more than {limit} fields",
                    details={"limit": limit},
                )
            if isinstance(child, dict | list):
                stack.append(child)
    return count


def limits_of(request: Request) -> InputLimits:
    """The input limits of the app serving ``request``."""
    options = request.app.state.onshore.options
    return InputLimits(
        max_json_depth=options.max_json_depth,
        max_string_chars=options.max_string_chars,
        max_array_items=options.max_array_items,
        max_data_fields=options.max_data_fields,
    )


class LimitedRequest(Request):
    """A request whose ``json()`` is ``parse_json`` under the app's limits."""

    async def json(self) -> Any:
        """The body, parsed and checked (once)."""
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body(), limits_of(self))
        return self._json


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class LimitedRoute(APIRoute):
    """An ``APIRoute`` whose JSON bodies go through ``parse_json`` (see module). FastAPI turns
    what ``json()`` raises into a 400 whose cause the error mapper renders."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """The route's handler, handed a ``LimitedRequest``."""
        handler = super().get_route_handler()
        known = frozenset(_query_names(self.dependant))

        async def limited(request: Request) -> Response:
            unknown = set(request.query_params) - known
            if unknown:
                raise InputError(
                    "unknown query parameter",
                    details={"allowed": sorted(known), "count": len(unknown)},
                )
            return await handler(LimitedRequest(request.scope, request.receive))

        return limited
