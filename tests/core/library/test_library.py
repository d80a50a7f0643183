"""The library: incremental rescans, moves and deletions, marks, XMP sidecars, thumbnails."""

from __future__ import annotations

import os
import sqlite3

import numpy as np
import pytest
from PIL import Image as PILImage

from packshot.core.errors import BadInput
from packshot.core.library import SCHEMA_VERSION, Library, XmpMarks, read_marks, write_marks
from packshot.core.recipe import EditStack, Step
from packshot.testing.images import png_claiming


def _jpeg(path, seed=0, size=(160, 120)):
    rng = np.random.default_rng(seed)
    PILImage.fromarray(rng.integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)).save(path, quality=85)
    return path


@pytest.fixture
def shoot(tmp_path):
    folder = tmp_path / "shoot"
    folder.mkdir()
    for i in range(5):
        _jpeg(folder / f"p{i}.jpg", seed=i)
    return folder


@pytest.fixture
def lib(tmp_path):
    with Library(tmp_path / "lib.sqlite", thumbnails=tmp_path / "thumbs") as library:
        yield library


def test_rescan_reads_only_the_touched_file(lib, shoot):
    first = lib.add_folder(shoot)
    assert len(first.added) == 5
    assert lib.scan(shoot).read == []
    touched = shoot / "p3.jpg"
    _jpeg(touched, seed=99)
    report = lib.scan(shoot)
    assert report.read == [touched]
    assert report.unchanged == 4
    assert lib.file(touched).hash != [r for r in lib.files() if r.name == "p2.jpg"][0].hash


def test_listing_has_dimensions_and_format(lib, shoot):
    _jpeg(shoot / "wide.jpg", size=(300, 50))
    lib.add_folder(shoot)
    wide = lib.file(shoot / "wide.jpg")
    assert (wide.width, wide.height, wide.format) == (300, 50, "JPEG")
    assert [r.name for r in lib.files()] == sorted(r.name for r in lib.files())


def test_moved_file_keeps_its_marks_and_deleted_file_is_missing(lib, shoot):
    lib.add_folder(shoot)
    lib.set_rating(shoot / "p1.jpg", 4)
    lib.set_tags(shoot / "p1.jpg", ["summer", "mug"])
    (shoot / "sub").mkdir()
    os.replace(shoot / "p1.jpg", shoot / "sub" / "renamed.jpg")
    os.remove(shoot / "p2.jpg")
    report = lib.scan(shoot)
    assert report.moved == [(shoot.resolve() / "p1.jpg", shoot.resolve() / "sub" / "renamed.jpg")]
    assert report.missing == [shoot.resolve() / "p2.jpg"]
    moved = lib.file(shoot / "sub" / "renamed.jpg")
    assert (moved.rating, moved.tags) == (4, ("mug", "summer"))
    assert "p2.jpg" not in [r.name for r in lib.files()]
    assert [r.name for r in lib.files(include_missing=True) if r.missing] == ["p2.jpg"]
    assert [r.name for r in lib.files(min_rating=4)] == ["renamed.jpg"]
    assert [r.name for r in lib.files(tag="mug")] == ["renamed.jpg"]


def test_bad_files_are_catalogued_with_their_error(lib, shoot):
    (shoot / "text.jpg").write_text("not a picture")
    report = lib.add_folder(shoot)
    assert [p.name for p, _ in report.failed] == ["text.jpg"]
    rec = lib.file(shoot / "text.jpg")
    assert rec.width is None and "not an image file" in rec.error


def test_marks_validation(lib, shoot):
    lib.add_folder(shoot)
    with pytest.raises(BadInput):
        lib.set_rating(shoot / "p0.jpg", 6)
    with pytest.raises(BadInput):
        lib.set_flag(shoot / "p0.jpg", "maybe")
    with pytest.raises(BadInput):
        lib.file(shoot / "nope.jpg")


def test_schema_is_versioned_and_in_wal_mode(tmp_path, shoot):
    path = tmp_path / "lib.sqlite"
    with Library(path) as lib:
        lib.add_folder(shoot)
        lib.set_rating(shoot / "p0.jpg", 3)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    with Library(path) as lib:
        assert lib.file(shoot / "p0.jpg").rating == 3
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(BadInput, match="newer"):
        Library(path)


def test_old_schema_is_migrated_keeping_data(tmp_path):
    from packshot.core.library.schema import MIGRATIONS

    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0] + "\nPRAGMA user_version = 1;")
    conn.execute("INSERT INTO folders (path, added) VALUES ('/x', 0)")
    conn.execute("INSERT INTO files (folder_id, path, name, size, mtime_ns, hash, rating, added, updated) "
                 "VALUES (1, '/x/a.jpg', 'a.jpg', 1, 1, 'h', 5, 0, 0)")
    conn.commit()
    conn.close()
    with Library(path) as lib:
        rec = lib.files(include_missing=True)[0]
        assert (rec.rating, rec.label) == (5, "")
        lib.record_export(rec.id, "/out/a.jpg", "amazon-main", 1234)
        assert lib.exports(rec.id)[0]["preset"] == "amazon-main"


def test_edit_stack_round_trip(lib, shoot):
    lib.add_folder(shoot)
    stack = EditStack()
    stack.push(Step(op="colour.auto_levels", params={"clip": 0.5}))
    stack.push(Step(op="enhance.denoise", params={"strength": 3}))
    stack.undo()
    lib.save_edit_stack(shoot / "p0.jpg", stack)
    back = lib.edit_stack(shoot / "p0.jpg")
    assert back.to_dict() == stack.to_dict()
    assert lib.edit_stack(shoot / "p1.jpg") is None


@pytest.mark.parametrize("style", ["darktable", "lightroom"])
def test_xmp_round_trip_reads_both_sidecar_names(lib, shoot, style):
    lib.add_folder(shoot)
    target = shoot / "p0.jpg"
    if style == "lightroom":  # Lightroom's photo.xmp with its own content, which must survive
        (shoot / "p0.xmp").write_text(
            '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
            'xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" crs:Exposure2012="+0.50">'
            '<xmp:Rating>2</xmp:Rating></rdf:Description></rdf:RDF></x:xmpmeta>')
        assert read_marks(target) == XmpMarks(2, "", "")
    lib.set_rating(target, 4)
    lib.set_label(target, "green")
    written = lib.write_xmp(target)
    assert written.name == ("p0.xmp" if style == "lightroom" else "p0.jpg.xmp")
    if style == "lightroom":
        assert 'Exposure2012="+0.50"' in written.read_text()
    lib.set_rating(target, 0)
    lib.set_label(target, None)
    assert lib.read_xmp(target)
    rec = lib.file(target)
    assert (rec.rating, rec.label, rec.flag) == (4, "Green", "")


def test_new_files_take_their_sidecar_marks(lib, shoot):
    write_marks(shoot / "p2.jpg", XmpMarks(5, "pick", "Purple"))
    (shoot / "p3.xmp").write_text("<not xml")
    lib.add_folder(shoot)
    rec = lib.file(shoot / "p2.jpg")
    assert (rec.rating, rec.flag, rec.label) == (5, "pick", "Purple")
    assert lib.file(shoot / "p3.jpg").rating == 0
    assert [r.name for r in lib.files(flag="pick")] == ["p2.jpg"]


def test_xmp_flags(tmp_path):
    image = _jpeg(tmp_path / "a.jpg")
    write_marks(image, XmpMarks(3, "pick", ""))
    assert read_marks(image) == XmpMarks(3, "pick", "")
    write_marks(image, XmpMarks(0, "reject", "Blue"))
    assert read_marks(image) == XmpMarks(0, "reject", "Blue")
    assert 'xmp:Rating="-1"' in (tmp_path / "a.jpg.xmp").read_text()


def test_thumbnails_are_cached_by_content(lib, shoot, tmp_path):
    _jpeg(shoot / "big.jpg", size=(1600, 1200))
    lib.add_folder(shoot)
    made = lib.thumbnails(lib.files(), size=128, workers=2)
    assert len(made) == 6
    thumb = lib.thumbnail(shoot / "big.jpg", size=128)
    assert thumb == made[shoot.resolve() / "big.jpg"]
    with PILImage.open(thumb) as im:
        assert max(im.size) == 128 and im.size == (128, 96)
    stamp = thumb.stat().st_mtime_ns
    assert lib.thumbnail(shoot / "big.jpg", size=128).stat().st_mtime_ns == stamp
    # a copy of the same picture elsewhere shares the cached thumbnail
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "same.jpg").write_bytes((shoot / "big.jpg").read_bytes())
    lib.add_folder(copy)
    assert lib.thumbnail(copy / "same.jpg", size=128) == thumb


def test_thumbnail_is_close_to_a_full_decode(tmp_path):
    """Draft (DCT-scaled) decoding must not cost visible quality against a full decode."""
    from packshot.core.library import render_thumbnail
    from packshot.core.synthetic import studio_shot

    rgb, _ = studio_shot(300, 400, noise=0.0)
    path = tmp_path / "shot.jpg"
    PILImage.fromarray((rgb * 255).astype(np.uint8)).resize((1600, 1200), PILImage.Resampling.BICUBIC).save(
        path, quality=92)
    fast = np.asarray(render_thumbnail(path, 200), np.float32)
    with PILImage.open(path) as im:
        full = np.asarray(im.convert("RGB").resize(fast.shape[1::-1], PILImage.Resampling.LANCZOS), np.float32)
    psnr = 10 * np.log10(255.0**2 / np.mean((fast - full) ** 2))
    assert psnr > 35, psnr


def test_an_oversized_picture_is_catalogued_refused_and_never_decoded(lib, shoot, monkeypatch):
    """300 MP: over Packshot's 200 MP limit, under twice Pillow's (where Pillow only warns and
    decodes in full: 8-11 GB and minutes for a real file)."""
    from PIL import ImageFile

    load = ImageFile.ImageFile.load

    def no_decoding(self, *args, **kwargs):
        assert not str(getattr(self, "filename", "")).endswith("huge.png"), "huge.png was decoded"
        return load(self, *args, **kwargs)

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    (shoot / "huge.png").write_bytes(png_claiming(20_000, 15_000))
    report = lib.add_folder(shoot)
    assert [(p.name, "200 MP limit" in why) for p, why in report.failed] == [("huge.png", True)]
    huge = lib.file(shoot / "huge.png")
    assert "20000x15000 is 300 MP" in huge.error
    with pytest.raises(BadInput, match="200 MP limit"):
        lib.thumbnail(huge)
    assert shoot.resolve() / "huge.png" not in lib.thumbnails(lib.files(), workers=1)


@pytest.mark.timeout(30)
def test_a_named_pipe_or_a_device_in_a_folder_is_skipped_with_a_note(lib, shoot):
    """The scan hashed a FIFO (waiting for a writer forever) and a link to /dev/zero (endless)."""
    os.mkfifo(shoot / "pipe.jpg")
    (shoot / "zero.jpg").symlink_to("/dev/zero")
    report = lib.add_folder(shoot)
    assert len(report.added) == 5
    notes = {p.name: note for p, note in report.notes}
    assert "named pipe" in notes["pipe.jpg"] and "a character device" in notes["zero.jpg"]
    assert {r.name for r in lib.files()} == {f"p{i}.jpg" for i in range(5)}


def test_a_bad_value_in_one_sidecar_is_left_out_with_a_note(lib, shoot):
    """xmp:Rating="inf" raised OverflowError and aborted the whole folder scan."""
    write_marks(shoot / "p1.jpg", XmpMarks(4, "", "Red"))
    (shoot / "p2.jpg.xmp").write_text(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="inf" xmp:Label="Blue"/>'
        '</rdf:RDF></x:xmpmeta>')
    report = lib.add_folder(shoot)
    assert len(report.added) == 5
    assert [(p.name, "xmp:Rating 'inf'" in note) for p, note in report.notes] == [("p2.jpg", True)]
    assert (lib.file(shoot / "p2.jpg").rating, lib.file(shoot / "p2.jpg").label) == (0, "Blue")
    assert (lib.file(shoot / "p1.jpg").rating, lib.file(shoot / "p1.jpg").label) == (4, "Red")
    assert read_marks(shoot / "p2.jpg") == XmpMarks(0, "", "Blue")


def test_a_sixteen_bit_grey_thumbnail_keeps_its_tone(tmp_path):
    """Pillow clips 16-bit grey to 255 and cannot shrink it: no thumbnail, or a white one."""
    from packshot.core.library import render_thumbnail

    grey = np.full((300, 400), 5000, np.uint16)  # a dark grey: 19 of 255
    grey[100:200, 150:250] = 60000
    PILImage.fromarray(grey).save(tmp_path / "deep.png")
    thumb = np.asarray(render_thumbnail(tmp_path / "deep.png", 100)).astype(int)
    assert thumb.shape == (75, 100, 3) and abs(thumb[5, 5] - 19).max() <= 1 and abs(thumb[37, 50] - 233).max() <= 1


@pytest.mark.timeout(30)
def test_hashing_a_named_pipe_is_refused(tmp_path):
    """The desktop's folder view hashes every listed file for its thumbnail cache."""
    from packshot.core.library import content_hash

    os.mkfifo(tmp_path / "pipe.jpg")
    with pytest.raises(BadInput, match="named pipe"):
        content_hash(tmp_path / "pipe.jpg")


def test_a_catalogued_file_is_not_hashed_again_until_it_changes(lib, shoot, monkeypatch):
    from packshot.core.library import catalogue, content_hash

    lib.add_folder(shoot)
    hashed = []
    monkeypatch.setattr(catalogue, "content_hash", lambda path: hashed.append(path) or content_hash(path))
    picture = shoot / "p2.jpg"
    assert lib.content_hash(picture) == content_hash(picture) == lib.file(picture).hash
    assert [lib.content_hash(shoot / f"p{i}.jpg") for i in range(5)] == [r.hash for r in lib.files(shoot)]
    assert hashed == []
    _jpeg(picture, seed=42, size=(200, 100))  # changed since the scan: its bytes are read
    assert lib.content_hash(picture) == content_hash(picture) != lib.file(picture).hash
    assert hashed == [picture.resolve()]
    stranger = shoot.parent / "elsewhere.jpg"
    _jpeg(stranger, seed=7)
    assert lib.content_hash(stranger) == content_hash(stranger)
