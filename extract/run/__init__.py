"""Running: the per-article loop over the kinds, batches with durable JSON Lines output and
resume, flow control of a batch, the providers' Batch API, the Ray engine. Imports every stage
below it (text, places, ingest, llm, kinds), never review, store or the API."""
