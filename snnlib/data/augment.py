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


def check_augmentation(shift, stretch) -> None:
    """Refuse a shift that is not a whole number >= 0, or a stretch outside [0, 0.5] (a factor 1 ± stretch)."""
    if isinstance(shift, bool) or not isinstance(shift, (int, np.integer)) or shift < 0:
        raise DataError(f"augment_shift must be a whole number of channels >= 0, got {shift!r}")
    if isinstance(stretch, bool) or not isinstance(stretch, (int, float)) or not math.isfinite(stretch) \
            or not 0 <= stretch <= 0.5:
        raise DataError(f"augment_stretch must be a fraction in [0, 0.5] (time factors 1 ± stretch), got "
                        f"{stretch!r}")


def augment_batch(x: np.ndarray, rng: np.random.Generator, *, shift: int = 0, stretch: float = 0.0
                  ) -> np.ndarray:
    """A changed copy of a batch of binned samples; each sample gets its own random shift and stretch.

    Args:
        x: (B, T, M) spike counts (any numeric dtype; the result has the same).
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
    check_augmentation(shift, stretch)
    x = np.asarray(x)
    if x.ndim != 3:
        raise DataError(f"augment_batch takes binned samples x (B, T, M), got shape {x.shape}")
    if shift == 0 and stretch == 0:
        return x
    B, T, M = x.shape
    if shift >= M:
        raise DataError(f"augment_shift={shift} moves every spike off the {M} input channels; use a shift below "
                        f"{M} (a few channels: one step of the channel axis changes frequencies by a few %)")
    shifts = rng.integers(-shift, shift + 1, size=B) if shift else np.zeros(B, np.int64)
    factors = rng.uniform(1 - stretch, 1 + stretch, size=B) if stretch else np.ones(B)
    b, t, m = np.nonzero(x)
    counts = x[b, t, m]
    t_new = np.rint(t * factors[b]).astype(np.int64)
    m_new = m + shifts[b]
    keep = (t_new < T) & (m_new >= 0) & (m_new < M)
    out = np.zeros_like(x)
    np.add.at(out, (b[keep], t_new[keep], m_new[keep]), counts[keep])
    return out
