"""Mini-batches of binned samples, in a reproducible order.

    for x, labels in iterate_batches(train, 64, dt=0.01, max_time=1.0, pool=5, shuffle=True, seed=(0, epoch)):
        ...   # x: (B, T, C) float32 spike counts, labels: (B,) int64

Only the samples of the current batch are read and binned; the dataset is never loaded as a whole.
"""
from __future__ import annotations

import numpy as np

from snnlib.data.binning import bin_batch
from snnlib.data.schema import DataError, is_count


def batch_order(n: int, batch_size: int, *, shuffle: bool = False, seed=0, drop_last: bool = False) -> list:
    """Split sample positions 0..n-1 into batches.

    Args:
        n: number of samples.
        batch_size: samples per batch (the last batch may be smaller unless ``drop_last``).
        shuffle: permute the samples first, with ``np.random.default_rng(seed)``: the same seed gives the same
            order on every machine; pass ``seed=(base_seed, epoch)`` for a new order each epoch.
        seed: anything ``np.random.default_rng`` accepts (an int or a tuple of ints).
        drop_last: leave out a final batch smaller than ``batch_size``.

    Returns:
        list of (b,) int64 arrays of positions.
    """
    if not is_count(batch_size):
        raise DataError(f"batch_size is {batch_size!r}; expected a positive integer")
    order = np.random.default_rng(seed).permutation(n) if shuffle else np.arange(n)
    stop = n - n % batch_size if drop_last else n
    return [order[i : i + batch_size].astype(np.int64) for i in range(0, stop, batch_size)]


def iterate_batches(
    dataset,
    batch_size: int,
    *,
    dt: float,
    max_time: float | None,
    pool: int = 1,
    binary: bool = False,
    shuffle: bool = False,
    seed=0,
    drop_last: bool = False,
) -> "Batches":
    """Iterate over a dataset in binned mini-batches ``(x, labels)``.

    Args:
        dataset: a :class:`~snnlib.data.SpikeDataset` or :class:`~snnlib.data.Subset` (anything with ``len``,
            ``n_channels`` and ``take(indices) -> [(times, units, label), ...]``).
        batch_size: samples per batch.
        dt: step width, seconds.
        max_time: window, seconds (a whole number of steps): every batch has T = round(max_time / dt) steps and
            later spikes are dropped. ``None``: each batch is padded with zeros to its longest sample.
        pool: sum groups of ``pool`` channels (must divide ``dataset.n_channels``).
        binary: clip counts to 1.
        shuffle, seed, drop_last: as in :func:`batch_order`; iterating twice gives the same batches.

    Returns:
        A :class:`Batches` iterable (``len()`` = number of batches) yielding ``(x, labels)``:
        x (B, T, n_channels // pool) float32 counts, labels (B,) int64.

    Raises:
        DataError: bad dt, max_time, pool or batch_size (checked here, before any sample is read).
    """
    return Batches(dataset, batch_size, dt, max_time, pool, binary, shuffle, seed, drop_last)


class Batches:
    """The iterable returned by :func:`iterate_batches`.

    Attributes:
        batches: list of (B,) int64 sample positions, one per batch.
        dropped: spikes at or after ``max_time`` in the batches yielded so far in the current pass.
    """

    def __init__(self, dataset, batch_size, dt, max_time, pool, binary, shuffle, seed, drop_last):
        self.dataset = dataset
        self.options = dict(n_channels=dataset.n_channels, dt=dt, max_time=max_time, pool=pool, binary=binary)
        self.batches = batch_order(len(dataset), batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last)
        self.dropped = 0
        bin_batch([], **self.options)  # refuses bad dt / max_time / pool now rather than at the first batch

    def __len__(self) -> int:
        return len(self.batches)

    def __iter__(self):
        self.dropped = 0
        for positions in self.batches:
            samples = self.dataset.take(positions)
            x, dropped = bin_batch(samples, **self.options, return_dropped=True)
            self.dropped += int(dropped.sum())
            yield x, np.array([label for _, _, label in samples], dtype=np.int64)
