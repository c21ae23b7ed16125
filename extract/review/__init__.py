"""Looking at results: matching items (spec §3), `eval`, `diff` and the review page. Imports
`extract.text` only: it reads run and gold files, never runs the pipeline."""
