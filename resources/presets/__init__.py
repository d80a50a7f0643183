"""Export presets as TOML data files, one per shop rule set (see packshot.plugins.presets)."""
