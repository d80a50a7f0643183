"""The library: a SQLite catalogue of the folders a person opened.

One file per picture with its size, time, content hash, dimensions, format, colour
profile, rating, flag, colour label, tags, edit stack and export history. Rescans read
only files whose size or time changed; a file that moved keeps its marks (found again by
its content hash), a deleted one is marked missing and comes back if it reappears. A
newly found file takes the rating, flag and label of its XMP sidecar, if it has one.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import BadInput
from ..imageio import require_regular_file
from ..recipe import EditStack
from ..settings import data_dir
from . import xmp
from .backup import safeguard
from .probe import FileFacts, content_hash, image_files, probe
from .schema import migrate
from .thumbnails import DEFAULT_SIZE, cached_thumbnail, make_thumbnails

FLAGS = xmp.FLAGS
LABELS = xmp.LABELS


def default_library_path() -> Path:
    return data_dir() / "library.sqlite"


@dataclass(frozen=True)
class FileRecord:
    """One catalogued picture, as the library panel shows it."""

    id: int
    path: Path
    folder: Path
    name: str
    size: int
    mtime_ns: int
    hash: str
    width: int | None
    height: int | None
    format: str | None
    profile: str
    error: str
    rating: int
    flag: str
    label: str
    missing: bool
    tags: tuple[str, ...] = ()


@dataclass
class ScanReport:
    """What one scan found; ``read`` lists the files whose bytes were read."""

    folder: Path
    added: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    moved: list[tuple[Path, Path]] = field(default_factory=list)
    missing: list[Path] = field(default_factory=list)
    unchanged: int = 0
    failed: list[tuple[Path, str]] = field(default_factory=list)
    notes: list[tuple[Path, str]] = field(default_factory=list)  # skipped files, sidecar values ignored

    @property
    def read(self) -> list[Path]:
        return sorted(self.added + self.updated + [new for _, new in self.moved])


_COLUMNS = ("id, folder_id, path, name, size, mtime_ns, hash, width, height, format, profile, error, "
            "rating, flag, label, missing")


class Library:
    """A catalogue in one SQLite file (WAL mode); safe to share between threads.

    ``Library.open()`` uses the user's data folder; pass a path for another catalogue.
    """

    def __init__(self, path: str | Path | None = None, *, thumbnails: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_library_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.thumbnail_folder = thumbnails
        self._lock = threading.RLock()
        # What was done to a damaged library as it opened (restored from its backup), for the
        # front end to show; also issued as a warning. '' when it was sound.
        self.recovered = safeguard(self.path)
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=30,
                                       factory=_Connection)
            self._db.where = str(self.path)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA synchronous=NORMAL")
        except (sqlite3.DatabaseError, BadInput) as exc:
            raise BadInput(f"{self.path}: not a Packshot library ({exc})") from exc
        migrate(self._db, str(self.path))
        if self.recovered:
            warnings.warn(self.recovered, stacklevel=2)

    @classmethod
    def open(cls, path: str | Path | None = None, *, thumbnails: Path | None = None) -> Library:
        """The library at ``path``, by default the user's own (created on first use)."""
        return cls(path, thumbnails=thumbnails)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tx(self):
        return _Transaction(self._db, self._lock)

    # ------------------------------------------------------------------ folders and scans

    def folders(self) -> list[Path]:
        with self._lock:
            return [Path(r[0]) for r in self._db.execute("SELECT path FROM folders ORDER BY path")]

    def add_folder(self, folder: str | Path, *, recursive: bool = True,
                   on_progress: Callable[[float, str], None] | None = None) -> ScanReport:
        """Catalogue a folder (or rescan it if already known)."""
        folder = Path(folder).resolve()
        if not folder.is_dir():
            raise BadInput(f"{folder}: not a folder")
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO folders (path, recursive, added) VALUES (?, ?, ?)",
                       (str(folder), int(recursive), time.time()))
            db.execute("UPDATE folders SET recursive = ? WHERE path = ?", (int(recursive), str(folder)))
        return self.scan(folder, on_progress=on_progress)

    def remove_folder(self, folder: str | Path) -> None:
        """Forget a folder and everything catalogued in it (the files stay on disk)."""
        with self._tx() as db:
            db.execute("DELETE FROM folders WHERE path = ?", (str(Path(folder).resolve()),))

    def scan(self, folder: str | Path, *, on_progress: Callable[[float, str], None] | None = None) -> ScanReport:
        """Rescan a catalogued folder: read new and changed files only; track moves and deletions."""
        folder = Path(folder).resolve()
        with self._lock:
            row = self._db.execute("SELECT id, recursive FROM folders WHERE path = ?", (str(folder),)).fetchone()
        if row is None:
            raise BadInput(f"{folder}: not in the library; add it first")
        folder_id, recursive = row
        report = ScanReport(folder)
        on_disk = image_files(folder, bool(recursive)) if folder.is_dir() else []
        with self._lock:
            known = {r[0]: (r[1], r[2], r[3], r[4]) for r in self._db.execute(
                "SELECT path, id, size, mtime_ns, missing FROM files WHERE folder_id = ?", (folder_id,))}
        fresh: list[tuple[Path, FileFacts]] = []
        for i, path in enumerate(on_disk):
            if on_progress is not None:
                on_progress(i / max(len(on_disk), 1), path.name)
            try:
                stat = require_regular_file(path)
            except BadInput as exc:
                report.notes.append((path, f"skipped: {exc}"))
                continue
            old = known.get(str(path))
            if old is not None and old[1] == stat.st_size and old[2] == stat.st_mtime_ns and not old[3]:
                report.unchanged += 1
                continue
            try:
                facts = probe(path, stat)
            except OSError as exc:
                report.failed.append((path, str(exc)))
                continue
            if facts.error:
                report.failed.append((path, facts.error))
            fresh.append((path, facts))
        present = {str(p) for p in on_disk}
        gone = {p: v[0] for p, v in known.items() if p not in present}
        self._apply_scan(folder_id, fresh, gone, known, report)
        if on_progress is not None:
            on_progress(1.0, "scanned")
        return report

    def _apply_scan(self, folder_id: int, fresh: list[tuple[Path, FileFacts]], gone: dict[str, int],
                    known: dict[str, tuple], report: ScanReport) -> None:
        now = time.time()
        with self._tx() as db:
            for path, f in fresh:
                values = (f.size, f.mtime_ns, f.hash, f.width, f.height, f.format, f.profile, f.error, now)
                if str(path) in known:
                    db.execute("UPDATE files SET size=?, mtime_ns=?, hash=?, width=?, height=?, format=?, "
                               "profile=?, error=?, updated=?, missing=0 WHERE path=?", (*values, str(path)))
                    report.updated.append(path)
                    continue
                moved = self._moved_from(db, f.hash, gone)
                if moved is not None:
                    old_path, file_id = moved
                    db.execute("UPDATE files SET folder_id=?, path=?, name=?, size=?, mtime_ns=?, hash=?, "
                               "width=?, height=?, format=?, profile=?, error=?, updated=?, missing=0 "
                               "WHERE id=?", (folder_id, str(path), path.name, *values, file_id))
                    gone.pop(old_path, None)
                    report.moved.append((Path(old_path), path))
                    continue
                marks = _sidecar_marks(path)
                report.notes.extend((path, note) for note in marks.notes)
                db.execute("INSERT INTO files (folder_id, path, name, size, mtime_ns, hash, width, height, "
                           "format, profile, error, added, updated, rating, flag, label) "
                           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                           (folder_id, str(path), path.name, *values[:-1], now, now,
                            marks.rating, marks.flag, marks.label))
                report.added.append(path)
            for old_path, file_id in gone.items():
                db.execute("UPDATE files SET missing=1 WHERE id=? AND missing=0", (file_id,))
                report.missing.append(Path(old_path))

    @staticmethod
    def _moved_from(db: sqlite3.Connection, digest: str, gone: dict[str, int]) -> tuple[str, int] | None:
        """A catalogued file with this content that is no longer where it was."""
        for file_id, path in db.execute("SELECT id, path FROM files WHERE hash = ?", (digest,)):
            if path in gone or not Path(path).exists():
                return path, file_id
        return None

    def rescan_all(self) -> list[ScanReport]:
        return [self.scan(f) for f in self.folders() if f.is_dir()]

    def forget_missing(self) -> int:
        """Drop files marked missing (their ratings, tags and history go with them)."""
        with self._tx() as db:
            return db.execute("DELETE FROM files WHERE missing = 1").rowcount

    # ------------------------------------------------------------------ reading

    def files(self, folder: str | Path | None = None, *, min_rating: int = 0, flag: str | None = None,
              label: str | None = None, tag: str | None = None, include_missing: bool = False) -> list[FileRecord]:
        """Catalogued files, sorted by path, filtered as the library panel asks."""
        where: list[str] = []
        args: list[Any] = []
        if folder is not None:
            where.append("folder_id = (SELECT id FROM folders WHERE path = ?)")
            args.append(str(Path(folder).resolve()))
        if min_rating:
            where.append("rating >= ?")
            args.append(int(min_rating))
        if flag is not None:
            where.append("flag = ?")
            args.append(flag)
        if label is not None:
            where.append("label = ?")
            args.append(label)
        if tag is not None:
            where.append("id IN (SELECT file_id FROM tags WHERE tag = ?)")
            args.append(tag)
        if not include_missing:
            where.append("missing = 0")
        sql = f"SELECT {_COLUMNS} FROM files" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY path"
        with self._lock:
            return self._records(self._db.execute(sql, args).fetchall())

    def file(self, ref: int | str | Path) -> FileRecord:
        """One file by id or path."""
        file_id = self._id(ref)
        with self._lock:
            row = self._db.execute(f"SELECT {_COLUMNS} FROM files WHERE id = ?", (file_id,)).fetchone()
            return self._records([row])[0]

    def content_hash(self, path: str | Path) -> str:
        """The file's content hash: the catalogued one while the file keeps the size and time
        the library recorded (nothing read), else hashed from its bytes (and not recorded:
        the next scan does that)."""
        path = Path(path).resolve()
        stat = path.stat()
        with self._lock:
            row = self._db.execute("SELECT size, mtime_ns, hash FROM files WHERE path = ? AND missing = 0",
                                   (str(path),)).fetchone()
        if row is not None and (row[0], row[1]) == (stat.st_size, stat.st_mtime_ns):
            return str(row[2])
        return content_hash(path)

    def _records(self, rows: Sequence[tuple]) -> list[FileRecord]:
        """Rows of ``_COLUMNS`` as FileRecords, with their folders and tags (under the lock)."""
        tags = self._tags_of([r[0] for r in rows])
        folders = dict(self._db.execute("SELECT id, path FROM folders").fetchall())
        return [_record(r, folders, tags) for r in rows]

    def _tags_of(self, ids: Sequence[int]) -> dict[int, list[str]]:
        out: dict[int, list[str]] = {}
        if not ids:
            return out
        for start in range(0, len(ids), 500):
            chunk = list(ids[start:start + 500])
            marks = ",".join("?" * len(chunk))
            for file_id, tag in self._db.execute(
                    f"SELECT file_id, tag FROM tags WHERE file_id IN ({marks}) ORDER BY tag", chunk):
                out.setdefault(file_id, []).append(tag)
        return out

    def _id(self, ref: int | str | Path) -> int:
        if isinstance(ref, FileRecord):
            return ref.id
        with self._lock:
            if isinstance(ref, int):
                row = self._db.execute("SELECT id FROM files WHERE id = ?", (ref,)).fetchone()
            else:
                row = self._db.execute("SELECT id FROM files WHERE path = ?", (str(Path(ref).resolve()),)).fetchone()
        if row is None:
            raise BadInput(f"{ref}: not in the library")
        return int(row[0])

    def all_tags(self) -> list[str]:
        with self._lock:
            return [r[0] for r in self._db.execute("SELECT DISTINCT tag FROM tags ORDER BY tag")]

    # ------------------------------------------------------------------ marks

    def set_rating(self, ref: int | str | Path, rating: int) -> None:
        """0 clears, 1-5 stars."""
        if not 0 <= int(rating) <= 5:
            raise BadInput(f"rating {rating}; expected 0 to 5")
        self._set(ref, "rating", int(rating))

    def set_flag(self, ref: int | str | Path, flag: str | None) -> None:
        """'pick', 'reject', or '' / None to unflag."""
        flag = flag or ""
        if flag not in FLAGS:
            raise BadInput(f"flag {flag!r}; expected pick, reject or none")
        self._set(ref, "flag", flag)

    def set_label(self, ref: int | str | Path, label: str | None) -> None:
        """A colour label (Red, Yellow, Green, Blue, Purple) or '' / None to clear."""
        label = (label or "").title()
        if label not in LABELS:
            raise BadInput(f"label {label!r}; expected one of {', '.join(LABELS[1:])} or none")
        self._set(ref, "label", label)

    def _set(self, ref: int | str | Path, column: str, value: Any) -> None:
        file_id = self._id(ref)
        with self._tx() as db:
            db.execute(f"UPDATE files SET {column} = ? WHERE id = ?", (value, file_id))

    def set_tags(self, ref: int | str | Path, tags: Iterable[str]) -> None:
        file_id = self._id(ref)
        clean = sorted({t.strip() for t in tags if t and t.strip()})
        with self._tx() as db:
            db.execute("DELETE FROM tags WHERE file_id = ?", (file_id,))
            db.executemany("INSERT INTO tags (file_id, tag) VALUES (?, ?)", [(file_id, t) for t in clean])

    def add_tag(self, ref: int | str | Path, tag: str) -> None:
        self.set_tags(ref, [*self.file(ref).tags, tag])

    def remove_tag(self, ref: int | str | Path, tag: str) -> None:
        self.set_tags(ref, [t for t in self.file(ref).tags if t != tag])

    # ------------------------------------------------------------------ XMP sidecars

    def write_xmp(self, ref: int | str | Path) -> Path:
        """Write this file's rating, flag and label into its XMP sidecar."""
        rec = self.file(ref)
        return xmp.write_marks(rec.path, xmp.XmpMarks(rec.rating, rec.flag, rec.label))

    def read_xmp(self, ref: int | str | Path) -> bool:
        """Take rating, flag and label from the file's sidecar; False when it has none."""
        rec = self.file(ref)
        marks = xmp.read_marks(rec.path)
        if marks is None:
            return False
        with self._tx() as db:
            db.execute("UPDATE files SET rating = ?, flag = ?, label = ? WHERE id = ?",
                       (marks.rating, marks.flag, marks.label, rec.id))
        return True

    # ------------------------------------------------------------------ edit stacks and exports

    def save_edit_stack(self, ref: int | str | Path, stack: EditStack | None) -> None:
        text = json.dumps(stack.to_dict()) if stack is not None else None
        self._set(ref, "edit_stack", text)

    def edit_stack(self, ref: int | str | Path) -> EditStack | None:
        file_id = self._id(ref)
        with self._lock:
            text = self._db.execute("SELECT edit_stack FROM files WHERE id = ?", (file_id,)).fetchone()[0]
        return EditStack.from_dict(json.loads(text), where="library") if text else None

    def record_export(self, ref: int | str | Path, output: str | Path, preset: str = "",
                      size: int | None = None) -> None:
        file_id = self._id(ref)
        with self._tx() as db:
            db.execute("INSERT INTO exports (file_id, output, preset, bytes, at) VALUES (?, ?, ?, ?, ?)",
                       (file_id, str(output), preset, size, time.time()))

    def exports(self, ref: int | str | Path) -> list[dict[str, Any]]:
        file_id = self._id(ref)
        with self._lock:
            rows = self._db.execute("SELECT output, preset, bytes, at FROM exports WHERE file_id = ? ORDER BY id",
                                    (file_id,)).fetchall()
        return [{"output": o, "preset": p, "bytes": b, "at": a} for o, p, b, a in rows]

    # ------------------------------------------------------------------ thumbnails

    def thumbnail(self, ref: int | str | Path, size: int = DEFAULT_SIZE) -> Path:
        """The cached thumbnail JPEG of a catalogued file (made on first request)."""
        rec = self.file(ref)
        return cached_thumbnail(rec.path, rec.hash, size, self.thumbnail_folder)

    def thumbnails(self, records: Iterable[FileRecord], size: int = DEFAULT_SIZE, *, workers: int | None = None,
                   on_done: Callable[[Path, Path | None, str], None] | None = None) -> dict[Path, Path]:
        """Thumbnails for many files in a pool of worker threads; returns path -> thumbnail."""
        return make_thumbnails([(r.path, r.hash) for r in records if not r.error], size,
                               workers=workers, folder=self.thumbnail_folder, on_done=on_done)


def _sidecar_marks(path: Path) -> xmp.XmpMarks:
    """Marks another program left in the file's XMP sidecar (none if it has none; a broken one
    gives none and a note)."""
    try:
        return xmp.read_marks(path) or xmp.XmpMarks()
    except BadInput as exc:
        return xmp.XmpMarks(notes=(f"{exc}; its marks are left out",))


def _record(row: tuple, folders: dict[int, str], tags: dict[int, list[str]]) -> FileRecord:
    (file_id, folder_id, path, name, size, mtime_ns, digest, width, height, fmt, profile, error,
     rating, flag, label, missing) = row
    return FileRecord(file_id, Path(path), Path(folders.get(folder_id, "")), name, size, mtime_ns, digest,
                      width, height, fmt, profile, error, rating, flag, label, bool(missing),
                      tuple(tags.get(file_id, ())))


class _Connection(sqlite3.Connection):
    """A connection whose failures (a file damaged while open, a table gone) arrive as one clear
    error naming the library, not as SQLite's own exception."""

    where = "library"

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        try:
            return super().execute(sql, parameters)
        except sqlite3.DatabaseError as exc:
            raise BadInput(f"{self.where}: the library cannot be read ({exc}); it is checked, and restored "
                           "from its backup if damaged, when it is next opened") from exc


class _Transaction:
    """``with lib._tx() as db:`` — one write transaction under the library's lock."""

    def __init__(self, db: sqlite3.Connection, lock: threading.RLock) -> None:
        self._db, self._lock = db, lock

    def __enter__(self) -> sqlite3.Connection:
        self._lock.acquire()
        self._db.execute("BEGIN IMMEDIATE")
        return self._db

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            self._db.execute("ROLLBACK" if exc_type else "COMMIT")
        finally:
            self._lock.release()
