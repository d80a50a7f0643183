"""The image library: a SQLite catalogue of folders, thumbnails, ratings, flags, tags, XMP.

    from packshot.core.library import Library
    with Library.open() as lib:            # or Library(path) for another catalogue
        lib.add_folder("~/shoot")          # first scan; later lib.scan(folder) rescans
        for rec in lib.files(min_rating=3):
            thumb = lib.thumbnail(rec)     # cached JPEG path
"""

from .catalogue import FileRecord, Library, ScanReport, default_library_path
from .probe import content_hash, image_files
from .schema import SCHEMA_VERSION
from .thumbnails import DEFAULT_SIZE, make_thumbnail, render_thumbnail, thumbnail_path
from .xmp import XmpMarks, read_marks, write_marks

__all__ = [
    "DEFAULT_SIZE", "SCHEMA_VERSION", "FileRecord", "Library", "ScanReport", "XmpMarks", "content_hash",
    "default_library_path", "image_files", "make_thumbnail", "read_marks", "render_thumbnail",
    "thumbnail_path", "write_marks",
]
