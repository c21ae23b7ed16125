"""The model: the OpenAI-compatible client (instructor, transport retries, reasks), the answer
cache, flow control, the embedded llama.cpp engine and its model file, the prompts and the marked
request text, the answer tokens' log-probabilities, the checks of a configuration before any call
(`usage.py`) and the redaction of the key from what the tool writes (`secrets.py`). Imports
`extract.text` only."""
