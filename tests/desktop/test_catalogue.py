"""The library panel's catalogue: a folder opened again finds its thumbnails without reading pictures."""

from __future__ import annotations

import numpy as np

from packshot.core.image import from_array
from packshot.core.imageio import save_image
from packshot.core.library import Library, catalogue, content_hash
from packshot.core.synthetic import studio_shot
from packshot.desktop.catalogue import Catalogue

from .conftest import write_shots


def test_reopening_a_folder_hashes_no_picture_for_its_thumbnails(tmp_path, monkeypatch):
    paths = write_shots(tmp_path / "shoot", count=3)
    hashed = []
    monkeypatch.setattr(catalogue, "content_hash", lambda path: hashed.append(path) or content_hash(path))
    with Library(tmp_path / "lib.sqlite") as library:
        panel = Catalogue(library)
        panel.scan([paths[0].parent])
        hashed.clear()
        for path in paths:
            pixels, size = panel.thumbnail(path.resolve())
            assert size == (160, 120) and pixels.std() > 5
        assert hashed == []
        before = np.asarray(panel.thumbnail(paths[1].resolve())[0], np.float32)
        rgb, _ = studio_shot(120, 160, shape="ball", seed=9)
        save_image(from_array(rgb), paths[1])  # another picture under that name
        after = np.asarray(panel.thumbnail(paths[1].resolve())[0], np.float32)
        assert hashed == [paths[1].resolve()] and np.abs(after - before).mean() > 1
