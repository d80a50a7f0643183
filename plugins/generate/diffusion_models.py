"""Finding and loading diffusion pipelines with no network: a diffusers folder or one file.

A diffusers folder (``model_index.json`` and component folders) loads as it is. A
single ``.safetensors`` checkpoint (the form most people download) needs its
components' configs, which ``from_single_file`` would fetch from the Hub; the configs of
the supported families are kept in ``resources/diffusion_configs`` and passed instead,
and the CLIP tokenizer's two vocabulary files come from the models folder. ``.ckpt``
files are refused: they are pickles that can run code when loaded.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from packshot.core.context import Context
from packshot.core.errors import BadInput, MissingModel
from packshot.core.resources import model_catalogue, resource_path

from .model_files import model_path, models_dir

KINDS = ("txt2img", "img2img", "inpaint")
SCHEDULERS = ("default", "euler", "euler_a", "dpm++", "ddim", "lcm")
FAMILIES = ("sd15", "sd15-inpaint", "sd21", "sdxl")
TOKENIZER_FILES = ("clip-vocab", "clip-merges")

def catalogue() -> list[dict[str, Any]]:
    return model_catalogue("generate.toml")


def resolve_source(ctx: Context, name: str) -> tuple[Path, dict[str, Any]]:
    """The folder or file for a catalogue name, a name in the models folder, or a path,
    and its catalogue entry (``{"name": the path}`` for one outside the catalogue)."""
    entries = {e["name"]: e for e in catalogue()}
    if name in entries:
        return model_path(ctx, name), entries[name]
    for candidate in (models_dir(ctx) / name, Path(name).expanduser()):
        if candidate.exists():
            return candidate, {"name": str(candidate)}
    known = ", ".join(e for e, v in entries.items() if v.get("task") != "tokenizer")
    raise MissingModel(f"diffusion model {name!r} is not installed: give a catalogue name ({known}) and "
                       f"install it with 'packshot models download NAME', or put a diffusers folder or a "
                       f".safetensors file into {models_dir(ctx)}")


def detect_family(path: Path) -> str:
    """Which family a single-file checkpoint belongs to, read from its tensor names."""
    from safetensors import safe_open

    with safe_open(str(path), framework="pt") as f:
        keys = set(f.keys())
        if any(k.startswith("conditioner.embedders.1.") for k in keys):
            return "sdxl"
        conv_in = "model.diffusion_model.input_blocks.0.0.weight"
        if conv_in not in keys:
            raise BadInput(f"{path.name}: not a Stable Diffusion checkpoint (no UNet input block)")
        if any(k.startswith("cond_stage_model.model.") for k in keys):
            return "sd21"
        return "sd15-inpaint" if f.get_slice(conv_in).get_shape()[1] == 9 else "sd15"


def _tokenizers(ctx: Context, family: str) -> dict[str, Any]:
    from transformers import CLIPTokenizer

    vocab, merges = (model_path(ctx, n) for n in TOKENIZER_FILES)
    pads = {"sd21": ["!"], "sdxl": ["<|endoftext|>", "!"]}.get(family, ["<|endoftext|>"])
    names = ["tokenizer", "tokenizer_2"]
    return {names[i]: CLIPTokenizer(str(vocab), str(merges), pad_token=pad, model_max_length=77)
            for i, pad in enumerate(pads)}


def _load_base(ctx: Context, source: Path, dtype):
    import diffusers

    if source.is_dir():
        if not (source / "model_index.json").exists():
            raise BadInput(f"{source}: not a diffusers model folder (no model_index.json)")
        try:
            return diffusers.DiffusionPipeline.from_pretrained(str(source), local_files_only=True,
                                                               dtype=dtype, safety_checker=None)
        except (OSError, ValueError) as exc:
            raise BadInput(f"{source.name}: incomplete diffusers folder ({exc})") from exc
    if source.suffix.lower() != ".safetensors":
        raise BadInput(f"{source.name}: only .safetensors checkpoints are loaded (a {source.suffix} file is "
                       "a pickle that can run code when opened)")
    family = detect_family(source)
    config = resource_path("diffusion_configs", family)
    import json

    cls = getattr(diffusers, json.loads((config / "model_index.json").read_text("utf-8"))["_class_name"])
    extra = {} if family == "sdxl" else {"safety_checker": None, "feature_extractor": None}
    tokenizers = _tokenizers(ctx, family)
    from diffusers.loaders.single_file_utils import SingleFileComponentError

    try:
        return cls.from_single_file(str(source), config=str(config), local_files_only=True, dtype=dtype,
                                    **tokenizers, **extra)
    except (SingleFileComponentError, ValueError, KeyError) as exc:
        reason = str(exc).strip().splitlines()[0]
        raise BadInput(f"{source.name}: not a complete {family} checkpoint ({reason})") from exc


@contextmanager
def use_pipeline(ctx: Context, source: Path, name: str, kind: str, *, device: str, fp16: bool = False,
                 attention_slicing: bool = False, cpu_offload: bool = False) -> Iterator[Any]:
    """A pipeline of ``kind`` for ``source``, this job's alone until the block ends.

    The base pipeline is cached by the model store under ``name`` (one diffusion model
    loaded at a time: they are large); each kind is a view sharing its components.
    """
    import torch
    from diffusers import AutoPipelineForImage2Image, AutoPipelineForInpainting, AutoPipelineForText2Image

    from packshot.core.models import store_for

    half = fp16 and device == "cuda"

    def load(path: Path, dev: str):
        base = _load_base(ctx, path, torch.float16 if half else torch.float32)
        if cpu_offload and dev == "cuda":
            base.enable_model_cpu_offload()
        else:
            base.to(dev)
        if attention_slicing:
            base.enable_attention_slicing()
        base.set_progress_bar_config(disable=True)
        return base

    variant = f"{half}|{attention_slicing}|{cpu_offload}"
    auto = {"txt2img": AutoPipelineForText2Image, "img2img": AutoPipelineForImage2Image,
            "inpaint": AutoPipelineForInpainting}[kind]
    with store_for(ctx).use(name, device, load, source=source, kind="diffusers", variant=variant,
                            exclusive=True, while_waiting=ctx.check_cancelled) as base:
        pipe = auto.from_pipe(base)
        pipe.set_progress_bar_config(disable=True)
        yield pipe


def set_scheduler(pipe, name: str) -> None:
    """Swap the sampler, keeping the model's own noise schedule settings."""
    if name == "default":
        return
    import diffusers

    cls = {"euler": "EulerDiscreteScheduler", "euler_a": "EulerAncestralDiscreteScheduler",
           "dpm++": "DPMSolverMultistepScheduler", "ddim": "DDIMScheduler", "lcm": "LCMScheduler"}[name]
    pipe.scheduler = getattr(diffusers, cls).from_config(pipe.scheduler.config)
