"""One module per kind of fact: how it is found, asked about, answered and built."""
