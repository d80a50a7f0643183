"""Every operation of the enhance family, in the order the desktop lists them."""

from .denoise import Denoise, DenoiseModel
from .geometry import Crop, Rotate, Straighten
from .restore import RestoreJpeg, RestoreModel
from .sharpen import Sharpen
from .upscale import Upscale, UpscaleModel

OPERATIONS = (Upscale, UpscaleModel, Denoise, DenoiseModel, Sharpen, RestoreModel, RestoreJpeg, Crop, Rotate,
              Straighten)
