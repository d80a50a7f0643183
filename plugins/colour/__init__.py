"""The colour-correct family: white balance, levels and exposure, colour matching, chart calibration.

Built-in tier: classical colour science on OpenCV, scikit-image and numpy. Model tier: a
look learned from the studio's own pairs (torch). All are imported when an operation
runs, never when Packshot starts.
"""

from __future__ import annotations

from packshot.core.hookspecs import hookimpl

packshot_api_version = "2.0"


@hookimpl
def packshot_operations():
    from .apply_look import ApplyLook
    from .colorchecker import CalibrateChart
    from .colour_matrix import ApplyMatrix
    from .levels import AutoLevels, Exposure
    from .neutral_pick import WhiteBalancePick
    from .reference_match import MatchReference
    from .region_match import MatchRegion
    from .white_balance import AutoWhiteBalance

    return [AutoWhiteBalance(), WhiteBalancePick(), AutoLevels(), Exposure(), MatchRegion(),
            MatchReference(), CalibrateChart(), ApplyMatrix(), ApplyLook()]
