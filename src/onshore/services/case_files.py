"""A case's files: the production package an authority request writes, listed, verified
and zipped for download (the files :mod:`onshore.services.production` writes and
:func:`~onshore.core.cases.package.verify_package` checks offline).

Example:
    >>> package_files("/nonexistent")
    ()
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onshore.core.cases.package import CERTIFICATE, PackageReport, sha256_hex, verify_package
from onshore.core.errors import InputError
from onshore.services.production import read_package


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file belonging to the case (a package file): its path, size and SHA-256."""

    path: str
    size: int
    sha256: str


def _files(directory: str) -> Mapping[str, bytes]:
    try:
        return read_package(Path(directory))
    except (InputError, OSError):
        return {}


def package_files(directory: str) -> tuple[Attachment, ...]:
    """Every file of the package in ``directory`` (none when it is missing)."""
    return package_view(directory)[0]


def package_dir(data: Mapping[str, Any]) -> str | None:
    """The package directory a case's data names, if any."""
    pkg = data.get("package")
    if isinstance(pkg, Mapping) and isinstance(pkg.get("dir"), str) and pkg["dir"]:
        return str(pkg["dir"])
    return None


def package_report(directory: str) -> PackageReport | None:
    """The offline verification of a released package (None before release: a package
    has its certificate only once released)."""
    return package_view(directory)[1]


def package_view(directory: str) -> tuple[tuple[Attachment, ...], PackageReport | None]:
    """The package's files and, once it is released, its verification (files read once)."""
    files = _files(directory)
    listed = tuple(Attachment(path, len(body), sha256_hex(body)) for path, body in files.items())
    return listed, verify_package(files) if CERTIFICATE in files else None


def package_zip(directory: str, name: str) -> bytes:
    """The package as a zip archive whose entries sit under ``name/``; ``InputError`` when
    the package is missing.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp()); _ = (d / "manifest.json").write_text("{}")
        >>> zipfile.ZipFile(io.BytesIO(package_zip(str(d), "req-1"))).namelist()
        ['req-1/manifest.json']
    """
    files = _files(directory)
    if not files:
        raise InputError("the case has no package on disk", details={"package": "missing"})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, body in files.items():
            archive.writestr(f"{name}/{path}", body)
    return buf.getvalue()
