"""Background-removal networks (U²-Net, ISNet, BiRefNet) exported to ONNX, run by onnxruntime.

They share one contract: an RGB image resized to a square, normalised by a mean and
standard deviation, in; a one-channel saliency map out (first output, first channel).
What differs per architecture is the size, the normalisation and how the map becomes
alpha (min-max scaling, or a sigmoid over logits). A model with a fixed input size in
its graph is fed that size.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

IMAGENET = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))


@dataclass(frozen=True)
class Contract:
    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    post: str  # "minmax" or "sigmoid"


CONTRACTS = {
    "u2net": Contract(320, *IMAGENET, post="minmax"),
    "isnet": Contract(1024, (0.5, 0.5, 0.5), (1.0, 1.0, 1.0), post="minmax"),
    "birefnet": Contract(1024, *IMAGENET, post="sigmoid"),
}

def input_size(session, contract: Contract) -> tuple[int, int]:
    """(height, width) the graph fixes, else the architecture's size."""
    shape = session.get_inputs()[0].shape
    h, w = shape[2], shape[3]
    return (h if isinstance(h, int) else contract.size, w if isinstance(w, int) else contract.size)


def predict_alpha(session, rgb: np.ndarray, contract: Contract) -> np.ndarray:
    """The network's alpha for float RGB 0..1, at the image's size."""
    import cv2

    h, w = rgb.shape[:2]
    size_h, size_w = input_size(session, contract)
    x: np.ndarray = cv2.resize(rgb.astype(np.float32), (size_w, size_h), interpolation=cv2.INTER_AREA)
    x = (x - np.asarray(contract.mean, np.float32)) / np.asarray(contract.std, np.float32)
    x = np.ascontiguousarray(x.transpose(2, 0, 1)[None])
    out = session.run(None, {session.get_inputs()[0].name: x})[0]
    pred: np.ndarray = np.asarray(out, np.float32).reshape(out.shape[-2], out.shape[-1])
    if contract.post == "sigmoid":
        pred = 1.0 / (1.0 + np.exp(-pred))
    else:
        lo, hi = float(pred.min()), float(pred.max())
        pred = (pred - lo) / (hi - lo) if hi > lo else np.zeros_like(pred)
    return np.clip(cv2.resize(pred, (w, h), interpolation=cv2.INTER_LINEAR), 0, 1).astype(np.float32)
