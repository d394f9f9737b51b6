"""Train / validation / test partitions.

SHD is published as a training and a test file only. Choosing hyper-parameters or stopping epochs on the test file
would make its accuracy optimistic, so the validation set is held out of the **training** file, in one of two ways:

- ``"fraction"`` (default): a random, class-stratified fraction (10 %) of the training samples. Validation samples
  share speakers with training, so it estimates accuracy on new recordings of known speakers.
- ``"speaker"``: every sample of some speakers (one by default, drawn by the seed). This mimics SHD's test file,
  which holds out speakers absent from training, and is the harder, more honest estimate for SHD.

SSC (and any dataset with a ``*_valid.h5`` file) uses its own validation file. Nothing here ever selects samples of a
test file.
"""
from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

import numpy as np

from snnlib.data.fetch import resolve_data_dir
from snnlib.data.reader import SpikeDataset, Subset
from snnlib.data.schema import PUBLISHED, DataError, file_prefix


def split_by_fraction(labels, fraction: float = 0.1, *, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Hold out a random fraction of each class.

    Args:
        labels: (N,) class of each sample (e.g. ``ds.labels``).
        fraction: share of each class held out, 0 < fraction < 1 (rounded per class).
        seed: for ``np.random.default_rng``; the same seed gives the same split.

    Returns:
        ``(train, valid)``: sorted int64 positions, disjoint, together 0..N-1.
    """
    labels = np.asarray(labels)
    if not 0 < fraction < 1:
        raise DataError(f"fraction = {fraction!r}; the validation share must lie strictly between 0 and 1")
    rng = np.random.default_rng(seed)
    valid = []
    for c in np.unique(labels):
        members = np.flatnonzero(labels == c)
        valid.append(rng.permutation(members)[: int(round(fraction * len(members)))])
    valid = np.sort(np.concatenate(valid)) if valid else np.zeros(0, np.int64)
    return _complement(len(labels), valid), valid.astype(np.int64)


def speaker_share(n_speakers: int, fraction: float) -> int:
    """How many whole speakers a validation ``fraction`` holds out of ``n_speakers``: round(fraction × speakers), at
    least one, and at least one left for training."""
    return min(max(1, int(round(fraction * n_speakers))), n_speakers - 1)


def split_by_speaker(speakers, valid_speakers=None, *, n_valid: int = 1, seed=0) -> tuple[np.ndarray, np.ndarray]:
    """Hold out every sample of some speakers.

    Args:
        speakers: (N,) speaker id of each sample (e.g. ``ds.speakers``).
        valid_speakers: ids to hold out; ``None`` draws ``n_valid`` of the speakers present with ``seed``.
        n_valid: how many speakers to draw when ``valid_speakers`` is None.
        seed: for ``np.random.default_rng``.

    Returns:
        ``(train, valid)``: sorted int64 positions, disjoint, together 0..N-1.
    """
    speakers = np.asarray(speakers)
    present = np.unique(speakers)
    if valid_speakers is None:
        if not 1 <= n_valid < len(present):
            raise DataError(
                f"n_valid = {n_valid} speakers, but the data has {len(present)}; hold out at least one and "
                "leave at least one for training"
            )
        valid_speakers = np.random.default_rng(seed).choice(present, size=n_valid, replace=False)
    valid_speakers = np.atleast_1d(np.asarray(valid_speakers))
    absent = sorted(set(valid_speakers.tolist()) - set(present.tolist()))
    if absent:
        raise DataError(f"speakers {absent} do not occur in this data; present are {present.tolist()}")
    held_out = np.isin(speakers, valid_speakers)
    if held_out.all():
        raise DataError("every speaker would be held out; leave at least one speaker for training")
    return np.flatnonzero(~held_out).astype(np.int64), np.flatnonzero(held_out).astype(np.int64)


def leave_speaker_out(labels, speakers, speaker, *, valid_fraction: float = 0.1,
                      seed=0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, valid, test) positions for testing on every sample of one ``speaker``, never heard in training.

    The other speakers' samples are the training pool; ``valid_fraction`` of it (class-stratified, ``seed``) is held
    out for validation (``0``: an empty validation part). The protocol of FSDD's leave-one-speaker-out tables.
    """
    labels, speakers = np.asarray(labels), np.asarray(speakers)
    if labels.shape != speakers.shape:
        raise DataError(f"labels {labels.shape} and speakers {speakers.shape} must have the same shape")
    test = np.flatnonzero(speakers == speaker).astype(np.int64)
    if len(test) == 0:
        raise DataError(f"speaker {speaker!r} does not occur in this data; present are {np.unique(speakers).tolist()}")
    pool = np.flatnonzero(speakers != speaker).astype(np.int64)
    if len(pool) == 0:
        raise DataError("only one speaker: nobody is left to train on")
    if valid_fraction > 0:
        keep, held = split_by_fraction(labels[pool], valid_fraction, seed=seed)
        return pool[keep], pool[held], test
    return pool, np.zeros(0, np.int64), test


@dataclass
class Splits:
    """Training, validation and test data of one dataset (datasets or :class:`Subset` views).

    Use as a context manager (or call ``close()``) to close the files.
    """

    train: SpikeDataset | Subset
    valid: SpikeDataset | Subset
    test: SpikeDataset

    def close(self) -> None:
        for part in (self.train, self.valid, self.test):
            part.close()

    def __enter__(self) -> "Splits":
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def load_splits(
    name: str,
    data_dir=None,
    *,
    valid: str = "auto",
    fraction: float = 0.1,
    valid_speakers=None,
    seed=0,
) -> Splits:
    """Open the train / validation / test data of a dataset stored in ``data_dir``.

    Files are looked up as ``{prefix}_train.h5``, ``{prefix}_valid.h5``, ``{prefix}_test.h5`` with ``prefix`` the
    name with ``-`` replaced by ``_`` (``shd``, ``ssc``, ``shd_like``, ``delay_task``, ``randman``, ``fsdd``).

    Args:
        name: ``shd``, ``ssc``, or the name of an offline dataset (``shd-like``, ``delay-task``, ``randman``, ...).
        data_dir: folder holding the files; default :func:`snnlib.data.resolve_data_dir` (``$SNNLIB_DATA``, else
            the user cache).
        valid: ``"auto"`` uses the validation file if there is one, else holds out by ``"fraction"``;
            ``"file"`` requires the validation file; ``"fraction"`` or ``"speaker"`` hold out samples of the
            training file (see the module docstring).
        fraction: share held out by ``"fraction"``.
        valid_speakers: speaker ids held out by ``"speaker"`` (default: one speaker drawn with ``seed``).
        seed: seed of the held-out draw.

    Returns:
        :class:`Splits` with ``train``, ``valid`` and ``test``.
    """
    folder = resolve_data_dir(data_dir)
    prefix = file_prefix(name)
    if valid not in ("auto", "file", "fraction", "speaker"):
        raise DataError(f"valid = {valid!r}; choose 'auto', 'file', 'fraction' or 'speaker'")
    paths = {split: folder / f"{prefix}_{split}.h5" for split in ("train", "valid", "test")}
    needed = ["train", "test"] + (["valid"] if valid == "file" else [])
    missing = [paths[s].name for s in needed if not paths[s].exists()]
    if missing:
        raise DataError(f"{', '.join(missing)} not found in {folder}; {_how_to_get(name)}")

    with ExitStack() as opened:
        train = opened.enter_context(SpikeDataset(paths["train"]))
        test = opened.enter_context(SpikeDataset(paths["test"]))
        if valid in ("auto", "file") and paths["valid"].exists():
            splits = Splits(train, opened.enter_context(SpikeDataset(paths["valid"])), test)
        else:
            if valid == "speaker":
                keep, held = split_by_speaker(train.speakers, valid_speakers, seed=seed)
            else:
                keep, held = split_by_fraction(train.labels, fraction, seed=seed)
            splits = Splits(Subset(train, keep), Subset(train, held), test)
        opened.pop_all()  # success: the caller owns the open files now
    return splits


def _complement(n: int, chosen: np.ndarray) -> np.ndarray:
    mask = np.ones(n, dtype=bool)
    mask[chosen] = False
    return np.flatnonzero(mask).astype(np.int64)


def _how_to_get(name: str) -> str:
    if name in PUBLISHED:
        return f"download them with `python -m snnlib data download {name}` (or pass the folder holding them)"
    return f"generate them with `python -m snnlib data make {name} --out DIR` and pass that folder"

