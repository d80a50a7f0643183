"""Packshot's built-in plugins, one subpackage per family, registered by entry points."""
