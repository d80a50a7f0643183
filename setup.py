"""Map the user's top-level folders onto one import package, ``packshot``.

The folders stay where the design card puts them (``core/``, ``plugins/``, ``desktop/``,
``resources/``); installed, they are ``packshot.core``, ``packshot.plugins``,
``packshot.desktop`` and ``packshot.resources``, so Packshot never installs a top-level
``core`` that collides with another project's. Everything else is in pyproject.toml.
"""

from setuptools import find_packages, setup

FOLDERS = {
    "packshot": "packshot",
    "packshot.core": "core",
    "packshot.plugins": "plugins",
    "packshot.desktop": "desktop",
    "packshot.resources": "resources",
}

packages = [
    f"{name}.{sub}" if sub else name
    for name, folder in FOLDERS.items()
    for sub in ["", *find_packages(folder)]
]
setup(packages=packages, package_dir=FOLDERS)
