"""Where AWS offers conformance packs: the two Region tables of the AWS Config Developer Guide (one for
conformance packs, one for organization conformance packs), shipped as data with their date, and the
Regions AWS has opened since or documents elsewhere, of which the tables say nothing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

REGIONS_FILE = Path(__file__).resolve().parent.parent / "data" / "regions.json"


def partition_of(region: str | None) -> str:
    """The partition of a Region's ARNs: aws-cn for China, aws-us-gov for GovCloud, else aws."""
    if region and region.startswith("cn-"):
        return "aws-cn"
    if region and region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


class Offered(Enum):
    LISTED = "listed"  # in AWS's table for the pack's scope
    UNLISTED = "unlisted"  # a Region AWS opened after the table, or documents in another partition
    NOT_A_REGION = "not a region"  # in neither table nor among the Regions known since


@dataclass(frozen=True)
class RegionTables:
    date: str
    conformance_packs: frozenset[str]
    organization_conformance_packs: frozenset[str]
    known: frozenset[str]

    def offered(self, region: str, scope: str) -> Offered:
        table = self.organization_conformance_packs if scope == "organization" else self.conformance_packs
        if region in table:
            return Offered.LISTED
        if region in self.known or region in self.conformance_packs or region in self.organization_conformance_packs:
            return Offered.UNLISTED
        return Offered.NOT_A_REGION

    def __len__(self) -> int:
        return len(self.conformance_packs | self.organization_conformance_packs)


def load_region_tables(path: Path = REGIONS_FILE) -> RegionTables:
    data = json.loads(path.read_text(encoding="utf-8"))
    return RegionTables(
        str(data["date"]),
        frozenset(data["conformance_packs"]),
        frozenset(data["organization_conformance_packs"]),
        frozenset(data["known_regions"]),
    )


def regions_summary(path: Path = REGIONS_FILE) -> str:
    try:
        tables = load_region_tables(path)
    except (OSError, ValueError, KeyError) as error:
        return f"Region tables unavailable: {error}"
    return f"Region tables of {tables.date}, {len(tables)} Regions"
