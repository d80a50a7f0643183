"""Export from the window: into export/ beside the originals by default, shop fill from a pad preset."""

from __future__ import annotations

import numpy as np
from PIL import Image as PILImage

from packshot.core.image import from_array
from packshot.core.imageio import save_image
from packshot.desktop.export_dialog import ExportDialog
from packshot.plugins import presets


def test_export_goes_beside_the_originals_and_a_pad_preset_fills_as_the_shop_asks(qtbot, make_packshot_window,
                                                                                   tmp_path):
    shoot = tmp_path / "shoot"
    shoot.mkdir()
    rgba = np.zeros((120, 160, 4), np.uint8)
    rgba[20:100, 60:100] = (200, 40, 40, 255)  # a cut-out product, 40 x 80, on transparency
    save_image(from_array(rgba), shoot / "bottle_cutout.png")
    window = make_packshot_window(presets)
    window.open_folder(shoot)
    qtbot.waitUntil(lambda: window.document is not None and window.document.ready, timeout=10_000)
    doc = window.document
    dialog = ExportDialog(doc, window.host.export_presets(), window)
    qtbot.addWidget(dialog)
    assert dialog.folder.path() == shoot / "export"  # never among the originals
    titles = [dialog.form.preset.itemText(i) for i in range(dialog.form.preset.count())]
    dialog.form.preset.setCurrentIndex(titles.index("Amazon main image"))
    options = dialog.options()
    assert (options.fit, options.fill, options.width) == ("pad", 0.88, 2000)
    dialog.check()  # export/ does not exist yet: it is made on export
    target = dialog.target()
    target.parent.mkdir()
    window.export(doc.current, target, options, source=doc.path)
    qtbot.waitUntil(target.exists, timeout=20_000)
    with PILImage.open(target) as im:
        pixels = np.asarray(im.convert("RGB")).astype(int)
    product = np.argwhere(np.abs(pixels - 255).max(axis=2) > 40)
    height = product[:, 0].max() - product[:, 0].min() + 1
    assert abs(height / 2000 - 0.88) < 0.01  # the product spans the preset's fill, not a letterboxed frame
    assert sorted(p.name for p in shoot.iterdir()) == ["bottle_cutout.png", "export"]
