"""The `extract` command: each command lives in extract/commands/<name>.py."""
from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="extract",
    help="Extract policies, targets and meetings from Chinese local-government news.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (command name, module in extract.commands, function). Imported lazily so that one
# command's heavy dependencies (SQLAlchemy, the engine) do not slow the others down.
COMMANDS: list[tuple[str, str, str]] = [
    ("schema", "schema", "schema"),
    ("read", "read", "read"),
    ("run", "run", "run"),
    ("serve", "serve", "serve"),
    ("load", "load", "load_cmd"),
    ("eval", "eval", "eval_cmd"),
    ("calibrate", "calibrate", "calibrate_cmd"),
    ("diff", "diff", "diff_cmd"),
    ("review", "review", "review_cmd"),
    ("gold", "gold", "gold_app"),  # `extract gold build`
    ("cache", "cache", "cache_app"),  # a typer sub-app: `extract cache info|clear`
    ("batch", "batch", "batch_app"),  # `extract batch submit|status|collect`
]


@app.callback()
def _root() -> None:
    """Extract policies, targets and meetings from Chinese local-government news."""


def _register() -> None:
    for name, module, func in COMMANDS:
        mod = importlib.import_module(f"extract.commands.{module}")
        obj = getattr(mod, func)
        if isinstance(obj, typer.Typer):
            app.add_typer(obj, name=name)
        else:
            app.command(name)(obj)


_register()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
