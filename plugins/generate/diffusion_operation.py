"""What every diffusion operation declares: model tier on the GPU lane, a prompt, the models it can use."""

from __future__ import annotations

from packshot.core.operation import Operation

INSTALL_HINT = ("install a diffusion model, e.g. 'packshot models download sd-turbo' (fast, 1-4 steps) "
                "plus the CLIP tokenizer files (clip-vocab, clip-merges), or put a diffusers folder into "
                "the models folder")
CATALOGUE = ("sd-turbo", "sdxl-turbo", "sd15", "sd15-inpainting", "lcm-dreamshaper-v7")


class DiffusionOperation(Operation):
    family = "generate"
    tier = "model"
    uses_gpu = True
    uses_seed = True  # the starting noise comes from ctx.seed
    prompt_required = True
    models = CATALOGUE
    install_hint = INSTALL_HINT
