"""Bundled data: sample photos, export presets, model catalogue, icons and stylesheet."""
