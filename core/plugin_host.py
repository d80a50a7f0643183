"""Loading plugins and calling their hooks through one typed facade.

Built-in and third-party plugins arrive the same way, through the ``packshot``
entry-point group. Each hook is called plugin by plugin so that a failure is pinned on
the plugin that caused it, reported, and the plugin disabled; the rest keep working.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points
from typing import Any

import pluggy

from . import API_VERSION, hookspecs
from .errors import BadParameter, PackshotError, UnknownOperation
from .operation import TIERS, Operation
from .params import check_spec

BUILTIN_DIST = "packshot"


@dataclass
class PluginInfo:
    """What ``packshot plugins`` and the desktop's Plugins dialog show."""

    name: str
    version: str = ""
    distribution: str = ""
    builtin: bool = False
    status: str = "loaded"  # loaded | failed | disabled
    error: str = ""
    api_version: str = ""
    operations: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "distribution": self.distribution,
                "builtin": self.builtin, "status": self.status, "error": self.error,
                "api_version": self.api_version, "operations": list(self.operations)}


def _env_list(name: str) -> set[str]:
    return {p.strip() for p in os.environ.get(name, "").split(",") if p.strip()}


def api_compatible(declared: str | None) -> bool:
    """Same major version and a minor no newer than ours. Undeclared counts as compatible."""
    if declared is None:
        return True
    try:
        major, minor = _api_tuple(str(declared))  # "1" means "1.0"
    except ValueError:
        return False
    ours_major, ours_minor = _api_tuple(API_VERSION)
    return major == ours_major and minor <= ours_minor


def api_mismatch(declared: object) -> str:
    """Why a plugin's API version is refused, and which side to update."""
    said = f"written for Packshot plugin API {declared}, but this Packshot provides API {API_VERSION}"
    try:
        newer = _api_tuple(str(declared)) > _api_tuple(API_VERSION)
    except ValueError:
        return f"{said}; its packshot_api_version is not a version number"
    return f"{said}; " + ("update Packshot (pip install -U packshot)" if newer
                          else "update the plugin (it was written for an older Packshot)")


def _api_tuple(text: str) -> tuple[int, int]:
    major, minor = (int(x) for x in [*text.split(".")[:2], "0"][:2])
    return major, minor


class PluginHost:
    """The plugin manager: loads plugins, collects their contributions, reports failures."""

    def __init__(self, disabled: Iterable[str] = ()) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.infos: dict[str, PluginInfo] = {}
        self._disabled = set(disabled) | _env_list("PACKSHOT_DISABLE_PLUGINS")
        self._only = _env_list("PACKSHOT_ONLY_PLUGINS")
        self._operations: dict[str, Operation] | None = None
        self._op_plugin: dict[str, str] = {}
        self._refused: dict[str, tuple[str, str]] = {}  # op id -> (plugin, why)
        self._catalogue: list[dict[str, Any]] | None = None
        self._presets: list[dict[str, Any]] | None = None
        # The facade calls each plugin's hook function itself, so pluggy's own tracing never
        # fires; PACKSHOT_TRACE_PLUGINS=1 traces loads and hook calls here instead.
        self._tracing = bool(os.environ.get("PACKSHOT_TRACE_PLUGINS"))

    # ------------------------------------------------------------------ loading

    def load_entry_points(self) -> PluginHost:
        """Register every plugin found in the ``packshot`` entry-point group."""
        seen: set[str] = set()
        for ep in sorted(entry_points(group=hookspecs.ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in seen:
                continue
            seen.add(ep.name)
            self._load_entry_point(ep)
        return self

    def _load_entry_point(self, ep: EntryPoint) -> None:
        meta = ep.dist.metadata if ep.dist is not None else None  # each access re-reads the file
        dist = (meta["Name"] or "") if meta is not None else ""
        version = (meta["Version"] or "") if meta is not None else ""
        info = PluginInfo(name=ep.name, version=version, distribution=dist,
                          builtin=dist.lower() == BUILTIN_DIST)
        self.infos[ep.name] = info
        if ep.name in self._disabled or (self._only and ep.name not in self._only):
            info.status = "disabled"
            return
        start = time.perf_counter()
        try:
            plugin = ep.load()
        except Exception as exc:  # a broken plugin must not take Packshot down
            self._fail(info, f"failed to import {ep.value}: {type(exc).__name__}: {exc}")
        else:
            self._register(plugin, info)
        self._trace(f"plugin {ep.name!r} ({ep.value}): {info.status} in {_ms(start)}")

    def register(self, plugin: object, name: str, *, version: str = "", builtin: bool = False) -> PluginInfo:
        """Register a plugin object directly (tests, embedding). Same checks as entry points."""
        info = PluginInfo(name=name, version=version, builtin=builtin)
        self.infos[name] = info
        if name in self._disabled:
            info.status = "disabled"
            return info
        self._register(plugin, info)
        return info

    def _register(self, plugin: object, info: PluginInfo) -> None:
        declared = getattr(plugin, "packshot_api_version", None)
        info.api_version = str(declared or "")
        if not api_compatible(declared):
            self._fail(info, api_mismatch(declared))
            return
        try:
            self.pm.register(plugin, name=info.name)
        except Exception as exc:
            self._fail(info, f"failed to register: {type(exc).__name__}: {exc}")
            return
        unknown = sorted(c.name for c in self.pm.get_hookcallers(plugin) or () if not c.has_spec())
        if unknown:  # a misspelt hook would otherwise be silently never called
            known = sorted(n for n, c in vars(self.pm.hook).items() if c.has_spec())
            self._fail(info, f"implements {', '.join(unknown)}, which is not a Packshot hook "
                             f"(hooks: {', '.join(known)})")
            return
        self._invalidate()

    def _fail(self, info: PluginInfo, message: str) -> None:
        info.status = "failed"
        info.error = message
        plugin = self.pm.get_plugin(info.name)
        if plugin is not None:
            self.pm.unregister(plugin)
        self._invalidate()

    def _invalidate(self) -> None:
        self._operations = None
        self._catalogue = None
        self._presets = None

    # ------------------------------------------------------------------ facade

    def _collect(self, hook_name: str) -> list[tuple[str, Any]]:
        """Call one hook plugin by plugin, pinning any failure on its plugin."""
        out: list[tuple[str, Any]] = []
        hook = getattr(self.pm.hook, hook_name)
        for impl in hook.get_hookimpls():  # registration order: the first provider wins
            name = impl.plugin_name
            start = time.perf_counter()
            try:
                items = list(impl.function() or [])
                out.extend((name, item) for item in items)
            except Exception as exc:
                self._fail(self.infos.setdefault(name, PluginInfo(name=name)),
                           f"{hook_name} raised {type(exc).__name__}: {exc}")
                self._trace(f"{hook_name}() of {name!r} raised {type(exc).__name__} after {_ms(start)}")
            else:
                self._trace(f"{hook_name}() of {name!r}: {len(items)} item(s) in {_ms(start)}")
        return out

    def _trace(self, message: str) -> None:
        if self._tracing:
            print(f"packshot: trace: {message}", file=sys.stderr)

    def operations(self) -> dict[str, Operation]:
        """All loaded operations by id."""
        if self._operations is None:
            ops: dict[str, Operation] = {}
            owner: dict[str, str] = {}
            refused: dict[str, tuple[str, str]] = {}
            for plugin, op in self._collect("packshot_operations"):
                problem = _operation_problem(op)
                if problem is None and op.id in ops:
                    problem = f"operation id {op.id!r} is already provided by plugin {owner[op.id]!r}"
                if problem:
                    self._note(plugin, problem)
                    if isinstance(getattr(op, "id", None), str) and op.id not in ops:
                        refused[op.id] = (plugin, problem)
                    continue
                ops[op.id] = op
                owner[op.id] = plugin
            for name, info in self.infos.items():
                info.operations = tuple(sorted(i for i, p in owner.items() if p == name))
            self._operations, self._op_plugin, self._refused = ops, owner, refused
        return self._operations

    def operation(self, op_id: str) -> Operation:
        ops = self.operations()
        if op_id not in ops:
            raise UnknownOperation(f"unknown operation {op_id!r}{self.why_missing(op_id)}")
        return ops[op_id]

    def why_missing(self, op_id: str) -> str:
        """Why no loaded plugin provides ``op_id``: its plugin was refused, failed or is
        disabled (and how to enable it), else the closest names."""
        ops = self.operations()
        if op_id in self._refused:
            plugin, problem = self._refused[op_id]
            return f": plugin {plugin!r} provides it, but it was refused: {problem}"
        family = op_id.split(".")[0]
        owner = self.infos.get(family)
        if owner is not None and owner.status != "loaded":
            return f": it would come from plugin {owner.name!r}, {self._not_loaded(owner)}"
        close = [i for i in ops if op_id.split(".")[-1] in i]
        hint = f" (did you mean {', '.join(close[:3])}?)" if close else " (see 'packshot ops')"
        absent = [f"{i.name!r} ({self._not_loaded(i)})" for i in self.infos.values() if i.status != "loaded"]
        return hint + (f"; not loaded: plugin {'; plugin '.join(absent)}" if absent else "")

    def _not_loaded(self, info: PluginInfo) -> str:
        if info.status == "failed":
            return f"which failed to load: {info.error}"
        if info.name in _env_list("PACKSHOT_DISABLE_PLUGINS"):
            return "which is disabled by PACKSHOT_DISABLE_PLUGINS; remove it from that variable"
        if self._only and info.name not in self._only:
            return "which is not in PACKSHOT_ONLY_PLUGINS; add it there"
        return f"which is disabled; enable it: packshot plugins --enable {info.name}"

    def plugin_of(self, op_id: str) -> PluginInfo:
        self.operations()
        name = self._op_plugin.get(op_id, "")
        return self.infos.get(name) or PluginInfo(name=name)

    def model_catalogue(self) -> list[dict[str, Any]]:
        if self._catalogue is None:
            from .models.catalogue import CatalogueEntry

            self._catalogue = self._unique("packshot_model_catalogue", "model", CatalogueEntry.from_mapping)
        return self._catalogue

    def export_presets(self) -> list[dict[str, Any]]:
        if self._presets is None:
            self._presets = self._unique("packshot_export_presets", "preset")
        return self._presets

    def _unique(self, hook_name: str, what: str,
                check: Callable[[Mapping[str, Any]], object] | None = None) -> list[dict[str, Any]]:
        """One item per name, each checked by ``check`` (which raises PackshotError);
        a bad item is skipped and reported against its plugin, the rest still serve."""
        out: dict[str, dict[str, Any]] = {}
        for plugin, item in self._collect(hook_name):
            if not isinstance(item, Mapping) or "name" not in item:
                self._note(plugin, f"{hook_name} returned a {what} without a name: {item!r:.80}")
                continue
            if check is not None:
                try:
                    check(item)
                except PackshotError as exc:
                    self._note(plugin, f"{what} skipped: {exc}")
                    continue
            if item["name"] in out:
                self._note(plugin, f"{what} {item['name']!r} is already provided by another plugin")
                continue
            out[item["name"]] = {**item, "plugin": plugin}
        return list(out.values())

    def _note(self, plugin: str, problem: str) -> None:
        info = self.infos.setdefault(plugin, PluginInfo(name=plugin))
        info.error = f"{info.error}; {problem}" if info.error else problem

    def plugins(self) -> list[PluginInfo]:
        """Every plugin, with what it contributes and what of it was refused."""
        self.operations()
        self.model_catalogue()
        self.export_presets()
        return sorted(self.infos.values(), key=lambda i: (not i.builtin, i.name))

    def failures(self) -> list[PluginInfo]:
        return [i for i in self.plugins() if i.status == "failed"]


def _ms(start: float) -> str:
    return f"{(time.perf_counter() - start) * 1000:.1f} ms"


def _operation_problem(op: Any) -> str | None:
    if not isinstance(op, Operation):
        return f"packshot_operations returned {type(op).__name__}, not an Operation"
    if not isinstance(op.id, str) or "." not in op.id:
        return f"operation {op!r} needs a dotted id such as 'family.name'"
    if not op.family:
        return f"operation {op.id!r} has no family"
    if op.tier not in TIERS:
        return f"operation {op.id!r} has tier {op.tier!r}; expected one of {', '.join(TIERS)}"
    try:
        check_spec(op.params)
    except BadParameter as exc:
        return f"operation {op.id!r} refused: {exc}"
    return None


def load_plugins(disabled: Iterable[str] | None = None) -> PluginHost:
    """A PluginHost with every installed plugin loaded, honouring the saved disabled list."""
    if disabled is None:
        from .settings import load_settings

        disabled = load_settings().disabled_plugins
    return PluginHost(disabled=disabled).load_entry_points()
