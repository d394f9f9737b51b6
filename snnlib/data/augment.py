"""Random changes of binned training samples that keep the word and change the voice: channel shifts and time
stretches.

    rng = np.random.default_rng([seed, epoch, batch])
    x = augment_batch(x, rng, shift=3, stretch=0.1)   # x: (B, T, M) spike counts, as binned by the data layer

On a cochlear channel axis (equal steps of cochlear place, as the audio encoder and SHD lay them out), moving every
spike by ``s`` channels multiplies every frequency by about the same factor: a higher or lower voice, with its
formants moved together. Stretching the time axis by a factor ``r`` moves a spike at step ``t`` to step
``round(t r)``: a slower or faster speaker. Both keep the number of spikes, except those pushed out of the channel
range or past the window, which are dropped. The trainer applies them to training batches only
(``TrainConfig.augment_shift`` / ``augment_stretch``); validation and test data are never changed.
"""
from __future__ import annotations

import math

import numpy as np

from snnlib.data.schema import DataError


def check_augmentation(shift, stretch, n_channels: int | None = None) -> None:
    """Refuse a shift that is not a whole number >= 0 (or, given ``n_channels``, that moves every spike off the
    channels), or a stretch outside [0, 0.5] (a factor 1 ± stretch)."""
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)) or shift < 0:
        raise DataError(f"augment_shift must be a whole number of channels >= 0, got {shift!r}")
    if isinstance(stretch, bool) or not isinstance(stretch, (int, float)) or not math.isfinite(stretch) \
            or not 0 <= stretch <= 0.5:
        raise DataError(f"augment_stretch must be a fraction in [0, 0.5] (time factors 1 ± stretch), got "
                        f"{stretch!r}")
    if n_channels is not None and shift >= n_channels:
        raise DataError(f"augment_shift={shift} moves every spike off the {n_channels} input channels; use a shift "
                        f"below {n_channels} (a few channels: one step of a cochlear channel axis changes "
                        "frequencies by a few %)")


def augment_batch(x: np.ndarray, rng: np.random.Generator, *, shift: int = 0, stretch: float = 0.0
                  ) -> np.ndarray:
    """A changed copy of a batch of binned samples; each sample gets its own random shift and stretch.

    Args:
        x: (B, T, M) spike counts, any numeric dtype. The result has the same, unless counts merged by a stretch
            no longer fit an integer dtype: then the smallest one that holds them.
        rng: draws, in this order, B shifts (whole numbers, uniform in ``-shift … shift``) when ``shift`` > 0 and B
            time factors (uniform in ``[1 - stretch, 1 + stretch]``) when ``stretch`` > 0; the same generator
            state gives the same batch.
        shift: largest channel shift. A sample shifted by ``s`` has ``out[:, m + s] = x[:, m]``; channels moved
            past either end are dropped, the ones uncovered are empty.
        stretch: largest relative change of duration. The counts in step ``t`` move to step ``round(t r)``
            (halves to even); counts that land on the same step add up; steps at or past T are dropped.

    Returns:
        The changed (B, T, M) array (``x`` itself when both are 0).
    """
    x = np.asarray(x)
    if x.ndim != 3 or not np.issubdtype(x.dtype, np.number):
        raise DataError(f"augment_batch takes binned spike counts x (B, T, M), got shape {x.shape}, dtype {x.dtype}")
    B, T, M = x.shape
    check_augmentation(shift, stretch, M)
    if shift == 0 and stretch == 0:
        return x
    shifts = rng.integers(-shift, shift + 1, size=B) if shift else np.zeros(B, np.int64)
    factors = rng.uniform(1 - stretch, 1 + stretch, size=B) if stretch else np.ones(B)
    # floats add small whole counts exactly; integers are added as int64, so merged counts never wrap around
    wide = x.dtype if np.issubdtype(x.dtype, np.floating) else np.dtype(np.int64)
    out = np.zeros((B, T, M), wide)
    steps = np.arange(T)
    for i in range(B):
        # step t goes to round(t r): non-decreasing in t, so the steps landing together are neighbours
        target = np.rint(steps * factors[i]).astype(np.int64)
        n = int(np.searchsorted(target, T))  # steps from n on land past the window
        if n == 0:
            continue
        first = np.flatnonzero(np.r_[True, target[1:n] != target[:n - 1]])
        merged = np.add.reduceat(x[i, :n], first, axis=0, dtype=wide) if len(first) < n else x[i, :n]
        s = int(shifts[i])
        if s >= 0:
            out[i, target[first], s:] = merged[:, :M - s]
        else:
            out[i, target[first], :M + s] = merged[:, -s:]
    if wide == np.int64 and out.max(initial=0) > np.iinfo(x.dtype).max:
        return out.astype(np.min_scalar_type(out.max()))  # too many counts merged for the input's dtype
    return out.astype(x.dtype, copy=False)
