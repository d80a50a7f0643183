"""Training a look: the global baseline first, then the adaptive network, resumable.

Every random choice (the order of pairs, crops, flips, sampled pixels) is drawn from a
generator seeded by (seed, epoch, step), so an interrupted run that resumes from its
checkpoint takes the same steps as one that never stopped. Ctrl+C or Cancel writes the
checkpoint after the last finished step and re-raises.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from ..errors import BadInput, Cancelled
from ..output_guard import write_files
from .evaluate import compare
from .global_lut import fit_global_lut
from .lut import apply_lut, lookup
from .network import LookConfig, LookNet, regularisers, thumbnails
from .pairs import Pair
from .runtime import Look

Progress = Callable[[int, int, str], None]  # steps done, steps in all, message
_STEP_SEED = 1_000_003


@dataclass(frozen=True)
class TrainOptions:
    """How to train; ``config`` is the network's shape."""

    epochs: int = 240
    seed: int = 0
    val_split: float = 0.2
    device: str = "cpu"
    batch: int = 8
    pixels: int = 1024
    lr: float = 3e-3
    table_lr: float = 0.1  # the tables start close to right: they move slower than the CNN
    smooth: float = 1e-4
    monotone: float = 10.0
    min_crop: float = 0.5
    jitter_stops: float = 0.5
    jitter_cast: float = 0.2
    config: LookConfig = field(default_factory=LookConfig)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "config": self.config.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainOptions:
        return cls(**{**data, "config": LookConfig.from_dict(data["config"])})


@dataclass
class Trained:
    """A finished training: the look, its baseline, the split and the validation figures."""

    net: LookNet
    options: TrainOptions
    train: list[str]
    validation: list[str]
    figures: dict[str, dict[str, float]]
    seconds: float

    def state(self) -> dict[str, torch.Tensor]:
        return {k: v.detach().cpu().contiguous() for k, v in self.net.state_dict().items()}

    def write_weights(self, fh) -> None:
        from safetensors.torch import save

        fh.write(save(self.state(), metadata={"format": "packshot-look"}))

    def description(self) -> dict[str, Any]:
        return {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "config": self.options.config.to_dict(),
                "pairs": {"train": self.train, "validation": self.validation},
                "validation": self.figures, "training": {
                    "epochs": self.options.epochs, "seed": self.options.seed,
                    "device": self.options.device, "seconds": round(self.seconds, 1)}}


def split_pairs(pairs: Sequence[Pair], val_split: float, seed: int) -> tuple[list[Pair], list[Pair]]:
    """A seeded split into training and validation pairs (none held out when the split is 0)."""
    if not pairs:
        raise BadInput("no before/after pairs to learn from")
    if not 0.0 <= val_split < 1.0:
        raise BadInput(f"--val-split {val_split:g}: expected 0 to below 1")
    held = round(len(pairs) * val_split)
    if val_split > 0 and len(pairs) >= 2:
        held = min(max(held, 1), len(pairs) - 1)
    order = np.random.default_rng(seed).permutation(len(pairs))
    return [pairs[i] for i in sorted(order[held:])], [pairs[i] for i in sorted(order[:held])]


def train_look(train: Sequence[Pair], validation: Sequence[Pair], options: TrainOptions, *,
               checkpoint: Path | None = None, resume: bool = False,
               progress: Progress | None = None) -> Trained:
    """Fit the baseline table, train the network, score both on the validation pairs."""
    if not train:
        raise BadInput("no before/after pairs left to train on")
    threads = torch.get_num_threads()
    if options.device == "cpu":  # each step is many small ops: one thread wastes least on a busy machine
        torch.set_num_threads(1)
    try:
        run = _Run(list(train), options)
        if resume:
            run.restore(checkpoint, [p.name for p in validation])
        try:
            run.loop(progress)
        except (KeyboardInterrupt, Cancelled):
            if checkpoint is not None:
                run.save(checkpoint, [p.name for p in validation])
            raise
    finally:
        torch.set_num_threads(threads)
    net = run.net.eval()
    look = Look(net, options.device)
    figures = compare(validation, lambda p: look.apply(p.before),
                      lambda p: apply_lut(p.before, run.base)) if validation else {}
    if checkpoint is not None:
        checkpoint.unlink(missing_ok=True)
    return Trained(net.cpu(), options, [p.name for p in train], [p.name for p in validation],
                   figures, run.seconds + time.perf_counter() - run.started)


class _Run:
    """The training state that a checkpoint holds."""

    def __init__(self, pairs: list[Pair], options: TrainOptions) -> None:
        self.pairs, self.options = pairs, options
        self.device = options.device
        self.base = fit_global_lut([(p.before, p.after) for p in pairs], options.config.lut_size,
                                   seed=options.seed)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(options.seed)
            self.net = LookNet(options.config, self.base).to(self.device)
        tables = [self.net.luts]
        rest = [p for n, p in self.net.named_parameters() if n != "luts"]
        groups: list[dict[str, Any]] = [{"params": rest}, {"params": tables, "lr": options.lr * options.table_lr}]
        self.optimiser = torch.optim.Adam(groups, lr=options.lr)
        self.base_lr = [group["lr"] for group in self.optimiser.param_groups]
        self.before = [_tensor(p.before, self.device) for p in pairs]
        self.after = [_tensor(p.after, self.device) for p in pairs]
        self.per_epoch = math.ceil(len(pairs) / min(options.batch, len(pairs)))
        self.done = 0
        self.seconds = 0.0
        self.started = time.perf_counter()

    def loop(self, progress: Progress | None) -> None:
        total = self.options.epochs * self.per_epoch
        self.net.train()
        while self.done < total:
            epoch, step = divmod(self.done, self.per_epoch)
            for group, base in zip(self.optimiser.param_groups, self.base_lr):  # cosine decay to zero
                group["lr"] = base * 0.5 * (1.0 + math.cos(math.pi * self.done / total))
            loss = self._step(epoch, step)
            self.done += 1
            if progress is not None:
                progress(self.done, total, f"epoch {epoch + 1}/{self.options.epochs} loss {loss:.5f}")

    def _step(self, epoch: int, step: int) -> float:
        o = self.options
        order = torch.randperm(len(self.pairs), generator=_generator(o.seed, epoch, -1))
        size = min(o.batch, len(self.pairs))
        chosen = [int(i) for i in order[step * size:(step + 1) * size]]
        g = _generator(o.seed, epoch, step)
        thumbs, src, dst = zip(*(self._sample(i, g) for i in chosen))
        tables = self.net.blended(torch.stack(thumbs))
        out = lookup(tables, torch.stack(src))
        smooth, monotone = regularisers(tables)
        loss = F.mse_loss(out, torch.stack(dst)) + o.smooth * smooth + o.monotone * monotone
        self.optimiser.zero_grad(set_to_none=True)
        loss.backward()
        self.optimiser.step()
        return float(loss.detach())

    def _sample(self, i: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """A random crop of pair ``i``: its thumbnail, and sampled before/after colours from it."""
        o = self.options
        before, after = self.before[i], self.after[i]
        h, w = before.shape[1:]
        r = torch.rand(8, generator=g).tolist()
        ch, cw = (max(2, round(n * (o.min_crop + (1 - o.min_crop) * f))) for n, f in ((h, r[0]), (w, r[1])))
        top, left = round((h - ch) * r[2]), round((w - cw) * r[3])
        crop_b = before[:, top:top + ch, left:left + cw]
        crop_a = after[:, top:top + ch, left:left + cw]
        if r[4] < 0.5:
            crop_b, crop_a = crop_b.flip(2), crop_a.flip(2)
        crop_b = _jitter(crop_b, o.jitter_stops * (2 * r[5] - 1),
                         [1 + o.jitter_cast * (2 * r[6] - 1), 1.0, 1 + o.jitter_cast * (2 * r[7] - 1)])
        thumb = thumbnails(crop_b[None], o.config.thumb)[0]
        pick = torch.randint(0, ch * cw, (o.pixels,), generator=g).to(self.device)
        return thumb, crop_b.reshape(3, -1)[:, pick].T, crop_a.reshape(3, -1)[:, pick].T

    # ------------------------------------------------------------------ checkpoint

    def save(self, path: Path, validation: list[str]) -> None:
        from safetensors.torch import save

        tensors = {f"net.{k}": v.detach().cpu().contiguous() for k, v in self.net.state_dict().items()}
        opt = self.optimiser.state_dict()
        for index, state in opt["state"].items():
            for key, value in state.items():
                tensors[f"opt.{index}.{key}"] = torch.as_tensor(value).detach().cpu().contiguous()
        meta = {"done": self.done, "options": self.options.to_dict(), "groups": opt["param_groups"],
                "train": [p.name for p in self.pairs], "validation": validation,
                "seconds": self.seconds + time.perf_counter() - self.started}
        data = save(tensors, metadata={"state": json.dumps(meta)})
        path.parent.mkdir(parents=True, exist_ok=True)
        write_files([(path, lambda fh: fh.write(data))])

    def restore(self, path: Path | None, validation: list[str]) -> None:
        from safetensors import SafetensorError, safe_open

        if path is None or not path.is_file():
            raise BadInput(f"{path}: no interrupted training to resume; start without --resume")
        try:
            with safe_open(str(path), "pt") as fh:
                meta = json.loads(fh.metadata()["state"])
                tensors = {k: fh.get_tensor(k) for k in fh.keys()}  # noqa: SIM118 (no __iter__)
        except (OSError, SafetensorError, KeyError, ValueError) as exc:
            raise BadInput(f"{path}: unreadable checkpoint ({exc}); start without --resume") from exc
        saved = TrainOptions.from_dict(meta["options"])
        mine = replace(self.options, epochs=saved.epochs, device=saved.device)
        if saved != mine or meta["train"] != [p.name for p in self.pairs] or meta["validation"] != validation:
            raise BadInput(f"{path}: the interrupted training used other pairs or settings; "
                           "start again without --resume, or resume with the same ones")
        self.net.load_state_dict({k[4:]: v for k, v in tensors.items() if k.startswith("net.")})
        state: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in tensors.items():
            if key.startswith("opt."):
                _, index, name = key.split(".", 2)
                state.setdefault(int(index), {})[name] = value.to(self.device) if name != "step" else value
        self.optimiser.load_state_dict({"state": state, "param_groups": meta["groups"]})
        self.done, self.seconds = int(meta["done"]), float(meta["seconds"])


def _jitter(rgb: torch.Tensor, stops: float, cast: list[float]) -> torch.Tensor:
    """The before as if shot ``stops`` brighter under a ``cast``: the after stays, as the studio
    evens exposure and white balance out, so the network learns to undo both, not to recognise shots."""
    gains = torch.tensor(cast, device=rgb.device).view(3, 1, 1) * 2.0**stops
    lin = torch.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4) * gains
    lin = lin.clamp(0.0, 1.0)
    return torch.where(lin <= 0.0031308, lin * 12.92, 1.055 * lin ** (1 / 2.4) - 0.055)


def _tensor(rgb: np.ndarray, device: str) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(rgb, dtype=np.float32)).permute(2, 0, 1).contiguous().to(device)


def _generator(seed: int, epoch: int, step: int) -> torch.Generator:
    return torch.Generator().manual_seed(((seed * _STEP_SEED + epoch) * _STEP_SEED + step + 1) % (1 << 63))
