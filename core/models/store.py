"""The model store: the models folder, what is installed, installing, loading, releasing.

How an operation uses it (``ctx.models`` is a :class:`ModelStore`; where a Context has
none, :func:`packshot.core.models.store_for` opens the default one)::

    from packshot.core.models import store_for

    store = store_for(ctx)
    path = store.path("realesrgan-x4plus")          # a checked file, or MissingModel
    with store.use("realesrgan-x4plus", ctx.device) as model:  # cached spandrel descriptor
        ...  # image-to-image networks: packshot.core.models.inference.run_image_model(model, pixels, ctx)

``path`` and ``use`` raise :class:`~packshot.core.errors.MissingModel` with the line a person
needs, e.g. ``model 'realesrgan-x4plus' is not installed; install it: packshot models
download realesrgan-x4plus``. The store is the only cache of loaded models: families with
their own readers (ONNX sessions, diffusion pipelines) pass ``loader=`` to
:meth:`ModelStore.use`, and :meth:`ModelStore.release` frees them all. A cached model runs
one job at a time (``use`` holds it); loading takes that model's lock only. Checksums
are verified on first use and remembered by file size and modification time in
``.packshot-models.json`` inside the folder, which also lists custom models a person
installed.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BadInput, BadParameter, MissingModel
from ..output_guard import atomic_write
from .catalogue import CatalogueEntry
from .checksum import sha256_file
from .download import DownloadProgress, download, part_path

INDEX_NAME = ".packshot-models.json"
Loader = Callable[[Path, str], Any]
_Key = tuple[str, str, str, str]  # name, device, kind, variant
_NOT_LOADED = object()


@dataclass(frozen=True)
class ModelStatus:
    """One row of ``packshot models list``."""

    entry: CatalogueEntry
    state: str  # installed | missing | corrupt
    path: Path
    detail: str = ""

    @property
    def installed(self) -> bool:
        return self.state == "installed"


_WAIT_POLL = 0.1  # seconds between checks while a model is busy with another job


@dataclass
class _Slot:
    """One cached model with its two locks: loading it, and running it."""

    stamp: tuple[int, int]
    model: Any = _NOT_LOADED
    loading: threading.Lock = field(default_factory=threading.Lock)
    using: threading.RLock = field(default_factory=threading.RLock)


def download_hint(name: str) -> str:
    return f"install it: packshot models download {name}"


class ModelStore:
    """Catalogue + models folder + a cache of loaded models (one store per process is enough)."""

    def __init__(self, folder: str | Path, catalogue: Iterable[Mapping[str, Any]] = (),
                 device: str = "auto") -> None:
        self.folder = Path(folder)
        self.device = device
        self._lock = threading.RLock()
        self._catalogue: dict[str, CatalogueEntry] = {}
        for item in catalogue:
            entry = CatalogueEntry.from_mapping(item)
            self._catalogue.setdefault(entry.name, entry)
        self._slots: dict[_Key, _Slot] = {}
        self._index_cache: tuple[tuple[int, int, int], dict[str, Any], dict[str, CatalogueEntry]] | None = None

    # ------------------------------------------------------------------ catalogue

    def entries(self, *, family: str | None = None, task: str | None = None) -> list[CatalogueEntry]:
        """Catalogue and custom entries, optionally of one family and/or task."""
        found = [*self._catalogue.values(), *self._custom().values()]
        return [e for e in found if (family is None or e.family == family)
                and (task is None or e.task == task)]

    def entry(self, name: str) -> CatalogueEntry:
        custom = self._custom()
        if name in self._catalogue:
            return self._catalogue[name]
        if name in custom:
            return custom[name]
        raise BadParameter(f"unknown model {name!r} (see 'packshot models list')")

    # ------------------------------------------------------------------ status

    def status(self, name: str) -> ModelStatus:
        entry = self.entry(name)
        path = self.folder / entry.file
        if path.is_dir():  # a pipeline folder (diffusers): its files are checked by its loader
            return ModelStatus(entry, "installed" if any(path.iterdir()) else "missing", path, "folder")
        if not path.is_file():
            return ModelStatus(entry, "missing", path)
        size = path.stat().st_size
        if entry.size and size != entry.size:
            return ModelStatus(entry, "corrupt", path, f"{size} bytes, expected {entry.size}")
        if entry.sha256:
            actual = self._cached_sha256(path)
            if actual != entry.sha256:
                return ModelStatus(entry, "corrupt", path, "checksum mismatch")
        return ModelStatus(entry, "installed", path, "" if entry.sha256 else "checksum not in catalogue")

    def statuses(self, **filters: str | None) -> list[ModelStatus]:
        return [self.status(e.name) for e in self.entries(**filters)]

    def is_installed(self, name: str) -> bool:
        return self.status(name).installed

    def installed(self, *, family: str | None = None, task: str | None = None) -> list[CatalogueEntry]:
        return [s.entry for s in self.statuses(family=family, task=task) if s.installed]

    def path(self, name: str) -> Path:
        """The checked file of an installed model, or MissingModel saying how to install it."""
        status = self.status(name)
        if status.state == "missing":
            raise MissingModel(f"model {name!r} is not installed; {self._install_hint(status.entry)}")
        if status.state == "corrupt":
            raise MissingModel(f"model {name!r} is damaged ({status.detail}); "
                               f"reinstall it: {self._install_hint(status.entry).split(': ', 1)[1]}")
        return status.path

    def _install_hint(self, entry: CatalogueEntry) -> str:
        if entry.custom or not entry.url:
            return f"install it: packshot models install FILE (a copy of {entry.file})"
        return download_hint(entry.name)

    # ------------------------------------------------------------------ install

    def install(self, source: str | Path, name: str | None = None, task: str | None = None,
                rank: int | None = None) -> CatalogueEntry:
        """Copy a weights file in after checking it is what it claims to be.

        The file is matched to the catalogue by ``name``, else by its SHA-256, else by
        its file name (unless ``name`` is a new one), and must then pass
        :func:`~.verify.check_catalogue_file`. A file in no catalogue becomes a custom
        model of the ``task`` it was trained for (or the one given), ranked ``rank``.
        """
        from .verify import check_catalogue_file, custom_entry

        source = Path(source)
        if not source.is_file():
            raise BadInput(f"{source}: no such file")
        digest = sha256_file(source)
        entry = self._match(source, digest, name)
        if entry is None:
            entry = custom_entry(source, digest, name, task, rank, self._catalogue)
        else:
            genuine = next((e for e in self._catalogue.values() if e.sha256 == digest), None)
            check_catalogue_file(entry, source, digest, task, genuine)
        self._copy_in(source, entry.file)
        self._remember_sha256(self.folder / entry.file, digest)
        if entry.custom:
            self._save_custom(entry)
        self.release(entry.name)
        return entry

    def _match(self, source: Path, digest: str, name: str | None) -> CatalogueEntry | None:
        if name is not None and name in self._catalogue:
            return self._catalogue[name]
        by_hash = [e for e in self._catalogue.values() if e.sha256 == digest]
        if by_hash:
            return by_hash[0]
        by_file = [e for e in self._catalogue.values() if e.file == source.name and name is None]
        return by_file[0] if by_file else None

    def _copy_in(self, source: Path, file_name: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.folder / file_name
        fd, tmp = tempfile.mkstemp(prefix=f".{file_name}.", suffix=".part", dir=self.folder)
        os.close(fd)
        try:
            shutil.copyfile(source, tmp)
            os.chmod(tmp, 0o644)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def download(self, name: str, progress: DownloadProgress | None = None,
                 cancelled: Callable[[], bool] | None = None, retries: int = 3) -> Path:
        """Download a catalogue model (resuming a partial file) and verify it."""
        entry = self.entry(name)
        if not entry.url:
            raise BadInput(f"model {name!r} has no download address; {self._install_hint(entry)}")
        target = self.folder / entry.file
        if self.status(name).installed:
            return target
        if target.exists():
            target.unlink()
        download(entry.url, target, sha256=entry.sha256, size=entry.size, progress=progress,
                 cancelled=cancelled, retries=retries)
        if entry.sha256:
            self._remember_sha256(target, entry.sha256)
        else:  # no published checksum: at least the right kind of network
            from .verify import check_catalogue_file

            try:
                check_catalogue_file(entry, target, sha256_file(target))
            except BadInput:
                target.unlink(missing_ok=True)
                raise
        self.release(name)
        return target

    def partial_download(self, name: str) -> Path | None:
        part = part_path(self.folder / self.entry(name).file)
        return part if part.exists() else None

    # ------------------------------------------------------------------ loading

    def load(self, name: str, device: str | None = None, loader: Loader | None = None, *,
             source: Path | None = None, kind: str = "", variant: str = "",
             exclusive: bool = False) -> Any:
        """The loaded model (cached until :meth:`release`); to run it, use :meth:`use`.

        spandrel entries give a spandrel ``ModelDescriptor`` on the resolved device (fp16
        where spandrel says it is safe); ``opencv-superres`` entries a ready
        ``cv2.dnn_superres`` object; other loaders need ``loader(path, device)``, with
        ``kind`` naming what it makes (``onnx``, ``diffusers``) and ``variant`` any setting
        that makes a different object from the same file. ``source`` is an already checked
        file or folder outside the catalogue (a checkpoint given by path), cached under
        ``name``. ``exclusive`` keeps one model of its kind: loading it releases the others.
        Two callers asking for one model at once cause one load; models load in parallel.
        """
        return self._slot(name, device, loader, source, kind, variant, exclusive).model

    @contextmanager
    def use(self, name: str, device: str | None = None, loader: Loader | None = None, *,
            source: Path | None = None, kind: str = "", variant: str = "",
            exclusive: bool = False, while_waiting: Callable[[], None] | None = None) -> Iterator[Any]:
        """The loaded model (as :meth:`load`), held for this caller alone until the block ends.

        Networks keep state while they run (OpenCV's buffers, a diffusion scheduler's
        timesteps, a torch module's device and precision), so a cached model runs one job
        at a time; the same thread may nest uses. A job waiting for another job's model
        calls ``while_waiting`` (``ctx.check_cancelled``) a few times a second, so it can be
        cancelled before its turn comes.
        """
        slot = self._slot(name, device, loader, source, kind, variant, exclusive)
        while not slot.using.acquire(timeout=_WAIT_POLL):
            if while_waiting is not None:
                while_waiting()
        try:
            yield slot.model
        finally:
            slot.using.release()

    def _slot(self, name: str, device: str | None, loader: Loader | None, source: Path | None,
              kind: str, variant: str, exclusive: bool) -> _Slot:
        path = source if source is not None else self.path(name)
        read = loader
        if read is None:
            entry = self.entry(name)
            read, kind = _built_in_loader(entry), entry.loader
        wanted = device or self.device
        if kind == "spandrel":
            from .devices import resolve_device

            wanted = resolve_device(wanted)
        key = (name, wanted, kind or "custom", variant)
        stamp = _stamp(path)
        with self._lock:  # a file replaced behind the store's back is loaded afresh
            slot = self._slots.get(key)
            if slot is None or slot.stamp != stamp:
                slot = self._slots[key] = _Slot(stamp)
        with slot.loading:  # this model's lock: other models load (and run) meanwhile
            if slot.model is _NOT_LOADED:
                if exclusive:
                    self._forget(lambda k: k[2] == key[2] and k != key)
                slot.model = read(path, wanted)
        return slot

    def loaded(self) -> list[str]:
        with self._lock:
            return sorted({k[0] for k, slot in self._slots.items() if slot.model is not _NOT_LOADED})

    def release(self, name: str | None = None) -> None:
        """Forget loaded models (one, or all) and give their GPU memory back.

        A job still using one keeps it until it finishes; the next job loads afresh.
        """
        self._forget(lambda k: name is None or k[0] == name)
        import sys

        torch = sys.modules.get("torch")
        if torch is not None and torch.cuda.is_available():
            torch.cuda.empty_cache()

    def _forget(self, which: Callable[[_Key], bool]) -> None:
        with self._lock:
            for key in [k for k in self._slots if which(k)]:
                del self._slots[key]

    # ------------------------------------------------------------------ index file

    def _index(self) -> dict[str, Any]:
        """The index file's contents (read-only), read again only when the file changed."""
        return self._read_index()[0]

    def _read_index(self) -> tuple[dict[str, Any], dict[str, CatalogueEntry]]:
        """The index and its custom entries, cached by the file's stamp: catalogue look-ups
        happen several times per load and per dialog row."""
        path = self.folder / INDEX_NAME
        try:
            stat = path.stat()
        except OSError:
            return {}, {}
        stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        with self._lock:
            if self._index_cache is None or self._index_cache[0] != stamp:
                try:
                    data = json.loads(path.read_text("utf-8"))
                except (OSError, ValueError):
                    data = {}
                data = data if isinstance(data, dict) else {}
                self._index_cache = (stamp, data, self._custom_entries(data))
            return self._index_cache[1], self._index_cache[2]

    def _write_index(self, data: dict[str, Any]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        raw = json.dumps(data, indent=1, sort_keys=True).encode("utf-8")
        atomic_write(self.folder / INDEX_NAME, lambda fh: fh.write(raw))

    def _cached_sha256(self, path: Path) -> str:
        stat = path.stat()
        stamp = [stat.st_size, stat.st_mtime_ns]
        with self._lock:
            known = self._index().get("sha256", {}).get(path.name)
            if known and known.get("stamp") == stamp:
                return known["sha256"]
        digest = sha256_file(path)
        self._remember_sha256(path, digest)
        return digest

    def _remember_sha256(self, path: Path, digest: str) -> None:
        stat = path.stat()
        with self._lock:
            data = copy.deepcopy(self._index())
            data.setdefault("sha256", {})[path.name] = {
                "stamp": [stat.st_size, stat.st_mtime_ns], "sha256": digest}
            self._write_index(data)

    def _custom(self) -> dict[str, CatalogueEntry]:
        return self._read_index()[1]

    def _custom_entries(self, data: dict[str, Any]) -> dict[str, CatalogueEntry]:
        items = data.get("custom", [])
        out = {}
        for item in items if isinstance(items, list) else []:
            try:
                entry = CatalogueEntry.from_mapping({**item, "custom": True})
            except (BadInput, TypeError, ValueError):
                continue
            if entry.name not in self._catalogue:
                out[entry.name] = entry
        return out

    def _save_custom(self, entry: CatalogueEntry) -> None:
        with self._lock:
            data = copy.deepcopy(self._index())
            items = [i for i in data.get("custom", []) if i.get("name") != entry.name]
            record = {k: v for k, v in entry.describe().items() if k not in ("extra", "custom")}
            data["custom"] = [*items, record]
            self._write_index(data)


def _stamp(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def _built_in_loader(entry: CatalogueEntry) -> Loader:
    """How the store itself reads an entry: spandrel networks and OpenCV's dnn_superres."""
    if entry.loader == "spandrel":
        return lambda path, device: _load_spandrel(path, device, entry)
    if entry.loader == "opencv-superres":
        return lambda path, device: _load_opencv_superres(path, entry)
    raise BadParameter(f"model {entry.name!r} is read by the {entry.loader!r} loader; "
                       "pass loader= to ModelStore.use")


def _load_spandrel(path: Path, device: str, entry: CatalogueEntry):
    from .devices import use_half
    from .safe_load import load_spandrel
    from .verify import check_loaded

    descriptor = load_spandrel(path)
    check_loaded(entry, descriptor, path)
    descriptor.to(device)
    if use_half(descriptor, device):
        descriptor.half()
    descriptor.eval()
    return descriptor


def _load_opencv_superres(path: Path, entry: CatalogueEntry):
    import cv2

    algorithm = entry.architecture.lower()
    if algorithm not in ("fsrcnn", "espcn", "lapsrn", "edsr"):
        raise BadParameter(f"model {entry.name!r}: architecture {entry.architecture!r} is not an "
                           "OpenCV dnn_superres network")
    sr = cv2.dnn_superres.DnnSuperResImpl_create()  # type: ignore[attr-defined]  # contrib, not in the stubs
    try:
        sr.readModel(str(path))
    except cv2.error as exc:
        raise BadInput(f"{path.name}: OpenCV could not read this network ({exc})") from exc
    sr.setModel(algorithm, int(entry.scale))
    return sr
