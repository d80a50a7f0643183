"""Resampling: area averaging keeps what a shrink should keep, masks never lose a hole."""

from __future__ import annotations

import numpy as np

from packshot.core.resample import fit_within, resize, shrink, shrink_with_mask


def test_fit_within_scales_down_only():
    assert fit_within((3000, 4000, 3), 1024) == (1024, 768)
    assert fit_within((600, 800), 1024) == (800, 600)
    assert fit_within((5000, 3), 100) == (1, 100)


def test_shrink_keeps_the_mean_of_fine_detail():
    checker = (np.indices((400, 600)).sum(axis=0) % 2).astype(np.float32)[..., None].repeat(3, axis=2)
    small = shrink(checker, (150, 100))
    assert small.shape == (100, 150, 3)
    assert np.abs(small - 0.5).max() < 0.02  # each output pixel averages what it covers
    assert shrink(checker, (600, 400)) is checker


def test_a_one_pixel_hole_survives_a_shrink():
    rgb = np.full((64, 64, 3), 0.5, np.float32)
    hole = np.zeros((64, 64), bool)
    hole[17, 42] = True
    small, small_hole = shrink_with_mask(rgb, hole, (16, 16))
    assert small.shape == (16, 16, 3) and small_hole.dtype == bool
    assert small_hole.sum() >= 1 and small_hole[17 // 4, 42 // 4]


def test_resize_keeps_the_channel_axis_and_edges_going_up():
    ramp = np.linspace(0, 1, 32, dtype=np.float32)[None, :, None].repeat(16, axis=0)
    up = resize(ramp, (128, 64))
    assert up.shape == (64, 128, 1)
    assert np.abs(up[:, 8:-8, 0] - np.linspace(0, 1, 128)[None, 8:-8]).max() < 0.02
    down = resize(ramp, (8, 4))
    assert down.shape == (4, 8, 1) and abs(float(down.mean()) - float(ramp.mean())) < 1e-3
