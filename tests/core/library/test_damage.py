"""A damaged library: restored from its backup with a message, or one clear error; never a
raw SQLite traceback, never silently emptied."""

from __future__ import annotations

import shutil
import sqlite3

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core.errors import BadInput
from packshot.core.library import Library


@pytest.fixture
def shoot(tmp_path):
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(12):
        PILImage.fromarray(np.full((16, 16, 3), i * 20, np.uint8)).save(folder / f"p{i}.jpg")
    return folder


@pytest.fixture
def rated(tmp_path, shoot):
    """A library with ratings, opened again once (as every session does), so it has a backup."""
    path = tmp_path / "lib.sqlite"
    with Library(path) as lib:
        lib.add_folder(shoot)
        for i in range(12):
            lib.set_rating(shoot / f"p{i}.jpg", i % 5 + 1)
    Library(path).close()
    return path


def _ratings(lib, shoot):
    return [lib.file(shoot / f"p{i}.jpg").rating for i in range(12)]


def _corrupt_pages(path):
    data = bytearray(path.read_bytes())
    data[4096:3 * 4096] = b"\x5a" * (2 * 4096)
    path.write_bytes(data)


def _drop_table(path):
    conn = sqlite3.connect(path)
    conn.execute("DROP TABLE tags")
    conn.commit()
    conn.close()


def _truncate(path):
    path.write_bytes(b"")


def _foreign_wal(path):
    """A write-ahead log from another database (a sync tool mixing files up): its frames are
    valid, so SQLite applies them and the library's own pages are replaced."""
    other = path.with_name("other.sqlite")
    conn = sqlite3.connect(other)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("CREATE TABLE z(x)")
    conn.executemany("INSERT INTO z VALUES (?)", [(bytes(300),) for _ in range(100)])
    conn.commit()
    shutil.copy(f"{other}-wal", f"{path}-wal")
    conn.close()


@pytest.mark.parametrize("damage, why", [
    (_corrupt_pages, "malformed"), (_drop_table, "missing tags"), (_truncate, "empty (0 bytes)"),
    (_foreign_wal, "not a Packshot library"),
])
def test_a_damaged_library_is_restored_from_its_backup_with_a_message(rated, shoot, damage, why):
    damage(rated)
    with pytest.warns(UserWarning, match="restored from its backup") as caught:
        lib = Library(rated)
    with lib:
        assert why in lib.recovered and str(caught[0].message) == lib.recovered
        assert _ratings(lib, shoot) == [i % 5 + 1 for i in range(12)]
    kept = [p for p in rated.parent.iterdir() if p.name.startswith("lib.sqlite.damaged-")]
    assert kept, "the damaged file is kept beside the library"


@pytest.mark.parametrize("damage, why", [(_corrupt_pages, "malformed"), (_drop_table, "missing tags")])
def test_a_damaged_library_without_a_backup_is_one_clear_error_and_left_alone(rated, damage, why):
    for backup in rated.parent.glob("lib.sqlite.backup*"):
        backup.unlink()
    damage(rated)
    before = rated.read_bytes()
    with pytest.raises(BadInput, match=f"damaged .*{why}.* no backup; move the file aside"):
        Library(rated)
    assert rated.read_bytes() == before


def test_an_emptied_library_without_a_backup_says_it_starts_anew(tmp_path):
    path = tmp_path / "lib.sqlite"
    path.write_bytes(b"")
    with pytest.warns(UserWarning, match="empty \\(0 bytes\\) and had no backup; a new, empty library"), \
            Library(path) as lib:
        assert lib.files() == []


def test_a_table_dropped_while_open_is_a_clear_error(rated, shoot):
    with Library(rated) as lib:
        _drop_table(rated)
        with pytest.raises(BadInput, match="the library cannot be read .*no such table: tags"):
            lib.files()


def _rating_in(path, name):
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT rating FROM files WHERE name = ?", (name,)).fetchone()[0]
    finally:
        conn.close()


def test_the_backup_is_the_last_sound_copy_and_rotates(rated, shoot):
    backup, older = rated.with_name("lib.sqlite.backup"), rated.with_name("lib.sqlite.backup.1")
    assert backup.exists() and not older.exists()
    with Library(rated) as lib:
        lib.set_rating(shoot / "p0.jpg", 5)
    with Library(rated) as lib:
        assert lib.recovered == ""
    assert (_rating_in(backup, "p0.jpg"), _rating_in(older, "p0.jpg")) == (5, 1)
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    conn.close()
