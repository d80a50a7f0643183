"""Which installed model ``auto`` means, and which model a hint should recommend.

Both follow the catalogue's quality ``rank`` (measured figures where there are some; see
``resources/models/*.toml``), never the alphabet: with both DITN x4 files installed the
PSNR-trained one (29.2 dB) wins over its GAN twin (24.5 dB). Custom files carry the rank
given at install (``--rank``) or the default.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import BadParameter, MissingModel
from .catalogue import CatalogueEntry
from .store import ModelStore, download_hint

AUTO = "auto"


def ranked(entries: Iterable[CatalogueEntry], scale: int | None = None,
           prefer_download: bool = False) -> list[CatalogueEntry]:
    """Best first: (downloadable first, if asked) higher rank, then the wanted native
    scale, then the name (for ties)."""
    return sorted(entries, key=lambda e: (prefer_download and not e.url, -e.rank,
                                          0 if scale is None else abs(e.scale - scale), e.name))


def choose(store: ModelStore, task: str, requested: str = AUTO,
           loaders: tuple[str, ...] | None = None, scale: int | None = None) -> CatalogueEntry:
    """The named model (installed, checked, of this task), or the best installed one.

    With nothing installed the MissingModel error recommends the best downloadable model.
    """
    if requested and requested != AUTO:
        store.path(requested)
        entry = store.entry(requested)
        if entry.task != task:
            raise BadParameter(f"model {requested!r} is a {entry.task or entry.family} model, "
                               f"not a {task} model")
        return entry
    found = [e for e in store.installed(task=task) if loaders is None or e.loader in loaders]
    if not found:
        raise MissingModel(f"no {task} model is installed; {recommend(store, task, loaders)}")
    return ranked(found, scale)[0]


def recommend(store: ModelStore, task: str, loaders: tuple[str, ...] | None = None) -> str:
    """How to install the catalogue's best model for ``task`` (download where it can)."""
    offered = [e for e in store.entries(task=task)
               if not e.custom and (loaders is None or e.loader in loaders)]
    if not offered:
        return "see 'packshot models list'"
    best = ranked(offered, prefer_download=True)[0]
    if best.url:
        return download_hint(best.name)
    return f"install it: packshot models install FILE (a copy of {best.file}; {best.source})"


def chosen_report(entry: CatalogueEntry, requested: str) -> dict[str, object]:
    """What an operation's report says about the model it ran."""
    return {"model": entry.name, "model_rank": entry.rank,
            "model_choice": "auto (best installed by rank)" if requested in ("", AUTO) else "named"}
