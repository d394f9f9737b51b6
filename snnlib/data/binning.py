"""Spike times -> time steps: dense count arrays and event lists.

The rule, used everywhere in snnlib::

    step  = floor(t / dt)          computed in float64 from the stored times (seconds)
    T     = round(max_time / dt)   max_time must be a whole number of steps
    kept  = 0 <= t < max_time      spikes at or after max_time are dropped (and counted)
    channel after pooling = unit // pool

Step 0 holds ``0 <= t < dt``: every bin is used, unlike ``np.digitize(t, np.linspace(0, max_time, T))``, which
counts a spike at t = 0 in "bin 1" and so shifts every spike by one step and loses the first bin.

Note on float16: the published files store times as float16, so 0.98 s is stored as 0.97998046875 s and lands in
step 97 at dt = 10 ms, not 98. Times are used as stored; no rounding is added.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from snnlib.data.schema import DataError, check_sample, is_count

# Relative tolerance when checking that max_time is a whole number of steps (absorbs 0.7 / 0.01 = 69.999...).
_STEP_TOLERANCE = 1e-6


def n_steps(dt: float, max_time: float) -> int:
    """Number of time steps T = round(max_time / dt) for a window of ``max_time`` seconds in steps of ``dt`` seconds.

    Raises:
        DataError: dt or max_time is not a positive finite number, or max_time is not a whole number of steps.
    """
    dt = _positive(dt, "dt")
    max_time = _positive(max_time, "max_time")
    ratio = max_time / dt
    steps = int(round(ratio))
    if steps < 1 or abs(ratio - steps) > _STEP_TOLERANCE * max(steps, 1):
        raise DataError(
            f"max_time = {max_time:g} s is not a whole number of dt = {dt:g} s steps ({ratio:.6g}); "
            "choose max_time = T * dt for an integer T"
        )
    return steps


def bin_sample(
    times,
    units,
    n_channels: int,
    dt: float,
    max_time: float,
    pool: int = 1,
    *,
    binary: bool = False,
    return_dropped: bool = False,
    dtype=np.float32,
):
    """Bin one sample into a dense (time step, channel) array of spike counts.

    Args:
        times: (S,) spike times, seconds, finite and >= 0 (any order).
        units: (S,) integer channel of each spike, 0 <= unit < n_channels.
        n_channels: channels of the recording (700 for SHD/SSC).
        dt: step width, seconds (e.g. 0.01).
        max_time: window length, seconds, a whole number of steps; spikes at or after it are dropped.
        pool: sum groups of ``pool`` neighbouring channels (700 -> 140 with pool = 5); must divide n_channels.
        binary: if True, clip counts to 1 (spike / no spike per bin).
        return_dropped: if True, also return how many spikes fell at or after ``max_time``.
        dtype: dtype of the result (float32 by default, ready for the network; counts stay exact up to 2**24).

    Returns:
        x: (T, n_channels // pool) counts with T = round(max_time / dt); ``x[k, c]`` counts the spikes of
        channels ``c*pool .. c*pool+pool-1`` with ``k*dt <= t < (k+1)*dt``.
        With ``return_dropped=True``: ``(x, dropped)``, dropped an int.

    Raises:
        DataError: bad arguments (dt <= 0, max_time <= 0, pool not dividing n_channels, mismatched lengths,
            units outside the channels, negative or NaN times).
    """
    grid = _Grid(n_channels, dt, max_time, pool)
    x, dropped = grid.dense(times, units, "bin_sample")
    if binary:
        np.minimum(x, 1, out=x)
    x = x.astype(dtype, copy=False)
    return (x, dropped) if return_dropped else x


def bin_batch(
    samples: Sequence,
    n_channels: int,
    dt: float,
    max_time: float | None = None,
    pool: int = 1,
    *,
    binary: bool = False,
    return_dropped: bool = False,
    dtype=np.float32,
):
    """Bin several samples into one zero-padded batch.

    Args:
        samples: B pairs ``(times, units)`` (extra items per sample, e.g. a label, are ignored).
        n_channels, dt, pool, binary, dtype: as in :func:`bin_sample`.
        max_time: seconds, fixed window for every sample; ``None`` pads to the longest sample of the batch:
            T = max over samples of floor(t_last / dt) + 1 (at least 1), and nothing is dropped.
        return_dropped: if True, also return (B,) int64 spikes dropped per sample.

    Returns:
        x: (B, T, n_channels // pool); samples shorter than T are followed by zeros.
        With ``return_dropped=True``: ``(x, dropped)``.
    """
    grid = _Grid(n_channels, dt, max_time, pool, samples=samples)
    x = np.zeros((len(samples), grid.T, grid.n_out), dtype=dtype)
    dropped = np.zeros(len(samples), dtype=np.int64)
    for b, sample in enumerate(samples):
        counts, dropped[b] = grid.dense(sample[0], sample[1], f"batch sample {b}")
        x[b] = np.minimum(counts, 1) if binary else counts
    return (x, dropped) if return_dropped else x


def sample_events(times, units, n_channels: int, dt: float, max_time: float, pool: int = 1):
    """The spikes of one sample as integer events, for event-driven code.

    Args: as in :func:`bin_sample`.

    Returns:
        ``(steps, channels)``: two (E,) int64 arrays, one entry per kept spike (a bin holding two spikes appears
        twice), sorted by step then channel. ``np.add.at(x, (steps, channels), 1)`` rebuilds ``bin_sample``'s x.
    """
    grid = _Grid(n_channels, dt, max_time, pool)
    steps, channels, _ = grid.events(times, units, "sample_events")
    order = np.lexsort((channels, steps))
    return steps[order], channels[order]


def batch_events(samples: Sequence, n_channels: int, dt: float, max_time: float, pool: int = 1):
    """The spikes of a batch as integer events ``(batch, steps, channels)``, three (E,) int64 arrays.

    Sorted by sample, then step, then channel; ``np.add.at(x, (batch, steps, channels), 1)`` rebuilds
    :func:`bin_batch` with the same ``max_time``.
    """
    grid = _Grid(n_channels, dt, max_time, pool)
    batch, steps, channels = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for b, sample in enumerate(samples):
        s, c, _ = grid.events(sample[0], sample[1], f"batch sample {b}")
        order = np.lexsort((c, s))
        batch.append(np.full(len(s), b, dtype=np.int64))
        steps.append(s[order])
        channels.append(c[order])
    return np.concatenate(batch), np.concatenate(steps), np.concatenate(channels)


class _Grid:
    """The validated binning grid: T steps of dt seconds, n_out pooled channels."""

    def __init__(self, n_channels, dt, max_time, pool, samples=None):
        self.n_out = _pooled(n_channels, pool)
        self.n_channels, self.pool = int(n_channels), int(pool)
        self.dt = _positive(dt, "dt")
        if max_time is None:  # pad to the longest sample; nothing is dropped
            last = max((float(np.max(s[0], initial=0.0)) for s in samples), default=0.0)
            self.T = int(np.floor(last / self.dt)) + 1 if np.isfinite(last) else 1
            self.max_time = np.inf
        else:
            self.T = n_steps(dt, max_time)
            self.max_time = float(max_time)

    def events(self, times, units, where):
        """(steps, pooled channels) of the kept spikes, unsorted, and the number dropped."""
        times, units = check_sample(times, units, self.n_channels, where, require_sorted=False)
        steps = np.floor(times / self.dt)
        kept = (times < self.max_time) & (steps < self.T)
        return steps[kept].astype(np.int64), units[kept] // self.pool, int(len(times) - np.count_nonzero(kept))

    def dense(self, times, units, where):
        """(T, n_out) int64 counts and the number dropped."""
        steps, channels, dropped = self.events(times, units, where)
        counts = np.bincount(steps * self.n_out + channels, minlength=self.T * self.n_out)
        return counts.reshape(self.T, self.n_out), dropped


def _pooled(n_channels, pool) -> int:
    if not is_count(n_channels):
        raise DataError(f"n_channels is {n_channels!r}; expected a positive integer (700 for SHD/SSC)")
    if not is_count(pool):
        raise DataError(f"pool is {pool!r}; expected a positive integer (1 keeps every channel)")
    if n_channels % pool:
        divisors = [p for p in range(2, min(n_channels, 20) + 1) if n_channels % p == 0]
        raise DataError(
            f"pool = {pool} does not divide the {n_channels} channels; pooling sums equal groups of channels, "
            f"choose a divisor such as {divisors or [1]}"
        )
    return n_channels // pool


def _positive(value, name: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name} is {value!r}; expected a positive number of seconds") from None
    if not np.isfinite(number) or number <= 0:
        raise DataError(f"{name} = {value!r} s; it must be a positive, finite number of seconds")
    return number
