"""How every command of ``python -m snnlib`` ends: user errors as one line, Ctrl-C as exit code 130.

Shared by :mod:`snnlib.cli` (the whole command line) and the command groups that can run on their own
(``snnlib.train_cli.main``), so that neither imports the other.
"""
from __future__ import annotations

import argparse
import sys


def run(parser: argparse.ArgumentParser, argv: list[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen command: user errors as one line, Ctrl-C as exit code 130."""
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except ValueError as exc:  # our validation errors: one clear line, no traceback
        print(f"error: {exc}", file=sys.stderr)
        return 2
