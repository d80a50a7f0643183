"""packshot-vintage: a vintage film look operation for Packshot."""

__version__ = "1.0.0"
