"""Which delimiter a CSV file uses, decided from its header and first rows (deterministic).

Python's ``csv.Sniffer`` looks at quote patterns in the header alone and can be misled by
column names that hold quotes and delimiters (a comma-separated header whose names were
``|"``, ``|`` and ``|""`` was sniffed as ``|``-separated, so the header was split differently
from the rows). Here each candidate
delimiter parses the header and up to :data:`SAMPLE_ROWS` following lines with the standard
quoting rules; the delimiter that splits the header into more than one field and gives the
most rows with the header's field count wins, ties going to the more common delimiter
(``,`` then tab, ``;``, ``|``). A file where no candidate splits the header is one column.

Example:
    >>> delimiter('name,phone', ['Lan,0912345678'])
    ','
    >>> import io
    >>> out = io.StringIO()
    >>> csv.writer(out).writerow(['|"', '|', '|""'])
    17
    >>> delimiter(out.getvalue().strip(), ['a,b,c', 'd,e,f'])
    ','
    >>> delimiter('name;phone', ['Lan;0912345678', 'Minh;0987654321'])
    ';'
    >>> delimiter('name|phone', ['Lan|0912345678'])
    '|'
    >>> delimiter('name', ['Lan'])
    ','
"""

from __future__ import annotations

import csv
from collections.abc import Sequence

#: The delimiters tried, most common first (the order breaks ties).
CANDIDATES: tuple[str, ...] = (",", "\t", ";", "|")
#: How many lines after the header take part in the choice.
SAMPLE_ROWS = 20


def _fields(line: str, delim: str) -> int:
    try:
        return len(next(csv.reader([line], delimiter=delim, quotechar='"'), []))
    except csv.Error:
        return 0


def delimiter(header: str, sample: Sequence[str]) -> str:
    """The delimiter of a CSV file whose first line is ``header`` and whose next lines
    include ``sample`` (see module)."""
    best: tuple[int, int, int] | None = None
    chosen = CANDIDATES[0]
    for rank, delim in enumerate(CANDIDATES):
        width = _fields(header, delim)
        if width < 2:
            continue
        fits = sum(1 for line in sample[:SAMPLE_ROWS] if _fields(line, delim) == width)
        score = (fits, -rank, width)
        if best is None or score > best:
            best, chosen = score, delim
    return chosen
