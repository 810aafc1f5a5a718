"""Catalog exchange: the whole catalog as JSON or XLSX, out and back in (docs/catalog-format.md)."""

from yimen.catalog.exchange.export import export_catalog
from yimen.catalog.exchange.files import dump_json, read_json, read_xlsx, write_xlsx
from yimen.catalog.exchange.importer import ImportReport, import_catalog
from yimen.catalog.exchange.problems import CatalogImportError, Problem

__all__ = [
    "CatalogImportError",
    "ImportReport",
    "Problem",
    "dump_json",
    "export_catalog",
    "import_catalog",
    "read_json",
    "read_xlsx",
    "write_xlsx",
]
