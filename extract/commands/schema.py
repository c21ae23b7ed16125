import json

import typer


def schema() -> None:
    """Print the JSON Schema of the output record (one JSON line per article)."""
    from schemas import Record

    typer.echo(json.dumps(Record.model_json_schema(), ensure_ascii=False, indent=2))
