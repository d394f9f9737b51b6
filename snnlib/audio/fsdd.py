"""Spike files from the Free Spoken Digit Dataset (FSDD), in the SHD schema.

FSDD: 3000 recordings ``{digit}_{speaker}_{take}.wav`` (8 kHz mono 16-bit PCM), six speakers saying each digit
0–9 fifty times (takes 0–49). Licence: Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0); the spike
files made here are derived works — they carry the attribution and licence as file attributes (``licence``,
``attribution``) and must be shared under the same licence. The recordings are read from where they are; they
are never copied.

Files written by :func:`make_fsdd`:

- ``split="official"`` (the FSDD README's split, not speaker-disjoint): takes 0–4 → ``fsdd_test.h5``,
  takes 5–49 → ``fsdd_train.h5``.
- ``split="speaker"`` (leave one speaker out, the harder SHD-like protocol): for each held-out speaker NAME,
  ``fsdd_speaker-NAME_train.h5`` (the other five speakers) and ``fsdd_speaker-NAME_test.h5`` (NAME); with
  ``holdout=NAME`` only that pair.

In every file: class names ``zero`` … ``nine`` (label = the digit), speaker ids numbered in sorted name order
(george 0, jackson 1, lucas 2, nicolas 3, theo 4, yweweler 5 for the published recordings), the names stored as
``extra/meta_info/speaker_name`` (indexed by id). Each recording gets the same spikes in every file (seeded by its
file name, see :func:`snnlib.audio.dataset.file_seed`) and is encoded once per call.
"""
from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path
from typing import NamedTuple

import numpy as np

from snnlib._io import prepare_folder
from snnlib.audio.dataset import encode_recordings, file_seed, read_recordings
from snnlib.audio.encoder import EncoderParams
from snnlib.audio.wav import AudioError

DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
LICENCE = "CC BY-SA 4.0"
ATTRIBUTION = ("Derived from the Free Spoken Digit Dataset (FSDD), Zohar Jackson et al., "
               "https://github.com/Jakobovski/free-spoken-digit-dataset, licensed CC BY-SA 4.0; "
               "spike trains computed with snnlib.audio. Share alike.")
#: Environment variable naming the FSDD folder (the one holding ``recordings/``, or ``recordings/`` itself).
ENV_VAR = "SNNLIB_FSDD"
_NAME = re.compile(r"^(\d)_([A-Za-z0-9-]+)_(\d+)\.wav$")


class FsddRecording(NamedTuple):
    """One FSDD file: its path, the digit spoken (0–9), the speaker's name and the take number (0–49)."""

    path: Path
    digit: int
    speaker: str
    take: int


def default_fsdd_folders() -> list[Path]:
    """Where FSDD is looked for when neither ``source`` nor ``$SNNLIB_FSDD`` names it, in order:
    ``../shared/data/fsdd`` from the working folder, the same beside a clone of the repository (the package
    running from ``REPO/snnlib``), and ``fsdd`` in the per-user data folder (``$SNNLIB_DATA`` or the cache,
    see :func:`snnlib.data.fetch.resolve_data_dir`), which works for an installed package."""
    from snnlib.data.fetch import resolve_data_dir

    shared = Path("shared") / "data" / "fsdd"
    return [Path.cwd().parent / shared, Path(__file__).resolve().parents[2].parent / shared,
            resolve_data_dir() / "fsdd"]


def fsdd_source(source: str | Path | None = None) -> Path:
    """The folder of FSDD ``.wav`` files: ``source``, else ``$SNNLIB_FSDD``, else the first of
    :func:`default_fsdd_folders` that exists. Each may name the FSDD folder or its ``recordings/`` sub-folder.
    Raises ValueError if absent."""
    if source is not None:
        origin, candidates = "source", [Path(source).expanduser()]
    elif os.environ.get(ENV_VAR):
        origin, candidates = f"${ENV_VAR}", [Path(os.environ[ENV_VAR]).expanduser()]
    else:
        origin, candidates = "the default locations", default_fsdd_folders()
    for folder in candidates:
        if (folder / "recordings").is_dir():
            folder = folder / "recordings"
        if folder.is_dir():
            return folder.resolve()
    tried = ", ".join(str(folder) for folder in candidates)
    raise ValueError(f"FSDD recordings not found in {tried} ({origin}); run `python -m snnlib data download fsdd` "
                     f"(it installs them in the data folder, where they are found), or pass source=... / set "
                     f"{ENV_VAR} to the folder holding its recordings/")


def fsdd_recordings(source: str | Path | None = None) -> list[FsddRecording]:
    """Every ``{digit}_{speaker}_{take}.wav`` in the FSDD folder (see :func:`fsdd_source`), sorted by file name."""
    folder = fsdd_source(source)
    found = []
    for path in sorted(folder.iterdir()):
        match = _NAME.match(path.name)
        if match:
            found.append(FsddRecording(path, int(match.group(1)), match.group(2), int(match.group(3))))
    if not found:
        raise ValueError(f"{folder}: no FSDD recordings named DIGIT_SPEAKER_TAKE.wav")
    return found


def _subset(items: list[FsddRecording], limit: int | None) -> list[FsddRecording]:
    """At most ``limit`` recordings, taken in (take, speaker, digit) order so that small subsets mix digits."""
    if limit is None:
        return items
    return sorted(items, key=lambda r: (r.take, r.speaker, r.digit))[:limit]


def make_fsdd(out_dir: str | Path, channels: int = 700, split: str = "official", workers: int | None = None,
              source: str | Path | None = None, seed: int = 0, limit: int | None = None,
              holdout: str | int | None = None, params: EncoderParams | None = None,
              progress: bool | None = None) -> list[Path]:
    """Encode FSDD into SHD-schema files in ``out_dir``; returns the paths written (train, test, train, test, …).

    channels: encoder channels (700 as in SHD). split: ``"official"`` or ``"speaker"`` (see the module text).
    workers: encoder processes (default: all usable CPUs). source: the FSDD folder (see :func:`fsdd_source`).
    seed: run seed. limit: at most this many recordings per file (quick tests). holdout: with
    ``split="speaker"``, the one speaker (name or id) to hold out; default: one pair of files per speaker.
    params: full encoder settings (``channels`` overrides its ``n_channels``). progress: tqdm bar on stderr
    (default: only when stderr is a terminal).
    """
    if split not in ("official", "speaker"):
        raise ValueError(f"split must be 'official' or 'speaker', got {split!r}")
    if limit is not None and (not isinstance(limit, int) or limit < 1):
        raise ValueError(f"limit must be a positive integer or None, got {limit!r}")
    params = replace(params or EncoderParams(), n_channels=channels)
    out_dir = prepare_folder(out_dir, AudioError)  # before minutes of encoding: a file, /proc, a read-only folder
    recordings = fsdd_recordings(source)
    speakers = sorted({r.speaker for r in recordings})
    speaker_id = {name: i for i, name in enumerate(speakers)}

    if split == "official":
        files = {"fsdd_train.h5": _subset([r for r in recordings if r.take >= 5], limit),
                 "fsdd_test.h5": _subset([r for r in recordings if r.take < 5], limit)}
    else:
        if holdout is None:
            held = speakers
        else:
            name = speakers[holdout] if isinstance(holdout, int) and 0 <= holdout < len(speakers) else holdout
            if name not in speaker_id:
                raise ValueError(f"holdout {holdout!r} is not an FSDD speaker; choose one of {speakers} "
                                 f"(or an id 0..{len(speakers) - 1})")
            held = [name]
        files = {}
        for name in held:
            files[f"fsdd_speaker-{name}_train.h5"] = _subset([r for r in recordings if r.speaker != name], limit)
            files[f"fsdd_speaker-{name}_test.h5"] = _subset([r for r in recordings if r.speaker == name], limit)

    needed = sorted({r for members in files.values() for r in members})
    signals, _, _ = read_recordings([r.path for r in needed], params=params)
    seeds = [file_seed(seed, r.path.name) for r in needed]
    spikes = encode_recordings(signals, seeds, params, workers=workers, progress=progress, desc="fsdd")
    by_recording = dict(zip(needed, spikes))

    from snnlib.data import write_datasets  # the data layer, imported only when writing

    attrs = {**params.as_attrs(), "encoder.seed": int(seed), "source": "Free Spoken Digit Dataset (FSDD)",
             "licence": LICENCE, "attribution": ATTRIBUTION, "split": split}
    meta_info = {"speaker_name": np.array(speakers)}
    written = write_datasets([  # all files or none (a full disk leaves the folder as it was)
        dict(path=out_dir / filename, samples=[by_recording[r] for r in members],
             labels=[r.digit for r in members], class_names=list(DIGITS),
             speakers=[speaker_id[r.speaker] for r in members], n_channels=params.n_channels,
             meta_info=meta_info, attrs={**attrs, "part": filename[:-3]})
        for filename, members in files.items()])
    return [Path(p) for p in written]
