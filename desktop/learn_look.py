"""Photo > Learn Look from Selection: the selected pictures' originals against their saved edits.

The pairs are rendered and the look trained in one job (the queue shows its progress and
cancels it); the look is then a name for ``colour.apply_look`` under Colour. Qt is only
the name dialog: the work is core's (:mod:`packshot.core.looks`), as for ``packshot train look``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QInputDialog

from packshot.core.context import Context
from packshot.core.errors import BadInput
from packshot.core.jobs import Job

from .document import describe_error

if TYPE_CHECKING:
    from packshot.core.looks.train import TrainOptions

    from .main_window import MainWindow


def learn_from_selection(window: MainWindow) -> Job | None:
    """Ask for the look's name, then start learning from the selected pictures."""
    paths = window.library.selected_paths()
    if not paths:
        raise BadInput("select edited pictures in the library to learn a look from")
    name, ok = QInputDialog.getText(window, "Learn Look", f"Learn a look from {len(paths)} edited pictures.\n"
                                                          "Name of the look:")
    return start(window, paths, name.strip()) if ok and name.strip() else None


def start(window: MainWindow, paths: Sequence[Path], name: str, options: TrainOptions | None = None) -> Job:
    """Queue the learning job; its end is reported as one message."""
    from packshot.core.looks.store import check_free

    session = window.session
    folder = session.models.folder
    check_free(folder, name, overwrite=False)  # a taken name is refused now, not after the work

    def work(ctx: Context):
        from packshot.core.looks.learn import learn_look
        from packshot.core.looks.library_pairs import library_pairs
        from packshot.core.looks.train import TrainOptions
        from packshot.core.models.devices import resolve_device
        from packshot.core.render import RenderEngine

        pairs, left_out = library_pairs(list(paths), RenderEngine(session.host), ctx.sub(0.0, 0.2))
        if not pairs:
            raise BadInput(f"none of the {len(paths)} selected pictures has saved edits that keep its size")
        chosen = options or TrainOptions(device=resolve_device(ctx.device))
        training = ctx.sub(0.2, 1.0)
        info, trained = learn_look(pairs, name, folder, chosen,
                                   progress=lambda done, total, message: training.progress(done / total, message))
        return info, trained, left_out

    def ended(job: Job) -> None:
        if job.state == "done":
            _, trained, left_out = job.result
            figures = trained.figures.get("look")
            scored = (f"; on {len(trained.validation)} held-out pictures {figures['psnr']:.1f} dB, "
                      f"ΔE {figures['delta_e']:.2f}") if figures else ""
            skipped = f"; left out {len(left_out)} (no saved edits, or edits that change the size)" if left_out else ""
            session.on_message("info", f"Learned look {name!r} from {len(trained.train)} pictures{scored}{skipped}. "
                                       f"Apply it with Colour > Apply learned look, look = {name}.")
        elif job.state == "failed":
            session.on_message("error", f"The look {name!r} could not be learned: "
                                        f"{describe_error(job.error) if job.error else 'failed'}")
        else:
            session.on_message("info", f"Learning the look {name!r} was cancelled; no look was saved.")

    return window.bridge.track(lambda listener: session.runner.submit_task(
        f"Learn look {name}", work, listener=listener), ended)
