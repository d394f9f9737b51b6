"""Compiled event-driven kernels behind :mod:`snnlib.fast` (optional: needs ``numba``).

Nothing in the library imports this module unless numba is installed; :mod:`snnlib.fast`
falls back to its NumPy formulation otherwise and computes the same numbers. Importing it
without numba raises ``ImportError`` with the command that installs it.

The kernels walk the **spikes** instead of the dense ``(B, T, P)`` arrays. With input density
ρ, a batch holds ``S = ρ·B·T·P`` spikes, and a projection with one integer delay per synapse
costs

* forward:   ``S · N`` scattered additions ``I[b, t + d[j,p], j] += c · W[j,p]``;
* gradients: ``S · N · (2w + 1)`` gathered additions, because the weight and delay gradients
  of synapse (j, p) only read the credit ``λ[b, ·, j]`` at the ``2w + 1`` steps
  ``t_spike + d[j,p] + k`` (``k = −w … w``) around each of its spikes.

compared with ``B·T·P·N·(d_max + 1)`` and ``B·T·P·N·(d_max + 2w + 1)`` multiply-adds for the
dense formulation (one matrix product per delay value or lag). Every kernel is generic in the
float type (float32 or float64 arrays in, the same type out). The scatter and gather kernels
run their outer loop in parallel over samples or blocks of target neurons, so no two threads
write the same memory. The time loops of the neurons and the leaky filters (compiled twins of
:func:`snnlib.neurons.lif_sequence` and :func:`snnlib.neurons.leaky_filter`, doing the same
floating-point operations in the same order, so the numbers are equal bit for bit) and the
axonal shift run on one thread: they take microseconds to a millisecond, less than waking a
thread pool that competes with BLAS's threads for the cores.
"""
from __future__ import annotations

try:
    import numba
    from numba import njit, prange
except ImportError as exc:  # pragma: no cover - exercised only without numba
    raise ImportError("snnlib.kernels needs numba: pip install numba (snnlib itself runs without it)") from exc

import numpy as np

__all__ = ["spike_events", "delayed_current", "delay_sources", "lif_sequence", "recurrent_neurons", "leaky_filter",
           "synapse_correlations"]

#: target neurons handled together by one thread in :func:`synapse_correlations`: their credit
#: rows (B · JB · (T + d_max + 2w) numbers) stay in the core's cache while every input is visited
_BLOCK = 4


@njit(cache=True)
def spike_events(x):
    """The nonzero entries of ``x`` (B, T, P), grouped by source channel p.

    Returns ``(ptr, b, t, count)``: the spikes of source p are entries ``ptr[p] … ptr[p+1]−1``
    of ``b`` (sample), ``t`` (step) and ``count`` (the value of x, usually 1), in (b, t) order.
    A counting sort: two passes over x, O(B·T·P).
    """
    B, T, P = x.shape
    ptr = np.zeros(P + 1, np.int64)
    for b in range(B):
        for t in range(T):
            for p in range(P):
                if x[b, t, p] != 0:
                    ptr[p + 1] += 1
    for p in range(P):
        ptr[p + 1] += ptr[p]
    n = ptr[P]
    eb = np.empty(n, np.int64)
    et = np.empty(n, np.int64)
    ec = np.empty(n, x.dtype)
    fill = ptr[:P].copy()
    for b in range(B):
        for t in range(T):
            for p in range(P):
                if x[b, t, p] != 0:
                    e = fill[p]
                    eb[e] = b
                    et[e] = t
                    ec[e] = x[b, t, p]
                    fill[p] = e + 1
    return ptr, eb, et, ec


@njit(parallel=True, cache=True)
def delayed_current(x, WT, dT, d_max):
    """``I[b, t, j] = Σ_p W[j,p] · x[b, t − d[j,p], p]`` by scattering each spike to its targets.

    x: (B, T, P) spike counts; WT: (P, N) weights, transposed (row p = all targets of source p);
    dT: (P, N) integer delays in 0 … d_max, transposed. Returns (B, T, N) of x's dtype.
    Each spike (b, s, p) adds ``c · W[:, p]`` into ``I[b, s + d[:, p], :]``: S·N additions.
    Parallel over samples.
    """
    B, T, P = x.shape
    N = WT.shape[1]
    offset = _flat_offsets(dT, N)  # I[s + d, j] is buf[s·N + offset[p, j]]
    out = np.zeros((B, T, N), x.dtype)
    for b in prange(B):
        buf = np.zeros((T + d_max) * N, x.dtype)  # room for spikes delayed past the last step
        for s in range(T):
            row = np.uint64(s * N)
            for p in range(P):
                c = x[b, s, p]
                if c != 0:
                    for j in range(N):
                        buf[row + offset[p, j]] += c * WT[p, j]
        out[b] = buf[:T * N].reshape(T, N)
    return out


@njit(cache=True)
def delay_sources(x, d, extra):
    """Each source delayed by its own d[p] (axonal delays): ``out[b, t, p] = x[b, t − d[p], p]``.

    x: (B, T, P); d: (P,) integer delays >= 0. Returns (B, T + extra, P), zero where t − d[p]
    falls outside 0 … T−1. One thread: a copy this short gains little from more, and the dense
    products around it (axonal delays) keep BLAS's threads busy on the cores.
    """
    B, T, P = x.shape
    out = np.zeros((B, T + extra, P), x.dtype)
    for b in range(B):
        for s in range(T):
            for p in range(P):
                t = s + d[p]
                if t < T + extra:
                    out[b, t, p] = x[b, s, p]
    return out


@njit(cache=True)
def _flat_offsets(dT, N):
    """``dT[p, j]·N + j`` as unsigned integers: where a delayed value lands in a (time, N) buffer.

    Unsigned, so the scatter loops carry no negative-index wraparound test.
    """
    P = dT.shape[0]
    offset = np.empty((P, N), np.uint64)
    for p in range(P):
        for j in range(N):
            offset[p, j] = dT[p, j] * N + j
    return offset


def lif_sequence(current_in, alpha, threshold):
    """:func:`snnlib.neurons.lif_sequence` of a feedforward layer, compiled: the same numbers.

    current_in: (B, T, N). α and ϑ are used in current_in's float type, as NumPy does with
    Python scalars. Returns ``(v, z)``, both (B, T, N).
    """
    kind = current_in.dtype.type
    return _lif_neurons(current_in, kind(alpha), kind(threshold))


@njit(cache=True)
def _lif_neurons(current_in, alpha, theta):
    B, T, N = current_in.shape
    v = np.empty_like(current_in)
    z = np.empty_like(current_in)
    for b in range(B):
        vb = np.zeros(N, current_in.dtype)
        zb = np.zeros(N, current_in.dtype)
        for t in range(T):
            for j in range(N):
                vb[j] = alpha * vb[j] + current_in[b, t, j] - theta * zb[j]
                zb[j] = 1.0 if vb[j] > theta else 0.0
                v[b, t, j] = vb[j]
                z[b, t, j] = zb[j]
    return v, z


def leaky_filter(signal, factor, reverse=False):
    """:func:`snnlib.neurons.leaky_filter` of a (B, T, K) signal, compiled: the same numbers.

    ``factor`` is used in the signal's float type, as NumPy does with a Python scalar.
    """
    return _leaky_filter(np.ascontiguousarray(signal), signal.dtype.type(factor), bool(reverse))


@njit(cache=True)
def _leaky_filter(signal, factor, reverse):
    B, T, K = signal.shape
    out = np.empty_like(signal)
    for b in range(B):
        acc = np.zeros(K, signal.dtype)
        for n in range(T):
            t = T - 1 - n if reverse else n
            for k in range(K):
                acc[k] = factor * acc[k] + signal[b, t, k]
                out[b, t, k] = acc[k]
    return out


@njit(parallel=True, cache=True)
def recurrent_neurons(current_in, WrecT, drecT, d_max, alpha, theta):
    """LIF neurons with delayed recurrent connections, event-driven (MODEL.md §3).

    current_in: (B, T, N) input current; WrecT: (N, N) with ``WrecT[k, j] = W_rec[j, k]``;
    drecT: (N, N) integer recurrent delays, ``drecT[k, j] = d_rec[j, k]``; alpha, theta: α, ϑ
    as scalars of current_in's dtype. Returns ``(v, z)``, both (B, T, N).

        v[t] = α v[t−1] + (I_in[t] + I_rec[t]) − ϑ z[t−1],   z[t] = H(v[t] − ϑ)

    and a spike of neuron k at step t adds ``W_rec[j, k]`` to ``I_rec[j, t + 1 + d_rec[j, k]]``.
    Samples are independent: parallel over the batch.
    """
    B, T, N = current_in.shape
    v = np.empty_like(current_in)
    z = np.empty_like(current_in)
    offset = _flat_offsets(drecT, N)  # I_rec[t + 1 + d, j] is rec[(t + 1)·N + offset[k, j]]
    for b in prange(B):
        rec = np.zeros((T + d_max + 1) * N, current_in.dtype)
        vb = np.zeros(N, current_in.dtype)
        zb = np.zeros(N, current_in.dtype)
        for t in range(T):
            row = np.uint64(t * N)
            for j in range(N):
                vb[j] = alpha * vb[j] + (current_in[b, t, j] + rec[row + np.uint64(j)]) - theta * zb[j]
                zb[j] = 1.0 if vb[j] > theta else 0.0
                v[b, t, j] = vb[j]
                z[b, t, j] = zb[j]
            row = np.uint64((t + 1) * N)
            for k in range(N):
                if zb[k] != 0:
                    for j in range(N):
                        rec[row + offset[k, j]] += WrecT[k, j]
    return v, z


@njit(parallel=True, cache=True)
def synapse_correlations(lam, Tq, ptr, eb, et, ec, dT, fracT, sigma, causal, lanes):
    """Per-synapse weight and delay sums over spikes (the core of :mod:`snnlib.fast`).

    lam: the credit λ, time-padded to ``Tq = T + d_max + 2w`` steps and flattened from
    (B, N, Tq): ``lam[(b·N + j)·Tq + w + t] = λ[b, t, j]``, zero outside 0 … T−1.
    ``(ptr, eb, et, ec)``: the source spikes grouped by source (:func:`spike_events`).
    dT: (P, N) integer delays d and fracT: (P, N) float64 remainders δ = D − d, transposed.
    sigma: the Gaussian's width σ (steps); causal: keep only the kernel's past half.
    lanes: any tuple of length ``2w + 1``, ``w = ceil(3σ)``: its length is a compile-time
    constant, so the loop over the kernel's lags is unrolled (one compiled version per w);
    a tuple of length 1 computes the weight sums only (fracT, sigma and causal unused).

    For synapse (j, p), over the spikes (b, s, c) of source p,

        A[k] = Σ_spikes c · λ[b, s + d + k, j],     k = −w … w
        GW[p, j] = A[0]                      (= Σ_t λ[b,t,j] x̃[b,t,j,p] = ∂E/∂W)
        GH[p, j] = Σ_k h(k − δ) · A[k]       (= ∂E/∂D / W)

    with the delay kernel of :func:`snnlib.surrogate.delay_kernel`,
    ``h(u) = (u/σ²) exp(−u²/2σ²)`` for ``|u| ≤ w`` (and ``u ≥ 0`` if causal), else 0,
    evaluated here per synapse in float64. Returns ``(GW, GH)``, both (P, N), of lam's dtype.
    Cost: S·N·(2w+1) additions. Parallel over blocks of target neurons, whose credit rows stay
    in cache while all sources are visited.
    """
    K = len(lanes)
    w = K // 2
    P, N = dT.shape
    GW = np.zeros((P, N), lam.dtype)
    GH = np.zeros((P, N), lam.dtype)
    # flat offsets, unsigned so that the inner loop carries no negative-index wraparound test:
    # λ[b, s + d + k, j] is lam[start[e] + j·Tq + d + n] with n = k + w
    start = np.empty(eb.shape[0], np.uint64)
    for e in range(eb.shape[0]):
        start[e] = eb[e] * N * Tq + et[e]
    n_blocks = (N + _BLOCK - 1) // _BLOCK
    for blk in prange(n_blocks):
        acc = np.zeros(K, lam.dtype)
        for p in range(P):
            first, stop = ptr[p], ptr[p + 1]
            for j in range(blk * _BLOCK, min(N, (blk + 1) * _BLOCK)):
                for n in range(K):
                    acc[n] = 0
                offset = np.uint64(j * Tq + dT[p, j])
                for e in range(first, stop):
                    c = ec[e]
                    q = start[e] + offset
                    for n in range(K):
                        acc[n] += c * lam[q + np.uint64(n)]
                GW[p, j] = acc[w]
                if K > 1:
                    GH[p, j] = _kernel_dot(acc, fracT[p, j], sigma, causal, w)
    return GW, GH


@njit(cache=True)
def _kernel_dot(acc, frac, sigma, causal, w):
    """``Σ_n h(n − w − δ) · acc[n]`` with h the truncated Gaussian delay kernel, in float64."""
    total = 0.0
    for n in range(acc.shape[0]):
        u = (n - w) - frac
        if abs(u) <= w and (u >= 0 or not causal):
            total += (u / sigma**2) * np.exp(-0.5 * (u / sigma) ** 2) * acc[n]
    return total
