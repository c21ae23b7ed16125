"""One module per CLI command group; each is a thin shell over the library."""
