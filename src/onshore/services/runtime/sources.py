"""Opening what ``onshore scan`` reads: the table readers by spec, and the offline IP database.

The scan service (``onshore.services.scan``) works on the ``Table`` port; the readers
(``onshore.adapters.sources``) and the country lookup (``onshore.adapters.geoip``) are chosen
here.

Example:
    >>> import tempfile
    >>> from pathlib import Path
    >>> d = Path(tempfile.mkdtemp()); _ = (d / "u.csv").write_text("sdt\\n0912345678\\n")
    >>> [t.label for t in open_tables(str(d / "u.csv"))]
    ['u.csv']
"""

from __future__ import annotations

from collections.abc import Iterator

from onshore.ports import CountryLookup
from onshore.ports.sources import Limits, Table


def open_tables(spec: str, limits: Limits | None = None) -> Iterator[Table]:
    """The tables ``spec`` names (a file, a directory, a SQLite or PostgreSQL URL)."""
    from onshore.adapters.sources import open_tables as open_readers

    return open_readers(spec, limits)


def offline_country_lookup() -> CountryLookup:
    """The bundled offline IP-to-country database (shared per process)."""
    from onshore.adapters.geoip import open_country_lookup

    return open_country_lookup(None)
