"""Offline backpropagation through time in NumPy: the yardstick (nothing else depends on it).

The backward pass is written out by hand for the model of MODEL.md §3–4 with the same
pseudo-derivative ψ as the online rule, the reset treated as a constant, and the Gaussian
surrogate (MODEL.md §6) for the derivative of a delayed spike train with respect to its delay:

    δy[t] = g[t] + κ δy[t+1],                 g[t] = (π[t] − onehot(c)) / |𝒲|  (t ∈ 𝒲)
    δz[t] = W_outᵀ δy[t] + Σ_j W_rec[j, ·] δv[j, t + 1 + d_rec[j, ·]]
    δv[t] = ψ[t] δz[t] + α δv[t+1]

and every weight and delay gradient is read from correlations of δv with the (delayed) sources
(:func:`snnlib.delays.projection_gradients`). For a recurrent network this is the full gradient,
including the paths through other neurons that the online rule leaves out.
"""
from __future__ import annotations

import numpy as np

from snnlib.config import SNNConfig, input_mask
from snnlib.delays import projection_gradients, shift, split_by_delay
from snnlib.network import (cross_entropy, effective_input_weights, output_error, recurrent_delays,
                            run_forward)
from snnlib.neurons import leaky_filter, pseudo_derivative
from snnlib.validation import check_input, check_labels, check_params


def bptt_gradients(config: SNNConfig, params: dict, x, labels) -> tuple[float, dict[str, np.ndarray]]:
    """Loss and exact gradients (means over the batch) by backpropagation through time.

    x: (B, T, M) spike counts; labels: (B,) class indices. Returns ``(loss, grads)`` with
    ``grads`` keyed and shaped like ``params``.
    """
    check_params(config, params)
    x = check_input(config, x)
    labels = check_labels(config, labels, x.shape[0])
    out = run_forward(config, params, x)
    B, T, N = out.v.shape
    alpha, kappa = config.alpha, config.kappa
    g = output_error(config, out.probs, labels) / B  # batch mean folded in

    delta_y = leaky_filter(g, kappa, reverse=True)

    psi = pseudo_derivative(out.v, config.threshold, config.gamma, config.surrogate)
    from_readout = delta_y @ params["W_out"]  # (B, T, N)
    delta_v = np.zeros_like(out.v)
    groups = split_by_delay(params["W_rec"], recurrent_delays(config, params)) if config.recurrent else []
    nxt = np.zeros((B, N), dtype=out.v.dtype)
    for t in reversed(range(T)):
        delta_z = from_readout[:, t].copy()
        for k, W_k in groups:  # z[t] reaches I[t + 1 + k] through W_k
            if t + 1 + k < T:
                delta_z += delta_v[:, t + 1 + k] @ W_k
        nxt = psi[:, t] * delta_z + alpha * nxt
        delta_v[:, t] = nxt

    grads: dict[str, np.ndarray] = {}
    sigma, d_max, causal = config.sigma, config.d_max, config.kernel == "causal"
    W_in = effective_input_weights(config, params)
    grads["W_in"], grad_D = projection_gradients(delta_v, x, W_in, params.get("D_in"), config.delays,
                                                 sigma, d_max, causal)
    mask = input_mask(config)
    if mask is not None:
        grads["W_in"] = grads["W_in"] * mask
    if grad_D is not None:
        grads["D_in"] = grad_D
    if config.recurrent:
        r = shift(out.z, 1)  # the recurrent source r[t] = z[t − 1]
        grads["W_rec"], grad_D = projection_gradients(
            delta_v, r, params["W_rec"], params.get("D_rec"),
            "none" if config.rec_delays == "none" else config.rec_delays, sigma, d_max, causal)
        if grad_D is not None:
            grads["D_rec"] = grad_D
    grads["W_out"] = np.einsum("btk,btj->kj", delta_y, out.z)
    grads["b_out"] = delta_y.sum((0, 1))
    loss = float(cross_entropy(config, out.probs, labels).mean())
    return loss, {key: grads[key].astype(params[key].dtype) for key in params}
