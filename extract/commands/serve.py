import typer



def serve(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8080, help="Port to listen on."),
    ctx: int = typer.Option(8192, help="Context window in tokens."),
    parallel: int = typer.Option(1, help="Requests served at once."),
) -> None:
    """Run the embedded model as an OpenAI-compatible server (Ctrl-C stops it)."""
    from extract.api import MODEL_NAME, serve as serve_embedded

    typer.echo(f"serving {MODEL_NAME} on http://{host}:{port}/v1 (OpenAI-compatible)", err=True)
    try:
        serve_embedded(host=host, port=port, ctx=ctx, parallel=parallel)
    except KeyboardInterrupt:
        pass
