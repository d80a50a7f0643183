"""Tiny random-weight networks of real architectures, for tests and benchmarks.

Weights cannot be downloaded on build machines, so the real loading path (file -> safe
read -> spandrel detection -> device -> tiled inference) is exercised with small
networks of the same architectures that spandrel re-detects from their state dicts.
"""

from __future__ import annotations

from pathlib import Path

TINY = ("compact", "esrgan", "dncnn")


def tiny_network(kind: str, seed: int = 0):
    """A small torch module: ``compact`` (2x), ``esrgan`` (RRDBNet, 4x) or ``dncnn`` (1x)."""
    import torch

    torch.manual_seed(seed)
    if kind == "compact":
        from spandrel.architectures.Compact import Compact

        return Compact(num_feat=8, num_conv=2, upscale=2, act_type="prelu")
    if kind == "esrgan":
        from spandrel.architectures.ESRGAN import ESRGAN

        return ESRGAN(num_filters=8, num_blocks=1, scale=4)
    if kind == "dncnn":
        from spandrel.architectures.DnCNN import DnCNN

        return DnCNN(in_nc=3, out_nc=3, nc=8, nb=9, act_mode="R")
    raise ValueError(f"unknown tiny network {kind!r}; one of {', '.join(TINY)}")


def save_tiny(kind: str, path: str | Path, seed: int = 0) -> Path:
    """Write a tiny network's state dict as ``.safetensors`` or ``.pth`` (by suffix)."""
    import torch

    path = Path(path)
    state = {k: v.contiguous() for k, v in tiny_network(kind, seed).state_dict().items()}
    if path.suffix == ".safetensors":
        from safetensors.torch import save_file

        save_file(state, str(path))
    else:
        torch.save(state, path)
    return path


def save_tiny_opencv_sr(path: str | Path, scale: int = 2, seed: int = 0) -> Path:
    """Write a small ESPCN-shaped TensorFlow graph that ``cv2.dnn_superres`` reads as
    ``espcn`` at ``scale``: conv, relu, conv to ``scale**2`` channels, depth-to-space.

    TensorFlow is not a dependency, so the GraphDef's few protobuf fields are written here.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    tensors = {"f1": rng.normal(0, 0.3, (3, 3, 1, 8)), "b1": rng.normal(0, 0.05, 8),
               "f2": rng.normal(0, 0.3, (3, 3, 8, scale * scale)), "b2": rng.normal(0, 0.05, scale * scale)}
    conv = {"T": _pb(6, 1), "data_format": _pb(2, b"NHWC"), "padding": _pb(2, b"SAME"),
            "strides": _pb(1, _pb(3, b"".join(_varint(1) for _ in range(4))))}
    nodes = [_node(name, "Const", (), {"dtype": _pb(6, 1), "value": _pb(8, _tensor(value))})
             for name, value in tensors.items()]
    nodes += [
        _node("NCHW_output/perm", "Const", (), {"dtype": _pb(6, 3), "value": _pb(8, _tensor(
            np.array([0, 3, 1, 2], np.int32), dtype=3))}),
        _node("IteratorGetNext", "Placeholder", (), {"dtype": _pb(6, 1)}),
        _node("conv1", "Conv2D", ("IteratorGetNext", "f1"), conv),
        _node("add", "Add", ("conv1", "b1"), {"T": _pb(6, 1)}),
        _node("Relu", "Relu", ("add",), {"T": _pb(6, 1)}),
        _node("conv2", "Conv2D", ("Relu", "f2"), conv),
        _node("add_1", "Add", ("conv2", "b2"), {"T": _pb(6, 1)}),
        _node("DepthToSpace", "DepthToSpace", ("add_1",), {"T": _pb(6, 1), "block_size": _pb(3, scale),
                                                           "data_format": _pb(2, b"NHWC")}),
        _node("NCHW_output", "Transpose", ("DepthToSpace", "NCHW_output/perm"),
              {"T": _pb(6, 1), "Tperm": _pb(6, 3)}),
    ]
    path = Path(path)
    path.write_bytes(b"".join(_pb(1, n) for n in nodes))
    return path


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        out.append((n & 0x7F) | (0x80 if n > 0x7F else 0))
        n >>= 7
        if not n:
            return bytes(out)


def _pb(field: int, value: int | bytes) -> bytes:
    """One protobuf field: a varint for an int, length-delimited for bytes."""
    if isinstance(value, int):
        return _varint(field << 3) + _varint(value)
    return _varint(field << 3 | 2) + _varint(len(value)) + value


def _tensor(values, dtype: int = 1) -> bytes:
    import numpy as np

    array = np.asarray(values, np.float32 if dtype == 1 else np.int32)
    shape = b"".join(_pb(2, _pb(1, d)) for d in array.shape)
    return _pb(1, dtype) + _pb(2, shape) + _pb(4, array.tobytes())


def _node(name: str, op: str, inputs: tuple[str, ...], attrs: dict[str, bytes]) -> bytes:
    body = _pb(1, name.encode()) + _pb(2, op.encode()) + b"".join(_pb(3, i.encode()) for i in inputs)
    return body + b"".join(_pb(5, _pb(1, k.encode()) + _pb(2, v)) for k, v in attrs.items())
