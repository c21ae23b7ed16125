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
from schemas.gold import (
    GOLD_ITEMS, Decision, GoldArticle, GoldEvidence, GoldFile, GoldMeeting, GoldPerson, GoldPolicy, GoldTarget,
)

__all__ = [
    "SCHEMA_VERSION", "Article", "CalibrationInfo", "Comparator", "ErrorInfo", "Evidence", "Meeting", "Person", "Place",
    "Policy", "Record", "RunInfo", "Script", "Target", "Usage",
    "GOLD_ITEMS", "Decision", "GoldArticle", "GoldEvidence", "GoldFile", "GoldMeeting", "GoldPerson", "GoldPolicy",
    "GoldTarget",
]
