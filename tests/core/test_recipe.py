"""Recipes and edit stacks: saved, loaded, replayed, and refused when they cannot run."""

from __future__ import annotations

import numpy as np
import pytest

from packshot.core.context import Context
from packshot.core.errors import BadInput, BadParameter
from packshot.core.recipe import (
    EditStack,
    Recipe,
    Step,
    apply_recipe,
    check_recipe,
    load_recipe,
    load_sidecar,
    make_step,
    save_sidecar,
)


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


def test_a_step_of_a_disabled_plugin_says_how_to_enable_it(small_image):
    from packshot.core.hookspecs import hookimpl
    from packshot.core.plugin_host import PluginHost

    class Plugin:
        @hookimpl
        def packshot_operations(self):
            return []

    host = PluginHost(disabled=["vendor"])
    host.register(Plugin(), "vendor")
    with pytest.raises(BadInput) as caught:
        apply_recipe(small_image, Recipe(steps=[Step(op="vendor.magic", plugin="vendor")]), host, Context())
    assert str(caught.value) == ("recipe: step 1 uses 'vendor.magic', which is not available: it would come "
                                 "from plugin 'vendor', which is disabled; enable it: packshot plugins --enable "
                                 "vendor")


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


def _amounts(stack):
    return [s.params["amount"] for s in stack.applied]


def test_a_second_run_of_the_last_operation_edits_it_unless_a_new_step_is_asked_for():
    stack = EditStack()
    stack.record(Step(op="test.invert", params={"amount": 0.2}))
    stack.record(Step(op="test.invert", params={"amount": 0.4}))
    assert _amounts(stack) == [0.4]
    stack.record(Step(op="test.invert", params={"amount": 0.6}), as_new=True)
    assert _amounts(stack) == [0.4, 0.6]
    stack.record(Step(op="test.fill_mask", mask="m/a.png"))
    stack.record(Step(op="test.fill_mask", mask="m/b.png"))  # another mask: another step
    assert [s.mask for s in stack.applied[2:]] == ["m/a.png", "m/b.png"]
    stack.undo()
    stack.undo()
    assert _amounts(stack) == [0.4, 0.6]
    stack.undo()
    stack.undo()
    assert _amounts(stack) == [0.2]  # undoing the edit brings back the first value
    assert stack.undo() and stack.applied == [] and not stack.undo()


def test_stack_changes_are_undone_and_redone_as_changes():
    stack = EditStack()
    for amount in (0.1, 0.2, 0.3):
        stack.append(Step(op="test.invert", params={"amount": amount}))
    stack.set_params(2, {"amount": 0.9})
    stack.set_enabled(1, False)
    stack.move(3, 1)
    assert _amounts(stack) == [0.3, 0.1, 0.9] and not stack.step(2).enabled
    stack.delete(2)
    assert _amounts(stack) == [0.3, 0.9]
    stack.reset()
    assert stack.applied == []
    for expected in ([0.3, 0.9], [0.3, 0.1, 0.9], [0.1, 0.9, 0.3], [0.1, 0.9, 0.3], [0.1, 0.2, 0.3]):
        assert stack.undo()
        assert _amounts(stack) == expected
    assert stack.step(1).enabled  # the disable was undone too
    stack.redo()
    stack.redo()
    assert _amounts(stack) == [0.1, 0.9, 0.3] and not stack.step(1).enabled
    stack.set_params(2, {"amount": 0.5})  # a new change drops what could be redone
    assert not stack.can_redo()
    with pytest.raises(BadInput, match="step 4 does not exist"):
        stack.set_params(4, {})


def test_a_step_with_a_painted_mask_does_not_move():
    stack = EditStack()
    stack.append(Step(op="test.invert"))
    stack.append(Step(op="test.fill_mask", mask="m/a.png"))
    with pytest.raises(BadInput, match="painted mask"):
        stack.move(2, 1)
    stack.move(1, 2)  # the unmasked step may move past it
    assert [s.op for s in stack.applied] == ["test.fill_mask", "test.invert"]


def test_old_sidecars_read_and_disabled_steps_round_trip(tmp_path):
    image = tmp_path / "photo.jpg"
    image.write_bytes(b"not read")
    # A sidecar as the previous Packshot wrote it: no 'enabled', an undone step beyond the cursor.
    (tmp_path / "photo.jpg.packshot.toml").write_text(
        'format = 1\nname = ""\npackshot_version = "0.1.0"\ncursor = 1\n\n'
        '[[steps]]\nop = "test.invert"\nseed = 0\n\n[steps.params]\namount = 0.25\n\n'
        '[[steps]]\nop = "test.invert"\nseed = 0\n\n[steps.params]\namount = 0.5\n', "utf-8")
    stack = load_sidecar(image)
    assert _amounts(stack) == [0.25] and stack.step(1).enabled
    stack.append(Step(op="test.invert", params={"amount": 0.75}))  # drops the undone step
    stack.set_enabled(1, False)
    save_sidecar(image, stack)
    again = load_sidecar(image)
    assert _amounts(again) == [0.25, 0.75] and [s.enabled for s in again.steps] == [False, True]
    assert [s.params["amount"] for s in again.recipe().steps] == [0.75]
    assert "enabled = false" in (tmp_path / "photo.jpg.packshot.toml").read_text()
    assert image.read_bytes() == b"not read"


def test_replay_passes_over_a_disabled_step_and_reports_every_step(fake_host, small_image):
    steps = [Step(op="test.invert", params={"amount": 1.0}, enabled=False), Step(op="test.invert")]
    seen = []
    out = apply_recipe(small_image, Recipe(steps=steps), fake_host, Context(),
                       on_step=lambda i, step, result: seen.append(result.image))
    assert np.array_equal(out.pixels, 255 - small_image.pixels)
    assert len(seen) == 2 and seen[0] is small_image


@pytest.mark.parametrize("text, says", [
    ("x = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ('cursor = "abc"\n', "'cursor' must be a whole number"),
    ("cursor = inf\n", "'cursor' must be a whole number"),
    ("cursor = [1]\n", "'cursor' must be a whole number"),
])
def test_a_damaged_sidecar_is_one_clear_error(tmp_path, text, says):
    image = tmp_path / "shot.png"
    image.write_bytes(b"not read")
    sidecar = tmp_path / "shot.png.packshot.toml"
    sidecar.write_text(text)
    with pytest.raises(BadInput, match=says):
        load_sidecar(image)
    assert sidecar.read_text() == text
