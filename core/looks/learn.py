"""One call from pairs to a saved look, for the command line and the window alike."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from .pairs import Pair
from .store import LookInfo, check_free, checkpoint_path, save_look
from .train import Progress, Trained, TrainOptions, split_pairs, train_look


def learn_look(pairs: Sequence[Pair], name: str, models_folder: str | Path, options: TrainOptions, *,
               overwrite: bool = False, resume: bool = False,
               progress: Progress | None = None) -> tuple[LookInfo, Trained]:
    """Split, train (checkpointing on interruption) and save the look ``name``."""
    check_free(models_folder, name, overwrite=overwrite)
    train, validation = split_pairs(pairs, options.val_split, options.seed)
    trained = train_look(train, validation, options, checkpoint=checkpoint_path(models_folder, name),
                         resume=resume, progress=progress)
    info = save_look(models_folder, name, trained.write_weights, trained.description(), overwrite=overwrite)
    return info, trained
