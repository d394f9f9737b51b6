"""Delays in the forward pass: shifting binary spikes by whole steps (MODEL.md §2).

Whole sequences (batched, ``(B, T, P)``) are shifted with :func:`shift`; streaming code keeps
the last few steps of each source in a :class:`SpikeRing` and reads them back at any lag.
"""
from __future__ import annotations

import numpy as np

from snnlib.surrogate import delay_taps, integer_delay

__all__ = ["integer_delay", "shift", "delay_sources", "split_by_delay", "delayed_current", "lag_correlations",
           "projection_gradients", "SpikeRing"]


def shift(x: np.ndarray, k: int) -> np.ndarray:
    """Delay a ``(B, T, P)`` sequence by ``k`` steps along time: ``out[:, t] = x[:, t − k]``.

    Zero where ``t − k`` falls outside ``0 … T−1`` (``k`` may be negative: an advance).
    """
    out = np.zeros_like(x)
    T = x.shape[1]
    if k >= 0:
        if k < T:
            out[:, k:] = x[:, : T - k]
    elif -k < T:
        out[:, :k] = x[:, -k:]
    return out


def delay_sources(x: np.ndarray, d: np.ndarray, extra: int = 0) -> np.ndarray:
    """Each source delayed by its own whole number of steps (axonal delays): ``out[b, t, p] = x[b, t − d[p], p]``.

    x: (B, T, P); d: (P,) integer delays >= 0. Returns (B, T + extra, P), zero where ``t − d[p]``
    falls outside 0 … T−1 (``extra`` steps let spikes delayed past the end be seen).
    """
    B, T, P = x.shape
    d = np.asarray(d, dtype=np.int64)
    pad = int(d.max(initial=0))
    padded = np.zeros((B, pad + T + extra, P), x.dtype)
    padded[:, pad:pad + T] = x
    steps = pad + np.arange(T + extra)[:, None] - d[None, :]  # where x[t − d_p] sits in `padded`
    return np.take_along_axis(padded, steps[None], axis=1)


def split_by_delay(W: np.ndarray, d: np.ndarray) -> list[tuple[int, np.ndarray]]:
    """``[(k, W_k)]``: the weights W (N, P) split by integer delay value, ``W_k = W`` where ``d == k``, else 0.

    d: (N, P) per connection, or (P,) per source (axonal). ``Σ_k W_k = W``; a delayed projection is
    ``I[t] = Σ_k W_k src[t − k]``, one matrix product per distinct delay value.
    """
    d = np.broadcast_to(d, W.shape)
    return [(int(k), np.where(d == k, W, 0)) for k in np.unique(d)]


def delayed_current(x: np.ndarray, W: np.ndarray, d: np.ndarray | None) -> np.ndarray:
    """``I[b, t, j] = Σ_p W[j, p] · x[b, t − d_jp, p]`` for a whole sequence.

    x: (B, T, P) source spikes; W: (N, P); d: integer delays, ``None`` (no delay),
    ``(P,)`` (axonal: one per source) or ``(N, P)`` (synaptic: one per connection).
    Returns (B, T, N).
    """
    if d is None:
        return x @ W.T
    if d.ndim == 1:  # axonal: delay each source once, then one product
        return delay_sources(x, d) @ W.T
    out = np.zeros(x.shape[:2] + (W.shape[0],), dtype=np.result_type(x, W))
    for k, W_k in split_by_delay(W, d):  # synaptic: one product per distinct delay value
        out += shift(x, k) @ W_k.T
    return out


def lag_correlations(a: np.ndarray, x: np.ndarray, lags: range) -> np.ndarray:
    """``C[n, j, p] = Σ_b Σ_t a[b, t, j] · x[b, t − lags[n], p]`` for every lag (negative allowed).

    a: (B, T, N); x: (B, T, P). Returns (len(lags), N, P). Every weight and delay gradient of a
    delayed projection is a combination of these correlations.
    """
    B, T, N = a.shape
    P = x.shape[2]
    out = np.zeros((len(lags), N, P), dtype=np.result_type(a, x))
    a2 = a.reshape(B, T, N)
    for n, k in enumerate(lags):
        if abs(k) >= T:
            continue
        if k >= 0:
            aa, xx = a2[:, k:], x[:, : T - k]
        else:
            aa, xx = a2[:, : T + k], x[:, -k:]
        out[n] = aa.reshape(-1, N).T @ xx.reshape(-1, P)
    return out


def projection_gradients(lam: np.ndarray, src: np.ndarray, W: np.ndarray, D: np.ndarray | None,
                         kind: str, sigma: float, d_max: int, causal: bool = False):
    """Weight and delay gradients of one delayed projection, read from lagged correlations.

    For a projection ``I[t, j] = Σ_p W[j, p] · src[t − d_jp, p]`` and a per-neuron credit
    ``lam`` = ∂E/∂I (B, T, N) summed over the batch:

        ∂E/∂W[j, p] = C[d_jp][j, p]
        ∂E/∂D[j, p] = W[j, p] · Σ_n h(k_n − δ_jp) · C[d_jp + k_n][j, p]

    with ``C[m][j, p] = Σ_b Σ_t lam[b, t, j] · src[b, t − m, p]`` (axonal delays sum the
    second line over j). ``kind`` is ``none | fixed | synaptic | axonal``. Returns
    ``(grad_W (N, P), grad_D or None)``; fixed delays get a zero delay gradient.
    """
    if kind == "none":
        return lam.reshape(-1, lam.shape[2]).T @ src.reshape(-1, src.shape[2]), None
    d, k, H = delay_taps(D, sigma, d_max, causal=causal, dtype=lam.dtype)
    if kind == "fixed":
        lags = range(int(d.min()), int(d.max()) + 1)
    else:
        lags = range(int(d.min()) + int(k[0]), int(d.max()) + int(k[-1]) + 1)
    if kind == "axonal":
        grad_W = lam.reshape(-1, lam.shape[2]).T @ delay_sources(src, d).reshape(-1, src.shape[2])
        d_full = np.broadcast_to(d, W.shape)
        H_full = np.broadcast_to(H, W.shape + H.shape[-1:])
    else:
        d_full, H_full = d, H
    C = lag_correlations(lam, src, lags)  # (L, N, P)
    first = lags.start
    if kind != "axonal":
        grad_W = np.take_along_axis(C, (d_full - first)[None], axis=0)[0]
    if kind == "fixed":
        return grad_W, np.zeros_like(D)
    per_synapse = np.zeros_like(W)
    for n, kn in enumerate(k):
        idx = d_full + int(kn) - first
        per_synapse += H_full[..., n] * np.take_along_axis(C, np.clip(idx, 0, len(lags) - 1)[None], axis=0)[0]
    per_synapse *= W
    grad_D = per_synapse.sum(0) if kind == "axonal" else per_synapse
    return grad_W, grad_D


class SpikeRing:
    """The last ``depth`` steps of a source's spikes, for streaming (one step at a time) use.

    ``push(s)`` stores the newest step (B, P); ``read(lag)`` returns the step ``lag`` steps
    before the newest (``lag = 0`` is the newest; zeros before the first push);
    ``gather(d)`` reads every connection at its own lag: ``d`` (N, P) → (B, N, P).
    Memory: depth · B · P numbers.
    """

    def __init__(self, depth: int, batch: int, width: int, dtype=np.float64):
        if depth < 1:
            raise ValueError(f"a ring buffer needs depth >= 1, got {depth}")
        self.depth = depth
        self.buffer = np.zeros((depth, batch, width), dtype=dtype)
        self.head = -1  # index of the newest step
        self._cols = np.arange(width)

    def push(self, s: np.ndarray) -> None:
        self.head = (self.head + 1) % self.depth
        self.buffer[self.head] = s

    def _slot(self, lag):
        if np.any(np.asarray(lag) >= self.depth) or np.any(np.asarray(lag) < 0):
            raise ValueError(f"lag must be in 0 … {self.depth - 1} for this ring, got {lag}")
        return (self.head - np.asarray(lag)) % self.depth

    def read(self, lag: int) -> np.ndarray:
        """(B, P): the step ``lag`` steps before the newest."""
        return self.buffer[self._slot(lag)]

    def gather_axonal(self, lag: np.ndarray) -> np.ndarray:
        """(B, P): source p read at its own lag ``lag[p]``."""
        return self.buffer[self._slot(lag), :, self._cols].T

    def gather(self, lag: np.ndarray) -> np.ndarray:
        """(B, N, P): connection (j, p) reads source p at lag ``lag[j, p]``."""
        slots = self._slot(lag)  # (N, P)
        return self.buffer[slots, :, self._cols[None, :]].transpose(2, 0, 1)
