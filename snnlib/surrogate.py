"""The Gaussian spike representation and its derivative with respect to a delay (MODEL.md §6).

For the learning rule only (never the forward pass), the spike train of a source is the sum of
Gaussians of width σ (steps, peak 1) truncated to ``|u| ≤ w``, ``w = ceil(3σ)``:

    s(τ) = Σ_f exp(−(τ − t_f)² / 2σ²)

and the derivative of the delayed input ``x̃(t) = s(t − D)`` with respect to the continuous delay D is

    ∂x̃(t)/∂D = −s'(t − D) = Σ_f h(t − D − t_f),     h(u) = (u/σ²) exp(−u²/2σ²) · [|u| ≤ w].

Writing ``D = d + δ`` with ``d = floor(D + 1/2)`` (the integer delay of the forward pass) and
``δ ∈ [−1/2, 1/2)``, the sum becomes a short filter over the integer lags ``k = −w … w``:

    ∂x̃(t)/∂D = Σ_k x[t − d − k] · h(k − δ)

which is what every learner evaluates (:func:`delay_taps` gives ``d``, ``k`` and ``h(k − δ)``).
"""
from __future__ import annotations

import math

import numpy as np

from snnlib.config import half_width


def support(sigma: float) -> int:
    """Half-width of the truncated kernel, ``w = ceil(3σ)`` steps."""
    if not (sigma > 0 and math.isfinite(sigma)):
        raise ValueError(f"sigma must be a finite number of steps > 0, got {sigma!r}")
    return half_width(sigma)


def gaussian(u: np.ndarray, sigma: float, w: int | None = None) -> np.ndarray:
    """The truncated Gaussian bump ``exp(−u²/2σ²) · [|u| ≤ w]`` (u in steps)."""
    w = support(sigma) if w is None else w
    u = np.asarray(u, dtype=float)
    return np.where(np.abs(u) <= w, np.exp(-0.5 * (u / sigma) ** 2), 0.0)


def delay_kernel(u: np.ndarray, sigma: float, w: int | None = None, causal: bool = False) -> np.ndarray:
    """``h(u) = (u/σ²) exp(−u²/2σ²) · [|u| ≤ w]``: ∂x̃/∂D contributed by a spike ``u`` steps ago.

    With ``causal=True`` only spikes in the past of the delayed time count (``u ≥ 0``): an
    option that needs no lag buffer but is **not** the exact derivative.
    """
    w = support(sigma) if w is None else w
    u = np.asarray(u, dtype=float)
    inside = np.abs(u) <= w
    if causal:
        inside &= u >= 0
    return np.where(inside, (u / sigma**2) * np.exp(-0.5 * (u / sigma) ** 2), 0.0)


def integer_delay(D: np.ndarray, d_max: int) -> np.ndarray:
    """The forward pass's integer delay ``clip(floor(D + 1/2), 0, d_max)`` (MODEL.md §2)."""
    return np.clip(np.floor(np.asarray(D, dtype=np.float64) + 0.5), 0, d_max).astype(np.int64)


def delay_taps(D: np.ndarray, sigma: float, d_max: int, causal: bool = False, dtype=np.float64):
    """Filter taps of ∂x̃/∂D for every delay in ``D``.

    Returns ``(d, k, H)``: ``d`` the integer delays (shape of D), ``k`` the lags ``−w … w``
    (2w+1,), and ``H[..., n] = h(k[n] − δ)`` (shape of D + (2w+1,)), so that
    ``∂x̃(t)/∂D = Σ_n x[t − d − k[n]] · H[..., n]``.
    """
    w = support(sigma)
    D = np.asarray(D, dtype=np.float64)
    d = integer_delay(D, d_max)
    frac = D - d
    k = np.arange(-w, w + 1)
    H = delay_kernel(k - frac[..., None], sigma, w, causal=causal).astype(dtype)
    return d, k, H


def smoothed_train(x: np.ndarray, tau: np.ndarray, sigma: float, w: int | None = None) -> np.ndarray:
    """Evaluate ``s(τ) = Σ_t' x[t'] · exp(−(τ − t')²/2σ²)·[|τ − t'| ≤ w]`` for one spike train.

    x: (T,) spike counts at steps 0 … T−1; tau: any array of (real) times in steps.
    """
    x = np.asarray(x, dtype=float)
    t = np.arange(x.shape[0])
    tau = np.asarray(tau, dtype=float)
    return gaussian(tau[..., None] - t, sigma, w) @ x


def delayed_derivative(x: np.ndarray, D: float, sigma: float, causal: bool = False) -> np.ndarray:
    """``∂x̃(t)/∂D`` for one spike train ``x`` (T,) and one continuous delay D, for t = 0 … T−1."""
    x = np.asarray(x, dtype=float)
    t = np.arange(x.shape[0])
    return delay_kernel(t[:, None] - D - t[None, :], sigma, causal=causal) @ x

