"""Text tools every stage uses: spans with offsets (sentences, clauses, paragraphs), script
(繁简), numbers and units, dates and comparators, people and bodies, grounding of quotes, and the
lexicon (every Chinese word list, once). Imports nothing else of `extract`."""
