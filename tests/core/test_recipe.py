"""Recipes and edit stacks: saved, loaded, replayed, and refused when they cannot run."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import BadInput, BadParameter
from packshot.core.recipe import (EditStack, Recipe, Step, apply_recipe, check_recipe, load_recipe, load_sidecar,
                         make_step, save_sidecar)


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_recipe_round_trips(tmp_path, fake_host, suffix):
    recipe = Recipe(name="shoot", steps=[make_step(fake_host, "test.invert", {"amount": 0.25}, seed=7),
                                         Step(op="test.fill_mask", mask="masks/a.png")])
    path = recipe.save(tmp_path / f"r{suffix}")
    again = load_recipe(path)
    assert again.to_dict() == recipe.to_dict()
    assert again.steps[0].plugin == "fake" and again.steps[0].plugin_version == "1.2.0"


def test_replay_matches_step_by_step(fake_host, small_image):
    recipe = Recipe(steps=[Step(op="test.invert", params={"amount": 0.5}), Step(op="test.invert")])
    out = apply_recipe(small_image, recipe, fake_host, Context())
    half = small_image.with_float(small_image.rgb() + 0.5 * (1 - 2 * small_image.rgb()))
    expected = half.with_float(1 - half.rgb())
    assert np.array_equal(out.pixels, expected.pixels)


def test_missing_operation_and_newer_plugin_are_refused(fake_host):
    with pytest.raises(BadInput, match="'vendor.magic' from plugin 'vendor', which is not installed"):
        check_recipe(Recipe(steps=[Step(op="vendor.magic", plugin="vendor")]), fake_host)
    newer = Step(op="test.invert", plugin="fake", plugin_version="1.10.0")
    with pytest.raises(BadInput, match="newer than the installed 1.2.0"):
        check_recipe(Recipe(steps=[newer]), fake_host)
    with pytest.raises(BadParameter, match="amount"):
        check_recipe(Recipe(steps=[Step(op="test.invert", params={"amount": 5})]), fake_host)


def test_bad_recipe_files_are_clear(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("steps = [ {op = 1} ]")
    with pytest.raises(BadInput, match="needs an 'op'"):
        load_recipe(bad)
    broken = tmp_path / "broken.toml"
    broken.write_text("steps = [")
    with pytest.raises(BadInput, match="not valid TOML"):
        load_recipe(broken)
    future = tmp_path / "future.json"
    future.write_text('{"format": 99, "steps": []}')
    with pytest.raises(BadInput, match="newer than this Packshot reads"):
        load_recipe(future)


def test_edit_stack_undo_redo_and_sidecar(tmp_path):
    stack = EditStack()
    for amount in (0.1, 0.2, 0.3):
        stack.push(Step(op="test.invert", params={"amount": amount}))
    stack.undo()
    stack.undo()
    assert [s.params["amount"] for s in stack.applied] == [0.1]
    stack.redo()
    assert stack.cursor == 2
    stack.push(Step(op="test.invert", params={"amount": 0.9}))  # drops the redo tail
    assert [s.params["amount"] for s in stack.steps] == [0.1, 0.2, 0.9]
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"not read")
    save_sidecar(image, stack)
    assert (tmp_path / "photo.jpg.packshot.toml").exists()
    again = load_sidecar(image)
    assert again.cursor == 3 and [s.params for s in again.steps] == [s.params for s in stack.steps]
    assert image.read_bytes() == b"not read"
