"""Errors of ``onshore import`` (``import.*``): a mapping that does not fit its source, a
mapping changed under a resumable import, and a run stopped by ``--max-errors``."""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError
from onshore.core.errors.inputs import InputError


class ImportMappingError(InputError):
    """An import mapping names an unknown key, no subject column, or a column the source
    does not have (``details``: ``field`` and, when it applies, ``column``)."""

    code = "import.mapping_invalid"


class ImportMappingChanged(InputError):
    """A resumed import's mapping differs from the one its progress record was made with
    (start it over with ``--restart``, or run it with the same mapping)."""

    code = "import.mapping_changed"


class TooManyBadRows(OnshoreError):
    """An import met more bad rows than ``--max-errors`` allows; what was imported stays,
    and the progress record lets a rerun continue from there."""

    code = "import.too_many_errors"
