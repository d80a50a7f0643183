"""Image files: metadata survives, bad files give clear errors, writes are atomic."""

from __future__ import annotations

import hashlib
import io
import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image as PILImage
from PIL import ImageCms

from packshot.core.errors import BadInput
from packshot.core.image import Image
from packshot.core.imageio import load_image, save_image
from packshot.testing.images import png_claiming


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _exif(orientation: int | None = None) -> bytes:
    exif = PILImage.Exif()
    exif[0x010F] = "Packshot Test Camera"  # Make
    exif[0x0131] = "studio"  # Software
    if orientation is not None:
        exif[0x0112] = orientation
    return exif.tobytes()


@pytest.fixture
def icc() -> bytes:
    profile = ImageCms.createProfile("LAB")  # anything but sRGB, so a wrong profile shows
    return ImageCms.ImageCmsProfile(profile).tobytes()


@pytest.fixture
def photo() -> np.ndarray:
    rng = np.random.default_rng(1)
    return (rng.random((48, 64, 3)) * 255).astype(np.uint8)


@pytest.mark.parametrize("ext", [".jpg", ".png", ".webp", ".tif"])
def test_icc_and_exif_round_trip_byte_for_byte(tmp_path, photo, icc, ext):
    src = tmp_path / f"in{ext}"
    exif = _exif()
    PILImage.fromarray(photo).save(src, icc_profile=icc, exif=exif, **({"quality": 95} if ext != ".png" else {}))
    before = _sha(src)
    image = load_image(src)
    assert image.icc_profile == icc
    out = save_image(image.with_pixels(255 - image.pixels), tmp_path / f"out{ext}")
    again = load_image(out)
    assert again.icc_profile == icc
    assert PILImage.open(out).info.get("exif") == PILImage.open(src).info.get("exif")
    assert _sha(src) == before


def test_exif_orientation_is_applied_on_load_and_reset_on_save(tmp_path, photo):
    src = tmp_path / "rotated.jpg"
    PILImage.fromarray(photo).save(src, exif=_exif(orientation=6), quality=95)
    image = load_image(src)
    assert image.size == (48, 64)  # rotated 90 degrees: width and height swap
    out = save_image(image, tmp_path / "out.jpg")
    with PILImage.open(out) as im:
        assert im.getexif().get(0x0112) == 1
        assert im.getexif().get(0x010F) == "Packshot Test Camera"


@pytest.mark.parametrize("ext", [".png", ".tif"])
def test_sixteen_bit_round_trip_is_exact_with_profile(tmp_path, icc, ext):
    ramp = np.linspace(0, 65535, 40 * 50 * 3).astype(np.uint16).reshape(40, 50, 3)
    image = Image(ramp, icc_profile=icc, dpi=(300.0, 300.0))
    out = save_image(image, tmp_path / f"deep{ext}")
    again = load_image(out)
    assert again.pixels.dtype == np.uint16
    assert np.array_equal(again.pixels, ramp)
    assert again.icc_profile == icc
    assert again.dpi is not None and abs(again.dpi[0] - 300) < 1


def test_sixteen_bit_alpha_png_round_trip(tmp_path):
    rgba = (np.random.default_rng(2).random((20, 30, 4)) * 65535).astype(np.uint16)
    out = save_image(Image(rgba), tmp_path / "alpha.png")
    assert np.array_equal(load_image(out).pixels, rgba)


def test_float_round_trip_keeps_sixteen_bit_precision():
    ramp = np.linspace(0, 65535, 4096).astype(np.uint16)
    image = Image(np.repeat(ramp.reshape(64, 64, 1), 3, axis=2))
    back = image.with_float(image.as_float())
    assert np.array_equal(back.pixels, image.pixels)
    assert len(np.unique(back.pixels)) > 256


def test_rgba_to_jpeg_is_flattened_on_white(tmp_path):
    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:, :5, 3] = 255
    out = save_image(Image(rgba), tmp_path / "flat.jpg", quality=100)
    px = np.asarray(PILImage.open(out).convert("RGB")).astype(int)
    assert abs(px[5, 1] - [200, 0, 0]).max() < 12  # opaque side keeps its red
    assert abs(px[5, 8] - [255, 255, 255]).max() < 12  # transparent side becomes white


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


@pytest.mark.parametrize(
    "name, content, words",
    [
        ("empty.jpg", b"", "empty"),
        ("text.jpg", b"this is not an image at all\n" * 10, "not an image"),
        ("bomb.png", png_claiming(50_000, 50_000), "decompression bomb"),
    ],
)
def test_bad_files_give_clear_errors(tmp_path, name, content, words):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BadInput, match=words):
        load_image(path)


def test_truncated_jpeg_is_reported(tmp_path, photo):
    buf = io.BytesIO()
    PILImage.fromarray(photo).save(buf, format="JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    with pytest.raises(BadInput, match="cut.jpg"):
        load_image(path)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(BadInput, match="no such file"):
        load_image(tmp_path / "nope.jpg")
    with pytest.raises(BadInput, match="folder"):
        load_image(tmp_path)


def test_overwriting_the_original_is_refused(tmp_path, photo):
    src = tmp_path / "original.png"
    PILImage.fromarray(photo).save(src)
    before = _sha(src)
    image = load_image(src)
    with pytest.raises(BadInput, match="original"):
        save_image(image.with_pixels(255 - image.pixels), src)
    assert _sha(src) == before


def test_failed_write_leaves_no_file(tmp_path, photo, monkeypatch):
    target = tmp_path / "out.png"

    def broken_save(self, fp, *a, **k):
        fp.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(PILImage.Image, "save", broken_save)
    with pytest.raises(BadInput, match="out.png: cannot write .disk full"):
        save_image(Image(photo), target)
    assert list(tmp_path.iterdir()) == []


def test_noisy_high_quality_jpeg_is_written(tmp_path):
    noise = (np.random.default_rng(3).random((300, 400, 3)) * 255).astype(np.uint8)
    out = save_image(Image(noise), tmp_path / "noise.jpg", quality=98)
    assert load_image(out).size == (400, 300)


def test_a_header_scan_in_a_fresh_process_uses_packshots_pixel_limit(tmp_path):
    """190 MP is under Packshot's 200 MP limit: the library's first scan must not refuse
    what a load accepts (Pillow's own default limit is about 179 MP)."""
    import subprocess
    import sys

    width, height = 14_000, 13_600
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit grey: a 0.03 MB file
    rows = zlib.compress(b"\x00" * ((1 + width // 8) * height))
    path = tmp_path / "big.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b""))
    code = ("import sys; from pathlib import Path; from packshot.core.library.probe import probe; "
            "f = probe(Path(sys.argv[1])); print(f.width, f.height, repr(f.error))")
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["14000", "13600", "''"]


# --------------------------------------------------------------------------- 16-bit TIFF colour and orientation

def _cmyk_profile() -> bytes:
    """A small CMYK printer profile that LittleCMS reads: a 2x2x2x2 table from ink corners to
    Lab, interpolated in between, so its colours differ from the plain formula's."""
    import itertools

    from skimage.color import rgb2lab

    def s15(v: float) -> bytes:
        return struct.pack(">i", round(v * 65536))

    def lab16(c: int, m: int, y: int, k: int) -> bytes:
        rgb = np.array([[[(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]]], float)
        lightness, a, b = rgb2lab(rgb, illuminant="D50")[0, 0]
        return struct.pack(">3H", round(lightness * 652.8), round((a + 128) * 256), round((b + 128) * 256))

    ramp = struct.pack(">2H", 0, 65535)
    clut = b"".join(lab16(*ink) for ink in itertools.product((0, 1), repeat=4))
    a2b0 = (b"mft2" + bytes(4) + bytes([4, 3, 2, 0]) + b"".join(s15(v) for v in (1, 0, 0, 0, 1, 0, 0, 0, 1))
            + struct.pack(">2H", 2, 2) + ramp * 4 + clut + ramp * 3)
    d50 = s15(0.9642) + s15(1.0) + s15(0.8249)
    desc = b"desc" + bytes(4) + struct.pack(">I", 10) + b"Test CMYK\0" + bytes(8 + 3 + 67)
    tags = [(b"desc", desc), (b"wtpt", b"XYZ " + bytes(4) + d50), (b"A2B0", a2b0)]
    offset, table, body = 128 + 4 + 12 * len(tags), b"", b""
    for sig, data in tags:
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data + bytes(-len(data) % 4)
    header = (struct.pack(">I", offset + len(body)) + bytes(4) + struct.pack(">I", 0x02100000) + b"prtrCMYKLab "
              + bytes(12) + b"acsp" + bytes(28) + d50 + bytes(48))
    return header + struct.pack(">I", len(tags)) + table + body


def _inks() -> np.ndarray:
    """Pure inks (cyan, magenta, yellow, black, none) and a spread of random mixtures."""
    rng = np.random.default_rng(7)
    cmyk = rng.integers(0, 256, (30, 40, 4), dtype=np.uint8)
    cmyk[:5, :5] = (255, 0, 0, 0)
    cmyk[:5, 5:10] = (0, 255, 0, 0)
    cmyk[:5, 10:15] = (0, 0, 255, 0)
    cmyk[:5, 15:20] = (0, 0, 0, 255)
    cmyk[:5, 20:25] = 0
    return cmyk


@pytest.mark.parametrize("profiled", [False, True], ids=["untagged", "with-profile"])
def test_sixteen_bit_cmyk_tiff_reads_as_rgb_like_the_eight_bit_file(tmp_path, profiled):
    """16-bit CMYK was read as RGBA with K as alpha: transparent, with wrong colours."""
    import tifffile

    cmyk = _inks()
    icc = _cmyk_profile() if profiled else None
    PILImage.fromarray(cmyk, "CMYK").save(tmp_path / "eight.tif", **({"icc_profile": icc} if icc else {}))
    tifffile.imwrite(tmp_path / "sixteen.tif", cmyk.astype(np.uint16) * 257, photometric="separated",
                     extratags=[(34675, 7, len(icc), icc, True)] if icc else [])
    eight, sixteen = load_image(tmp_path / "eight.tif"), load_image(tmp_path / "sixteen.tif")
    assert sixteen.pixels.shape == (30, 40, 3) and sixteen.pixels.dtype == np.uint16 and not sixteen.has_alpha
    assert np.abs(sixteen.pixels / 257 - eight.pixels).max() <= 1.0
    assert sixteen.icc_profile == eight.icc_profile and "sRGB" in ImageCms.getProfileDescription(
        ImageCms.ImageCmsProfile(io.BytesIO(sixteen.icc_profile)))
    swatches = sixteen.pixels[:5, :25:5] / 257
    expected = [[0, 255, 255], [255, 0, 255], [255, 255, 0], [0, 0, 0], [255, 255, 255]]
    assert profiled or np.abs(swatches - expected).max() < 3


def _orientation_tiffs(tmp_path, photo, orientation):
    import tifffile

    eight, sixteen = tmp_path / f"eight{orientation}.tif", tmp_path / f"sixteen{orientation}.tif"
    PILImage.fromarray(photo).save(eight, exif=_exif(orientation))
    tifffile.imwrite(sixteen, photo.astype(np.uint16) * 257, photometric="rgb",
                     extratags=[(271, 2, 0, "Packshot Test Camera", True), (274, 3, 1, orientation, True)])
    return eight, sixteen


@pytest.mark.parametrize("orientation", range(1, 9))
def test_sixteen_bit_tiff_is_turned_upright_and_keeps_its_exif(tmp_path, photo, orientation):
    """A 16-bit TIFF's EXIF orientation was ignored and its EXIF dropped."""
    eight, sixteen = _orientation_tiffs(tmp_path, photo, orientation)
    upright8, upright16 = load_image(eight), load_image(sixteen)
    assert np.array_equal(upright16.pixels // 257, upright8.pixels)
    for image in (upright8, upright16):
        exif = PILImage.Exif()
        exif.load(image.exif)
        assert exif.get(0x010F) == "Packshot Test Camera" and exif.get(0x0112, 1) == 1


@pytest.mark.parametrize("orientation", [1, 6, 8])
def test_the_size_read_from_the_header_is_the_size_the_pixels_load_at(tmp_path, photo, orientation):
    """Pillow 13 turns a TIFF's reported size itself: the export's and the library's header
    size turned it a second time and said 600x400 of a picture that loads 400x600."""
    from packshot.core.export import image_size
    from packshot.core.library.probe import probe

    files = [*_orientation_tiffs(tmp_path, photo, orientation), tmp_path / "turned.jpg", tmp_path / "turned.webp"]
    for path in files[2:]:
        PILImage.fromarray(photo).save(path, exif=_exif(orientation))
    for path in files:
        h, w = load_image(path).pixels.shape[:2]
        facts = probe(path)
        assert image_size(path) == (facts.width, facts.height) == (w, h), path.name


def test_sixteen_bit_png_is_turned_upright(tmp_path, photo):
    deep = Image(photo.astype(np.uint16) * 257, exif=_exif(orientation=6))
    out = save_image(deep, tmp_path / "turned.png")
    loaded = load_image(out)
    assert loaded.pixels.dtype == np.uint16 and np.array_equal(loaded.pixels // 257, np.rot90(photo, -1))


def test_lzw_compressed_sixteen_bit_tiff_loads(tmp_path):
    """Photoshop's usual TIFF compression: tifffile decodes it through imagecodecs."""
    import tifffile

    ramp = np.linspace(0, 65535, 20 * 30 * 3).astype(np.uint16).reshape(20, 30, 3)
    tifffile.imwrite(tmp_path / "lzw.tif", ramp, photometric="rgb", compression="lzw")
    assert np.array_equal(load_image(tmp_path / "lzw.tif").pixels, ramp)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_named_pipe_or_device_is_refused_without_opening_it(tmp_path, kind):
    """Opening a FIFO waits for a writer forever; /dev/zero never ends."""
    path = tmp_path / "photo.jpg"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(BadInput, match="named pipe" if kind == "fifo" else "a character device"):
        load_image(path)


@pytest.mark.parametrize("deep", [False, True], ids=["8-bit", "16-bit"])
def test_a_cmyk_file_with_a_broken_profile_is_refused_by_name(tmp_path, deep):
    import tifffile

    broken = b"\0\0\1\0" + b"not a profile" * 30
    path = tmp_path / "broken.tif"
    if deep:
        tifffile.imwrite(path, _inks().astype(np.uint16) * 257, photometric="separated",
                         extratags=[(34675, 7, len(broken), broken, True)])
    else:
        PILImage.fromarray(_inks(), "CMYK").save(path, icc_profile=broken)
    with pytest.raises(BadInput, match="broken.tif: its colour profile cannot be used"):
        load_image(path)
