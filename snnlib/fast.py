"""The batched engine: the same three-factor updates as the step-by-step learner, as array operations.

After the forward pass every trace is a linear filter of known signals, so the sum over time of
``L[t] · ē[t]`` can be reorganised. Writing ``ē`` out,

    Σ_t L[t] ē[j,i,t] = Σ_t x̃[j,i,t] · λ[j,t],
    λ[t] = Σ_{s≥t} α^{s−t} ψ[s] · L̄[s],      L̄[s] = Σ_{r≥s} κ^{r−s} L[r],

i.e. two backward filters over time per neuron (O(B·T·N)) replace one trace per synapse
(O(B·T·N·M)), and every weight and delay gradient is read from lagged correlations of λ with the
inputs (:func:`snnlib.delays.projection_gradients`). This holds for e-prop's recurrent traces too,
since they ignore the paths through other neurons. Exact for one update per sequence (U = T).
"""
from __future__ import annotations

import numpy as np

from snnlib.config import SNNConfig, input_mask
from snnlib.delays import projection_gradients, shift
from snnlib.network import _forward, cross_entropy, effective_input_weights, feedback_matrix, output_error
from snnlib.neurons import pseudo_derivative


def fast_gradients(config: SNNConfig, params: dict, x: np.ndarray, labels: np.ndarray):
    """Loss and three-factor gradients (batch means) for validated ``x`` (B, T, M) and ``labels``."""
    out = _forward(config, params, x)
    B, T, N = out.v.shape
    g = output_error(config, out.probs, labels) / B
    L = g @ feedback_matrix(config, params)  # (B, T, N)
    psi = pseudo_derivative(out.v, config.threshold, config.gamma, config.surrogate)
    lam = np.empty_like(L)
    Lbar = np.zeros((B, N), L.dtype)
    acc = np.zeros((B, N), L.dtype)
    for t in reversed(range(T)):
        Lbar = L[:, t] + config.kappa * Lbar
        acc = psi[:, t] * Lbar + config.alpha * acc
        lam[:, t] = acc
    readout = np.empty_like(g)
    racc = np.zeros_like(g[:, 0])
    for t in reversed(range(T)):
        racc = g[:, t] + config.kappa * racc
        readout[:, t] = racc
    grads: dict[str, np.ndarray] = {}
    sigma, d_max, causal = config.sigma, config.d_max, config.kernel == "causal"
    grads["W_in"], grad_D = projection_gradients(lam, x, effective_input_weights(config, params),
                                                 params.get("D_in"), config.delays, sigma, d_max, causal)
    mask = input_mask(config)
    if mask is not None:
        grads["W_in"] = grads["W_in"] * mask
    if grad_D is not None:
        grads["D_in"] = grad_D
    if config.recurrent:
        grads["W_rec"], grad_D = projection_gradients(lam, shift(out.z, 1), params["W_rec"], params.get("D_rec"),
                                                      config.rec_delays, sigma, d_max, causal)
        if grad_D is not None:
            grads["D_rec"] = grad_D
    grads["W_out"] = np.einsum("btk,btj->kj", readout, out.z)
    grads["b_out"] = readout.sum((0, 1))
    loss = float(cross_entropy(config, out.probs, labels).mean())
    return loss, {key: grads[key].astype(params[key].dtype) for key in params}
