"""A deploy plan: how one pack will be sent (inline body, or an upload and its S3 URI), as data that
`--dry-run` prints and the AWS steps carry out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

ORGANIZATION_OPERATION = "put_organization_conformance_pack"
ACCOUNT_OPERATION = "put_conformance_pack"


@dataclass(frozen=True)
class Upload:
    bucket: str
    key: str
    body: bytes

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"


@dataclass(frozen=True)
class StoredTemplate:
    """A template object in S3 as it was checked: AWS must read this ETag, or nothing is put."""

    uri: str
    etag: str


@dataclass(frozen=True)
class Plan:
    name: str
    scope: str
    operation: str
    request: Mapping[str, object]
    upload: Upload | None
    notes: tuple[str, ...]
    minified_body: str | None = None  # the compact JSON body, when that is what is sent
    stored: StoredTemplate | None = None  # a template already in S3, checked as it was fetched

    def as_json(self) -> str:
        document = {
            "operation": self.operation,
            "upload": {"uri": self.upload.uri, "bytes": len(self.upload.body)} if self.upload else None,
            "request": self.request,
        }
        return json.dumps(document, indent=2, ensure_ascii=False)
