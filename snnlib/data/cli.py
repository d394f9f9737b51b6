"""``python -m snnlib data ...``: download the published datasets, make offline ones, describe a file.

    python -m snnlib data download shd [--dir DIR] [--base-url URL]
    python -m snnlib data download fsdd [--dir DIR] [--base-url ARCHIVE-URL]
    python -m snnlib data make delay-task --out DIR [--seed 0] [--train N] [--channels C] [--classes K]
    python -m snnlib data make fsdd [--out DIR] [--channels 700] [--split official|speaker] [--workers N]
        (added by snnlib.audio.cli, which encodes the recordings)
    python -m snnlib data info FILE
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from tqdm import tqdm

from snnlib.data.download import download
from snnlib.data.fsdd_download import FSDD_COMMIT, FSDD_LICENCE, download_fsdd
from snnlib.data.reader import open_dataset
from snnlib.data.schema import PUBLISHED
from snnlib.data.synthetic import MAKERS

_FSDD = "fsdd"
_MAKE_COMMANDS = None  # the sub-commands of `data make`, set by register()


def register(subparsers) -> None:
    """Add the ``data`` command and its sub-commands to the top-level parser's ``subparsers``."""
    parser = subparsers.add_parser("data", help="download, generate and inspect spike datasets")
    commands = parser.add_subparsers(dest="data_command", metavar="ACTION")
    commands.required = True

    get = commands.add_parser("download", help="download and verify SHD or SSC from the authors' site, or the FSDD "
                                               "recordings from their repository at a pinned commit")
    get.add_argument("name", choices=sorted(PUBLISHED) + [_FSDD])
    get.add_argument("--dir", type=Path, default=None,
                     help="data folder (default: $SNNLIB_DATA, else ~/.cache/snnlib); fsdd goes to DIR/fsdd/recordings")
    get.add_argument("--base-url", default=None,
                     help="address serving the .h5.gz files and md5sums.txt (default: $SNNLIB_DATA_URL, else the "
                          "Zenke lab site, then its mirror); for fsdd the archive's full address (default: "
                          "$SNNLIB_FSDD_URL, else GitHub's archive of the pinned commit)")
    get.add_argument("--keep-archive", action="store_true", help="keep the verified archive(s)")
    get.add_argument("--no-progress", action="store_true", help="no progress bar")
    get.set_defaults(func=_download)

    make = commands.add_parser("make", help="write an offline dataset in the SHD schema")
    global _MAKE_COMMANDS
    _MAKE_COMMANDS = make.add_subparsers(dest="dataset", metavar="DATASET")
    _MAKE_COMMANDS.required = True
    for name in sorted(MAKERS):
        maker = make_command(name, help=f"the synthetic {name} dataset (snnlib.data.synthetic)")
        maker.add_argument("--seed", type=int, default=None, help="random seed (default 0)")
        maker.add_argument("--train", type=int, default=None, help="training samples")
        maker.add_argument("--valid", type=int, default=None, help="validation samples (0: no validation file)")
        maker.add_argument("--test", type=int, default=None, help="test samples")
        maker.add_argument("--channels", type=int, default=None,
                           help="input channels (default: 700 for shd-like, 20 delay-task, 50 randman)")
        maker.add_argument("--classes", type=int, default=None, help="classes")
        maker.set_defaults(func=_make)

    info = commands.add_parser("info", help="describe an SHD-schema file")
    info.add_argument("file", type=Path)
    info.add_argument("--limit", type=int, default=None, help="scan only the first N samples")
    info.set_defaults(func=_info)


def _download(args: argparse.Namespace) -> int:
    if args.name == _FSDD:
        result = download_fsdd(args.dir, url=args.base_url, keep_archive=args.keep_archive,
                               progress=False if args.no_progress else None)
        state = "already present and verified, nothing downloaded" if result.already_present else "verified"
        count = sum(1 for _ in result.path.glob("*.wav"))
        print(f"fsdd recordings ({count} files, commit {FSDD_COMMIT[:7]}, {state}): {result.path}")
        print(f"licence {FSDD_LICENCE}: credit the Free Spoken Digit Dataset and share derived work alike")
        return 0
    paths = download(args.name, args.dir, base_url=args.base_url, keep_archive=args.keep_archive,
                     progress=False if args.no_progress else None)
    for split, path in paths.items():
        print(f"{args.name} {split}: {path}")
    return 0


def make_command(name: str, *, help: str, out_help: str | None = None) -> argparse.ArgumentParser:
    """Add ``python -m snnlib data make NAME --out DIR`` and return its parser (for the options and ``func``).

    ``out_help``: the command has a default output folder (``--out`` may be left out), described by this text.

    The synthetic datasets are added here; a layer above the data layer adds its own (``snnlib.audio.cli`` adds
    ``fsdd``), so that this module never imports it. Call after :func:`register`.
    """
    if _MAKE_COMMANDS is None:
        raise RuntimeError("snnlib.data.cli.register must run before make_command")
    parser = _MAKE_COMMANDS.add_parser(name, help=help)
    if out_help is None:
        parser.add_argument("--out", type=Path, required=True, help="output folder")
    else:
        parser.add_argument("--out", type=Path, default=None, help=out_help)
    return parser


def _make(args: argparse.Namespace) -> int:
    options = {"n_train": args.train, "n_valid": args.valid, "n_test": args.test, "n_channels": args.channels,
               "n_classes": args.classes, "seed": args.seed}
    paths = MAKERS[args.dataset](args.out, **{k: v for k, v in options.items() if v is not None})
    for part, path in paths.items():
        print(f"{args.dataset} {part}: {path}")
    return 0


def _info(args: argparse.Namespace) -> int:
    with open_dataset(args.file) as ds:
        n = len(ds) if args.limit is None else min(len(ds), max(args.limit, 0))
        counts = np.zeros(n, dtype=np.int64)
        last = np.zeros(n)
        used = np.zeros(ds.n_channels, dtype=bool)
        for i in tqdm(range(n), desc="scanning", unit="sample", disable=not sys.stderr.isatty(), leave=False):
            times, units, _ = ds[i]
            counts[i] = len(times)
            last[i] = times[-1] if len(times) else 0.0
            used[units] = True
        labels = ds.labels
        print(f"file:       {ds.path}")
        print(f"samples:    {len(ds)}" + (f" (scanned the first {n})" if n < len(ds) else "")
              + _published_note(ds.path.name, len(ds), ds.n_classes))
        print(f"channels:   {ds.n_channels} declared, {int(used.sum())} used"
              + (f" (units {int(np.argmax(used))}..{ds.n_channels - 1 - int(np.argmax(used[::-1]))})"
                 if used.any() else ""))
        print(f"speakers:   {len(np.unique(ds.speakers))}")
        print(f"classes:    {ds.n_classes}")
        per_class = np.bincount(labels, minlength=ds.n_classes)
        for c, name in enumerate(ds.class_names):
            print(f"  {c:3d} {name!s:<20} {per_class[c]} samples")
        if n:
            print(f"spikes per sample: mean {counts.mean():.1f}, median {np.median(counts):.0f}, "
                  f"min {counts.min()}, max {counts.max()}; empty samples: {int((counts == 0).sum())}")
            print(f"duration (last spike, s): mean {last.mean():.3f}, min {last.min():.3f}, max {last.max():.3f}")
        if ds.meta_info:
            print(f"meta_info:  {', '.join(sorted(ds.meta_info))}")
        extra = sorted(k for k in ds.attrs if k != "n_channels")
        if extra:
            print(f"attributes: {', '.join(extra)}")
    return 0


def _published_note(filename: str, n_samples: int, n_classes: int) -> str:
    """For a published file name (shd_train.h5, ...), say whether its size matches the publication."""
    for info in PUBLISHED.values():
        for split, expected in info.splits.items():
            if filename == info.filename(split):
                if (n_samples, n_classes) == (expected, info.n_classes):
                    return f" (as published: {expected} samples, {info.n_classes} classes)"
                return f" (note: the published {filename} has {expected} samples and {info.n_classes} classes)"
    return ""
