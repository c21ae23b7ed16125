"""Extract policies, quantitative targets and meetings from Chinese local-government news.

Data flows one way: read → clean and segment → prompt → call → validate and ground → write.

The Python API (extract/api.py) is importable from here::

    import extract
    records = extract.extract_text("本报讯 到2025年，全区规模以上工业企业力争达到120家。")

Names are imported on first use, so `import extract` stays light for the command line.
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_API = {
    "Extractor": "extract.api", "BatchResult": "extract.api", "extract_text": "extract.api",
    "read_articles": "extract.api", "iter_articles": "extract.api", "read_text": "extract.api", "evaluate_files": "extract.api", "error_files": "extract.api",
    "diff_files": "extract.api", "review_files": "extract.api", "load_files": "extract.api",
    "gold_build_files": "extract.api", "calibrate_files": "extract.api", "write_articles": "extract.api",
    "Options": "extract.run.pipeline", "Summary": "extract.run.batch", "ReadError": "extract.ingest.read",
    "AnswerCache": "extract.llm.cache", "LLMSettings": "extract.llm.client", "MODES": "extract.llm.client",
    "EndpointError": "extract.llm.client", "UsageError": "extract.llm.usage", "OutputRefused": "extract.run.guard",
    "Record": "schemas", "Article": "schemas",
}
__all__ = sorted(_API)

if TYPE_CHECKING:
    from extract.api import (BatchResult, Extractor, calibrate_files, diff_files, error_files, evaluate_files,
                             extract_text, gold_build_files, iter_articles, load_files, read_articles, read_text,
                             review_files, write_articles)
    from extract.run.batch import Summary
    from extract.llm.cache import AnswerCache
    from extract.llm.client import MODES, EndpointError, LLMSettings
    from extract.llm.usage import UsageError
    from extract.run.guard import OutputRefused
    from extract.run.pipeline import Options
    from extract.ingest.read import ReadError
    from schemas import Article, Record


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'extract' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_API])
