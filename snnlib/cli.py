"""Command line: ``python -m snnlib COMMAND ...``.

Each group of commands lives beside the code it drives and exposes
``register(subparsers)``; this module only assembles them.
"""
from __future__ import annotations

import argparse
import importlib
import sys

# Modules that contribute sub-commands, in the order they appear in --help.
COMMAND_MODULES = (
    "snnlib.lab",
    "snnlib.demo",
    "snnlib.data.cli",
    "snnlib.audio.cli",
    "snnlib.train_cli",
    "snnlib.course",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m snnlib",
        description="Three-factor delay learning for spiking neural networks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)


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
