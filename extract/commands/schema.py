import json

import typer

from schemas import Record


def schema() -> None:
    """Print the JSON Schema of the output record (one JSON line per article)."""
    typer.echo(json.dumps(Record.model_json_schema(), ensure_ascii=False, indent=2))
