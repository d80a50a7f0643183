"""Settings shared by the CLI and the desktop: device, folders, tile size, disabled plugins.

Stored as TOML in the user's config folder (``PACKSHOT_CONFIG_DIR`` overrides it), so a
choice made in the desktop also holds for an overnight batch.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import platformdirs
import tomli_w

from .errors import BadParameter
from .output_guard import atomic_write

APP = "packshot"
DEVICES = ("auto", "cuda", "mps", "cpu")


def config_dir() -> Path:
    env = os.environ.get("PACKSHOT_CONFIG_DIR")
    return Path(env) if env else Path(platformdirs.user_config_dir(APP))


def data_dir() -> Path:
    env = os.environ.get("PACKSHOT_DATA_DIR")
    return Path(env) if env else Path(platformdirs.user_data_dir(APP))


def cache_dir() -> Path:
    env = os.environ.get("PACKSHOT_CACHE_DIR")
    return Path(env) if env else Path(platformdirs.user_cache_dir(APP))


@dataclass
class Settings:
    device: str = "auto"
    models_dir: str = ""
    tile_size: int = 512
    cache_mb: int = 1024
    disabled_plugins: list[str] = field(default_factory=list)

    def validate(self) -> Settings:
        if self.device not in DEVICES:
            raise BadParameter(f"setting 'device': {self.device!r}; expected one of {', '.join(DEVICES)}")
        if not 64 <= int(self.tile_size) <= 8192:
            raise BadParameter(f"setting 'tile_size': {self.tile_size}; expected 64 to 8192")
        if int(self.cache_mb) < 0:
            raise BadParameter(f"setting 'cache_mb': {self.cache_mb}; expected 0 or more")
        return self

    @property
    def models_path(self) -> Path:
        """The models folder: ``PACKSHOT_MODELS_DIR``, else the setting, else the data dir."""
        env = os.environ.get("PACKSHOT_MODELS_DIR")
        if env:
            return Path(env)
        return Path(self.models_dir) if self.models_dir else data_dir() / "models"


def settings_path() -> Path:
    return config_dir() / "settings.toml"


def load_settings() -> Settings:
    """The saved settings; missing or unreadable files give the defaults."""
    path = settings_path()
    try:
        raw = tomllib.loads(path.read_text("utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return Settings()
    known = {f.name for f in fields(Settings)}
    try:
        return Settings(**{k: v for k, v in raw.items() if k in known}).validate()
    except (BadParameter, TypeError, ValueError):
        return Settings()


def save_settings(settings: Settings) -> Path:
    settings.validate()
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = tomli_w.dumps(asdict(settings)).encode("utf-8")
    return atomic_write(path, lambda fh: fh.write(data))
