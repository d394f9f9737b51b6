"""``python -m snnlib audio ...``: encode recordings into spike files; ``data make fsdd``.

    python -m snnlib audio encode WAV_DIR OUT.h5 [--channels 700] [--label-from-filename PATTERN]
                                                 [--workers N] [--seed S] [--skip-bad] [--no-progress]
    python -m snnlib data make fsdd [--out DIR] [--channels 700] [--split official|speaker] [--workers N]
                                    [--seed S] [--source FSDD_DIR]

``data make fsdd`` is added to the data layer's ``data make`` here, beside the encoder it drives.

Example (FSDD, digit from the file name, speaker too)::

    python -m snnlib audio encode ../shared/data/fsdd/recordings fsdd_all.h5 \\
        --label-from-filename '^(?P<label>\\d)_(?P<speaker>[a-z]+)_'
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from snnlib.audio.dataset import default_workers, encode_directory
from snnlib.audio.encoder import EncoderParams
from snnlib.audio.fsdd import make_fsdd
from snnlib.data.cli import make_command


def register(subparsers) -> None:
    """Add the ``audio`` command group to the top-level parser's ``subparsers``."""
    parser = subparsers.add_parser("audio", help="encode sound recordings into spike files (cochlea model)")
    commands = parser.add_subparsers(dest="audio_command", metavar="ACTION")
    commands.required = True

    encode = commands.add_parser(
        "encode", help="encode every .wav in a folder into one SHD-schema spike file",
        description="Encode every .wav file directly inside WAV_DIR (mono; 8/16/24/32-bit PCM or float) into "
                    "OUT.h5 in the SHD schema. An unreadable file stops the run before anything is written, "
                    "unless --skip-bad is given.")
    encode.add_argument("wav_dir", type=Path, metavar="WAV_DIR", help="folder holding the .wav files")
    encode.add_argument("out", type=Path, metavar="OUT.h5", help="spike file to write (replaced if it exists)")
    encode.add_argument("--channels", type=int, default=700, help="cochlear channels / output units (default 700)")
    encode.add_argument("--label-from-filename", metavar="PATTERN", default=None,
                        help="regular expression on the file name: the class is its group 'label' (or its first "
                             "group), the speaker its optional group 'speaker'; default: one class")
    encode.add_argument("--workers", type=int, default=None,
                        help=f"encoder processes (default: all usable CPUs, here {default_workers()})")
    encode.add_argument("--seed", type=int, default=0, help="random seed of the nerve fibres (default 0)")
    encode.add_argument("--skip-bad", action="store_true",
                        help="leave unreadable recordings out (and list them) instead of stopping")
    encode.add_argument("--no-progress", action="store_true", help="no progress bar")
    encode.set_defaults(func=_encode)

    fsdd = make_command("fsdd", help="the Free Spoken Digit Dataset, encoded (train and test files in the SHD schema)",
                        out_help="output folder (default: the data folder's fsdd-CHANNELS/, or fsdd-CHANNELS-speaker/ "
                                 "for --split speaker; fsdd-700/ is where `--dataset fsdd` reads)")
    fsdd.add_argument("--channels", type=int, default=700, help="cochlear channels (default 700, as in SHD)")
    fsdd.add_argument("--split", choices=("official", "speaker"), default="official",
                      help="the official split or leave-one-speaker-out")
    fsdd.add_argument("--workers", type=int, default=None,
                      help=f"encoder processes (default: all usable CPUs, here {default_workers()})")
    fsdd.add_argument("--seed", type=int, default=0, help="random seed of the nerve fibres (default 0)")
    fsdd.add_argument("--source", type=Path, default=None,
                      help="folder with the FSDD recordings (default: $SNNLIB_FSDD, ../shared/data/fsdd, the data "
                           "folder's fsdd/)")
    fsdd.set_defaults(func=_make_fsdd)


def _encode(args: argparse.Namespace) -> int:
    if args.seed < 0:
        raise ValueError(f"--seed must be >= 0, got {args.seed}")
    params = replace(EncoderParams(), n_channels=args.channels)
    report = encode_directory(args.wav_dir, args.out, label_pattern=args.label_from_filename, params=params,
                              seed=args.seed, workers=args.workers, progress=False if args.no_progress else None,
                              on_error="skip" if args.skip_bad else "raise")
    for path, reason in report.skipped:
        print(f"skipped {path.name}: {reason}", file=sys.stderr)
    print(f"wrote {report.path}: {report.n_recordings} recordings, {report.n_spikes} spikes, "
          f"{params.n_channels} channels" + (f", {len(report.skipped)} skipped" if report.skipped else ""))
    return 0


def _make_fsdd(args: argparse.Namespace) -> int:
    out = args.out
    if out is None:
        from snnlib.data import resolve_data_dir

        out = resolve_data_dir() / (f"fsdd-{args.channels}" + ("-speaker" if args.split == "speaker" else ""))
    for path in make_fsdd(out, channels=args.channels, split=args.split, workers=args.workers,
                          source=args.source, seed=args.seed):
        print(f"fsdd: {path}")
    return 0
