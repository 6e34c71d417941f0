"""Fixtures of the data-lake scan tests: one local Spark session for the whole test session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    """A ``local[2]`` Spark session (started once: a JVM start costs seconds)."""
    from onshore.services.runtime.spark_engine import spark_session

    session = spark_session("local[2]")
    yield session
    session.stop()
