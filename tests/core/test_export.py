"""Export: size and fit, fill, sRGB conversion, metadata policy, byte limits, atomic writes."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image as PILImage
from PIL import ImageCms

from packshot.core.errors import BadInput, BadParameter
from packshot.core.export import (
    ExportOptions,
    export_file,
    export_image,
    product_box,
    render,
    strip_gps,
)
from packshot.core.image import from_array
from packshot.core.imageio import load_image
from packshot.core.synthetic import studio_shot


def _cutout(h=300, w=400):
    rgb, alpha = studio_shot(h, w, noise=0.0, shadow=False)
    return from_array(np.dstack([rgb, alpha]))


def adobe_rgb_icc() -> bytes:
    """A minimal ICC v2 matrix/TRC profile with Adobe RGB (1998) primaries (D50-adapted)."""
    import struct

    def s15(v):
        return struct.pack(">i", round(v * 65536))

    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    name = b"Adobe RGB (1998) test\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(name)) + name + b"\0" * 8 + b"\0\0\0" + b"\0" * 67
    curve = b"curv" + b"\0" * 4 + struct.pack(">IH", 1, 563) + b"\0\0"
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)), (b"rXYZ", xyz(0.6097, 0.3111, 0.0195)),
            (b"gXYZ", xyz(0.2053, 0.6257, 0.0609)), (b"bXYZ", xyz(0.1492, 0.0632, 0.7446)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve), (b"cprt", b"text" + b"\0" * 4 + b"none\0\0\0\0")]
    offset = 128 + 4 + 12 * len(tags)
    table, body = b"", b""
    for sig, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += sig + struct.pack(">II", offset + len(body), len(data))
        body += data
    size = offset + len(body)
    header = (struct.pack(">I", size) + b"\0" * 4 + bytes([2, 0x10, 0, 0]) + b"mntrRGB XYZ " + b"\0" * 12
              + b"acsp" + b"\0" * 24 + b"\0" * 4 + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + body


def _read(path):
    with PILImage.open(path) as im:
        return np.asarray(im.convert("RGB")), dict(im.info), im.format, im.getexif()


@pytest.mark.parametrize("fit, expect", [("contain", (200, 150)), ("cover", (200, 200)), ("pad", (200, 200))])
def test_fits(fit, expect):
    image = from_array(np.full((300, 400, 3), 128, np.uint8))
    out, _ = render(image, ExportOptions(width=200, height=200, fit=fit))
    assert out.size == expect


def test_pad_fills_with_background_and_centres():
    image = from_array(np.zeros((100, 200, 3), np.uint8))
    out, _ = render(image, ExportOptions(width=300, height=300, fit="pad", background=(255, 255, 255)))
    assert out.size == (300, 300)
    assert (out.pixels[:50] == 255).all() and (out.pixels[-50:] == 255).all()
    assert product_box(out.pixels, (255, 255, 255)) == (50, 100, 250, 200)


def test_no_upscale_unless_asked():
    image = from_array(np.zeros((50, 80, 3), np.uint8))
    assert render(image, ExportOptions(width=400))[0].size == (80, 50)
    assert render(image, ExportOptions(width=400, upscale=True))[0].size == (400, 250)


def test_fill_puts_the_product_at_the_asked_share(tmp_path):
    out = tmp_path / "a.jpg"
    export_image(_cutout(), out, ExportOptions(width=1000, height=1000, fit="pad", fill=0.85, upscale=True))
    pixels, *_ = _read(out)
    x0, y0, x1, y1 = product_box(pixels, (255, 255, 255))
    share = max(x1 - x0, y1 - y0) / 1000
    assert 0.84 <= share <= 0.87
    assert (pixels[0] == 255).all() and (pixels[:, 0] == 255).all()


def test_fill_on_a_grey_photo_warns():
    rgb, _ = studio_shot(200, 200)
    _, warnings = render(from_array(rgb), ExportOptions(width=300, height=300, fit="pad", fill=0.85))
    assert warnings and "cut-out" in warnings[0]


def test_max_bytes_searches_the_highest_quality_that_fits(tmp_path):
    rgb, _ = studio_shot(400, 400, noise=0.06, seed=1)
    image = from_array(rgb)
    unlimited = export_image(image, tmp_path / "u.jpg", ExportOptions(quality=95))
    limit = unlimited.bytes // 3
    limited = export_image(image, tmp_path / "l.jpg", ExportOptions(quality=95, min_quality=5, max_bytes=limit))
    assert limited.bytes <= limit < unlimited.bytes
    assert (tmp_path / "l.jpg").stat().st_size == limited.bytes
    one_better = export_image(image, tmp_path / "b.jpg", ExportOptions(quality=limited.quality + 1))
    assert one_better.bytes > limit
    with pytest.raises(BadInput, match="byte limit"):
        export_image(image, tmp_path / "x.jpg", ExportOptions(quality=95, min_quality=90, max_bytes=2048))
    assert not (tmp_path / "x.jpg").exists()


def test_converts_to_srgb_and_embeds_the_profile(tmp_path):
    icc = adobe_rgb_icc()
    image = from_array(np.full((20, 20, 3), (200, 120, 60), np.uint8), icc_profile=icc)
    export_image(image, tmp_path / "c.png", ExportOptions(format="PNG"))
    pixels, info, _, _ = _read(tmp_path / "c.png")
    profile = ImageCms.ImageCmsProfile(io.BytesIO(info["icc_profile"]))
    assert "sRGB" in ImageCms.getProfileDescription(profile)
    src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    expected = np.asarray(ImageCms.profileToProfile(PILImage.fromarray(image.pixels), src,
                                                    ImageCms.createProfile("sRGB")))
    assert np.abs(pixels.astype(int) - expected.astype(int)).max() <= 1
    assert np.abs(pixels.astype(int) - image.pixels.astype(int)).max() > 3


def _exif_with_gps():
    exif = PILImage.Exif()
    exif[0x010F] = "StudioCam"
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}
    return exif.tobytes()


@pytest.mark.parametrize("policy, make, gps", [("keep", "StudioCam", True), ("strip-gps", "StudioCam", False),
                                               ("strip-all", None, False)])
def test_metadata_policy(tmp_path, policy, make, gps):
    image = from_array(np.full((20, 20, 3), 90, np.uint8), exif=_exif_with_gps())
    export_image(image, tmp_path / "m.jpg", ExportOptions(metadata=policy))
    _, info, _, exif = _read(tmp_path / "m.jpg")
    assert exif.get(0x010F) == make
    assert (0x8825 in exif) is gps
    assert "icc_profile" in info


def test_strip_gps_leaves_exif_without_gps_alone():
    exif = PILImage.Exif()
    exif[0x010F] = "X"
    raw = exif.tobytes()
    assert strip_gps(raw) == raw


@pytest.mark.parametrize("orientation, size", [(1, (400, 300)), (6, (300, 400))])
def test_export_file_draft_decoding_matches_a_full_decode(tmp_path, orientation, size):
    rgb, _ = studio_shot(300, 400, noise=0.0)
    src = tmp_path / "src.jpg"
    exif = PILImage.Exif()
    exif[0x0112] = orientation
    big = PILImage.fromarray((rgb * 255).astype(np.uint8)).resize((1600, 1200), PILImage.Resampling.BICUBIC)
    big.save(src, quality=95, exif=exif.tobytes())
    opts = ExportOptions(width=400, height=400, format="PNG")
    fast = export_file(src, tmp_path / "fast.png", opts)
    full = export_image(load_image(src), tmp_path / "full.png", opts)
    assert (fast.width, fast.height) == (full.width, full.height) == size
    a, *_ = _read(tmp_path / "fast.png")
    b, *_ = _read(tmp_path / "full.png")
    psnr = 10 * np.log10(255.0**2 / np.mean((a.astype(float) - b) ** 2))
    assert psnr > 38, psnr


def test_refuses_original_existing_and_bad_options(tmp_path):
    src = tmp_path / "o.png"
    PILImage.fromarray(np.zeros((10, 10, 3), np.uint8)).save(src)
    before = src.read_bytes()
    with pytest.raises(BadInput, match="original"):
        export_image(load_image(src), src, ExportOptions(format="PNG"), overwrite=True)
    assert src.read_bytes() == before
    export_image(load_image(src), tmp_path / "x.png", ExportOptions(format="PNG"))
    with pytest.raises(BadInput, match="already exists"):
        export_image(load_image(src), tmp_path / "x.png", ExportOptions(format="PNG"))
    with pytest.raises(BadParameter, match="fit"):
        ExportOptions(fit="stretch").validated()
    with pytest.raises(BadParameter, match="fill"):
        ExportOptions(fill=0.8).validated()


def test_export_writes_only_through_the_output_guard(tmp_path, monkeypatch):
    """A hard link to the original is the original; a file that appears while the export
    works is kept, not replaced; a folder named as the target is refused before any work."""
    from packshot.core import export

    src = tmp_path / "o.png"
    PILImage.fromarray(np.full((10, 10, 3), 90, np.uint8)).save(src)
    before = src.read_bytes()
    (tmp_path / "hard.png").hardlink_to(src)
    with pytest.raises(BadInput, match="original"):
        export_image(load_image(src), tmp_path / "hard.png", ExportOptions(format="PNG"), overwrite=True)
    assert src.read_bytes() == before

    renders = []
    monkeypatch.setattr(export, "render", lambda *a: renders.append(1) or render(*a))
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(BadInput, match="is a folder"):
        export_image(load_image(src), tmp_path / "folder.png", ExportOptions(format="PNG"))
    assert renders == []

    target = tmp_path / "late.png"
    real_encode = export.encode

    def encode_while_someone_writes(*a):
        target.write_bytes(b"theirs")
        return real_encode(*a)

    monkeypatch.setattr(export, "encode", encode_while_someone_writes)
    with pytest.raises(BadInput, match="already exists"):
        export_image(load_image(src), target, ExportOptions(format="PNG"))
    assert target.read_bytes() == b"theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder.png", "hard.png", "late.png", "o.png"]


def test_sixteen_bit_png_stays_sixteen_bit(tmp_path):
    pixels = (np.linspace(0, 65535, 64 * 64 * 3).reshape(64, 64, 3)).astype(np.uint16)
    export_image(from_array(pixels), tmp_path / "d.png", ExportOptions(format="PNG", width=32))
    back = load_image(tmp_path / "d.png")
    assert back.bit_depth == 16 and back.size == (32, 32)


@pytest.mark.parametrize("fmt", ["TIFF", "PNG"])
def test_sixteen_bit_with_a_profile_is_converted_to_srgb_at_sixteen_bits(tmp_path, fmt):
    """A 16-bit Adobe RGB picture was exported as an 8-bit file."""
    icc = adobe_rgb_icc()
    ramp = np.linspace(0, 1, 90 * 120, dtype=np.float32).reshape(90, 120)
    rgb = np.stack([ramp, ramp[::-1] * 0.7 + 0.1, np.full_like(ramp, 0.4)], axis=2)
    pixels = np.round(rgb * 65535).astype(np.uint16)
    out = export_image(from_array(pixels, icc_profile=icc), tmp_path / f"deep.{fmt.lower()}",
                       ExportOptions(format=fmt))
    back = load_image(out.path)
    assert back.bit_depth == 16 and "sRGB" in ImageCms.getProfileDescription(
        ImageCms.ImageCmsProfile(io.BytesIO(back.icc_profile)))
    assert len(np.unique(back.pixels[..., 0])) > 1000  # a smooth ramp, not 256 steps
    # The truth from the test profile's own definition: gamma 563/256, its D50 primaries, and
    # sRGB's D50-adapted matrix and curve.
    adobe = np.array([[0.6097, 0.2053, 0.1492], [0.3111, 0.6257, 0.0632], [0.0195, 0.0609, 0.7446]])
    srgb = np.array([[0.4360747, 0.3850649, 0.1430804], [0.2225045, 0.7168786, 0.0606169],
                     [0.0139322, 0.0971045, 0.7141733]])
    linear = np.clip((pixels / 65535.0) ** (563 / 256) @ (np.linalg.inv(srgb) @ adobe).T, 0, 1)
    truth = np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055) * 255
    assert np.abs(back.pixels / 257 - truth).max() <= 0.5


def test_fill_frames_a_photo_on_its_own_backdrop_instead_of_letterboxing_it():
    """A photo (a product on its grey studio sweep) exported with amazon-main came out shrunk
    whole onto white bars, the product far under the preset's fill."""
    from packshot.core.export import find_preset, options_from_preset
    from packshot.core.plugin_host import load_plugins

    rgb, _ = studio_shot(450, 600, shape="bottle", noise=0.01, shadow=False)
    options = options_from_preset(find_preset(load_plugins().export_presets(), "amazon-main"))
    out, warnings = render(from_array(rgb), options)
    pixels = out.pixels.astype(int)
    assert out.size == (options.width, options.height)
    white = (pixels == 255).all(axis=2)
    assert white[0].mean() < 0.01 and white[:, 0].mean() < 0.01, "white bars around the photo"
    red = (pixels[..., 0] - pixels[..., 1]) > 100  # the product is red, the sweep grey
    rows, cols = np.flatnonzero(red.any(axis=1)), np.flatnonzero(red.any(axis=0))
    share = max(rows[-1] + 1 - rows[0], cols[-1] + 1 - cols[0]) / options.width
    assert abs(share - options.fill) <= 0.02, share
    assert "backdrop" in warnings[0] and "cut-out" in warnings[0]


def test_fill_box_reaches_past_the_source_when_it_is_too_small():
    from packshot.core.export import fill_box

    assert fill_box((40, 10, 60, 50), (100, 100), 0.5) == pytest.approx((10.0, -10.0, 90.0, 70.0))
    assert fill_box((0, 0, 200, 100), (100, 100), 1.0) == pytest.approx((0.0, -50.0, 200.0, 150.0))


def test_a_quality_asked_for_below_the_presets_floor_is_taken_not_refused():
    from packshot.core.export import options_from_preset

    preset = {"name": "shop", "format": "jpeg", "quality": 90, "min_quality": 50, "max_bytes": 1_000_000}
    assert options_from_preset(preset, quality=40).min_quality == 40
    assert options_from_preset(preset, quality=80).min_quality == 50
    assert options_from_preset(preset).min_quality == 50
    with pytest.raises(BadParameter, match="preset 'shop'"):
        options_from_preset(preset, quality=30, min_quality=40)


# --------------------------------------------------------------------------- libvips against Pillow


def _preset(name, **overrides):
    import tomllib
    from pathlib import Path

    from packshot.core.export import options_from_preset

    folder = Path(__file__).resolve().parents[2] / "resources" / "presets"
    with open(folder / f"{name}.toml", "rb") as fh:
        return options_from_preset(tomllib.load(fh), **overrides)


def _photo(tmp_path, name, *, size=(480, 360), mode="RGB", icc=None, orientation=1, fmt="JPEG"):
    """A grainy studio shot (texture for PSNR to judge) with a camera's EXIF: make, GPS, orientation."""
    rgb, _ = studio_shot(size[1], size[0], noise=0.02, seed=3)
    im = PILImage.fromarray((rgb * 255).astype(np.uint8)).convert(mode)
    exif = PILImage.Exif()
    exif[0x010F] = "StudioCam"
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 12.0)}
    path = tmp_path / name
    im.save(path, fmt, quality=95, exif=exif.tobytes(), dpi=(300, 300), **({"icc_profile": icc} if icc else {}))
    return path


def _pillow_export(src, dst, options):
    """Today's Pillow path for a recipe-free export: JPEG draft decode, Pillow render and encode."""
    from packshot.core.export import draft_size, image_size

    return export_image(load_image(src, draft=draft_size(image_size(src), options)), dst, options)


def _same_export(tmp_path, src, options, ext="jpg", *, vips=True):
    """Export ``src`` through export_file and through the Pillow path; assert a user sees the same file.
    ``vips``: export_file must not fall back to Pillow's decoder for it."""
    from packshot.core import export

    def no_pillow(*args, **kwargs):
        raise AssertionError("export_file fell back to Pillow")

    with pytest.MonkeyPatch.context() as patch:
        if vips:
            patch.setattr(export, "load_image", no_pillow)
        fast = export_file(src, tmp_path / f"fast.{ext}", options)
    slow = _pillow_export(src, tmp_path / f"slow.{ext}", options)
    assert (fast.width, fast.height, fast.format, fast.quality) == (slow.width, slow.height, slow.format, slow.quality)
    with PILImage.open(fast.path) as a, PILImage.open(slow.path) as b:
        assert (a.format, a.mode, a.size) == (b.format, b.mode, b.size)
        for key in ("icc_profile", "dpi", "jfif_density", "jfif_unit"):
            assert a.info.get(key) == b.info.get(key), key
        ea, eb = a.getexif(), b.getexif()
        layout = {273, 279, 0x0112}  # a TIFF's strip offsets and byte counts depend on the compressed bytes
        assert {k: v for k, v in ea.items() if k not in layout} == {k: v for k, v in eb.items() if k not in layout}
        assert ea.get(0x0112, 1) == eb.get(0x0112, 1)  # upright: said as 1, or not said (Pillow 13 drops a TIFF's)
        assert ea.get_ifd(0x8825) == eb.get_ifd(0x8825)
        top = 65535.0 if a.mode.startswith("I;16") else 255.0
        pa, pb = np.asarray(a, np.float64), np.asarray(b, np.float64)
    psnr = 10 * np.log10(top**2 / max(np.mean((pa - pb) ** 2), 1e-12))
    assert psnr > 38, psnr
    return fast, pa


def test_vips_export_matches_pillow_on_a_rotated_camera_jpeg(tmp_path):
    src = _photo(tmp_path, "rot.jpg", orientation=6)
    fast, _ = _same_export(tmp_path, src, ExportOptions(width=200, height=200, metadata="strip-gps"))
    assert (fast.width, fast.height) == (150, 200)  # turned upright: portrait
    with PILImage.open(fast.path) as im:
        exif = im.getexif()
        assert exif.get(0x010F) == "StudioCam" and exif.get(0x0112) == 1 and 0x8825 not in exif


@pytest.mark.parametrize("policy", ["keep", "strip-all"])
def test_vips_export_keeps_the_metadata_policy(tmp_path, policy):
    src = _photo(tmp_path, "meta.jpg")
    PILImage.open(src).save(src, quality=95, exif=PILImage.open(src).getexif().tobytes())  # and no DPI
    _same_export(tmp_path, src, ExportOptions(width=240, metadata=policy))


def test_vips_export_converts_adobe_rgb_to_srgb_like_pillow(tmp_path):
    src = _photo(tmp_path, "adobe.jpg", icc=adobe_rgb_icc())
    fast, pixels = _same_export(tmp_path, src, ExportOptions(width=240, height=240))
    with PILImage.open(src) as im:
        original = np.asarray(im.resize((fast.width, fast.height), PILImage.Resampling.LANCZOS), np.float64)
    assert np.abs(pixels - original).mean() > 2  # converted, not merely re-tagged


def test_vips_export_pads_to_the_shopify_square(tmp_path):
    src = _photo(tmp_path, "pad.jpg", size=(640, 400))
    fast, pixels = _same_export(tmp_path, src, _preset("shopify", width=320, height=320))
    assert (fast.width, fast.height) == (320, 320)
    assert pixels[:50].min() >= 250 and pixels[-50:].min() >= 250  # white bars above and below


def test_vips_export_of_the_shopify_preset_at_its_own_size(tmp_path):
    src = _photo(tmp_path, "big.jpg", size=(2400, 1600))
    fast, _ = _same_export(tmp_path, src, _preset("shopify"))
    assert (fast.width, fast.height) == (2048, 2048)


def test_fill_preset_export_matches_pillow(tmp_path):
    src = _photo(tmp_path, "fill.jpg", size=(640, 480))
    fast, _ = _same_export(tmp_path, src, _preset("amazon-main", width=400, height=400), vips=False)
    assert (fast.width, fast.height) == (400, 400)


def test_vips_export_of_a_cmyk_jpeg_matches_pillow(tmp_path):
    pyvips = pytest.importorskip("pyvips")
    src = _photo(tmp_path, "cmyk.jpg", mode="CMYK", icc=pyvips.Image.profile_load("cmyk"))
    fast, _ = _same_export(tmp_path, src, ExportOptions(width=240, height=240, fit="cover"))
    assert (fast.width, fast.height) == (240, 240)


def _deep_tiff(tmp_path, name, *, grey=False, icc=None, orientation=1):
    """A 16-bit TIFF master as a raw converter writes it (tifffile), with a camera's make and orientation."""
    import tifffile

    rgb, _ = studio_shot(360, 480, noise=0.02, seed=5)
    pixels = np.round(rgb * 65535).astype(np.uint16)
    if grey:
        pixels = pixels.mean(axis=2).astype(np.uint16)
    tags = [(271, 2, 0, "StudioCam", True), (274, 3, 1, orientation, True)]
    if icc:
        tags.append((34675, 7, len(icc), icc, True))
    path = tmp_path / name
    tifffile.imwrite(path, pixels, photometric="minisblack" if grey else "rgb", extratags=tags)
    return path


@pytest.mark.parametrize("case", ["8-bit turned", "16-bit Adobe RGB", "16-bit grey turned", "CMYK"])
def test_vips_export_of_a_tiff_master_matches_pillow(tmp_path, case):
    """A studio's TIFF masters took the Pillow path: 11x the pyvips loop's time at 12 MP."""
    pyvips = pytest.importorskip("pyvips")
    if case == "8-bit turned":
        src = _photo(tmp_path, "master.tif", orientation=6, fmt="TIFF")
    elif case == "CMYK":
        src = _photo(tmp_path, "cmyk.tif", mode="CMYK", icc=pyvips.Image.profile_load("cmyk"), fmt="TIFF")
    else:
        src = _deep_tiff(tmp_path, "deep.tif", grey="grey" in case, orientation=8 if "turned" in case else 1,
                         icc=adobe_rgb_icc() if "Adobe" in case else None)
    fast, pixels = _same_export(tmp_path, src, _preset("shopify", width=300, height=300))
    assert (fast.width, fast.height) == (300, 300)
    with PILImage.open(fast.path) as im:
        assert im.getexif().get(0x010F) == "StudioCam" and im.getexif().get(0x0112, 1) == 1
    turned = "turned" in case
    bars = (pixels[:, :30], pixels[:, -30:]) if turned else (pixels[:30], pixels[-30:])
    assert all(bar.min() >= 250 for bar in bars)  # padded on the sides the turned picture leaves


def test_a_sixteen_bit_tiff_to_png_keeps_the_pillow_path_and_its_depth(tmp_path):
    src = _deep_tiff(tmp_path, "deep.tif")
    _same_export(tmp_path, src, ExportOptions(format="PNG", width=200), "png", vips=False)
    assert load_image(tmp_path / "fast.png").bit_depth == 16


def test_vips_export_refuses_a_truncated_tiff_and_writes_nothing(tmp_path):
    src = _deep_tiff(tmp_path, "whole.tif")
    cut = tmp_path / "cut.tif"
    cut.write_bytes(src.read_bytes()[: src.stat().st_size * 2 // 3])
    with pytest.raises(BadInput, match="cut.tif") as refused:
        export_file(cut, tmp_path / "out.jpg", ExportOptions(width=300))
    assert "unable to call" not in str(refused.value)  # libvips' wording for its own call, no cause
    assert not (tmp_path / "out.jpg").exists() and not list(tmp_path.glob("*.part"))


@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("TIFF", "tif")])
def test_sixteen_bit_source_exports_at_sixteen_bits_as_before(tmp_path, fmt, ext):
    ramp = np.linspace(0, 65535, 90 * 120, dtype=np.float64).reshape(90, 120)
    pixels = np.round(np.stack([ramp, ramp[::-1], np.full_like(ramp, 20000)], axis=2)).astype(np.uint16)
    src = tmp_path / f"deep_src.{ext}"
    export_image(from_array(pixels), src, ExportOptions(format=fmt))
    _same_export(tmp_path, src, ExportOptions(format=fmt, width=60), ext, vips=False)
    assert load_image(tmp_path / f"fast.{ext}").bit_depth == 16


@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("TIFF", "tif"), ("WEBP", "webp")])
def test_vips_decode_feeds_the_other_encoders(tmp_path, fmt, ext):
    src = _photo(tmp_path, "other.jpg", orientation=8)
    fast, _ = _same_export(tmp_path, src, ExportOptions(format=fmt, width=200, height=200, fit="pad",
                                                        quality=95), ext)
    assert (fast.width, fast.height) == (200, 200)


def test_vips_export_fits_max_bytes_like_pillow(tmp_path):
    src = _photo(tmp_path, "limit.jpg", size=(800, 600))
    unlimited = export_file(src, tmp_path / "u.jpg", ExportOptions(width=400))
    limit = unlimited.bytes * 2 // 3
    limited = export_file(src, tmp_path / "l.jpg", ExportOptions(width=400, max_bytes=limit))
    assert limited.bytes <= limit and limited.quality < 90
    assert export_file(src, tmp_path / "b.jpg", ExportOptions(width=400, quality=limited.quality + 1)).bytes > limit


def test_vips_export_refuses_a_truncated_jpeg_and_writes_nothing(tmp_path):
    src = _photo(tmp_path, "whole.jpg", size=(800, 600))
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    with pytest.raises(BadInput, match="cut.jpg"):
        export_file(cut, tmp_path / "out.jpg", ExportOptions(width=300))
    assert not (tmp_path / "out.jpg").exists()
    assert not list(tmp_path.glob("*.part"))


def test_vips_export_refuses_a_jpeg_bomb_from_its_header(tmp_path, monkeypatch):
    """A JPEG whose header claims 300 MP is refused before libvips decodes a pixel."""
    import pyvips

    src = _photo(tmp_path, "bomb.jpg", size=(64, 48))
    data = bytearray(src.read_bytes())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = (15_000).to_bytes(2, "big") + (20_000).to_bytes(2, "big")
    src.write_bytes(bytes(data))

    def no_decoding(*args, **kwargs):
        raise AssertionError("libvips was asked to decode")

    monkeypatch.setattr(pyvips.Image, "thumbnail", no_decoding)
    with pytest.raises(BadInput, match="300 MP"):
        export_file(src, tmp_path / "out.jpg", ExportOptions(width=300))
    assert not (tmp_path / "out.jpg").exists()
