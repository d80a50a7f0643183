"""The ``packshot`` command. With no sub-command it opens the desktop window.

Each sub-command lives in its own module here, named ``<command>_cmd.py`` and exposing
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; they are found by name.
Errors from the engine become one line on stderr and a non-zero exit code.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from .. import __version__
from ..errors import PackshotError

EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `packshot ops | head`


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="packshot",
        description="Packshot: an offline editor for product photos. Run with no command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"packshot {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in commands():
        module = importlib.import_module(f"{__name__}.{name.replace('-', '_')}_cmd")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def commands() -> list[str]:
    """Sub-command names, from the ``*_cmd`` modules in this package."""
    names = [m.name[: -len("_cmd")] for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd")]
    return sorted(n.replace("_", "-") for n in names)


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        return _open_window()
    parser = build_parser()
    args = parser.parse_args(args_list)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_ERROR
    try:
        return int(args._run(args) or 0)
    except PackshotError as exc:
        print(f"packshot: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("packshot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (head, less) stopped reading: not our error. Point stdout at devnull
        # so the interpreter's final flush does not print a traceback either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _open_window() -> int:
    """Open the desktop (found through the ``packshot.gui`` entry point), else the demo job."""
    for ep in entry_points(group="packshot.gui"):
        try:
            gui_main = ep.load()
        except ImportError as exc:
            print(f"packshot: the desktop is not available ({exc}); running the demo job instead",
                  file=sys.stderr)
            break
        return int(gui_main() or 0)
    return main(["demo"])
