"""The reference library: loading it, occupation search, benchmark pages."""
