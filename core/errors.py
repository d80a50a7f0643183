"""One exception family, so every front end can show a failure as one clear message."""


class PackshotError(Exception):
    """Base of every error Packshot reports to a person instead of a traceback."""


class BadInput(PackshotError):
    """A file or image that cannot be used: unreadable, corrupt, too large, wrong kind."""


class BadParameter(PackshotError):
    """A parameter value outside its allowed range or choices, or an unknown parameter."""


class MissingModel(PackshotError):
    """An operation needs model weights that are not installed."""


class Cancelled(PackshotError):
    """The person (or the batch runner) asked the job to stop."""


class PluginError(PackshotError):
    """A plugin failed to load, or raised while running one of its operations."""

    def __init__(self, plugin: str, message: str):
        super().__init__(f"plugin {plugin!r}: {message}")
        self.plugin = plugin


class UnknownOperation(PackshotError):
    """An operation id that no loaded plugin provides."""
