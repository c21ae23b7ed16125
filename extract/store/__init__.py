"""Loading extraction runs (JSON Lines of `schemas.Record`) into SQLite or PostgreSQL."""
from extract.store.db import DEFAULT_DB, make_engine, resolve_url
from extract.store.load import LoadReport, load_files
from extract.store.migrations import SchemaError
from extract.store.read import LineError

__all__ = ["DEFAULT_DB", "LineError", "LoadReport", "SchemaError", "load_files", "make_engine", "resolve_url"]
