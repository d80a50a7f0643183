"""The library's SQLite schema and its migrations, one numbered step per schema version.

``PRAGMA user_version`` holds the version; opening a library runs the missing steps in
one transaction each, so an old catalogue is upgraded in place and a newer one than this
Packshot knows is refused rather than damaged.
"""

from __future__ import annotations

import sqlite3
from functools import cache

from ..errors import BadInput

MIGRATIONS: list[str] = [
    # 1: folders, files, tags
    """
    CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        recursive INTEGER NOT NULL DEFAULT 1,
        added REAL NOT NULL,
        scanned REAL
    );
    CREATE TABLE files (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        path TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        hash TEXT NOT NULL,
        width INTEGER,
        height INTEGER,
        format TEXT,
        profile TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        rating INTEGER NOT NULL DEFAULT 0,
        flag TEXT NOT NULL DEFAULT '',
        missing INTEGER NOT NULL DEFAULT 0,
        added REAL NOT NULL,
        updated REAL NOT NULL
    );
    CREATE INDEX files_hash ON files(hash);
    CREATE INDEX files_folder ON files(folder_id);
    CREATE TABLE tags (
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        PRIMARY KEY (file_id, tag)
    );
    """,
    # 2: colour labels, edit stacks, export history
    """
    ALTER TABLE files ADD COLUMN label TEXT NOT NULL DEFAULT '';
    ALTER TABLE files ADD COLUMN edit_stack TEXT;
    CREATE TABLE exports (
        id INTEGER PRIMARY KEY,
        file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
        output TEXT NOT NULL,
        preset TEXT NOT NULL DEFAULT '',
        bytes INTEGER,
        at REAL NOT NULL
    );
    CREATE INDEX exports_file ON exports(file_id);
    """,
]
SCHEMA_VERSION = len(MIGRATIONS)


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


@cache
def schema_objects(version: int) -> frozenset[str]:
    """The tables and indexes a library of this schema version has (built in memory to see;
    SQLite's own ``sqlite_*`` objects left out)."""
    conn = sqlite3.connect(":memory:")
    try:
        for script in MIGRATIONS[:version]:
            conn.executescript(script)
        return frozenset(row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite!_%' ESCAPE '!'"))
    finally:
        conn.close()


def migrate(conn: sqlite3.Connection, where: str = "library") -> int:
    """Bring the schema up to :data:`SCHEMA_VERSION`; returns the version found before."""
    found = schema_version(conn)
    if found > SCHEMA_VERSION:
        raise BadInput(f"{where}: library schema version {found} is newer than this Packshot "
                       f"reads ({SCHEMA_VERSION}); update Packshot")
    for version in range(found, SCHEMA_VERSION):
        script = MIGRATIONS[version]
        try:
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {version + 1};\nCOMMIT;")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.rollback()
            raise BadInput(f"{where}: upgrading the library to schema {version + 1} failed ({exc})") from exc
    return found
