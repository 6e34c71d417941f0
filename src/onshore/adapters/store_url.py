"""Where a store URL points: the file a ``sqlite:///`` URL names.

Example:
    >>> sqlite_path("sqlite:///data/vn.db", Path("/srv"))
    PosixPath('/srv/data/vn.db')
"""

from __future__ import annotations

from pathlib import Path


def sqlite_path(url: str, base: Path | None = None) -> Path:
    """The file path in a ``sqlite:///...`` URL, relative paths resolved against ``base``.

    Example:
        >>> sqlite_path("sqlite:///data/vn.db", Path("/srv"))
        PosixPath('/srv/data/vn.db')
    """
    rest = url.removeprefix("sqlite:///")
    path = Path(rest)
    if not path.is_absolute() and base is not None:
        path = base / path
    return path
