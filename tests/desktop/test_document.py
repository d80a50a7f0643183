"""The document model without a screen: masks, the edit stack, sidecars, renders from the cache."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from packshot.core.image import from_array
from packshot.core.imageio import save_image
from packshot.core.recipe import sidecar_path
from packshot.core.synthetic import studio_shot
from packshot.desktop.document import Document, preview_of, stamp, stroke


@pytest.fixture
def session(fake_host):
    from packshot.core.settings import Settings
    from packshot.desktop.session import EditorSession

    s = EditorSession(fake_host, Settings())
    yield s
    s.close()


def _run(session, doc, op_id, params=None, **kwargs):
    """Run an operation on ``doc`` as the window does, and bring its end into the session."""
    session.document = doc
    job = session.run_operation(op_id, params or {}, **kwargs)
    job.wait(20)
    assert session.finish_operation(job).endswith("done"), job.error
    return job


def _change(session, doc, edit):
    job = session.change(doc, edit)
    if job is not None:
        job.wait(20)
        session.finish_render(job)
    assert doc.ready


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


def test_undo_redo_restore_exact_pixels_and_a_new_change_drops_redo(photo, session):
    doc = session.load(photo)
    original = doc.current.pixels.copy()
    _run(session, doc, "test.invert")
    once = doc.current.pixels.copy()
    _run(session, doc, "test.invert", {"amount": 0.5}, new_step=True)
    assert len(doc.steps) == 2
    _change(session, doc, lambda d: d.undo())
    assert np.array_equal(doc.current.pixels, once)
    _change(session, doc, lambda d: d.undo())
    assert np.array_equal(doc.current.pixels, original) and not doc.can_undo()
    _change(session, doc, lambda d: d.redo())
    assert np.array_equal(doc.current.pixels, once)
    _run(session, doc, "test.invert", {"amount": 0.25})  # re-adjusts the last step
    assert not doc.can_redo() and [s.params for s in doc.steps] == [{"amount": 0.25}]


def test_sidecar_and_mask_restore_on_reopen_original_untouched(photo, session, fake_host, op_calls):
    from packshot.core.settings import Settings
    from packshot.desktop.session import EditorSession

    before = hashlib.sha256(photo.read_bytes()).hexdigest()
    doc = session.load(photo)
    doc.paint((30, 40), (90, 40), radius=6, hardness=0.3)
    _run(session, doc, "test.fill_mask")
    _run(session, doc, "test.invert")
    _change(session, doc, lambda d: d.undo())
    expected = doc.current.pixels.copy()
    assert doc.save() == sidecar_path(photo)
    assert hashlib.sha256(photo.read_bytes()).hexdigest() == before
    assert doc.steps[0].mask and (photo.parent / doc.steps[0].mask).is_file()

    restarted = EditorSession(fake_host, Settings())  # a new engine: its memory is empty, the disk cache is not
    try:
        del op_calls[:]
        again = restarted.load(photo)
        assert again.ready and op_calls == [] and np.array_equal(again.current.pixels, expected)
        for render in restarted.engine.disk.folder.rglob("*.render"):
            render.unlink()
        restarted.engine.forget(photo)
        cold = Document.open(photo)
        job = restarted.opened(cold)
        job.wait(20)
        restarted.finish_render(job)
        assert op_calls == ["test.fill_mask"] and np.array_equal(cold.current.pixels, expected)
    finally:
        restarted.close()


def test_reopening_rewrites_the_sidecar_only_when_the_history_changes(photo, session):
    doc = session.load(photo)
    _run(session, doc, "test.invert")  # the session saves the stack after each run
    assert sidecar_path(photo).is_file() and doc.save() is None
    stamp = sidecar_path(photo).stat().st_mtime_ns

    again = session.load(photo)
    assert again.ready and again.save() is None and sidecar_path(photo).stat().st_mtime_ns == stamp
    _change(session, again, lambda d: d.set_enabled(1, False))
    assert again.save() == sidecar_path(photo)
    reopened = Document.open(photo)
    assert [s.enabled for s in reopened.steps] == [False] and reopened.ready  # nothing enabled: the original


def test_step_mask_outside_its_folder_is_refused(photo, session):
    from packshot.core.recipe import EditStack, Step, save_sidecar

    save_sidecar(photo, EditStack([Step(op="test.fill_mask", mask="../../etc/passwd")], cursor=1))
    messages = []
    session.on_message = lambda kind, text: messages.append(text)
    doc = session.load(photo)
    assert session.opened(doc) is None
    assert "outside" in messages[-1] and doc.ready and doc.cursor == 0
    assert np.array_equal(doc.current.pixels, doc.original.pixels)


def test_a_mask_is_kept_once_per_content_beside_the_picture(photo):
    doc = Document.open(photo)
    mask = np.zeros((90, 120), np.float32)
    mask[10:20, 10:20] = 1.0
    name = doc.store_mask(mask)
    assert doc.store_mask(mask.copy()) == name and (photo.parent / name).is_file()
    assert len(list((photo.parent / name).parent.iterdir())) == 1


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
