"""The `lianzhang` command line: a thin click layer over the services."""
