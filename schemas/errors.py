"""A schema's refusal of a line, as the one line a command prints: the field and what is wrong."""
from __future__ import annotations

from pydantic import ValidationError


def describe(exc: ValidationError, *, tagged: bool = False) -> str:
    """`field targets.0.value: Input should be a valid number` (and how many more errors).
    `tagged`: the model was a union chosen by a tag (a decision's `kind`), whose name leads
    every location but is no field of the line."""
    errors = exc.errors(include_url=False)
    err = errors[0]
    loc = [str(p) for p in err["loc"]]
    if tagged:
        loc = loc[1:] if loc else (["kind"] if err["type"].startswith("union_tag") else [])
    text = f"field {'.'.join(loc)}: {err['msg']}" if loc else err["msg"]
    return text + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else "")
