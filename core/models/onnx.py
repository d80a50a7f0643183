"""Opening ONNX graphs with onnxruntime: one loader for the store, the same error everywhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import BadInput


def open_onnx_session(path: Path, device: str = "cpu") -> Any:
    """An onnxruntime session (CUDA first where asked for and available); a store loader.

    Use it through the store, which caches it and lends it to one job at a time:
    ``with store.use(name, device, open_onnx_session, kind="onnx") as session: ...``.
    """
    import onnxruntime as ort

    providers = ["CPUExecutionProvider"]
    if device in ("cuda", "auto") and "CUDAExecutionProvider" in ort.get_available_providers():
        providers.insert(0, "CUDAExecutionProvider")
    try:
        return ort.InferenceSession(str(path), providers=providers)
    except Exception as exc:  # onnxruntime raises its own exception types
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        raise BadInput(f"{path.name}: not a readable ONNX model ({first})") from exc
