"""The plugin module Packshot loads through the ``packshot`` entry point.

It stays cheap to import: only the hook functions and the API version; the operation's
numerical work imports numpy/scipy when it runs.
"""

from packshot import hookimpl

# The Packshot plugin API this plugin was written for. A Packshot with a different major
# version (or an older minor) refuses to load it and says so, instead of crashing later.
packshot_api_version = "2.0"


@hookimpl
def packshot_operations():
    from .film import FilmLook

    return [FilmLook()]
