"""``packshot edit``: change a picture's edit stack (its sidecar), never the picture.

The window reads and writes the same sidecar, so a picture edited here opens edited there;
``packshot render`` turns the stack into a file.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

from ..errors import BadInput, BadParameter
from ..export import image_size
from ..mask import load_mask, save_mask
from ..params import parse_assignments
from ..plugin_host import PluginHost, load_plugins
from ..recipe import EditStack, Step, check_recipe, load_sidecar, make_step, masks_folder, save_sidecar, sidecar_path

HELP = "add, re-adjust, disable or delete steps of a picture's edit stack (the picture is never written)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("picture", type=Path, help="the picture whose edits change (never modified)")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--op", help="append a step running this operation (see 'packshot ops')")
    what.add_argument("--step", type=int, metavar="N", help="change step N (counted from 1; see --list)")
    what.add_argument("--list", action="store_true", help="print the edit stack")
    what.add_argument("--reset", action="store_true", help="remove every step (the sidecar is deleted)")
    p.add_argument("--set", dest="assignments", action="append", default=[], metavar="NAME=VALUE",
                   help="set a parameter (repeatable); with --step, the others keep their values")
    p.add_argument("--mask", type=Path, help="mask image for --op (copied beside the picture)")
    p.add_argument("--prompt", help="text prompt for --op")
    p.add_argument("--seed", type=int, help="random seed of the step (same seed, same result)")
    change = p.add_mutually_exclusive_group()
    change.add_argument("--disable", action="store_true", help="with --step: skip the step when rendering")
    change.add_argument("--enable", action="store_true", help="with --step: render the step again")
    change.add_argument("--delete", action="store_true", help="with --step: remove the step")
    change.add_argument("--move-to", type=int, metavar="M", help="with --step: move the step to position M")
    p.add_argument("--json", action="store_true", help="with --list: print the stack as JSON")


def run(args: argparse.Namespace) -> int:
    picture: Path = args.picture
    if args.seed is not None and args.seed < 0:
        raise BadParameter(f"--seed must be 0 or more, got {args.seed}")
    if args.op is not None and not args.op.strip():
        raise BadParameter("--op needs an operation id (see 'packshot ops')")
    image_size(picture)  # a clear error for a missing or unreadable picture, before anything
    stack = load_sidecar(picture) or EditStack()
    changes = [args.disable, args.enable, args.delete, args.move_to is not None]
    if args.list:
        _print_stack(picture, stack, as_json=args.json)
        return 0
    if args.reset:
        count = len(stack.applied)
        sidecar_path(picture).unlink(missing_ok=True)
        print(f"{picture.name}: {count} step{'s' * (count != 1)} removed; the picture renders as shot")
        return 0
    host = load_plugins()
    if args.op:
        if any(changes):
            raise BadInput("--disable, --enable, --delete and --move-to apply to --step N")
        stack.append(_new_step(host, picture, args))
    else:
        if args.mask or args.prompt is not None:
            raise BadInput("--mask and --prompt apply to --op; delete the step and add it again to change them")
        _change_step(host, stack, args, any(changes))
    check_recipe(stack.recipe(), host, where=picture.name)
    save_sidecar(picture, stack)
    _print_stack(picture, stack)
    return 0


def _new_step(host: PluginHost, picture: Path, args: argparse.Namespace) -> Step:
    op = host.operation(args.op)
    params = parse_assignments(op.params, args.assignments, where=op.id)
    if args.mask is not None and "mask" not in op.inputs:
        raise BadInput(f"{op.id} does not take a mask")
    if op.mask_required and args.mask is None:
        raise BadInput(f"{op.id} needs a mask (--mask FILE)")
    if op.reference_required:
        raise BadInput(f"{op.id} needs a reference image, which 'packshot edit' cannot record; "
                       "use 'packshot apply --reference'")
    if op.prompt_required and not (args.prompt or "").strip():
        raise BadInput(f"{op.id} needs a prompt (--prompt TEXT)")
    mask = _keep_mask(picture, args.mask) if args.mask is not None else None
    return make_step(host, op.id, params, args.seed or 0, mask=mask, prompt=args.prompt)


def _keep_mask(picture: Path, source: Path) -> str:
    """Copy a mask into the picture's masks folder (named by its content, as the window does)."""
    mask = load_mask(source)
    digest = hashlib.sha1(mask.tobytes()).hexdigest()[:16]
    folder = masks_folder(picture)
    name = f"{folder.name}/mask-{digest}.png"
    if not (picture.parent / name).exists():
        folder.mkdir(exist_ok=True)
        save_mask(mask, picture.parent / name)
    return name


def _change_step(host: PluginHost, stack: EditStack, args: argparse.Namespace, other_change: bool) -> None:
    n = args.step
    if (args.assignments or args.seed is not None) and other_change:
        raise BadInput("--set and --seed cannot be combined with --disable, --enable, --delete or --move-to")
    if args.disable or args.enable:
        stack.set_enabled(n, args.enable)
    elif args.delete:
        stack.delete(n)
    elif args.move_to is not None:
        stack.move(n, args.move_to)
    elif args.assignments or args.seed is not None:
        old = stack.step(n)
        op = host.operation(old.op)
        given = parse_assignments(op.params, args.assignments, where=op.id)
        names = {item.split("=", 1)[0].strip() for item in args.assignments}
        stack.set_params(n, op.validate({**old.params, **{k: given[k] for k in names}}), seed=args.seed)
    else:
        raise BadInput("--step N needs --set NAME=VALUE, --seed, --disable, --enable, --delete or --move-to")


def _print_stack(picture: Path, stack: EditStack, *, as_json: bool = False) -> None:
    steps = stack.applied
    if as_json:
        print(json.dumps([s.to_dict() for s in steps], indent=2))
        return
    if not steps:
        print(f"{picture.name}: no edits")
        return
    print(f"{picture.name}: {len(steps)} step{'s' * (len(steps) != 1)}")
    for number, step in enumerate(steps, 1):
        params = " ".join(f"{k}={_value(v)}" for k, v in step.params.items())
        notes = [f"mask {step.mask}"] if step.mask else []
        notes += [f"prompt {step.prompt!r}"] if step.prompt else []
        notes += [f"seed {step.seed}"] if step.seed else []
        notes += ["disabled"] if not step.enabled else []
        print(f"  {number:>2}  {step.op:<24} {params}" + (f"  ({', '.join(notes)})" if notes else ""))


def _value(v: object) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ",".join(_value(x) for x in v)
    return str(v)
