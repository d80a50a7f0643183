"""Diffusion operations through the real loading code, with a tiny random pipeline made here.

The pipeline (UNet, VAE, CLIP text encoder, and a byte-level tokenizer written from
scratch) is saved as a diffusers folder into the test's models folder and loaded by
name, exactly as an installed model would be.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from packshot.core.context import CancelToken, Context
from packshot.core.errors import BadInput, Cancelled, MissingModel
from packshot.core.image import from_array
from packshot.core.synthetic import studio_shot

torch = pytest.importorskip("torch")
diffusers = pytest.importorskip("diffusers")
transformers = pytest.importorskip("transformers")

FAST = {"model": "tiny-sd", "steps": 2, "guidance": 1.5, "fp16": False}


def _byte_symbols() -> list[str]:
    """The 256 printable stand-ins CLIP's byte-level BPE uses for bytes."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes, extra = keep[:], 0
    for b in range(256):
        if b not in keep:
            codes.append(256 + extra)
            extra += 1
    return [chr(c) for c in codes]


def write_tokenizer_files(folder: Path) -> tuple[Path, Path]:
    symbols = _byte_symbols()
    tokens = symbols + [s + "</w>" for s in symbols] + ["<|startoftext|>", "<|endoftext|>"]
    folder.mkdir(parents=True, exist_ok=True)
    vocab, merges = folder / "vocab.json", folder / "merges.txt"
    vocab.write_text(json.dumps({t: i for i, t in enumerate(tokens)}), "utf-8")
    merges.write_text("#version: 0.2\n", "utf-8")
    return vocab, merges


def build_tiny_pipeline(folder: Path) -> None:
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    unet = UNet2DConditionModel(block_out_channels=(8, 16), layers_per_block=1, sample_size=8,
                                in_channels=4, out_channels=4, cross_attention_dim=16, attention_head_dim=2,
                                norm_num_groups=4, down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
                                up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"))
    vae = AutoencoderKL(block_out_channels=(4, 4, 8, 8), in_channels=3, out_channels=3, latent_channels=4,
                        norm_num_groups=4, down_block_types=("DownEncoderBlock2D",) * 4,
                        up_block_types=("UpDecoderBlock2D",) * 4, sample_size=64, layers_per_block=1)
    vocab, merges = write_tokenizer_files(folder.parent / "tokenizer-files")
    tokenizer = CLIPTokenizer(str(vocab), str(merges), model_max_length=77)
    text = CLIPTextModel(CLIPTextConfig(hidden_size=16, intermediate_size=32, num_attention_heads=2,
                                        num_hidden_layers=2, vocab_size=len(tokenizer),
                                        bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                                        pad_token_id=tokenizer.pad_token_id))
    scheduler = EulerDiscreteScheduler(beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012,
                                       timestep_spacing="trailing")
    pipe = StableDiffusionPipeline(unet=unet, vae=vae, text_encoder=text, tokenizer=tokenizer,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   requires_safety_checker=False)
    pipe.save_pretrained(str(folder))


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("diffusion-models")
    build_tiny_pipeline(folder / "tiny-sd")
    return folder


@pytest.fixture
def models(tiny_store, monkeypatch):
    monkeypatch.setenv("PACKSHOT_MODELS_DIR", str(tiny_store))
    return tiny_store


def test_text_to_image_runs_with_progress_per_step(run_op, models):
    steps = []
    ctx = Context(seed=3, device="cpu", on_progress=lambda f, m: steps.append(m))
    result = run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8),
                    {**FAST, "width": 64, "height": 48}, prompt="a grey studio backdrop", ctx=ctx)
    assert result.image.size == (64, 48)
    assert result.image.pixels.std() > 0  # a picture, not a blank
    assert [m for m in steps if m.startswith("step")] == ["step 1", "step 2"]
    again = run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8),
                   {**FAST, "width": 64, "height": 48}, prompt="a grey studio backdrop",
                   ctx=Context(seed=3, device="cpu"))
    assert np.array_equal(result.image.pixels, again.image.pixels)  # seeded


def test_inpainting_around_the_product_keeps_its_pixels_exact(run_op, models):
    rgb, alpha = studio_shot(60, 80, shape="bottle")
    image = from_array(rgb)
    result = run_op("generate.diffusion_inpaint", image, {**FAST, "strength": 1.0}, mask=alpha,
                    prompt="marble table", ctx=Context(device="cpu"))
    out = result.image.pixels
    product = alpha >= 1.0
    assert np.array_equal(out[product], image.pixels[product])
    background = alpha == 0
    assert np.abs(out[background].astype(int) - image.pixels[background]).mean() > 5  # repainted


def test_image_to_image_and_outpaint(run_op, models):
    rgb, alpha = studio_shot(48, 64, shape="box")
    image = from_array(rgb)
    moved = run_op("generate.diffusion_img2img", image, {**FAST, "strength": 0.5}, prompt="warm light",
                   ctx=Context(device="cpu")).image
    assert moved.size == image.size
    wide = run_op("generate.diffusion_outpaint", image, {**FAST, "aspect": "16:9"}, prompt="studio",
                  ctx=Context(device="cpu"))
    assert wide.image.size == (85, 48)
    left = round((85 - 64) / 2)
    assert np.array_equal(wide.image.pixels[:, left:left + 64], image.pixels)


def test_cancel_stops_within_a_step(run_op, models):
    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(message)
        if message == "step 1":
            token.cancel()

    ctx = Context(device="cpu", on_progress=progress, cancel_token=token)
    with pytest.raises(Cancelled):
        run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8), {**FAST, "steps": 4,
               "width": 32, "height": 32}, prompt="x", ctx=ctx)
    assert "step 2" not in seen


def test_the_model_store_caches_the_pipeline_and_parallel_jobs_match_serial(run_op, models,
                                                                           serial_and_parallel):
    """One cache of loaded models: the pipeline lives in the store (freed by release); jobs
    sharing it (and its scheduler) give the pictures a serial run gives."""
    from packshot.core.models import store_for

    def job(seed):
        return run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8),
                      {**FAST, "width": 32, "height": 32}, prompt="a grey studio backdrop",
                      ctx=Context(seed=seed, device="cpu")).image.pixels

    serial, parallel = serial_and_parallel(job, [1, 2, 3, 4], rounds=1)
    assert not np.array_equal(serial[0], serial[1])  # the seeds give different pictures
    assert all(np.array_equal(a, b) for a, b in zip(serial, parallel))
    store = store_for(Context())
    assert store.loaded() == [str(models / "tiny-sd")]
    store.release()
    assert store.loaded() == []


def test_missing_model_says_what_to_install(run_op, models):
    with pytest.raises(MissingModel, match="packshot models download"):
        run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8), {"model": "sd-turbo"},
               prompt="x", ctx=Context(device="cpu"))


def test_pickle_checkpoints_are_refused(run_op, models):
    (models / "old.ckpt").write_bytes(b"not opened")
    with pytest.raises(BadInput, match="pickle"):
        run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8), {**FAST, "model": "old.ckpt"},
               prompt="x", ctx=Context(device="cpu"))


@pytest.mark.parametrize(("keys", "family"), [
    ({"model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3)}, "sd15"),
    ({"model.diffusion_model.input_blocks.0.0.weight": (320, 9, 3, 3)}, "sd15-inpaint"),
    ({"model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
      "cond_stage_model.model.ln_final.weight": (4,)}, "sd21"),
    ({"model.diffusion_model.input_blocks.0.0.weight": (320, 4, 3, 3),
      "conditioner.embedders.1.model.ln_final.weight": (4,)}, "sdxl"),
])
def test_single_file_family_is_read_from_tensor_names(tmp_path, keys, family):
    from safetensors.torch import save_file

    from packshot.plugins.generate.diffusion_models import detect_family

    path = tmp_path / "model.safetensors"
    save_file({k: torch.zeros(shape) for k, shape in keys.items()}, str(path))
    assert detect_family(path) == family


def test_single_file_without_tokenizer_files_says_what_to_install(run_op, models):
    from safetensors.torch import save_file

    path = models / "my-sd15.safetensors"
    save_file({"model.diffusion_model.input_blocks.0.0.weight": torch.zeros(320, 4, 3, 3)}, str(path))
    with pytest.raises(MissingModel, match="clip-vocab"):
        run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8), {**FAST, "model": path.name},
               prompt="x", ctx=Context(device="cpu"))


@pytest.mark.parametrize("family", ["sd15", "sd15-inpaint", "sd21", "sdxl"])
def test_bundled_single_file_configs_build_the_real_architectures(family):
    """The configs passed to from_single_file describe the published networks (parameter counts)."""
    from accelerate import init_empty_weights
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from packshot.core.resources import resource_path

    folder = resource_path("diffusion_configs", family)
    with init_empty_weights():
        unet = UNet2DConditionModel.from_config(UNet2DConditionModel.load_config(str(folder / "unet")))
        vae = AutoencoderKL.from_config(AutoencoderKL.load_config(str(folder / "vae")))
        text = CLIPTextModel(CLIPTextConfig.from_pretrained(str(folder / "text_encoder")))
    count = lambda m: round(sum(p.numel() for p in m.parameters()) / 1e6, 1)  # noqa: E731
    expected_unet = {"sd15": 859.5, "sd15-inpaint": 859.5, "sd21": 865.9, "sdxl": 2567.5}[family]
    expected_text = {"sd21": 340.4}.get(family, 123.1)
    assert (count(unet), count(vae), count(text)) == (expected_unet, 83.7, expected_text)
    assert json.loads((folder / "model_index.json").read_text())["_class_name"].endswith("Pipeline")


def test_missing_diffusers_folder_says_where_to_put_it(run_op, models):
    hint = "huggingface-cli download stable-diffusion-v1-5/stable-diffusion-inpainting"
    with pytest.raises(MissingModel, match=hint):
        run_op("generate.diffusion_inpaint", np.zeros((8, 8, 3), np.uint8), {"model": "sd15-inpainting"},
               mask=np.ones((8, 8), np.float32), prompt="x", ctx=Context(device="cpu"))


def test_single_file_loads_its_configs_locally_with_the_hub_unreachable(run_op, tmp_path, monkeypatch):
    """No network: the bundled configs and installed tokenizer files are used; a checkpoint
    without weights fails on its weights, with a clear message, not on a download."""
    from safetensors.torch import save_file

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PACKSHOT_MODELS_DIR", str(tmp_path))
    models = tmp_path
    vocab, merges = write_tokenizer_files(models / "tokenizer-source")
    (models / "clip-vocab.json").write_bytes(vocab.read_bytes())
    (models / "clip-merges.txt").write_bytes(merges.read_bytes())
    path = models / "hollow-sd15.safetensors"
    save_file({"model.diffusion_model.input_blocks.0.0.weight": torch.zeros(320, 4, 3, 3)}, str(path))
    with pytest.raises(BadInput, match="not a complete sd15 checkpoint.*missing in the checkpoint"):
        run_op("generate.diffusion_txt2img", np.zeros((8, 8, 3), np.uint8), {**FAST, "model": path.name},
               prompt="x", ctx=Context(device="cpu"))


# ---------------------------------------------------------------- single-file checkpoints, end to end

RESNET_TO_LDM = (("norm1", "in_layers.0"), ("conv1", "in_layers.2"), ("norm2", "out_layers.0"),
                 ("conv2", "out_layers.3"), ("time_emb_proj", "emb_layers.1"), ("conv_shortcut", "skip_connection"))
VAE_ATTN_TO_LDM = (("group_norm.", "norm."), ("to_q.", "q."), ("to_k.", "k."), ("to_v.", "v."),
                   ("to_out.0.", "proj_out."))


def _unet_key_to_ldm(key: str, layers: int, attn_blocks: set[int]) -> str:
    """A diffusers UNet key under its original Stable Diffusion (LDM) name (SD 1.x layout)."""
    import re

    from diffusers.loaders.single_file_utils import DIFFUSERS_TO_LDM_MAPPING

    top = DIFFUSERS_TO_LDM_MAPPING["unet"]["layers"]
    if key in top:
        return top[key]
    p = key.split(".")
    rest = ".".join(p[4:])
    renamed = rest
    if p[2] == "resnets" or (p[0] == "mid_block" and p[1] == "resnets"):
        for new, old in RESNET_TO_LDM:
            renamed = re.sub(rf"^{new}\b", old, renamed)
    if p[0] == "down_blocks":
        i, kind, j = int(p[1]), p[2], p[3]
        if kind == "downsamplers":
            return f"input_blocks.{(layers + 1) * (i + 1)}.0.op.{'.'.join(p[5:])}"
        return f"input_blocks.{(layers + 1) * i + int(j) + 1}.{0 if kind == 'resnets' else 1}.{renamed}"
    if p[0] == "up_blocks":
        i, kind, j = int(p[1]), p[2], p[3]
        if kind == "upsamplers":
            return f"output_blocks.{(layers + 1) * i + layers}.{2 if i in attn_blocks else 1}.{'.'.join(p[4:])}"
        return f"output_blocks.{(layers + 1) * i + int(j)}.{0 if kind == 'resnets' else 1}.{renamed}"
    if p[0] == "mid_block":
        rest = ".".join(p[3:])
        if p[1] == "attentions":
            return f"middle_block.1.{rest}"
        for new, old in RESNET_TO_LDM:
            rest = re.sub(rf"^{new}\b", old, rest)
        return f"middle_block.{2 * int(p[2])}.{rest}"
    raise KeyError(key)


def _vae_key_to_ldm(key: str, blocks: int) -> str:
    from diffusers.loaders.single_file_utils import DIFFUSERS_TO_LDM_MAPPING

    top = DIFFUSERS_TO_LDM_MAPPING["vae"]
    if key in top:
        return top[key]
    side, p = key.split(".")[0], key.split(".")[1:]
    tail = ".".join(p[4:]) if p[0] in ("down_blocks", "up_blocks") else ".".join(p[3:])
    tail = tail.replace("conv_shortcut", "nin_shortcut")
    if p[0] == "down_blocks":
        where = f"down.{p[1]}.block.{p[3]}" if p[2] == "resnets" else f"down.{p[1]}.downsample"
        return f"{side}.{where}.{tail}"
    if p[0] == "up_blocks":
        n = blocks - 1 - int(p[1])
        where = f"up.{n}.block.{p[3]}" if p[2] == "resnets" else f"up.{n}.upsample"
        return f"{side}.{where}.{tail}"
    if p[0] == "mid_block":
        if p[1] == "attentions":
            for new, old in VAE_ATTN_TO_LDM:
                tail = tail.replace(new, old)
            return f"{side}.mid.attn_1.{tail}"
        return f"{side}.mid.block_{int(p[2]) + 1}.{tail}"
    return key.replace("conv_norm_out", "norm_out")


def build_tiny_single_file(folder: Path):
    """A tiny SD 1.x-layout pipeline saved as one LDM-format .safetensors, plus its config folder."""
    import shutil

    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from safetensors.torch import save_file
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(1)
    unet = UNet2DConditionModel(block_out_channels=(8, 8, 8, 8), layers_per_block=2, sample_size=8,
                                cross_attention_dim=16, attention_head_dim=2, norm_num_groups=4,
                                down_block_types=("CrossAttnDownBlock2D",) * 3 + ("DownBlock2D",),
                                up_block_types=("UpBlock2D",) + ("CrossAttnUpBlock2D",) * 3)
    vae = AutoencoderKL(block_out_channels=(4, 4, 4, 4), latent_channels=4, norm_num_groups=4, layers_per_block=2,
                        down_block_types=("DownEncoderBlock2D",) * 4, up_block_types=("UpDecoderBlock2D",) * 4)
    vocab, merges = write_tokenizer_files(folder / "tokenizer-source")
    tokenizer = CLIPTokenizer(str(vocab), str(merges), model_max_length=77)
    text = CLIPTextModel(CLIPTextConfig(hidden_size=16, intermediate_size=32, num_attention_heads=2,
                                        num_hidden_layers=2, vocab_size=len(tokenizer)))
    pipe = StableDiffusionPipeline(unet=unet, vae=vae, text_encoder=text, tokenizer=tokenizer,
                                   scheduler=EulerDiscreteScheduler(timestep_spacing="trailing"),
                                   safety_checker=None, feature_extractor=None, requires_safety_checker=False)
    saved = folder / "saved"
    pipe.save_pretrained(str(saved))
    configs = folder / "configs"
    for path in saved.rglob("*.json"):
        target = configs / path.relative_to(saved)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, target)
    state = {}
    for k, v in unet.state_dict().items():
        state["model.diffusion_model." + _unet_key_to_ldm(k, 2, {1, 2, 3})] = v.contiguous()
    for k, v in vae.state_dict().items():
        state["first_stage_model." + _vae_key_to_ldm(k, 4)] = v.contiguous()
    for k, v in text.state_dict().items():
        name = k if k.startswith("text_model.") else "text_model." + k
        state["cond_stage_model.transformer." + name] = v.contiguous()
    checkpoint = folder / "tiny-sd15.safetensors"
    save_file(state, str(checkpoint))
    (folder / "clip-vocab.json").write_bytes(vocab.read_bytes())
    (folder / "clip-merges.txt").write_bytes(merges.read_bytes())
    return checkpoint, configs, pipe


def test_single_file_checkpoint_runs_offline_with_local_configs(run_op, tmp_path, monkeypatch):
    """One .safetensors in the original layout, configs passed locally, the Hub unreachable."""
    import packshot.plugins.generate.diffusion_models as dm

    checkpoint, configs, original = build_tiny_single_file(tmp_path)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PACKSHOT_MODELS_DIR", str(tmp_path))
    monkeypatch.setattr(dm, "resource_path", lambda *parts: configs)  # tiny configs instead of SD's
    rgb, alpha = studio_shot(48, 64, shape="ball")
    image = from_array(rgb)
    result = run_op("generate.diffusion_inpaint", image, {**FAST, "model": checkpoint.name}, mask=alpha,
                    prompt="a wooden table", ctx=Context(device="cpu"))
    product = alpha >= 1.0
    assert np.array_equal(result.image.pixels[product], image.pixels[product])
    assert np.abs(result.image.pixels[alpha == 0].astype(int) - image.pixels[alpha == 0]).mean() > 5
    with dm.use_pipeline(Context(device="cpu"), checkpoint, str(checkpoint), "txt2img", device="cpu") as loaded:
        for part in ("unet", "vae", "text_encoder"):
            mine, theirs = getattr(original, part).state_dict(), getattr(loaded, part).state_dict()
            assert len(mine) == len(theirs)
            assert all(torch.equal(mine[k], theirs[k].reshape(mine[k].shape)) for k in mine)
