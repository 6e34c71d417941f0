"""Errors of ``onshore migrate`` (``migration.*``): moving records between regions in bulk."""

from __future__ import annotations

from onshore.core.errors.base import OnshoreError
from onshore.core.errors.inputs import NotFound


class MigrationError(OnshoreError):
    """A migration between regions could not go on (the records stay where they are)."""

    code = "migration.error"


class MigrationPlanNotFound(NotFound):
    """No migration plan has that id (``onshore migrate status`` lists them)."""

    code = "migration.plan_not_found"


class MigrationInProgress(MigrationError):
    """Another migration plan is unfinished: resume it first (``onshore migrate run PLAN``)."""

    code = "migration.in_progress"


class MigrationVerifyFailed(MigrationError):
    """A record's copy in the destination did not read back as the source: nothing erased."""

    code = "migration.verify_failed"
