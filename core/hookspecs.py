"""The plugin author's reference: every hook a Packshot plugin can implement.

A plugin is a Python module (or object) registered under the entry-point group
``packshot``. In its ``pyproject.toml``::

    [project.entry-points.packshot]
    my_effect = "my_package.plugin"

The module marks its hook functions with :data:`hookimpl` and declares the plugin API
version it was written for::

    from packshot import hookimpl

    packshot_api_version = "2.0"

    @hookimpl
    def packshot_operations():
        return [MyOperation()]

Packshot's own families (``packshot.plugins.colour``, ``packshot.plugins.enhance``, ...) are registered in
exactly this way. A plugin whose import fails, whose API version is incompatible, or whose
hook raises is reported (``packshot plugins``, the desktop's Plugins dialog) and skipped;
the rest keep working. Every hook here is called once per plugin at load time; none is
``firstresult``: Packshot collects the lists of all plugins.

Environment variables: ``PACKSHOT_DISABLE_PLUGINS=a,b`` skips plugins by name,
``PACKSHOT_ONLY_PLUGINS=a,b`` loads only those, ``PACKSHOT_TRACE_PLUGINS=1`` prints every
hook call to stderr.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .operation import Operation

PROJECT = "packshot"
ENTRY_POINT_GROUP = "packshot"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def packshot_operations() -> Sequence[Operation]:
    """Return the operations this plugin contributes (instances of ``packshot.Operation``).

    Each operation needs a unique dotted ``id`` (``"family.name"``, e.g.
    ``"enhance.denoise"``); a duplicate id from a second plugin is reported and the
    second one is skipped. Import heavy libraries (torch, OpenCV, diffusers) inside
    ``run``, never at module level: Packshot starts without importing them. Set
    ``cheap = True`` on an operation that takes milliseconds on a screen-sized picture
    (per-pixel colour work): the window previews it live while a slider moves.

    Not ``firstresult``: the lists of all plugins are merged.
    """


@hookspec
def packshot_model_catalogue() -> Sequence[Mapping[str, Any]]:
    """Return model catalogue entries for weights this plugin's operations can use.

    Each entry is a mapping with at least ``name`` (unique), ``family``, ``architecture``,
    ``file`` (the file name in the models folder), ``size`` (bytes), ``sha256``,
    ``licence`` and ``url``; ``verified = false`` marks figures not confirmed from a
    public source. ``loader`` (``spandrel``, ``opencv-superres``, ``diffusers``, ``onnx``
    or ``file``) says what reads the file; the full field list is
    ``packshot.CatalogueEntry``, and ``packshot.read_catalogue_file``
    reads the entries from a TOML file. The model store checks downloads and installs
    against these.

    Not ``firstresult``: the entries of all plugins are merged; a duplicate name is
    reported and skipped.
    """


@hookspec
def packshot_export_presets() -> Sequence[Mapping[str, Any]]:
    """Return export presets (marketplace rules, web sizes) this plugin contributes.

    Each preset is a mapping with at least ``name`` and ``title``, plus the export
    fields (size and fit, background, format and quality, maximum bytes, colour space,
    metadata policy) and the ``source`` the figures were taken from.

    Not ``firstresult``: the presets of all plugins are merged; a duplicate name is
    reported and skipped.
    """
