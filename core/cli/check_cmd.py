"""``packshot check``: does each file meet a shop's rules? One line per file: PASS, FAIL with the
reasons, or UNSURE with what could not be told (exit 1 unless every file passes)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from ..compliance import CheckReport, check_file
from ..export import find_preset
from ..plugin_host import load_plugins

HELP = "check image files against a shop preset's rules (background, fill, size, colour, bytes, format)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("files", nargs="+", type=Path, help="image files to check (never modified)")
    p.add_argument("--preset", required=True, help="preset name (see 'packshot presets')")
    p.add_argument("--json", action="store_true", help="print the full report as JSON")
    p.add_argument("--verbose", "-v", action="store_true", help="show every measurement, not only failures")


def run(args: argparse.Namespace) -> int:
    preset = find_preset(load_plugins().export_presets(), args.preset)
    reports = [check_file(path, preset) for path in args.files]
    if args.json:
        print(json.dumps([r.to_dict() for r in reports], indent=2))
    else:
        for r in reports:
            print(_line(r))
            if args.verbose:
                for f in r.findings:
                    mark = "??" if f.undecided else {True: "ok", False: "FAIL", None: "--"}[f.ok]
                    print(f"      {mark:<4} {f.name}: {f.value}" + (f"  [{f.rule}]" if f.rule else ""))
        failed = sum(r.failed for r in reports)
        unsure = sum(not r.failed and not r.passed for r in reports)
        print(f"{len(reports) - failed - unsure} passed, {failed} failed"
              + (f", {unsure} cannot tell" if unsure else "") + f" ({args.preset})")
    return 1 if any(not r.passed for r in reports) else 0


def _line(report: CheckReport) -> str:
    """PASS, FAIL with the reasons, or UNSURE with what could not be told."""
    if report.failed:
        return f"FAIL  {report.path}: {'; '.join(report.reasons)}"
    if not report.passed:
        return f"UNSURE  {report.path}: {'; '.join(report.doubts)}"
    return f"PASS  {report.path}"
