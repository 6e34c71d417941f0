"""Suggest an import mapping from the classifier's column findings (``onshore import
--suggest``), printed as the YAML document ``--mapping`` reads, for the user to edit.

The first rows of the source are sampled; each column gets its verdict
(``core.classify.column.classify_column``). The id column is one whose name says so (``id``,
``user_id``...) or whose sampled values are all distinct; it is also the subject. Residency
signals come from the findings (a phone column is ``phone_number``, an IP column ``ip``) and
from names (``country`` is ``address_country``, ``residence`` ``declared_residence``). Each
column is listed under ``data`` with what was found in it as a comment.

Example:
    >>> import tempfile; from pathlib import Path
    >>> d = Path(tempfile.mkdtemp()); p = d / "u.csv"
    >>> _ = p.write_text("user_id,sdt\\n1,0912345678\\n2,0987654321\\n")
    >>> s = suggest(str(p), None)
    >>> s.mapping.subject, s.mapping.signals
    ('user_id', {'phone_number': 'sdt'})
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from onshore.core.classify.column import ColumnVerdict, classify_column
from onshore.core.import_mapping import DEFAULT_KIND, Mapping
from onshore.services.table_import import open_source

#: Rows sampled to suggest a mapping.
SAMPLE_ROWS = 1000
_ID_NAMES = ("id", "user_id", "userid", "uid", "customer_id", "account_id", "member_id")
_SIGNAL_CATEGORIES = {"phone_number": "phone_number", "ip": "ip_address"}
_SIGNAL_NAMES = {
    "address_country": ("country", "country_code", "address_country", "quoc_gia"),
    "declared_residence": ("residence", "declared_residence", "country_of_residence"),
}
_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Suggestion:
    """A suggested mapping, the source it is for, and each column's verdict."""

    label: str
    mapping: Mapping
    verdicts: dict[str, ColumnVerdict]
    rows_sampled: int

    def to_yaml(self) -> str:
        """The mapping as commented YAML (what ``--mapping`` reads)."""
        m = self.mapping
        lines = [
            f"# onshore import mapping for {self.label}, suggested from the column findings",
            f"# of {self.rows_sampled} sampled rows. Check it, edit it, then run:",
            "#   onshore import SOURCE --mapping THIS_FILE",
            f"subject: {_q(m.subject)}",
            f"id: {_q(m.id_column)}",
            f"kind: {_q(m.kind)}",
            "signals:" if m.signals else "signals: {}",
        ]
        lines += [f"  {k}: {_q(v)}" for k, v in sorted(m.signals.items())]
        lines.append("data:")
        for column in m.data:
            found = _found(self.verdicts.get(column))
            lines.append(f"  - {_q(column)}" + (f"  # {found}" if found else ""))
        return "\n".join(lines) + "\n"


def _q(name: str) -> str:
    return name if _PLAIN.fullmatch(name) else json.dumps(name, ensure_ascii=False)


def _found(verdict: ColumnVerdict | None) -> str:
    if verdict is None or not verdict.categories:
        return ""
    return ", ".join(sorted(verdict.categories))


def _id_column(columns: list[str], values: dict[str, list[str]], rows: int) -> str:
    by_name = [c for c in columns if c.lower() in _ID_NAMES]
    if by_name:
        return by_name[0]
    for c in columns:
        sample = values[c]
        if c.lower().endswith("_id") and len(sample) == rows and len(set(sample)) == rows:
            return c
    for c in columns:
        sample = values[c]
        if rows and len(sample) == rows and len(set(sample)) == rows:
            return c
    return columns[0]


def suggest(spec: str, table: str | None, rows: int = SAMPLE_ROWS) -> Suggestion:
    """A mapping for the table ``spec`` names, from its first ``rows`` rows."""
    source = open_source(spec, table)
    batch = next(iter(source.batches(rows=rows)), None)
    if batch is None:
        fatal = [p.message for p in source.problems] or ["no rows"]
        from onshore.core.errors import ImportMappingError

        raise ImportMappingError(
            f"cannot suggest a mapping: {fatal[0]}", details={"field": "source"}
        )
    _, data = batch
    data = data.slice(0, rows)
    columns = list(data.schema.names)
    values = {
        c: [v for v in data.column(i).to_pylist() if v is not None] for i, c in enumerate(columns)
    }
    verdicts = {c: classify_column(c, values[c]) for c in columns}
    signals: dict[str, str] = {}
    for signal, category in _SIGNAL_CATEGORIES.items():
        hits = [c for c in columns if category in verdicts[c].categories]
        if hits:
            signals[signal] = hits[0]
    for signal, names in _SIGNAL_NAMES.items():
        hits = [c for c in columns if c.lower() in names]
        if hits:
            signals[signal] = hits[0]
    id_column = _id_column(columns, values, data.num_rows)
    mapping = Mapping(
        subject=id_column, id=id_column, kind=DEFAULT_KIND, signals=signals, data=tuple(columns)
    )
    return Suggestion(source.label, mapping, verdicts, data.num_rows)
