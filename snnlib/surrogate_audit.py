"""How good is the Gaussian delay surrogate? Two yardsticks for the rule's ∂E/∂D (notebook 03).

The learning rule's delay gradient (MODEL.md §6) is an *estimate*: it is computed on the binary forward
pass (integer delays) with a kernel that pretends each spike is a Gaussian bump. This module measures it
against two references, for one feedforward layer with synaptic delays:

(a) **the exact gradient of a smoothed model** (:func:`smooth_loss_and_grad`): a network whose delays are
    truly continuous — every input spike arrives as a Gaussian of width σ (truncated at ``w = ceil(3σ)``),
    by default normalised to unit area so that it carries the charge of one spike — and whose spikes are
    soft, ``z = sigmoid((v − ϑ)/β)``, with the reset by subtraction kept in the gradient. Its loss is a
    smooth function of every delay, so its gradient is exact and can be checked by finite differences
    (``tests/test_surrogate_audit.py`` does).
(b) **the real effect of moving a delay by one step** (:func:`step_effect`): the change of the binary
    network's loss when one integer delay moves from ``d − 1`` to ``d + 1`` (a central difference over
    the forward pass itself, no surrogate involved).

Both are our reconstruction for teaching and auditing; the paper does not publish such a comparison.
"""
from __future__ import annotations

import math

import numpy as np

from snnlib.surrogate import delay_kernel, gaussian, support


def _sigmoid(u):
    return 0.5 * (1.0 + np.tanh(0.5 * u))


def smoothed_input(x: np.ndarray, D: np.ndarray, sigma: float, area: str = "unit"):
    """The delayed inputs of the smoothed model and their derivatives with respect to the delays.

    x: (B, T, M) spike counts; D: (N, M) continuous synaptic delays, steps. Every spike at step τ of
    input i reaches neuron j as ``g(t − D[j, i] − τ)``, ``g`` the Gaussian of width σ truncated at
    ``|u| ≤ ceil(3σ)``, with unit area (``area="unit"``, charge-conserving) or peak 1 (``"peak"``, the
    representation MODEL.md §6 differentiates). Returns ``(xs, dxs)``, each (B, T, N, M): x̃ and ∂x̃/∂D.
    """
    if area not in ("unit", "peak"):
        raise ValueError(f"area must be 'unit' or 'peak', got {area!r}")
    x = np.asarray(x, dtype=np.float64)
    D = np.asarray(D, dtype=np.float64)
    w = support(sigma)
    T = x.shape[1]
    t = np.arange(T)
    u = t[:, None, None, None] - D[None, :, :, None] - t[None, None, None, :]   # (T, N, M, τ)
    scale = 1.0 / (sigma * math.sqrt(2.0 * math.pi)) if area == "unit" else 1.0
    G = gaussian(u, sigma, w) * scale
    H = delay_kernel(u, sigma, w) * scale            # ∂g(t − D − τ)/∂D = h(t − D − τ)
    xs = np.einsum("tnmk,bkm->btnm", G, x)
    dxs = np.einsum("tnmk,bkm->btnm", H, x)
    return xs, dxs


def smooth_loss_and_grad(config, params: dict, x, labels, beta: float = 0.25, area: str = "unit"):
    """Loss and exact ∂E/∂D_in (N, M) of the smoothed model (reference (a) of the module docstring).

    The same layer as ``config``/``params`` (synaptic delays, feedforward, LIF with reset by subtraction,
    leaky readout, per-step cross-entropy over the loss window, mean over the batch), with Gaussian
    (continuous-delay) inputs and soft spikes ``z = sigmoid((v − ϑ)/β)``, β in units of ϑ.
    Reverse mode, written out: ``ȳ[t] = g[t] + κ ȳ[t+1]``, ``z̄[t] = W_outᵀ ȳ[t] − ϑ v̄[t+1]``,
    ``v̄[t] = z'[t] z̄[t] + α v̄[t+1]``, ``∂E/∂D[j,i] = Σ_b Σ_t v̄[b,t,j] W_in[j,i] ∂x̃[b,t,j,i]/∂D``.
    """
    if config.delays != "synaptic" or config.recurrent:
        raise ValueError("the smoothed reference model covers feedforward networks with synaptic delays only")
    if not beta > 0:
        raise ValueError(f"beta must be > 0 (the width of the soft spike, units of the threshold), got {beta!r}")
    x = np.asarray(x, dtype=np.float64)
    labels = np.asarray(labels)
    B, T, _ = x.shape
    W_in, W_out, b = (np.asarray(params[k], dtype=np.float64) for k in ("W_in", "W_out", "b_out"))
    theta, alpha, kappa = config.threshold, config.alpha, config.kappa
    xs, dxs = smoothed_input(x, params["D_in"], config.sigma, area)
    current = np.einsum("btnm,nm->btn", xs, W_in)
    N, K = W_in.shape[0], W_out.shape[0]
    v = np.zeros((B, T, N))
    z = np.zeros((B, T, N))
    y = np.zeros((B, T, K))
    v_prev = np.zeros((B, N))
    z_prev = np.zeros((B, N))
    y_prev = np.zeros((B, K))
    for t in range(T):
        v_prev = alpha * v_prev + current[:, t] - theta * z_prev
        z_prev = _sigmoid((v_prev - theta) / (beta * theta))
        y_prev = kappa * y_prev + z_prev @ W_out.T + b
        v[:, t], z[:, t], y[:, t] = v_prev, z_prev, y_prev
    window = np.zeros(T)
    window[config.loss_start:] = 1.0
    window /= window.sum()
    y_shift = y - y.max(axis=2, keepdims=True)
    probs = np.exp(y_shift)
    probs /= probs.sum(axis=2, keepdims=True)
    log_p = np.log(np.maximum(probs[np.arange(B), :, labels], np.finfo(float).tiny))
    loss = float(-(log_p * window).sum(1).mean())
    g = probs.copy()
    g[np.arange(B), :, labels] -= 1.0
    g *= window[None, :, None] / B
    dz_dv = z * (1.0 - z) / (beta * theta)
    y_bar = np.zeros((B, K))
    v_next = np.zeros((B, N))
    v_bar = np.zeros((B, T, N))
    for t in reversed(range(T)):
        y_bar = g[:, t] + kappa * y_bar
        z_bar = y_bar @ W_out - theta * v_next
        v_next = dz_dv[:, t] * z_bar + alpha * v_next
        v_bar[:, t] = v_next
    grad_D = np.einsum("btn,btnm->nm", v_bar, dxs) * W_in
    return loss, grad_D


def step_effect(config, params: dict, x, labels) -> np.ndarray:
    """(N, M) ``[E(d + 1) − E(d − 1)] / 2`` of the binary network, one integer delay moved at a time.

    ``d`` is the integer delay of each connection; at the ends of ``0 … d_max`` the one-sided
    difference is used. No surrogate is involved: this is what a step of the delay really does.
    """
    import snnlib
    from snnlib.surrogate import integer_delay

    d = integer_delay(params["D_in"], config.d_max).astype(float)
    out = np.zeros(d.shape)
    probe = dict(params)
    for j, i in np.ndindex(d.shape):
        ends = []
        for step in (1, -1):
            new = min(max(d[j, i] + step, 0), config.d_max)
            D = d.copy()
            D[j, i] = new
            probe["D_in"] = D
            ends.append((snnlib.evaluate(config, probe, x, labels)[0], new))
        (E_up, d_up), (E_down, d_down) = ends
        out[j, i] = (E_up - E_down) / (d_up - d_down) if d_up != d_down else 0.0
    return out


def agreement(estimate: np.ndarray, reference: np.ndarray, tol: float = 1e-12) -> tuple[float, float]:
    """``(cosine, sign agreement)`` of two gradients; the sign is compared where the reference is nonzero
    (``|reference| > tol · max|reference|``). NaN when the reference is zero everywhere."""
    a, r = np.ravel(estimate), np.ravel(reference)
    norm = np.linalg.norm(a) * np.linalg.norm(r)
    cosine = float(a @ r / norm) if norm > 0 else float("nan")
    mask = np.abs(r) > tol * np.max(np.abs(r), initial=0.0)
    sign = float(np.mean(np.sign(a[mask]) == np.sign(r[mask]))) if mask.any() else float("nan")
    return cosine, sign


def random_network(rng: np.random.Generator, sigma: float, n_in: int = 8, n_hidden: int = 4, n_out: int = 2,
                   n_steps: int = 40, d_max: int = 10, batch: int = 4, rate: float = 0.08):
    """A random small problem: ``(config, params, x, labels)`` with float64 parameters.

    Inputs: Bernoulli spikes of probability ``rate`` per step; weights ~ N(0.35, 0.3²) so that hidden
    neurons sit near threshold; continuous delays uniform in ``[0, d_max]``; readout ~ N(0, 1); random
    labels. Steps of 1 ms, τ_mem 10 ms, τ_out 20 ms, loss over the second half.
    """
    import snnlib

    config = snnlib.SNNConfig(n_in=n_in, n_hidden=n_hidden, n_out=n_out, delays="synaptic", d_max=d_max,
                              sigma=sigma, tau_mem=0.010, tau_out=0.020, dt=0.001, loss_start=n_steps // 2,
                              dtype="float64")
    params = snnlib.init_params(config)
    params["W_in"] = rng.normal(0.35, 0.3, (n_hidden, n_in))
    params["D_in"] = rng.uniform(0.0, d_max, (n_hidden, n_in))
    params["W_out"] = rng.normal(0.0, 1.0, (n_out, n_hidden))
    params["b_out"] = np.zeros(n_out)
    x = (rng.random((batch, n_steps, n_in)) < rate).astype(float)
    labels = rng.integers(0, n_out, batch)
    return config, params, x, labels


def audit(sigmas, n_networks: int, seed: int = 0, beta: float = 0.25, area: str = "unit") -> dict:
    """Cosine and sign agreement of the rule's ∂E/∂D with references (a) and (b), per σ and network.

    Returns ``{"sigmas": (S,), "cos_smooth", "sign_smooth", "cos_step", "sign_step": (S, n_networks)}``.
    The same random problems (seeded) are used for every σ. The rule's gradient is
    :func:`snnlib.bptt_gradients` (equal to the online rule for these feedforward networks).
    """
    import snnlib

    sigmas = np.asarray(sigmas, dtype=float)
    result = {key: np.full((sigmas.size, n_networks), np.nan)
              for key in ("cos_smooth", "sign_smooth", "cos_step", "sign_step")}
    result["sigmas"] = sigmas
    for s, sigma in enumerate(sigmas):
        rng = np.random.default_rng(seed)
        for n in range(n_networks):
            config, params, x, labels = random_network(rng, float(sigma))
            _, grads = snnlib.bptt_gradients(config, params, x, labels)
            rule = grads["D_in"]
            _, smooth = smooth_loss_and_grad(config, params, x, labels, beta=beta, area=area)
            step = step_effect(config, params, x, labels)
            result["cos_smooth"][s, n], result["sign_smooth"][s, n] = agreement(rule, smooth)
            result["cos_step"][s, n], result["sign_step"][s, n] = agreement(rule, step)
    return result
