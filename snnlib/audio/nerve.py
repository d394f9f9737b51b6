"""Auditory-nerve fibres with refractoriness, converging on one bushy cell per channel.

**Fibres.** Every channel's hair cell drives ``n_fibres`` independent fibres. In a step of ``dt`` seconds a fibre
that is not refractory fires with probability ``1 − exp(−h c dt)`` (≈ h·c·dt, the Meddis release probability;
``c`` is the cleft transmitter of :mod:`snnlib.audio.haircell`). After a spike it is silent for ``refractory``
seconds (absolute refractory period: the next spike comes ``round(refractory/dt)`` steps later at the earliest,
and never in the same step).

How it is computed (exactly that model, vectorised over time). Drawing a candidate spike train for every fibre
*as if it were never refractory* and then deleting every candidate that falls within the dead time after the
previous *kept* spike gives the same distribution as the step-by-step model, because a non-refractory fibre's
draw does not depend on its past. Candidates are Poisson: in each (step, channel) cell the number of candidates
over all fibres is Poisson(n_fibres · h · c · dt), each assigned to a fibre uniformly at random (so every fibre
receives Poisson(h c dt) candidates; two in the same step collapse to one spike, hence 1 − exp(−h c dt)). The
dead-time deletion runs per fibre on the sparse candidate list.

**Bushy cells.** One leaky integrate-and-fire cell per channel receives all its fibres::

    v[t] = α v[t−1] + weight · n[t],   α = exp(−dt / tau)    (n[t]: fibre spikes of the channel in step t)
    spike when v[t] ≥ threshold; then v = 0 and the input is ignored for ``refractory`` seconds.

Its spikes are the channel's output spikes (unit = channel).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class NerveParams:
    """Auditory-nerve fibres. n_fibres: fibres per channel; refractory: absolute refractory period, seconds."""

    n_fibres: int = 40
    refractory: float = 1e-3

    def __post_init__(self):
        if not (isinstance(self.n_fibres, (int, np.integer)) and 1 <= self.n_fibres <= 65535):
            raise ValueError(f"NerveParams.n_fibres must be an integer in [1, 65535], got {self.n_fibres!r}")
        if not (np.isfinite(self.refractory) and self.refractory >= 0):
            raise ValueError(f"NerveParams.refractory must be >= 0 seconds, got {self.refractory}")


@dataclass(frozen=True)
class BushyParams:
    """Bushy-cell LIF. tau: membrane time constant, seconds; weight: jump of v per fibre spike (units of v);
    threshold: firing threshold (units of v); refractory: absolute refractory period, seconds.
    """

    tau: float = 0.5e-3
    weight: float = 0.15
    threshold: float = 1.0
    refractory: float = 1e-3

    def __post_init__(self):
        for name in ("tau", "weight", "threshold"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"BushyParams.{name} must be > 0, got {value}")
        if not (np.isfinite(self.refractory) and self.refractory >= 0):
            raise ValueError(f"BushyParams.refractory must be >= 0 seconds, got {self.refractory}")


class NerveSpikes(NamedTuple):
    """Fibre spikes as parallel arrays sorted by (step, channel): step (S,) int32 time-step indices,
    channel (S,) int32 channel ids, fibre (S,) uint8 fibre ids within the channel (0 … n_fibres−1; uint16 when
    there are more than 256 fibres).
    """

    step: np.ndarray
    channel: np.ndarray
    fibre: np.ndarray


def refractory_steps(refractory: float, dt: float) -> int:
    """Dead time in whole steps: round(refractory / dt)."""
    return int(round(refractory / dt))


def _poisson_cells(room: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Poisson counts for every cell, given ``room`` = 255 − 256 × (mean count), (n,) float32 (overwritten).

    Returns the flat indices of the cells with at least one event and their counts. A cell has an event when its
    first exponential waiting time E₁ = −ln u is below its mean, i.e. u > exp(−mean), u uniform in [0, 1). u is
    drawn as 8 random bits (its coarse bin b) plus a float32 refinement drawn only where the bin cannot rule an
    event out: since exp(−mean) ≥ 1 − mean, an event needs (b + 1)/256 > 1 − mean, i.e. b > room. Exact, and a
    cell with a small mean costs a byte of randomness and one comparison. Further events follow from exponential
    waiting times in the mass left.
    """
    n = room.shape[0]
    coarse = rng.bit_generator.random_raw(-(-n // 8)).view(np.uint8)[:n]
    bins = coarse.astype(np.float32)
    maybe = np.flatnonzero(bins > room)
    u = (bins[maybe] + rng.random(maybe.shape[0], dtype=np.float32)) * np.float32(1.0 / 256.0)
    mean = (np.float32(255.0) - room[maybe]) * np.float32(1.0 / 256.0)
    with np.errstate(divide="ignore"):  # u = 0 gives E₁ = inf: no event
        first = -np.log(u)
    fires = first < mean
    cells = maybe[fires]
    left = mean[fires] - first[fires]
    counts = np.ones(cells.shape[0], dtype=np.int64)
    active = np.arange(cells.shape[0])
    while active.shape[0]:  # one more event wherever the next waiting time fits in the mass left
        gaps = rng.standard_exponential(active.shape[0], dtype=np.float32)
        more = gaps < left
        active, left = active[more], left[more] - gaps[more]
        counts[active] += 1
    return cells, counts


def dead_time_keep(key: np.ndarray, step: np.ndarray, dead: int) -> np.ndarray:
    """Which events survive an absolute dead time of ``dead`` steps, per key (fibre).

    key, step: (S,) integer arrays, sorted by step within each key (any order across keys). Returns a boolean
    mask (S,): an event is kept if it comes ≥ ``dead`` steps after the previous *kept* event of its key (the
    first event of a key is kept). Vectorised: each pass deletes the first conflicting event of every run of
    events closer than ``dead`` to their predecessor; only events in such runs are revisited.
    """
    n = key.shape[0]
    keep = np.ones(n, dtype=bool)
    if n < 2 or dead <= 0:
        return keep
    order = np.argsort(key, kind="stable")  # radix sort for 16-bit keys; stable keeps the time order
    k, s = key[order], step[order]
    conflict = (k[1:] == k[:-1]) & (s[1:] - s[:-1] < dead)
    if not conflict.any():
        return keep
    # Events outside conflict runs are final (kept); deleting an event only widens its successor's gap.
    member = np.zeros(n, dtype=bool)
    member[1:] |= conflict
    member[:-1] |= conflict
    alive = np.flatnonzero(member)
    while alive.shape[0] > 1:
        ka, sa = k[alive], s[alive]
        conflict = (ka[1:] == ka[:-1]) & (sa[1:] - sa[:-1] < dead)
        if not conflict.any():
            break
        # event j+1 conflicts with j; if j itself has no conflict it is certainly kept, so j+1 is certainly dropped
        drop = conflict.copy()
        drop[1:] &= ~conflict[:-1]
        survive = np.ones(alive.shape[0], dtype=bool)
        survive[1:] = ~drop
        keep[order[alive[~survive]]] = False
        alive = alive[survive]
    return keep


def nerve_spikes(cleft: np.ndarray, dt: float, h: float, params: NerveParams, rng: np.random.Generator,
                 *, chunk: int = 512) -> NerveSpikes:
    """Fibre spikes for the cleft transmitter ``cleft`` (T, C) (hair-cell units; rate = h · cleft spikes/s).

    dt: step in seconds; h: firing rate per unit of cleft transmitter (spikes/s); rng: the only source of
    randomness (same generator state → same spikes). ``chunk`` rows are drawn at a time (fixed, so results do not
    depend on memory settings).
    """
    cleft = np.asarray(cleft)
    if cleft.ndim != 2:
        raise ValueError(f"nerve_spikes expects the cleft transmitter as a (T, C) array, got shape {cleft.shape}")
    n_steps, n_channels = cleft.shape
    scale = np.float32(-256.0 * params.n_fibres * h * dt)
    steps, channels = [], []
    room = np.empty((min(chunk, n_steps), n_channels), dtype=np.float32)
    for start in range(0, n_steps, chunk):
        stop = min(start + chunk, n_steps)
        m = room[: stop - start]
        np.multiply(cleft[start:stop], scale, out=m)  # 255 − 256 × mean, with mean = n_fibres h c dt ≥ 0
        m += np.float32(255.0)
        cells, counts = _poisson_cells(m.reshape(-1), rng)
        row, column = np.divmod(np.repeat(cells, counts), n_channels)
        steps.append((row + start).astype(np.int32))
        channels.append(column.astype(np.int32))
    step = np.concatenate(steps) if steps else np.zeros(0, np.int32)
    channel = np.concatenate(channels) if channels else np.zeros(0, np.int32)
    fibre = rng.integers(0, params.n_fibres, size=step.shape[0],
                         dtype=np.uint8 if params.n_fibres <= 256 else np.uint16)
    wide = n_channels * params.n_fibres > np.iinfo(np.uint16).max + 1
    key = channel.astype(np.int64 if wide else np.uint16) * params.n_fibres + fibre
    keep = dead_time_keep(key, step, max(1, refractory_steps(params.refractory, dt)))  # at most one per step
    return NerveSpikes(step[keep], channel[keep], fibre[keep])


def spike_counts(spikes: NerveSpikes, shape: tuple[int, int], *, offset: int = 0,
                 out: np.ndarray | None = None) -> np.ndarray:
    """Fibre spikes per (step, channel): ``out[step, offset + channel] += count``; a new (T, C) uint16 array by
    default. ``spikes`` must be sorted by (step, channel), as :func:`nerve_spikes` returns them; ``out`` must be
    C-contiguous.
    """
    if out is None:
        out = np.zeros(shape, dtype=np.uint16)
    if spikes.step.shape[0]:
        flat = spikes.step.astype(np.int64) * out.shape[1] + (spikes.channel + offset)  # non-decreasing
        starts = np.flatnonzero(np.diff(flat, prepend=-1))
        runs = np.diff(np.append(starts, flat.shape[0]))
        out.reshape(-1)[flat[starts]] += runs.astype(out.dtype)
    return out


def bushy_cells(counts: np.ndarray, params: BushyParams, dt: float, *, chunk: int = 32,
                out: np.ndarray | None = None) -> np.ndarray:
    """Bushy-cell spikes (T, N) bool for fibre-spike counts ``counts`` (T, N) per step; dt in seconds.

    Loops over time with in-place array operations across the N cells (seven per step, four without a
    refractory period).
    """
    counts = np.asarray(counts)
    if counts.ndim != 2:
        raise ValueError(f"bushy_cells expects (T, N) spike counts, got shape {counts.shape}")
    n_steps, width = counts.shape
    if out is None:
        out = np.zeros((n_steps, width), dtype=bool)
    f32 = np.float32
    alpha = f32(np.exp(-dt / params.tau))
    threshold = f32(params.threshold)
    dead = refractory_steps(params.refractory, dt)
    v = np.zeros(width, dtype=np.float32)
    last = np.full(width, -(dead + 1), dtype=np.int64)
    active = np.empty(width, dtype=bool)
    drive = np.empty((min(chunk, n_steps), width), dtype=np.float32)
    for start in range(0, n_steps, chunk):
        stop = min(start + chunk, n_steps)
        d = drive[: stop - start]
        np.multiply(counts[start:stop], f32(params.weight), out=d)
        rows = out[start:stop]
        for i in range(stop - start):
            v *= alpha
            v += d[i]
            if dead > 0:
                np.less_equal(last, start + i - dead, out=active)
                v *= active                                   # input ignored while refractory
            spk = rows[i]
            np.greater_equal(v, threshold, out=spk)
            np.copyto(v, f32(0.0), where=spk)
            if dead > 0:
                np.copyto(last, start + i, where=spk)
    return out
