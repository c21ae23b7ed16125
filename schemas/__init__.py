"""Pydantic models of the extraction contract (../shared/spec/extraction-spec.md §1 and §3)."""
from schemas.record import (
    SCHEMA_VERSION,
    Article,
    CalibrationInfo,
    Comparator,
    ErrorInfo,
    Evidence,
    Meeting,
    Person,
    Place,
    Policy,
    Record,
    RunInfo,
    Script,
    Target,
    Usage,
)
from schemas.gold import GoldArticle, GoldEvidence, GoldFile

__all__ = [
    "SCHEMA_VERSION", "Article", "CalibrationInfo", "Comparator", "ErrorInfo", "Evidence", "Meeting", "Person", "Place",
    "Policy", "Record", "RunInfo", "Script", "Target", "Usage",
    "GoldArticle", "GoldEvidence", "GoldFile",
]
