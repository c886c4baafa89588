"""Command line: read an instance file, solve, write the result JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from collections.abc import Sequence

from .api import solve
from .instance import InstanceError, parse_instance
from .result import result_to_dict


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"usage error: {message}\n")
        raise SystemExit(2)


def _fail(message: str) -> int:
    sys.stderr.write(message.replace("\n", " ") + "\n")
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (2 on bad input)."""
    ap = _Parser(prog="python -m buddy.matching", description="Match newcomers with volunteers.")
    ap.add_argument("instance", help="instance JSON file")
    ap.add_argument("-o", "--output", help="write the result JSON here (default: stdout)")
    ap.add_argument("--quiet", action="store_true", help="no progress on stderr")
    args = ap.parse_args(argv)
    try:
        with open(args.instance, "rb") as fh:
            raw = fh.read()
    except OSError as exc:
        return _fail(f"{args.instance}: cannot read file ({exc.strerror or exc})")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return _fail(f"{args.instance}: not UTF-8 text")
    except json.JSONDecodeError as exc:
        return _fail(f"{args.instance}: not JSON ({exc.msg} at line {exc.lineno})")
    except RecursionError:
        return _fail(f"{args.instance}: not JSON (nested too deeply)")
    try:
        inst = parse_instance(data)
    except InstanceError as exc:
        return _fail(str(exc))
    show = not args.quiet and sys.stderr.isatty()
    progress = (lambda msg: sys.stderr.write(f"\r\x1b[K{msg}")) if show else None
    result = solve(inst, progress=progress)
    if show:
        sys.stderr.write("\r\x1b[K")
    text = json.dumps(result_to_dict(result), ensure_ascii=False, indent=1) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    target = os.path.abspath(args.output)
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        return _fail(f"{args.output}: cannot write file ({exc.strerror or exc})")
    return 0
