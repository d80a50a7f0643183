"""Packshot's engine: images, operations, recipes, plugins and jobs. No Qt here."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("packshot")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

# The plugin API version. Plugins declare the version they were written for in a
# module-level ``packshot_api_version``; a different major or a newer minor is refused.
API_VERSION = "2.0"
