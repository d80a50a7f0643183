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
    from .apply_matrix import ApplyMatrix
    from .auto_levels import AutoLevels
    from .auto_white_balance import AutoWhiteBalance
    from .calibrate_chart import CalibrateChart
    from .exposure import Exposure
    from .match_reference import MatchReference
    from .match_region import MatchRegion
    from .white_balance_pick import WhiteBalancePick

    return [AutoWhiteBalance(), WhiteBalancePick(), AutoLevels(), Exposure(), MatchRegion(),
            MatchReference(), CalibrateChart(), ApplyMatrix(), ApplyLook()]
