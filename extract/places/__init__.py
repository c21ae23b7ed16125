"""Places: the GB/T 2260 gazetteer (cpca's table), the article's jurisdiction and an item's
region, and what a database joins on (each item's division and its key across articles).
Imports `extract.text` only."""
