"""链长 lianzhang: an open platform for running a region's modern industrial system."""

__version__ = "0.1.0"
