"""The published reference colours of the 24-patch ColorChecker Classic.

CIE L*a*b* (D50, 2° observer) of the ColorChecker 2005 formulation, as published by
Imatest (https://www.imatest.com/wp-content/uploads/2011/11/Lab-data-Iluminate-D65-D50-spectro.xls)
and used by OpenCV's ``ccm`` module (``COLORCHECKER_MACBETH``). Rows are in chart order:
dark skin ... black, left to right, top to bottom, with the grey row last.
"""

from __future__ import annotations

import numpy as np

COLUMNS, ROWS = 6, 4

PATCH_NAMES = (
    "dark skin", "light skin", "blue sky", "foliage", "blue flower", "bluish green",
    "orange", "purplish blue", "moderate red", "purple", "yellow green", "orange yellow",
    "blue", "green", "red", "yellow", "magenta", "cyan",
    "white 9.5", "neutral 8", "neutral 6.5", "neutral 5", "neutral 3.5", "black 2",
)

LAB_D50 = np.array([
    [37.986, 13.555, 14.059], [65.711, 18.130, 17.810], [49.927, -4.880, -21.925],
    [43.139, -13.095, 21.905], [55.112, 8.844, -25.399], [70.719, -33.397, -0.199],
    [62.661, 36.067, 57.096], [40.020, 10.410, -45.964], [51.124, 48.239, 16.248],
    [30.325, 22.976, -21.587], [72.532, -23.709, 57.255], [71.941, 19.363, 67.857],
    [28.778, 14.179, -50.297], [55.261, -38.342, 31.370], [42.101, 53.378, 28.190],
    [81.733, 4.039, 79.819], [51.935, 49.986, -14.574], [51.038, -28.631, -28.638],
    [96.539, -0.425, 1.186], [81.257, -0.638, -0.335], [66.766, -0.734, -0.504],
    [50.867, -0.153, -0.270], [35.656, -0.421, -1.231], [20.461, -0.079, -0.973],
])

# Bradford chromatic adaptation D50 -> D65 (Lindbloom, brucelindbloom.com, "Chromatic Adaptation").
_BRADFORD_D50_TO_D65 = np.array([
    [0.9555766, -0.0230393, 0.0631636],
    [-0.0282895, 1.0099416, 0.0210077],
    [0.0122982, -0.0204830, 1.3299098],
])


def reference_srgb() -> np.ndarray:
    """The 24 reference colours as sRGB 0..1 (D65), 24x3."""
    from skimage.color import lab2xyz, xyz2rgb

    xyz_d50 = lab2xyz(LAB_D50.reshape(-1, 1, 3), illuminant="D50").reshape(-1, 3)
    xyz_d65 = xyz_d50 @ _BRADFORD_D50_TO_D65.T
    return np.clip(xyz2rgb(xyz_d65.reshape(-1, 1, 3)).reshape(-1, 3), 0, 1)
