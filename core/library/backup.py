"""Keeping the library safe: a check when it opens, a backup of the last sound copy, a restore.

SQLite's own errors say little to a photographer ("database disk image is malformed"), and
a library emptied to 0 bytes would silently become a new, empty one with every rating gone.
So before a library is used it is checked (SQLite's quick check, and the tables its schema
version must have). A damaged one is moved aside and its newest sound backup put in its
place, with a message saying so; with no backup it is left alone and one clear error says
what is wrong. A sound one is then copied (SQLite's backup API, consistent even while
another process writes) to ``library.sqlite.backup`` before any migration runs, the
previous copy kept as ``.backup.1``.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
from pathlib import Path

from ..errors import BadInput
from .schema import SCHEMA_VERSION, schema_objects, schema_version

BACKUPS = 2
_DAMAGE = {"SQLITE_CORRUPT", "SQLITE_NOTADB"}  # other errors (busy, permissions) are not damage


def backup_paths(path: Path) -> list[Path]:
    """The library's backups, newest first."""
    return [path.with_name(f"{path.name}.backup")] + [
        path.with_name(f"{path.name}.backup.{n}") for n in range(1, BACKUPS)]


def safeguard(path: Path) -> str:
    """Check the library at ``path``, restore it if damaged, back it up; returns what was done
    to it for the person to read ('' when it was sound or new)."""
    problem = damage(path)
    notice = restore(path, problem) if problem else ""
    back_up(path)
    return notice


def damage(path: Path) -> str:
    """What is wrong with the library file, '' when it is sound or does not exist yet."""
    if not path.exists():
        return ""
    if path.stat().st_size == 0:
        return "the file is empty (0 bytes)"
    try:
        conn = sqlite3.connect(path, timeout=30)
        try:
            check = [row[0] for row in conn.execute("PRAGMA quick_check")]
            version = schema_version(conn)
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if getattr(exc, "sqlite_errorname", "") not in _DAMAGE:
            raise BadInput(f"{path}: the library cannot be opened ({exc})") from exc
        return str(exc)
    if check != ["ok"]:
        return "; ".join(check[:2])
    if version > SCHEMA_VERSION:
        return ""  # a newer Packshot's library: migrate() refuses it, naming the versions
    missing = schema_objects(version) - names
    if missing:
        return f"missing {', '.join(sorted(missing))}"
    if version == 0 and names:
        return f"not a Packshot library (it holds {', '.join(sorted(names))})"
    return ""


def restore(path: Path, problem: str) -> str:
    """Put the newest sound backup in place of the damaged library, keeping the damaged file."""
    for backup in backup_paths(path):
        if backup.exists() and not damage(backup):
            aside = path.with_name(f"{path.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}")
            for suffix in ("", "-wal", "-shm"):
                if Path(f"{path}{suffix}").exists():
                    os.replace(f"{path}{suffix}", f"{aside}{suffix}")
            _copy(backup, path)
            made = time.strftime("%Y-%m-%d %H:%M", time.localtime(backup.stat().st_mtime))
            return (f"{path}: the library was damaged ({problem}); restored from its backup of {made} "
                    f"(changes made since are lost); the damaged file is kept as {aside.name}")
    if path.stat().st_size == 0:
        path.unlink()
        return f"{path}: the library was empty (0 bytes) and had no backup; a new, empty library was started"
    raise BadInput(f"{path}: the library is damaged ({problem}) and has no backup; "
                   "move the file aside to start a new library")


def back_up(path: Path) -> None:
    """Copy the library to its newest backup; the older backups move down one."""
    if not path.exists() or path.stat().st_size == 0:
        return
    paths = backup_paths(path)
    for newer, older in zip(paths[-2::-1], paths[:0:-1]):
        if newer.exists():
            os.replace(newer, older)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        _copy(path, Path(tmp))
        os.replace(tmp, paths[0])
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _copy(source: Path, dest: Path) -> None:
    """A consistent copy through SQLite's backup API, as a plain (non-WAL) file."""
    src, dst = sqlite3.connect(source, timeout=30), sqlite3.connect(dest)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")
    finally:
        src.close()
        dst.close()
