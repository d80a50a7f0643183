"""The document model without a screen: masks, history, sidecars, replay."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from packshot.core.errors import BadInput
from packshot.core.image import from_array
from packshot.core.imageio import save_image
from packshot.core.jobs import execute
from packshot.core.context import Context
from packshot.core.operation import Inputs
from packshot.core.recipe import make_step, sidecar_path
from packshot.core.synthetic import studio_shot
from packshot.desktop.document import Document, preview_of, stamp, stroke


def _apply(doc, host, op_id, params=None, mask=None):
    op = host.operation(op_id)
    result = execute(op, Inputs(doc.current, mask), params or {}, Context())
    doc.apply(make_step(host, op_id, op.validate(params)), result, mask=mask)
    return result


@pytest.fixture
def photo(tmp_path):
    rgb, _ = studio_shot(90, 120, seed=3)
    path = tmp_path / "photo.png"
    save_image(from_array(rgb), path)
    return path


def test_hard_stamp_covers_the_disc_and_soft_one_fades():
    mask = np.zeros((100, 100), np.float32)
    stamp(mask, 50, 50, radius=10, hardness=1.0)
    area = (mask > 0.5).sum()
    assert abs(area - np.pi * 10**2) < 0.05 * np.pi * 10**2
    soft = np.zeros((100, 100), np.float32)
    stamp(soft, 50, 50, radius=10, hardness=0.0)
    assert soft[50, 50] > 0.9 and 0.2 < soft[50, 55] < 0.8 and soft[50, 62] == 0.0


def test_stroke_leaves_no_gaps_and_eraser_removes():
    mask = np.zeros((60, 200), np.float32)
    stroke(mask, (10, 30), (190, 30), radius=4, hardness=1.0)
    assert (mask[30, 10:190] > 0.99).all()
    stroke(mask, (100, 10), (100, 50), radius=6, hardness=1.0, erase=True)
    assert (mask[30, 96:104] == 0).all() and (mask[30, 80] > 0.99)


def test_preview_is_bounded_and_8_bit():
    pixels = np.zeros((5000, 3000, 3), np.uint16)
    small = preview_of(pixels, edge=1024)
    assert max(small.shape[:2]) <= 1024 and small.dtype == np.uint8


def test_undo_redo_restore_exact_pixels_and_new_step_drops_redo(photo, fake_host):
    doc = Document.open(photo)
    original = doc.current.pixels.copy()
    _apply(doc, fake_host, "test.invert")
    once = doc.current.pixels.copy()
    _apply(doc, fake_host, "test.invert", {"amount": 0.5})
    assert doc.undo() and np.array_equal(doc.current.pixels, once)
    assert doc.undo() and np.array_equal(doc.current.pixels, original)
    assert not doc.undo()
    assert doc.redo() and np.array_equal(doc.current.pixels, once)
    _apply(doc, fake_host, "test.invert", {"amount": 0.25})
    assert len(doc.steps) == 2 and not doc.can_redo()
    assert doc.steps[1].params == {"amount": 0.25}


def test_sidecar_and_mask_restore_on_reopen_original_untouched(photo, fake_host):
    before = hashlib.sha256(photo.read_bytes()).hexdigest()
    doc = Document.open(photo)
    doc.paint((30, 40), (90, 40), radius=6, hardness=0.3)
    _apply(doc, fake_host, "test.fill_mask", mask=doc.operation_mask())
    _apply(doc, fake_host, "test.invert")
    doc.undo()
    expected = [im.pixels.copy() for im in doc.images]
    assert doc.save() == sidecar_path(photo)
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == before

    again = Document.open(photo)
    assert again.cursor == 1 and len(again.pending_steps()) == 2 and not again.ready
    again.add_replayed(again.replay(fake_host))
    assert again.ready and len(again.images) == 3
    for a, b in zip(expected, again.images):
        assert np.array_equal(a, b.pixels)
    assert again.steps[0].mask and (photo.parent / again.steps[0].mask).is_file()


def test_reopening_rewrites_the_sidecar_only_when_the_history_changes(photo, fake_host):
    doc = Document.open(photo)
    _apply(doc, fake_host, "test.invert")
    assert doc.save() == sidecar_path(photo)
    assert doc.save() is None
    stamp = sidecar_path(photo).stat().st_mtime_ns

    again = Document.open(photo)
    again.add_replayed(again.replay(fake_host))
    assert again.save() is None and sidecar_path(photo).stat().st_mtime_ns == stamp
    again.undo()
    assert again.save() == sidecar_path(photo)
    assert Document.open(photo).cursor == 0


def test_step_mask_outside_its_folder_is_refused(photo):
    doc = Document.open(photo)
    with pytest.raises(BadInput, match="outside"):
        doc.load_step_mask("../../etc/passwd", (90, 120))


def test_broken_sidecar_opens_fresh_with_a_warning(photo):
    sidecar_path(photo).write_text("not = [valid toml", "utf-8")
    doc = Document.open(photo)
    assert doc.steps == [] and "fresh history" in doc.warning


def test_mask_tools_invert_clear_and_result_mask(photo):
    doc = Document.open(photo)
    events = []
    doc.subscribe(events.append)
    doc.paint((10, 10), (10, 10), radius=3)
    doc.invert_mask()
    assert doc.mask[10, 10] < 0.01 and doc.mask[80, 100] == 1.0 and "mask" in events
    assert not doc.use_result_mask()
    doc.result_mask = np.full((90, 120), 0.25, np.float32)
    assert doc.use_result_mask() and np.allclose(doc.mask, 0.25)
    doc.clear_mask()
    assert doc.mask is None and not doc.has_mask()
