"""The ``packshot`` command. With no sub-command it opens the desktop window.

Each sub-command lives in its own module here, named ``<command>_cmd.py`` and exposing
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; they are found by name.
Every error becomes one line on stderr and a non-zero exit code, and warnings (Pillow's,
torch's) stay out of sight, so the line is the only thing a person reads; ``--verbose``
shows the warnings and ``--debug`` (or ``PACKSHOT_DEBUG=1``) the full traceback, for
plugin authors.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import traceback
import warnings
from collections.abc import Sequence
from importlib.metadata import entry_points

from .. import __version__
from ..errors import PackshotError

EXIT_INTERNAL = 1  # a bug: an exception that is no PackshotError
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `packshot ops | head`


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of ``only`` that one: a command's module (and what it
    imports) is loaded only when it runs or ``--help`` lists it, so a run starts sooner."""
    parser = argparse.ArgumentParser(
        prog="packshot",
        description="Packshot: an offline editor for product photos. Run with no command to open the window.",
    )
    parser.add_argument("--version", action="version", version=f"packshot {__version__}")
    _add_common_options(parser, default=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in [only] if only else commands():
        module = importlib.import_module(f"{__name__}.{name.replace('-', '_')}_cmd")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        _add_common_options_below(p)
        p.set_defaults(_run=module.run)
    return parser


def _add_common_options_below(p: argparse.ArgumentParser) -> None:
    """The common options on a command and on each of its actions (``models list --debug``)."""
    _add_common_options(p, default=argparse.SUPPRESS)
    for action in p._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_common_options_below(child)


def _add_common_options(p: argparse.ArgumentParser, default: object) -> None:
    """``--debug`` and ``--verbose`` before or after the command (SUPPRESS keeps the first)."""
    p.add_argument("--debug", action="store_true", default=default,
                   help="on error, print the full traceback (also PACKSHOT_DEBUG=1)")
    try:
        p.add_argument("--verbose", action="store_true", default=default, help="also show warnings")
    except argparse.ArgumentError:
        pass  # the command has its own --verbose (check): it shows the warnings too


def commands() -> list[str]:
    """Sub-command names, from the ``*_cmd`` modules in this package."""
    names = [m.name[: -len("_cmd")] for m in pkgutil.iter_modules(__path__) if m.name.endswith("_cmd")]
    return sorted(n.replace("_", "-") for n in names)


def _command_in(args: list[str]) -> str | None:
    """The command named on the line (the first word that is no option), if it is one."""
    word = next((a for a in args if not a.startswith("-")), None)
    return word if word in commands() else None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list:
        return _open_window()
    parser = build_parser(_command_in(args_list))
    args = parser.parse_args(args_list)
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_ERROR
    debug = args.debug or os.environ.get("PACKSHOT_DEBUG", "") not in ("", "0")
    with warnings.catch_warnings():
        if getattr(args, "verbose", False):
            warnings.showwarning = _show_warning
        else:
            warnings.simplefilter("ignore")
        return _run(args, debug)


def _run(args: argparse.Namespace, debug: bool) -> int:
    try:
        return int(args._run(args) or 0)
    except PackshotError as exc:
        return _fail(exc, debug, str(exc), EXIT_ERROR)
    except KeyboardInterrupt:
        print("packshot: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader (head, less) stopped reading: not our error. Point stdout at devnull
        # so the interpreter's final flush does not print a traceback either.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        return _fail(exc, debug, f"{where}{exc.strerror or exc}", EXIT_ERROR)
    except Exception as exc:  # a bug: still one line, the traceback on request
        return _fail(exc, debug, f"unexpected {type(exc).__name__}: {exc} "
                                 "(a bug; rerun with --debug for the traceback)", EXIT_INTERNAL)


def _fail(exc: BaseException, debug: bool, message: str, code: int) -> int:
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"packshot: error: {' '.join(message.split())}", file=sys.stderr)
    return code


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"packshot: warning: {category.__name__}: {' '.join(str(message).split())}", file=sys.stderr)


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
