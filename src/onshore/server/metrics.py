"""Prometheus metrics of one app (its own registry, so several apps can share a process).

Example:
    >>> m = Metrics()
    >>> m.records_written.labels(region="vn-hcm").inc(3)
    >>> b"onshore_records_written_total" in m.render()[0]
    True
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """The instruments the server updates; labels never carry ids or personal data."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "onshore_http_requests",
            "HTTP requests by route template and status.",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "onshore_http_request_duration_seconds",
            "HTTP request latency by route template.",
            ["method", "route"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.records_written = Counter(
            "onshore_records_written",
            "Records stored, by region.",
            ["region"],
            registry=self.registry,
        )
        self.access_decisions = Counter(
            "onshore_access_decisions",
            "Authorisation decisions by outcome and permission.",
            ["decision", "permission"],
            registry=self.registry,
        )
        self.auth_failures = Counter(
            "onshore_auth_failures",
            "Requests refused for a missing, invalid or revoked token.",
            ["reason"],
            registry=self.registry,
        )

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
