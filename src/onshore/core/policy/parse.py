"""Parse pack text (YAML) into the model, with the file, line and reason of any fault.

The text is composed into YAML nodes first so every value keeps its line; the model
(``onshore.core.policy.model``) validates shapes and types; then the cross-references are
checked here: instruments (unique windows, no circular supersession), groups (known
categories, no cycles), rules (unique ids, known instrument, sources, sectors, roles,
authorities, data, relaxed and delegated rules). Only ``PackError`` escapes.

Example:
    >>> parse_pack("schema: nope", "x.yaml")
    Traceback (most recent call last):
    ...
    onshore.core.errors.PackError: x.yaml:1: schema: Input should be 'onshore.policy-pack/v1'
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from itertools import pairwise
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from onshore.core.errors import PackError
from onshore.core.policy.model import Condition, Pack
from onshore.core.taxonomy import CATEGORIES

M = TypeVar("M", bound=BaseModel)
Path = tuple[str | int, ...]

_MAX_DEPTH = 40
_MAX_NODES = 200_000


def _fail(source: str, line: int, reason: str, path: Path = ()) -> PackError:
    where = ".".join(str(p) for p in path)
    return PackError(
        f"{source}:{line}: {where + ': ' if where else ''}{reason}",
        details={"file": source, "line": line, "reason": reason, "path": list(path)},
    )


def compose(text: str, source: str) -> Node | None:
    """YAML text -> its node tree (``None`` for an empty document); syntax errors -> PackError."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise _fail(source, line, f"malformed YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise _fail(source, 1, f"malformed YAML: {exc}") from None
    except (RecursionError, ValueError, TypeError) as exc:  # pathological input
        raise _fail(source, 1, f"malformed YAML: {exc.__class__.__name__}") from None


class _Builder:
    """Nodes -> plain Python values, refusing duplicate keys, non-string keys and alias loops."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.constructor = SafeConstructor()
        self.count = 0

    def build(self, node: Node, depth: int = 0, path: Path = ()) -> Any:
        self.count += 1
        line = node.start_mark.line + 1
        if depth > _MAX_DEPTH or self.count > _MAX_NODES:
            raise _fail(self.source, line, "document too deep or too large (alias loop?)", path)
        if isinstance(node, ScalarNode):
            # YAML 1.2 booleans only: ``NO`` (Norway), ``on``, ``yes`` stay strings.
            if node.tag.endswith(":bool") and node.value.lower() not in ("true", "false"):
                return node.value
            try:
                return self.constructor.construct_object(node, deep=True)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:
                raise _fail(self.source, line, f"bad scalar: {exc}", path) from None
        if isinstance(node, SequenceNode):
            return [self.build(n, depth + 1, (*path, i)) for i, n in enumerate(node.value)]
        if isinstance(node, MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                kline = key_node.start_mark.line + 1
                # Keys are read literally: ``on`` stays "on" (not YAML 1.1's True).
                if not isinstance(key_node, ScalarNode):
                    raise _fail(self.source, kline, "keys must be plain scalars", path)
                if key_node.tag.endswith(":merge"):
                    raise _fail(self.source, kline, "merge keys (<<) are not supported", path)
                key = str(key_node.value)
                if key in out:
                    raise _fail(self.source, kline, f"duplicate key {key!r}", path)
                out[key] = self.build(value_node, depth + 1, (*path, key))
            return out
        raise _fail(self.source, line, "unsupported YAML node", path)  # pragma: no cover


def locate(root: Node | None, path: Sequence[str | int]) -> int:
    """The 1-based line of the deepest node ``path`` reaches (keys point at the key's line).

    Path elements that do not match (pydantic union tags, a single mapping read as a list)
    are skipped, so the line is the closest place the YAML has.
    """
    node = root
    line = node.start_mark.line + 1 if node is not None else 1
    for element in path:
        if isinstance(node, MappingNode) and isinstance(element, str):
            for key_node, value_node in node.value:
                if isinstance(key_node, ScalarNode) and key_node.value == element:
                    line = key_node.start_mark.line + 1
                    node = value_node
                    break
        elif (
            isinstance(node, SequenceNode)
            and isinstance(element, int)
            and 0 <= element < len(node.value)
        ):
            node = node.value[element]
            line = node.start_mark.line + 1
    return line


def validate(model: type[M], text: str, source: str) -> tuple[M, Node | None]:
    """Compose, build and validate ``text`` as ``model``; any fault -> PackError with a line."""
    root = compose(text, source)
    data = _Builder(source).build(root) if root is not None else None
    if not isinstance(data, dict):
        raise _fail(source, 1, "the document must be a mapping")
    try:
        return model.model_validate(data), root
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(first["loc"])
        msg = first["msg"]
        if first["type"] == "extra_forbidden":
            msg = f"unknown key {loc[-1]!r}" if loc else "unknown key"
        elif msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        raise _fail(source, locate(root, loc), msg, loc) from None


def parse_pack(text: str, source: str) -> Pack:
    """Parse and check one pack file's text. ``source`` names it in errors.

    Raises ``PackError`` (code ``policy.pack_invalid``) naming file, line and reason.
    """
    pack, root = validate(Pack, text, source)
    for path, reason in _problems(pack):
        raise _fail(source, locate(root, path), reason, path)
    return pack


def group_members(pack: Pack, name: str, seen: tuple[str, ...] = ()) -> frozenset[str]:
    """The categories a group or category name stands for (groups may include groups)."""
    if name in CATEGORIES:
        return frozenset({name})
    if name in seen:
        raise ValueError(f"circular group {' -> '.join((*seen, name))}")
    group = pack.groups.get(name)
    if group is None:
        raise ValueError(f"unknown data category or group {name!r}")
    out: set[str] = set()
    for member in group.categories:
        out |= group_members(pack, member, (*seen, name))
    return frozenset(out)


def _problems(pack: Pack) -> Iterator[tuple[Path, str]]:
    yield from _instrument_problems(pack)
    for name, group in pack.groups.items():
        for i, member in enumerate(group.categories):
            try:
                group_members(pack, member, (name,))
            except ValueError as exc:
                yield ("groups", name, "categories", i), str(exc)
    rule_ids = [r.id for r in pack.rules]
    instruments = {i.id for i in pack.instruments}
    seen: set[str] = set()
    for n, rule in enumerate(pack.rules):
        at: Path = ("rules", n)
        if rule.id in seen:
            yield (*at, "id"), f"duplicate rule id {rule.id!r}"
        seen.add(rule.id)
        if rule.instrument not in instruments:
            yield (*at, "instrument"), f"unknown instrument {rule.instrument!r}"
        for i, src in enumerate(rule.sources):
            if src not in pack.sources:
                yield (*at, "sources", i), f"unknown source {src!r} (add it under 'sources')"
        for key in ("relaxes", "delegates_to"):
            for i, ref in enumerate(getattr(rule, key)):
                if ref not in rule_ids:
                    yield (*at, key, i), f"unknown rule {ref!r}"
        if rule.effective and rule.sunset and rule.sunset <= rule.effective:
            yield (*at, "sunset"), "sunset must be after effective"
        yield from _condition_problems(pack, rule.applies_to, (*at, "applies_to"))
        for i, cond in enumerate(rule.unless):
            yield from _condition_problems(pack, cond, (*at, "unless", i))
        if rule.trigger.by and rule.trigger.by not in pack.authorities:
            yield (*at, "trigger", "by"), f"unknown authority {rule.trigger.by!r}"
        for i, req in enumerate(rule.require):
            if req.to and req.to not in pack.authorities:
                yield (*at, "require", i, "to"), f"unknown authority {req.to!r}"
            if req.when:
                yield from _condition_problems(pack, req.when, (*at, "require", i, "when"))


def _condition_problems(pack: Pack, cond: Condition, at: Path) -> Iterator[tuple[Path, str]]:
    for i, name in enumerate(cond.data or ()):
        try:
            group_members(pack, name)
        except ValueError as exc:
            yield (*at, "data", i), str(exc)
    for key, vocab in (("sectors", pack.sectors), ("roles", pack.roles)):
        for i, name in enumerate(getattr(cond, key) or ()):
            if name not in vocab:
                yield (*at, key, i), f"unknown {key[:-1]} {name!r} (declare it under {key!r})"


def _instrument_problems(pack: Pack) -> Iterator[tuple[Path, str]]:
    by_id: dict[str, list[int]] = {}
    for n, inst in enumerate(pack.instruments):
        by_id.setdefault(inst.id, []).append(n)
        if isinstance(inst.sunset, date) and inst.sunset <= inst.effective:
            yield ("instruments", n, "sunset"), "sunset must be after effective"
        if inst.superseded_by is not None and inst.superseded_by not in {
            i.id for i in pack.instruments
        }:
            yield ("instruments", n, "superseded_by"), f"unknown instrument {inst.superseded_by!r}"
    for ident, indexes in by_id.items():
        windows = sorted(
            (pack.instruments[n].effective, _end(pack.instruments[n].sunset), n) for n in indexes
        )
        for (_, end_a, a), (start_b, _, b) in pairwise(windows):
            if end_a is None or start_b < end_a:
                yield (
                    ("instruments", b, "effective"),
                    f"effective window of {ident!r} overlaps its entry #{a + 1}",
                )
    succ = {i.id: i.superseded_by for i in pack.instruments if i.superseded_by}
    for n, inst in enumerate(pack.instruments):
        chain = [inst.id]
        nxt = succ.get(inst.id)
        while nxt is not None:
            if nxt in chain:
                yield (
                    ("instruments", n, "superseded_by"),
                    f"circular supersession {' -> '.join([*chain, nxt])}",
                )
                break
            chain.append(nxt)
            nxt = succ.get(nxt)


def _end(sunset: date | str | None) -> date | None:
    return sunset if isinstance(sunset, date) else None
