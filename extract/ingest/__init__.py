"""Ingest: files and encodings, HTML/Markdown to text, the page's own date, cleaning page
furniture, cutting pages into articles. Imports `extract.text` and `extract.places` (the
division a page speaks for)."""
