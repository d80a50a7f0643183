"""Running a diffusion pipeline inside an operation: sizes, seed, progress and cancel.

Progress and cancellation ride on the pipeline's ``callback_on_step_end``: each step
reports its fraction and checks the cancel flag, so a cancel stops within one step and
nothing is returned. Inpainting keeps the protected pixels exactly: the generated
picture is composited under them at full resolution.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from packshot.core import resample
from packshot.core.context import Context
from packshot.core.image import quantize
from packshot.core.params import Bool, Choice, Float, Int, Text

from .diffusion_models import SCHEDULERS, resolve_source, set_scheduler, use_pipeline

MODEL_PARAMS = (
    Text("model", "sd-turbo", help="catalogue name, a folder or .safetensors file in the models folder, or a path"),
    Text("negative_prompt", "", multiline=True, help="what to keep out of the picture"),
    Int("steps", 0, minimum=0, maximum=150, help="denoising steps (0 = the model's default: 1-4 for turbo/LCM)"),
    Float("guidance", -1.0, minimum=-1.0, maximum=30.0, help="prompt guidance (-1 = the model's default; 0 for turbo)"),
    Choice("scheduler", "default", choices=SCHEDULERS, help="sampler"),
    Bool("fp16", True, help="half precision on a CUDA GPU (halves memory)"),
    Bool("attention_slicing", False, help="slice attention to fit small GPUs (slower)"),
    Bool("cpu_offload", False, help="keep idle parts of the model in system memory (small GPUs)"),
)


def device_for(ctx: Context) -> str:
    from packshot.core.models.devices import resolve_device

    return resolve_device(ctx.device)


@contextmanager
def prepare(ctx: Context, params: Mapping[str, Any], kind: str) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The pipeline (held for this job) and the call arguments every kind shares."""
    import torch

    source, entry = resolve_source(ctx, params["model"])
    device = device_for(ctx)
    ctx.progress(0.0, f"loading {source.name}")
    with use_pipeline(ctx, source, entry["name"], kind, device=device, fp16=params["fp16"],
                      attention_slicing=params["attention_slicing"],
                      cpu_offload=params["cpu_offload"]) as pipe:
        set_scheduler(pipe, params["scheduler"])
        steps = params["steps"] or int(entry.get("default_steps", 25))
        guidance = params["guidance"] if params["guidance"] >= 0 else float(entry.get("default_guidance", 7.5))

        def on_step(pipeline, index, timestep, callback_kwargs):
            ctx.progress((index + 1) / max(steps_done(pipeline, steps), 1), f"step {index + 1}")
            return callback_kwargs

        args = {"num_inference_steps": steps, "guidance_scale": guidance,
                "negative_prompt": params["negative_prompt"] or None,
                "generator": torch.Generator(device="cpu").manual_seed(ctx.seed),
                "callback_on_step_end": on_step, "output_type": "np"}
        yield pipe, args


def steps_done(pipe, steps: int) -> int:
    """Steps the pipeline will really run (img2img and inpaint run ``strength`` of them)."""
    return int(getattr(pipe, "_num_timesteps", 0) or steps)


def at_least_one_step(steps: int, strength: float) -> int:
    """Partial-strength runs do ``steps * strength`` steps; make that at least one."""
    return max(steps, int(np.ceil(1 / strength)))


def native_side(pipe) -> int:
    return int(pipe.unet.config.sample_size) * int(getattr(pipe, "vae_scale_factor", 8))


def working_size(width: int, height: int, longest: int) -> tuple[int, int]:
    """A size of the same aspect with the longest side ``longest``, both multiples of 8."""
    scale = longest / max(width, height)
    return max(8, int(round(width * scale / 8)) * 8), max(8, int(round(height * scale / 8)) * 8)


def resize(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    if values.shape[1] == size[0] and values.shape[0] == size[1]:
        return values.astype(np.float32)
    return np.clip(resample.resize(values.astype(np.float32), size), 0, 1)


def to_pil(rgb: np.ndarray):
    from PIL import Image as PILImage

    return PILImage.fromarray(quantize(rgb, np.uint8))


def inpaint(ctx: Context, params: Mapping[str, Any], rgb: np.ndarray, repaint: np.ndarray,
            prompt: str | None, strength: float, longest: int = 0) -> np.ndarray:
    """``rgb`` with the ``repaint`` area (1 = generate) painted by the model, elsewhere exact."""
    with prepare(ctx, params, "inpaint") as (pipe, args):
        args["num_inference_steps"] = at_least_one_step(args["num_inference_steps"], strength)
        h, w = rgb.shape[:2]
        size = working_size(w, h, longest or native_side(pipe))
        mask_small = resize(repaint, size)
        out = pipe(prompt=prompt, image=to_pil(resize(rgb, size)), mask_image=to_pil(mask_small),
                   width=size[0], height=size[1], strength=strength, **args).images[0]
    painted = resize(np.asarray(out, np.float32), (w, h))
    m = np.clip(repaint, 0, 1)[..., None]
    return np.where(m > 0, painted * m + rgb * (1 - m), rgb).astype(np.float32)
