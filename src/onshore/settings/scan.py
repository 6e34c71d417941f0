"""``[scan]``: object storage for ``onshore scan s3://...`` and where each bucket is.

``[scan.s3] endpoint_url`` points the S3 client at an S3-compatible store (MinIO, Ceph,
a local test server); the ``AWS_ENDPOINT_URL`` environment variable, when set, wins.
Credentials are never configured here: they come from the usual AWS chain (environment,
``~/.aws/credentials`` and ``config``, instance roles).

``[[scan.buckets]]`` declares a bucket with the country it is located in, so a scan of
``s3://bucket/...`` knows where the store is (``--located-in``) and reports residency
violations for lake data.

Example:
    >>> s = ScanSettings.model_validate({"s3": {"endpoint_url": "http://127.0.0.1:9000"},
    ...                                  "buckets": [{"name": "lake-sg", "country": "sg"}]})
    >>> s.bucket_country("lake-sg"), s.bucket_country("other")
    ('SG', None)
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pycountry
from pydantic import Field, field_validator

from onshore.settings.sections import Strict


class S3Settings(Strict):
    """``[scan.s3]``: how to reach the object store."""

    endpoint_url: str | None = Field(
        default=None,
        description="Endpoint of an S3-compatible store (scheme, host and port); "
        "AWS_ENDPOINT_URL in the environment wins. Default: AWS itself.",
        examples=["http://127.0.0.1:9000"],
    )

    @field_validator("endpoint_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s):// URL with a host")
        return value


class BucketSettings(Strict):
    """One ``[[scan.buckets]]`` entry: a bucket and the country it is located in."""

    name: str = Field(description="Bucket name, as in s3://NAME/...", examples=["lake-sg"])
    country: str = Field(
        description="ISO 3166-1 alpha-2 country where the bucket's data is stored.",
        examples=["SG"],
    )

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        code = value.strip().upper()
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
            raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return code


class ScanSettings(Strict):
    """``[scan]``: the object store's endpoint and the declared buckets."""

    s3: S3Settings = Field(default_factory=S3Settings, description="``[scan.s3]``.")
    buckets: list[BucketSettings] = Field(
        default_factory=list, description="``[[scan.buckets]]``: buckets with their country."
    )

    def bucket_country(self, name: str) -> str | None:
        """The declared country of bucket ``name``, or None when it is not declared."""
        for bucket in self.buckets:
            if bucket.name == name:
                return bucket.country
        return None
