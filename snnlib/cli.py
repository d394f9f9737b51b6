"""Command line: ``python -m snnlib COMMAND ...``.

Each group of commands lives beside the code it drives and exposes
``register(subparsers)``; this module only assembles them.
"""
from __future__ import annotations

import argparse

from snnlib import course, demo, lab, train_cli
from snnlib._commands import run  # noqa: F401 (part of this module's interface)
from snnlib.audio import cli as audio_cli
from snnlib.data import cli as data_cli

# Modules that contribute sub-commands, in the order they appear in --help (the data commands before the
# audio ones, which add `data make fsdd`).
COMMAND_MODULES = (lab, demo, data_cli, audio_cli, train_cli, course)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m snnlib",
        description="Three-factor delay learning for spiking neural networks.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    return run(build_parser(), argv)
