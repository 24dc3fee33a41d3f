"""The reference data rules look things up in: the managed-rule catalog and the resource provider
schemas (data files of the package), and Guard's parser. Each is read on first use (a run that needs
none never imports their readers) and kept by the one `Reference` a run, or a language server, holds
and hands to rules through their context: nothing is cached for the process."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preflight.guard.supervisor import GuardParser
    from preflight.knowledge.catalog import Catalog
    from preflight.knowledge.regions import RegionTables
    from preflight.knowledge.runbooks import RunbookCatalog
    from preflight.knowledge.schema_validator import SchemaValidator
    from preflight.knowledge.schemas import SchemasUnavailable


class Reference:
    def __init__(self, catalog_file: Path | None = None, schemas_file: Path | None = None) -> None:
        self._catalog_file = catalog_file
        self._schemas_file = schemas_file

    @cached_property
    def catalog(self) -> Catalog:
        from preflight.knowledge.catalog import CATALOG_FILE, load_catalog

        return load_catalog(self._catalog_file or CATALOG_FILE)

    @cached_property
    def pack_validators(self) -> Mapping[str, SchemaValidator] | SchemasUnavailable:
        """Resource type -> a validator of its provider schema, or why the schemas could not be read."""
        from preflight.knowledge.schemas import SCHEMAS_FILE, SchemasUnavailable, load_pack_validators

        try:
            return load_pack_validators(self._schemas_file or SCHEMAS_FILE)
        except SchemasUnavailable as error:
            return error

    @cached_property
    def runbooks(self) -> RunbookCatalog:
        """AWS's own Automation runbooks and their parameters."""
        from preflight.knowledge.runbooks import load_runbooks

        return load_runbooks()

    @cached_property
    def regions(self) -> RegionTables:
        """AWS's tables of the Regions that offer conformance packs."""
        from preflight.knowledge.regions import load_region_tables

        return load_region_tables()

    @cached_property
    def guard(self) -> GuardParser:
        """Guard's parser, for the policies of CUSTOM_POLICY rules."""
        from preflight.guard.supervisor import GuardParser

        return GuardParser()
