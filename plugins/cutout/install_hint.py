"""The line telling a person which background-removal model to install (both cut-out operations show it)."""

INSTALL_HINT = ("install a background-removal model for hair, glass and busy scenes: "
                "packshot models download birefnet-general (or u2netp for a fast CPU model)")
