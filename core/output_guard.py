"""The one path every file Packshot writes goes through.

A target is checked before any work starts (never an input, also through a link; never an
existing file unless the person asked; a folder that exists and takes a file of that name)
and again when the file is moved into place. Files are written to a temporary ``.part``
beside the target and renamed, all of a command's files together, so a failure leaves none
of them behind. A ``.part`` carries its writer's process id, so a later run can remove the
ones a killed run left without touching those a live run is still writing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from .errors import BadInput

# Writes a file's bytes to ``fh``; what it returns (``fh.write``'s count) is ignored.
Writer = Callable[[BinaryIO], object]

PART_SUFFIX = ".part"
_RANDOM_LEN = 8  # what tempfile.mkstemp inserts between prefix and suffix
_OURS = re.compile(rf"\..*\.(\d+)-[a-z0-9_]{{{_RANDOM_LEN}}}\.part")
_LEGACY = re.compile(rf"\..+\.[a-z0-9_]{{{_RANDOM_LEN}}}\.part")  # before parts carried a pid

# mkstemp makes owner-only files; a written file gets the mode any new file would get.
_UMASK = os.umask(0o022)
os.umask(_UMASK)
_FILE_MODE = 0o666 & ~_UMASK


def check_outputs(targets: Iterable[str | Path], *, protect: Iterable[str | Path | None] = (),
                  overwrite: bool = False) -> list[Path]:
    """Refuse, before any work, targets that cannot or must not be written; returns them as Paths.

    ``protect`` lists the files being read (the input, a mask, a recipe): no target may be
    one of them, whatever name or link leads to it. Each target's folder is probed with a
    real temporary file, so a read-only or full folder is reported now, not after the work.
    """
    paths = [Path(t) for t in targets]
    sources = [Path(p) for p in protect if p is not None]
    seen: dict[str, Path] = {}
    for path in paths:
        _check_target(path, sources, overwrite)
        key = os.path.normcase(os.path.abspath(path))
        if key in seen:
            raise BadInput(f"{path}: named twice as an output")
        seen[key] = path
    for folder in {p.parent for p in paths}:
        _probe(folder)
    return paths


def write_files(writes: Sequence[tuple[str | Path, Writer]], *, protect: Iterable[str | Path | None] = (),
                overwrite: bool = True, sync: bool = True) -> list[Path]:
    """Write each ``(target, writer)`` to a ``.part`` beside it, then move them all into place.

    If any writer or the file system fails, every ``.part`` is removed and no target is
    touched; an OS error becomes one :class:`BadInput` line naming the file.
    ``sync=False`` skips the fsync, for caches that can be remade (thumbnails).
    """
    sources = [Path(p) for p in protect if p is not None]
    parts: list[tuple[str, Path]] = []
    try:
        for target, write in writes:
            target = Path(target)
            _check_target(target, sources, overwrite)
            fd, tmp = _open_part(target)
            parts.append((tmp, target))
            with os.fdopen(fd, "wb") as fh:
                write(fh)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
            os.chmod(tmp, _FILE_MODE)
        for _, target in parts:  # again: the work took a while, and a file may have appeared
            _check_target(target, sources, overwrite)
        for tmp, target in parts:
            os.replace(tmp, target)
    except OSError as exc:
        raise BadInput(f"{_failed_name(exc, parts)}: cannot write ({_reason(exc)})") from exc
    finally:
        for tmp, _ in parts:
            with contextlib.suppress(OSError):  # moved into place, or left for the next run
                os.unlink(tmp)
    return [Path(t) for t, _ in writes]


def atomic_write(path: str | Path, write: Writer, *, sync: bool = True, overwrite: bool = True,
                 protect: Iterable[str | Path | None] = ()) -> Path:
    """Call ``write(fh)`` on a temporary file beside ``path`` and move it into place.

    If ``write`` raises (or the process dies) the target is untouched and the
    temporary file is removed, so a half-written file never carries the final name.
    ``sync=False`` skips the fsync, for caches that can be remade (thumbnails).
    The checks of :func:`write_files` apply: never over a file in ``protect``.
    """
    return write_files([(path, write)], protect=protect, overwrite=overwrite, sync=sync)[0]


def remove_stale_parts(folder: str | Path, *, older_than: float) -> list[Path]:
    """Remove the ``.part`` files a killed run left in ``folder``; returns those removed.

    A part is stale when it was last written before ``older_than`` (the time this run
    started) and the process that wrote it is gone. Parts of live writers are kept.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        ours = _OURS.fullmatch(entry.name)
        if not ours and not _LEGACY.fullmatch(entry.name):
            continue
        try:
            if not entry.is_file(follow_symlinks=False) or entry.stat(follow_symlinks=False).st_mtime >= older_than:
                continue
            if ours and _alive(int(ours.group(1))):
                continue
            os.unlink(entry.path)
        except OSError:  # gone already, or still open by its writer (Windows refuses then)
            continue
        removed.append(Path(entry.path))
    return removed


def _check_target(path: Path, sources: list[Path], overwrite: bool) -> None:
    folder = path.parent
    if not folder.exists():
        raise BadInput(f"{folder}: output folder does not exist")
    if not folder.is_dir():
        raise BadInput(f"{folder}: is a file, not a folder")
    limit = _name_max(folder)
    size = len(os.fsencode(path.name))
    if size > limit:  # before any stat of the path, which would fail with ENAMETOOLONG
        raise BadInput(f"{path.name[:40]}...: file name is {size} bytes, more than the {limit} "
                       "this file system allows")
    if path.is_dir():
        raise BadInput(f"{path}: is a folder; give a file name to write")
    for source in sources:
        if _same_file(path, source):
            raise BadInput(f"{path}: refusing to overwrite the original {source.name}; "
                           "choose another output path")
    if not overwrite and (path.exists() or path.is_symlink()):
        raise BadInput(f"{path}: already exists (use --overwrite to replace it)")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two names lead to one file: same device and inode, links followed."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _probe(folder: Path) -> None:
    """Create and remove a part in ``folder``: the cheapest proof that a write can succeed."""
    try:
        fd, tmp = _open_part(folder / "probe")
        os.close(fd)
        os.unlink(tmp)
    except OSError as exc:
        raise BadInput(f"{folder}: cannot write there ({_reason(exc)})") from exc


def _open_part(target: Path) -> tuple[int, str]:
    """A new temporary file beside ``target``, its name cut to fit the file system in bytes."""
    head = f".{os.getpid()}-"
    room = _name_max(target.parent) - len(os.fsencode(f".{head}{PART_SUFFIX}")) - _RANDOM_LEN
    name = os.fsencode(target.name)[: max(room, 1)].decode("utf-8", "ignore") or "x"
    return tempfile.mkstemp(prefix=f".{name}{head}", suffix=PART_SUFFIX, dir=target.parent)


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder, "PC_NAME_MAX")
    except (AttributeError, OSError, ValueError):
        return 255


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # Windows refuses to delete a file its writer still holds open
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """A killed writer nobody has reaped yet (common in containers whose pid 1 never reaps)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:].startswith("Z")


def _failed_name(exc: OSError, parts: list[tuple[str, Path]]) -> str:
    for tmp, target in parts:
        if exc.filename in (tmp, str(target)):
            return str(target)
    return str(exc.filename or (parts[-1][1] if parts else "output"))


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the disk"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    return exc.strerror or str(exc)
