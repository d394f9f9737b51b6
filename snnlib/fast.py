"""The batched engine: the same three-factor updates as the step-by-step learner, as array operations.

**Why a batched form exists.** After the forward pass every trace of
:class:`~snnlib.online.OnlineLearner` is a linear filter of known signals, so the sum over time of
``L[t] · ē[t]`` can be reorganised. For one synapse (j, i) with delayed input ``x̃[j,i,t]``,

    Σ_t L[j,t] ē[j,i,t] = Σ_t x̃[j,i,t] · λ[j,t],
    λ[j,t] = Σ_{s≥t} α^{s−t} ψ[j,s] · L̄[j,s],      L̄[j,s] = Σ_{r≥s} κ^{r−s} L[j,r],

i.e. two backward filters over time per neuron (O(B·T·N)) replace one trace per synapse
(O(B·T·N·M)). With ``C[m][j,i] = Σ_b Σ_t λ[b,t,j] · x[b,t−m,i]`` (the credit of neuron j
correlated with input i at lag m) the gradients of a delayed projection are

    ∂E/∂W[j,i] = C[d_ji][j,i]
    ∂E/∂D[j,i] = W[j,i] · Σ_{k=−w…w} h(k − δ_ji) · C[d_ji + k][j,i]     (MODEL.md §6)

with ``d = floor(D + ½)`` the integer delay, ``δ = D − d`` and ``h`` the Gaussian delay kernel
(:func:`snnlib.surrogate.delay_taps`); axonal delays sum the second line over j. This holds for
e-prop's recurrent traces too, since they ignore the paths through other neurons. It is exact
for one update per sequence (U = T); the stepwise learner is the reference for U < T.

**Two back ends, the same numbers.**

* ``numpy`` (always available, the reference): the delayed current is one matrix product per
  delay value and the correlations one matrix product per lag
  (:func:`snnlib.delays.delayed_current`, :func:`snnlib.delays.projection_gradients`).
* ``numba`` (when numba is installed; :mod:`snnlib.kernels`): event-driven. Each input spike
  ``(b, s, i)`` adds ``W[:, i]`` into ``I[b, s + d[:, i], :]``; each synapse sums λ over its own
  spikes at its own delay ``± w`` only, so a batch with S spikes costs ``S·N`` additions forward
  and ``S·N·(2w+1)`` for all weight *and* delay gradients together, instead of
  ``B·T·M·N·(d_max+1)`` and ``B·T·M·N·(d_max+2w+1)``.

``backend="auto"`` (the default) takes numba when it imports; the environment variable
``SNNLIB_FAST_BACKEND=numpy`` forces the NumPy path. Projections without per-synapse delays
(``none``, ``axonal``) use dense matrix products in both back ends: there one product does the
work of all delay values. See docs/performance.md for measured figures.

**Threads.** numba's kernels run on all cores. The small matrix products around them (readout,
feedback) would wake OpenBLAS's threads, which keep spinning after each product and take the
cores away from numba's threads; on 2 cores that costs ≈ 40 % of a training step. With the
numba back end and per-synapse delays, BLAS is therefore held to one thread for the duration
of each call (through ``threadpoolctl``, installed with the ``fast`` extra; without it nothing
is changed).
"""
from __future__ import annotations

import contextlib
import functools
import os

import numpy as np

from snnlib.config import SNNConfig, input_mask
from snnlib import neurons
from snnlib.delays import delay_sources, delayed_current, projection_gradients, shift
from snnlib.network import (ForwardResult, cross_entropy, effective_input_weights, hidden_sequence, input_delays,
                            learning_signal, output_error, readout, recurrent_delays)
from snnlib.neurons import pseudo_derivative
from snnlib.surrogate import delay_taps, integer_delay
from snnlib.validation import check_input, check_labels, check_params

__all__ = ["fast_gradients", "fast_forward", "fast_forward_and_gradients", 
           "credit",
           "numba_available", "resolve_backend", "BACKENDS"]

BACKENDS = ("auto", "numpy", "numba")


# ----------------------------------------------------------------------------- back ends
def numba_available() -> bool:
    """True when the compiled kernels (:mod:`snnlib.kernels`, needs numba) can be imported."""
    try:
        import snnlib.kernels  # noqa: F401
    except ImportError:
        return False
    return True


def resolve_backend(backend: str = "auto") -> str:
    """``"numba"`` or ``"numpy"``: the back end that ``backend`` selects on this machine.

    ``auto`` reads ``SNNLIB_FAST_BACKEND`` (``numpy`` or ``numba``) if set, else takes numba
    when it imports. Asking for ``numba`` without it raises ``ValueError``.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown backend {backend!r}; expected one of {', '.join(BACKENDS)}")
    if backend == "auto":
        backend = os.environ.get("SNNLIB_FAST_BACKEND", "auto").strip().lower() or "auto"
        if backend not in BACKENDS:
            raise ValueError(f"SNNLIB_FAST_BACKEND={backend!r} is not one of numpy, numba")
        if backend == "auto":
            return "numba" if numba_available() else "numpy"
    if backend == "numba" and not numba_available():
        raise ValueError("backend='numba' needs numba: pip install numba (or use backend='numpy')")
    return backend


def _kernels(backend: str):
    """The kernels module for ``numba``, None for ``numpy``."""
    if resolve_backend(backend) == "numba":
        import snnlib.kernels

        return snnlib.kernels
    return None


@functools.lru_cache(maxsize=None)
def _blas_controller():
    """threadpoolctl's controller of the loaded BLAS libraries (made once), or None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    return ThreadpoolController()


@contextlib.contextmanager
def _engine(config: SNNConfig, backend: str):
    """Yields the kernels module for ``backend`` (None for NumPy), with BLAS held to one thread while
    numba's event-driven kernels use the cores (see above).

    Only where those kernels carry the work (synaptic or fixed delays); projections without
    per-synapse delays are dense matrix products, which are better off with all cores.
    """
    kern = _kernels(backend)
    scatter = {"synaptic", "fixed"} & {config.delays, config.rec_delays if config.recurrent else "none"}
    controller = _blas_controller() if kern is not None and scatter else None
    with contextlib.nullcontext() if controller is None else controller.limit(limits=1, user_api="blas"):
        yield kern


# ----------------------------------------------------------------------------- public entry points
def fast_gradients(config: SNNConfig, params: dict, x: np.ndarray, labels: np.ndarray,
                   backend: str = "auto") -> tuple[float, dict[str, np.ndarray]]:
    """Loss and three-factor gradients (batch means), equal to the stepwise learner's.

    x: (B, T, M) spike counts of the config's dtype and labels: (B,) int class indices, both
    already validated (this is what ``online_gradients(..., engine="fast")`` calls; use
    :func:`fast_forward_and_gradients` for checked inputs). Returns ``(loss, grads)`` with
    ``grads`` keyed, shaped and typed like ``params``.
    """
    with _engine(config, backend) as kern:
        _, loss, grads = _forward_and_gradients(config, params, x, labels, kern)
    return loss, grads


def fast_forward(config: SNNConfig, params: dict, x, backend: str = "auto") -> ForwardResult:
    """The forward pass of :func:`snnlib.network.forward` (same numbers up to float rounding).

    x: (B, T, M) spike counts. Returns a :class:`~snnlib.network.ForwardResult` (v, z: (B, T, N);
    y, probs: (B, T, K); current_in: (B, T, N)). With numba the delayed input current is
    scattered spike by spike and recurrent spikes likewise; with NumPy the synaptic current is
    the reference's one product per delay value, and axonal delays shift each input once.
    """
    check_params(config, params)
    x = check_input(config, x)
    with _engine(config, backend) as kern:
        return _forward(config, params, x, kern)


def fast_forward_and_gradients(config: SNNConfig, params: dict, x, labels, backend: str = "auto"):
    """One fused call for training: ``(ForwardResult, loss, grads)`` from validated inputs.

    The forward result lets a trainer count correct predictions
    (:func:`snnlib.network.predict` on ``.probs``) without a second forward pass.
    """
    check_params(config, params)
    x = check_input(config, x)
    labels = check_labels(config, labels, x.shape[0])
    with _engine(config, backend) as kern:
        return _forward_and_gradients(config, params, x, labels, kern)


# ----------------------------------------------------------------------------- forward
def _forward(config: SNNConfig, params: dict, x: np.ndarray, kern) -> ForwardResult:
    """MODEL.md §3: delayed input current, LIF neurons, leaky readout, per-step softmax."""
    return _forward_parts(config, params, x, kern)[0]


def _forward_parts(config: SNNConfig, params: dict, x: np.ndarray, kern):
    """The forward pass and, for axonal input delays, the delayed input ``x̃`` (B, T + w, M) (else None)."""
    dtype = x.dtype
    W_in = effective_input_weights(config, params)
    d = input_delays(config, params)
    x_delayed = None
    if d is None:  # I = x Wᵀ
        current_in = x @ W_in.T
    elif d.ndim == 1:  # axonal: delay each input once, then one product: I = x̃ Wᵀ
        x_delayed = _delay_sources(x, d, config.w, kern)  # w more steps for the gradient
        current_in = x_delayed[:, :x.shape[1]] @ W_in.T
    elif kern is not None:  # synaptic / fixed: scatter each spike to its N targets
        current_in = kern.delayed_current(x, np.ascontiguousarray(W_in.T, dtype=dtype),
                                          np.ascontiguousarray(d.T), config.d_max)
    else:  # synaptic / fixed: one matrix product per delay value
        current_in = delayed_current(x, W_in, d)
    if config.recurrent and kern is not None:
        d_rec = recurrent_delays(config, params)
        d_recT = np.broadcast_to(d_rec[:, None], (config.n_hidden,) * 2) if d_rec.ndim == 1 else d_rec.T
        v, z = kern.recurrent_neurons(current_in, np.ascontiguousarray(params["W_rec"].T, dtype=dtype),
                                      np.ascontiguousarray(d_recT), config.d_max,
                                      dtype.type(config.alpha), dtype.type(config.threshold))
    elif kern is not None:
        v, z = kern.lif_sequence(current_in, config.alpha, config.threshold)
    else:
        v, z = hidden_sequence(config, params, current_in)
    y, probs = readout(config, params, z, _loops(kern).leaky_filter)
    return ForwardResult(v=v, z=z, y=y, probs=probs, current_in=current_in), x_delayed


def _loops(kern):
    """Where the time loops run: the compiled kernels, or :mod:`snnlib.neurons` (same numbers)."""
    return neurons if kern is None else kern


def _delay_sources(x: np.ndarray, d: np.ndarray, extra: int, kern) -> np.ndarray:
    """:func:`snnlib.delays.delay_sources` (B, T + extra, P), compiled when ``kern`` is given."""
    return delay_sources(x, d, extra) if kern is None else kern.delay_sources(x, d, extra)


# ----------------------------------------------------------------------------- credit
def credit(config: SNNConfig, params: dict, out: ForwardResult, labels: np.ndarray, kern=None):
    """The per-neuron credit of a batch, from a forward result.

    Returns ``(g, lam, ybar)``:

    * ``g`` (B, T, K): ``(π − onehot(c)) / (|𝒲| · B)`` inside the loss window, the readout error;
    * ``lam`` (B, T, N): ``λ[t] = ψ[t] L̄[t] + α λ[t+1]`` with ``L̄[t] = L[t] + κ L̄[t+1]`` and
      ``L = g · B_fb`` (the learning signal): every input-side gradient is a correlation of λ
      with a delayed source;
    * ``ybar`` (B, T, K): ``ȳ[t] = g[t] + κ ȳ[t+1]``, the readout's credit
      (∂E/∂W_out = Σ ȳ ⊗ z, ∂E/∂b = Σ ȳ).
    """
    g = output_error(config, out.probs, labels) / out.v.shape[0]
    L = learning_signal(config, params, g)  # (B, T, N)
    psi = pseudo_derivative(out.v, config.threshold, config.gamma, config.surrogate)
    reverse_filter = functools.partial(_loops(kern).leaky_filter, reverse=True)
    lam = reverse_filter(psi * reverse_filter(L, config.kappa), config.alpha)
    return g, lam, reverse_filter(g, config.kappa)


# ----------------------------------------------------------------------------- gradients
def _forward_and_gradients(config, params, x, labels, kern):
    out, x_delayed = _forward_parts(config, params, x, kern)
    _, lam, ybar = credit(config, params, out, labels, kern)
    grads: dict[str, np.ndarray] = {}
    mask = input_mask(config)
    grads["W_in"], grad_D = _projection_gradients(config, lam, x, effective_input_weights(config, params),
                                                  params.get("D_in"), config.delays, kern, x_delayed)
    if mask is not None:
        grads["W_in"] = grads["W_in"] * mask
    if grad_D is not None:
        grads["D_in"] = grad_D
    if config.recurrent:
        grads["W_rec"], grad_D = _projection_gradients(config, lam, shift(out.z, 1), params["W_rec"],
                                                       params.get("D_rec"), config.rec_delays, kern)
        if grad_D is not None:
            grads["D_rec"] = grad_D
    K, N = params["W_out"].shape
    grads["W_out"] = ybar.reshape(-1, K).T @ out.z.reshape(-1, N)  # Σ_{b,t} ȳ[b,t,k] z[b,t,j]
    grads["b_out"] = ybar.sum((0, 1))
    loss = float(cross_entropy(config, out.probs, labels).mean())
    return out, loss, {key: grads[key].astype(params[key].dtype, copy=False) for key in params}


def _projection_gradients(config, lam, src, W, D, kind, kern, src_delayed=None):
    """``(∂E/∂W (N, P), ∂E/∂D or None)`` of ``I[t, j] = Σ_p W[j, p] src[t − d_jp, p]``.

    lam: (B, T, N) credit; src: (B, T, P) source spikes; kind: none | fixed | synaptic | axonal;
    src_delayed: for axonal delays, the delayed source if the forward pass already made it.
    """
    causal = config.kernel == "causal"
    if kind == "axonal":
        return _axonal_gradients(lam, src, W, D, config.sigma, config.d_max, causal, kern, src_delayed)
    if kern is None or kind == "none":
        return projection_gradients(lam, src, W, D, kind, config.sigma, config.d_max, causal)
    # synaptic / fixed delays, event-driven: only the 2w+1 lags around each synapse's own delay
    d = integer_delay(D, config.d_max)
    w = config.w if kind == "synaptic" else 0
    B, T, N = lam.shape
    lamP = np.zeros((B, N, T + config.d_max + 2 * w), lam.dtype)  # λ[b, t, j] at lamP[b, j, w + t]
    lamP[:, :, w:w + T] = lam.transpose(0, 2, 1)
    frac = np.ascontiguousarray((np.asarray(D, np.float64) - d).T)  # δ = D − d
    GW, GH = kern.synapse_correlations(lamP.ravel(), lamP.shape[2], *kern.spike_events(src),
                                       np.ascontiguousarray(d.T), frac, float(config.sigma), causal,
                                       (0,) * (2 * w + 1))
    if kind == "fixed":
        return GW.T, np.zeros_like(D)
    return GW.T, W * GH.T


def _axonal_gradients(lam, src, W, D, sigma, d_max, causal, kern, src_delayed=None):
    """Axonal delays d[p] (one per source): two matrix products and a short filter.

    With the delayed source ``x̃[b,t,p] = src[b, t − d_p, p]`` and ``Q = λ W`` (B, T, P),

        ∂E/∂W[j,p] = Σ_{b,t} λ[b,t,j] · x̃[b,t,p]
        ∂E/∂D[p]   = Σ_k h(k − δ_p) Σ_{b,t} x̃[b,t,p] · Q[b, t + k, p]

    (the second line is Σ_j W[j,p] Σ_k h(k − δ_p) C[d_p + k][j,p] with the sum over j done first).
    Q is zero outside 0 … T−1, but x̃ runs to T−1+w: a spike delayed past the end of the sample
    still lies within the kernel's reach of its last steps. src_delayed: that (B, T + w, P) x̃,
    if the forward pass already made it.
    """
    d, k, H = delay_taps(D, sigma, d_max, causal=causal, dtype=lam.dtype)
    B, T, N = lam.shape
    P = src.shape[2]
    w = int(k[-1])
    x_delayed = _delay_sources(src, d, w, kern) if src_delayed is None else src_delayed
    lam2 = lam.reshape(-1, N)
    grad_W = lam2.T @ np.ascontiguousarray(x_delayed[:, :T]).reshape(-1, P)
    Q = np.zeros((B, T + 3 * w, P), lam.dtype)  # Q[b, t] at Q[b, w + t]
    Q[:, w:w + T] = (lam2 @ W).reshape(B, T, P)
    corr = np.empty((len(k), P), lam.dtype)  # corr[n, p] = Σ_{b,t} x̃[b,t,p] Q[b, t + k_n, p]
    for n in range(len(k)):
        corr[n] = np.einsum("btp,btp->p", x_delayed, Q[:, n:n + T + w])
    return grad_W, (H * corr.T).sum(1)
