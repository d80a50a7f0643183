"""The Info tab and J: a histogram, clipped highlights and shadows (shown on the picture), and the file's facts."""

from __future__ import annotations

import numpy as np
from PIL import Image as PILImage
from PIL import ImageCms
from PySide6.QtCore import QPoint, QPointF, Qt

from packshot.core.image import Image, from_array
from packshot.core.imageio import save_image
from packshot.desktop.picture_stats import clipping, histogram, picture_facts


def _exif_bytes() -> bytes:
    exif = PILImage.Exif()
    exif[0x010F], exif[0x0110] = "Canon", "EOS R5"
    sub = exif.get_ifd(0x8769)
    sub[0x829A], sub[0x829D], sub[0x8827], sub[0xA434] = 1 / 125, 8.0, 100, "RF100mm F2.8 L MACRO IS USM"
    return exif.tobytes()


def test_histogram_and_clipping_count_what_shows():
    pixels = np.full((10, 10, 4), 128, np.uint8)
    pixels[0, :3, :3] = 255  # three blown
    pixels[1, :2, :3] = 0  # two blocked
    pixels[9, :, 3] = 0  # a transparent row, left out
    counts = histogram(pixels)
    assert counts.shape == (3, 256) and counts.sum(axis=1).tolist() == [90, 90, 90]
    assert counts[0, 255] == 3 and counts[0, 0] == 2
    high, low = clipping(pixels)
    assert high.sum() == 3 and low.sum() == 2


def test_the_facts_come_from_the_files_exif_and_profile():
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    image = Image(np.zeros((30, 40, 3), np.uint16), icc_profile=srgb, exif=_exif_bytes())
    facts = dict(picture_facts(image))
    assert facts["Size"].startswith("40 x 30 px") and facts["Bit depth"] == "16-bit RGB"
    assert "sRGB" in facts["Profile"]
    assert facts["Camera"] == "Canon EOS R5" and facts["Lens"] == "RF100mm F2.8 L MACRO IS USM"
    assert facts["Exposure"] == "1/125 s  f/8  ISO 100"
    assert dict(picture_facts(Image(np.zeros((4, 4, 3), np.uint8))))["Camera"] == "—"


def test_j_shows_blown_highlights_on_the_picture_and_the_info_tab_counts_them(qtbot, window, tmp_path):
    values = np.full((120, 160, 3), 0.6, np.float32)
    values[10:40, 10:60] = 1.0  # a blown window reflection
    path = tmp_path / "shoot" / "blown.png"
    path.parent.mkdir()
    save_image(from_array((values * 255).astype(np.uint8)), path)
    window.open_folder(path.parent)
    qtbot.waitUntil(lambda: window.document is not None and window.canvas.after is not None, timeout=10_000)
    qtbot.waitUntil(lambda: window.info.histogram.counts is not None, timeout=5_000)
    assert "Highlights clipped 7.81%" in window.info.clipping.text()  # 30 x 50 of 120 x 160
    facts = window.info.facts
    shown = {facts.itemAt(r, facts.ItemRole.LabelRole).widget().text():
             facts.itemAt(r, facts.ItemRole.FieldRole).widget().text() for r in range(facts.rowCount())}
    assert shown["Size"].startswith("160 x 120")
    canvas = window.canvas
    spot = canvas.offset + QPointF(30, 25) * canvas.zoom
    where = QPoint(int(spot.x()), int(spot.y()))
    assert canvas.grab().toImage().pixelColor(where).getRgb()[:3] == (255, 255, 255)
    window.activateWindow()
    canvas.setFocus()
    qtbot.keyClick(canvas, Qt.Key.Key_J)
    r, g, b, _ = canvas.grab().toImage().pixelColor(where).getRgb()
    assert r > 200 and g < 80 and b < 80
    qtbot.keyClick(canvas, Qt.Key.Key_J)
    assert canvas.grab().toImage().pixelColor(where).getRgb()[:3] == (255, 255, 255)
