"""Storage helpers: exact money columns and the fastest bulk path each database offers."""
