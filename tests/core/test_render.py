"""The render engine: re-adjusted steps are exact, caches are used, invalidated and bounded."""

from __future__ import annotations

import hashlib
import os
import time

import numpy as np
import pytest

from packshot.core.context import CancelToken, Context
from packshot.core.errors import BadInput, Cancelled
from packshot.core.hookspecs import hookimpl
from packshot.core.icc import srgb_icc
from packshot.core.image import Image
from packshot.core.imageio import load_image, save_image
from packshot.core.jobs import execute
from packshot.core.mask import save_mask
from packshot.core.operation import Inputs, Operation, Result
from packshot.core.params import Float
from packshot.core.recipe import EditStack, Step, make_step, masks_folder, save_sidecar
from packshot.core.render import PREVIEW_EDGES, RenderEngine, proxy_of
from packshot.core.render_cache import DiskCache, MemoryCache
from packshot.core.settings import cache_dir


class Counting:
    """A test plugin whose operations count their runs (the truth the engine must not fake)."""

    packshot_api_version = "2.0"
    runs: list[str] = []

    @hookimpl
    def packshot_operations(self):
        runs = self.runs

        class Gain(Operation):
            id, title, family, cheap = "count.gain", "Gain", "colour", True
            params = (Float("factor", 1.0, minimum=0.0, maximum=4.0),)

            def run(self, inputs, params, ctx):
                runs.append(self.id)
                return Result(inputs.image.with_float(inputs.image.as_float() * params["factor"]))

        class Slow(Operation):
            id, title, family = "count.slow", "Slow", "other"

            def run(self, inputs, params, ctx):
                runs.append(self.id)
                for i in range(100):
                    ctx.progress(i / 100)
                return Result(inputs.image)

        class Darken(Operation):
            id, title, family = "count.darken", "Darken where masked", "repair"
            inputs = frozenset({"image", "mask"})
            mask_required = True

            def run(self, inputs, params, ctx):
                runs.append(self.id)
                rgb = inputs.image.rgb() * (1 - 0.5 * inputs.mask[..., None])
                return Result(inputs.image.with_float(rgb))

        class PerPixel(Operation):
            """Takes 40 ns per pixel: 19 ms on an 800x600 proxy, half that at 566 px."""

            id, title, family = "count.per_pixel", "Per pixel", "colour"

            def run(self, inputs, params, ctx):
                runs.append(self.id)
                time.sleep(4e-8 * inputs.image.width * inputs.image.height)
                return Result(inputs.image)

        return [Gain(), Slow(), Darken(), PerPixel()]


@pytest.fixture
def host(packshot_host):
    Counting.runs = []
    return packshot_host("packshot.plugins.colour", Counting())


@pytest.fixture
def picture(tmp_path, packshot_photo):
    path = tmp_path / "coffee.png"
    save_image(packshot_photo("coffee", max_side=192), path)
    return path


def engine_for(host, max_mb: float = 64) -> RenderEngine:
    return RenderEngine(host, disk=DiskCache(cache_dir() / "renders", int(max_mb * 2**20)))


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)


def exposure(host, image: Image, **params) -> Image:
    return execute(host.operation("colour.exposure"), Inputs(image), params, Context()).image


def test_readjusting_a_step_equals_applying_only_the_new_value(host, picture):
    original = load_image(picture)
    stack = EditStack()
    stack.append(make_step(host, "colour.exposure", {"stops": 2.78}))
    stack.append(make_step(host, "colour.exposure", {"contrast": 0.3}))
    engine = engine_for(host)
    first = engine.render(picture, stack)
    stack.set_params(1, {"stops": -2.25})
    readjusted = engine.render(picture, stack)

    expected = exposure(host, exposure(host, original, stops=-2.25), contrast=0.3)
    assert np.array_equal(readjusted.pixels, expected.pixels)
    stacked = exposure(host, exposure(host, first, stops=-2.25), contrast=0.3)  # today's behaviour
    assert psnr(stacked.pixels, expected.pixels) < 30
    assert len(stack.steps) == 2 and stack.step(1).params["stops"] == -2.25


def test_undo_after_readjusting_restores_params_and_render(host, picture):
    stack = EditStack()
    stack.append(make_step(host, "colour.exposure", {"stops": 2.78}))
    engine = engine_for(host)
    before = engine.render(picture, stack)
    stack.set_params(1, {"stops": -2.25})
    after = engine.render(picture, stack)
    assert not np.array_equal(before.pixels, after.pixels)
    assert stack.undo()
    assert stack.step(1).params == {"stops": 2.78}
    calls = engine.calls
    assert np.array_equal(engine.render(picture, stack).pixels, before.pixels)
    assert engine.calls == calls  # straight from the memory cache
    assert stack.redo() and stack.step(1).params == {"stops": -2.25}
    assert np.array_equal(engine.render(picture, stack).pixels, after.pixels)


def test_changing_step_n_restarts_from_the_cached_result_of_step_n_minus_1(host, picture):
    stack = EditStack()
    for factor in (0.9, 0.8, 0.7):
        stack.append(make_step(host, "count.gain", {"factor": factor}))
    engine = engine_for(host)
    engine.render(picture, stack)
    assert len(Counting.runs) == 3
    stack.set_params(3, {"factor": 0.5})
    engine.render(picture, stack)
    assert len(Counting.runs) == 4
    after_one = engine.render(picture, stack, upto=1)  # the picture after step 1, as the history list shows it
    assert len(Counting.runs) == 4
    original = load_image(picture)
    assert np.array_equal(after_one.pixels, original.with_float(original.as_float() * 0.9).pixels)
    stack.set_params(2, {"factor": 0.6})
    engine.render(picture, stack)
    assert len(Counting.runs) == 6
    engine.forget(picture)  # closed: its results leave memory
    assert len(engine.memory) == 0 and engine.memory.bytes_used == 0


def test_an_unchanged_edited_picture_renders_from_the_disk_cache_without_operations(host, picture):
    stack = EditStack()
    stack.append(make_step(host, "count.gain", {"factor": 0.5}))
    stack.append(make_step(host, "colour.exposure", {"stops": 1.0}))
    save_sidecar(picture, stack)
    before = sha(picture)
    first = engine_for(host).render(picture, stack)
    runs = len(Counting.runs)
    fresh = engine_for(host)  # as after a restart: empty memory, same cache folder
    assert fresh.cached(picture, stack) is not None
    again = fresh.render(picture, stack)
    assert len(Counting.runs) == runs and fresh.calls == 0
    assert np.array_equal(again.pixels, first.pixels) and again.source == picture
    assert sha(picture) == before


def test_editing_the_source_or_the_stack_invalidates_the_cached_render(host, picture, packshot_photo):
    stack = EditStack()
    stack.append(make_step(host, "count.gain", {"factor": 0.5}))
    engine_for(host).render(picture, stack)

    save_image(packshot_photo("chelsea", max_side=192), picture)  # the photographer re-exported it
    engine = engine_for(host)
    assert engine.cached(picture, stack) is None
    out = engine.render(picture, stack)
    assert engine.calls == 1
    expected = load_image(picture).with_float(load_image(picture).as_float() * 0.5)
    assert np.array_equal(out.pixels, expected.pixels)

    stack.set_params(1, {"factor": 0.25})
    assert engine.cached(picture, stack) is None
    engine.render(picture, stack)
    assert engine.calls == 2


def test_disabled_and_deleted_steps_render_as_if_absent(host, picture):
    stack = EditStack()
    stack.append(make_step(host, "count.gain", {"factor": 0.5}))
    stack.append(make_step(host, "colour.exposure", {"stops": 1.0}))
    engine = engine_for(host)
    only_exposure = exposure(host, load_image(picture), stops=1.0)
    stack.set_enabled(1, False)
    assert np.array_equal(engine.render(picture, stack).pixels, only_exposure.pixels)
    stack.set_enabled(1, True)
    stack.delete(1)
    calls = engine.calls
    assert np.array_equal(engine.render(picture, stack).pixels, only_exposure.pixels)
    assert engine.calls == calls  # the same steps: the same cached render


def test_sixteen_bits_and_the_icc_profile_survive_full_renders_and_the_disk_cache(host, tmp_path):
    ramp = np.linspace(0, 65535, 64 * 48 * 3).reshape(48, 64, 3).astype(np.uint16)
    path = tmp_path / "deep.png"
    save_image(Image(ramp, icc_profile=srgb_icc()), path)
    stack = EditStack([make_step(host, "colour.exposure", {"stops": -0.5})], cursor=1)
    first = engine_for(host).render(path, stack)
    again = engine_for(host).render(path, stack)  # from disk
    for out in (first, again):
        assert out.pixels.dtype == np.uint16 and out.icc_profile == srgb_icc()
        assert len(np.unique(out.pixels[..., 0])) > 1000  # thousands of levels, not 256
    assert np.array_equal(first.pixels, again.pixels)


def test_proxy_render_is_screen_sized_and_close_to_the_full_render(host, tmp_path, packshot_photo):
    path = tmp_path / "big.png"
    save_image(packshot_photo("astronaut", max_side=512), path)
    stack = EditStack([make_step(host, "colour.exposure", {"stops": 0.7})], cursor=1)
    engine = engine_for(host)
    proxy = engine.render(path, stack, edge=128)
    assert max(proxy.pixels.shape[:2]) == 128 and proxy.pixels.dtype == np.uint8
    full = engine.render(path, stack)
    assert psnr(proxy.pixels, proxy_of(full, 128).pixels) > 30


def test_reopening_shows_the_screen_sized_copy_of_a_full_render_without_operations(host, tmp_path,
                                                                                   packshot_photo):
    from PIL import Image as PILImage

    path = tmp_path / "large.jpg"
    small = packshot_photo("astronaut", max_side=None).pixels
    save_image(Image(np.asarray(PILImage.fromarray(small).resize((1800, 1200)))), path)
    stack = EditStack([make_step(host, "count.gain", {"factor": 0.5})], cursor=1)
    first = engine_for(host)
    full = first.render(path, stack)
    first.disk.path(first.plan(path, stack)[-1].key).unlink()  # only the screen-sized copy is left
    fresh = engine_for(host)  # as after a restart
    assert fresh.cached(path, stack) is None
    shown = fresh.cached(path, stack, edge=1600)
    assert shown is not None and max(shown.pixels.shape[:2]) == 1600 and fresh.calls == 0
    assert np.array_equal(shown.pixels, proxy_of(full, 1600).pixels)
    thumb = fresh.cached(path, stack, edge=256)
    assert max(thumb.pixels.shape[:2]) == 256 and psnr(thumb.pixels, proxy_of(full, 256).pixels) > 35
    assert fresh.calls == 0
    fresh.render(path, stack, edge=256)  # a proxy render is the proxy chain's, never a display copy
    assert fresh.calls == 1


def test_preview_changes_nothing_and_reruns_only_from_the_dragged_step(host, picture):
    stack = EditStack()
    for factor in (0.9, 0.8, 0.7):
        stack.append(make_step(host, "count.gain", {"factor": factor}))
    engine = engine_for(host)
    engine.render(picture, stack, edge=96)
    assert engine.is_cheap("count.gain") and not engine.is_cheap("count.slow")
    runs = len(Counting.runs)
    frames = [engine.preview(picture, stack, 3, {"factor": f}, edge=96) for f in (0.6, 0.5, 0.4)]
    assert len(Counting.runs) == runs + 3
    assert [s.params["factor"] for s in stack.steps] == [0.9, 0.8, 0.7]
    stack.set_params(3, {"factor": 0.4})
    committed = engine.render(picture, stack, edge=96)
    assert np.array_equal(frames[-1].pixels, committed.pixels)


def test_a_preview_with_a_frame_budget_drops_to_a_smaller_proxy(host, tmp_path):
    path = tmp_path / "large.jpg"
    y, x = np.mgrid[0:750, 0:1000]
    save_image(Image(np.stack([x % 256, y % 256, (x + y) % 256], axis=2).astype(np.uint8)), path)
    stack = EditStack([make_step(host, "count.gain", {"factor": 0.9}), make_step(host, "count.per_pixel", {})],
                      cursor=2)
    engine = engine_for(host)
    first = engine.preview(path, stack, 1, {"factor": 0.8}, edge=800, budget=0.012)  # costs not measured yet
    assert max(first.pixels.shape[:2]) == 800
    fast = engine.preview(path, stack, 1, {"factor": 0.7}, edge=800, budget=0.012)
    assert max(fast.pixels.shape[:2]) in PREVIEW_EDGES[2:]
    assert max(engine.preview(path, stack, 1, {"factor": 0.7}, edge=800).pixels.shape[:2]) == 800


def test_cancelling_a_render_raises_and_keeps_the_finished_steps(host, picture):
    stack = EditStack([make_step(host, "count.gain", {"factor": 0.5}), make_step(host, "count.slow", {})],
                      cursor=2)
    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(fraction)
        if fraction > 0.6:
            token.cancel()

    engine = engine_for(host)
    with pytest.raises(Cancelled):
        engine.render(picture, stack, Context(on_progress=progress, cancel_token=token))
    assert seen and max(seen) < 1.0
    assert engine.disk.size() == 0  # no final render was stored
    engine.render(picture, stack)
    assert Counting.runs.count("count.gain") == 1  # step 1 came from memory


def test_a_corrupt_cache_file_is_ignored_and_rebuilt(host, picture):
    stack = EditStack([make_step(host, "count.gain", {"factor": 0.5})], cursor=1)
    first = engine_for(host).render(picture, stack)
    engine = engine_for(host)
    entry = engine.disk.path(engine.plan(picture, stack)[-1].key)
    assert entry.exists()
    data = bytearray(entry.read_bytes())
    data[-100:] = bytes(100)  # damaged pixels: the CRC no longer matches
    entry.write_bytes(bytes(data))
    engine = engine_for(host)
    assert np.array_equal(engine.render(picture, stack).pixels, first.pixels)
    assert engine.calls == 1
    entry.write_bytes(entry.read_bytes()[:50])  # truncated
    engine = engine_for(host)
    assert np.array_equal(engine.render(picture, stack).pixels, first.pixels) and engine.calls == 1
    rebuilt = engine_for(host)
    rebuilt.render(picture, stack)
    assert rebuilt.calls == 0


def test_disk_cache_stays_within_its_size_and_drops_the_oldest_first(tmp_path):
    one = Image(np.zeros((100, 100, 3), np.uint8))  # 30 kB of pixels each
    cache = DiskCache(tmp_path / "renders", 100_000)
    left = tmp_path / "renders" / "00" / ".killed.render.x.part"  # what a killed write leaves
    left.parent.mkdir(parents=True)
    left.write_bytes(bytes(20_000))
    os.utime(left, (1, 1))
    keys = [f"{i:02d}" + "0" * 38 for i in range(6)]
    for i, key in enumerate(keys):
        cache.put(key, one.with_pixels(np.full((100, 100, 3), i, np.uint8)))
        assert cache.size() <= 100_000
    assert [cache.get(k) is not None for k in keys] == [False, False, False, True, True, True]
    assert cache.get(keys[5]).pixels[0, 0, 0] == 5
    assert cache.put("ff" + "0" * 38, Image(np.zeros((200, 200, 3), np.uint8))) is None  # too big alone
    assert not left.exists()


def test_a_cache_folder_that_cannot_be_written_costs_speed_not_the_render(host, picture, tmp_path):
    blocked = tmp_path / "not-a-folder"
    blocked.write_bytes(b"")
    engine = RenderEngine(host, disk=DiskCache(blocked, 2**30))
    stack = EditStack([make_step(host, "count.gain", {"factor": 0.5})], cursor=1)
    out = engine.render(picture, stack)
    assert np.array_equal(out.pixels, load_image(picture).with_float(load_image(picture).as_float() * 0.5).pixels)


def test_memory_cache_is_bounded_in_bytes_and_least_recently_used(tmp_path):
    cache = MemoryCache(100_000)
    images = [Image(np.full((100, 100, 3), i, np.uint8)) for i in range(4)]
    for i in range(3):
        cache.put(str(i), images[i], tag="a")
    assert cache.get("0") is not None  # now the most recent
    cache.put("3", images[3], tag="b")
    assert cache.bytes_used <= 100_000
    assert cache.get("1") is None and cache.get("0") is not None
    cache.forget("a")
    assert len(cache) == 1 and cache.get("3") is not None


def test_a_step_mask_is_read_from_the_masks_folder_and_its_content_is_part_of_the_key(host, picture):
    shape = load_image(picture).pixels.shape[:2]
    folder = masks_folder(picture)
    folder.mkdir()
    mask = np.zeros(shape, np.float32)
    mask[:, : shape[1] // 2] = 1.0
    save_mask(mask, folder / "m.png")
    stack = EditStack([make_step(host, "count.darken", {}, mask=f"{folder.name}/m.png")], cursor=1)
    engine = engine_for(host)
    out = engine.render(picture, stack)
    original = load_image(picture)
    assert np.array_equal(out.pixels[:, -1], original.pixels[:, -1])
    assert not np.array_equal(out.pixels[:, 0], original.pixels[:, 0])
    save_mask(1.0 - mask, folder / "m.png")
    assert engine.cached(picture, stack) is None
    flipped = engine.render(picture, stack)
    assert np.array_equal(flipped.pixels[:, 0], original.pixels[:, 0])
    outside = EditStack([make_step(host, "count.darken", {}, mask="../elsewhere.png")], cursor=1)
    with pytest.raises(BadInput, match="outside"):
        engine.render(picture, outside)


def test_a_missing_operation_is_refused_before_any_work(host, picture):
    stack = EditStack([make_step(host, "count.gain", {"factor": 0.5}), Step(op="vendor.magic")], cursor=2)
    with pytest.raises(BadInput, match="vendor.magic"):
        engine_for(host).render(picture, stack)
    assert Counting.runs == []
    stack.set_enabled(2, False)  # a disabled step need not be installed
    engine_for(host).render(picture, stack)


def test_rendering_never_writes_the_picture_or_its_folder(host, picture):
    before = {p.name: sha(p) for p in picture.parent.iterdir()}
    stack = EditStack([make_step(host, "count.gain", {"factor": 0.5})], cursor=1)
    engine = engine_for(host)
    engine.render(picture, stack)
    engine.render(picture, stack, edge=64)
    assert {p.name: sha(p) for p in picture.parent.iterdir()} == before
