"""The forward pass: whole sequences (batched) and one step at a time (streaming).

MODEL.md §1–4. Shapes are batch-major: x (B, T, M), hidden (B, T, N), readout (B, T, K).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from snnlib.config import SNNConfig, input_mask, param_layout
from snnlib.delays import SpikeRing, delayed_current, integer_delay, split_by_delay
from snnlib.neurons import LIFState, leaky_filter, lif_sequence, lif_step, softmax
from snnlib.validation import check_input, check_labels, check_params


# ----------------------------------------------------------------------------- parameters
def init_params(config: SNNConfig) -> dict[str, np.ndarray]:
    """Fresh parameters for ``config``, drawn from ``config.seed``.

    Keys and shapes: :func:`snnlib.config.param_layout`. Delays are in steps, uniform in
    [0, d_max] (integers for fixed delays); masked input weights are zero.
    """
    rng = np.random.default_rng(config.seed)
    N, M, K = config.n_hidden, config.n_in, config.n_out
    dtype = config.np_dtype
    mask = input_mask(config)
    density = 1.0 - config.sparsity
    params: dict[str, np.ndarray] = {}
    W_in = rng.normal(0.0, config.weight_scale / np.sqrt(M * density), size=(N, M))
    params["W_in"] = W_in if mask is None else W_in * mask
    layout = param_layout(config)
    if "D_in" in layout:
        D = rng.uniform(0.0, config.d_max, size=layout["D_in"].shape)
        params["D_in"] = np.round(D) if config.delays == "fixed" else D
    if config.recurrent:
        params["W_rec"] = rng.normal(0.0, 1.0 / np.sqrt(N), size=(N, N))
        if "D_rec" in layout:
            params["D_rec"] = rng.uniform(0.0, config.d_max, size=layout["D_rec"].shape)
    params["W_out"] = rng.normal(0.0, 1.0 / np.sqrt(N), size=(K, N))
    params["b_out"] = np.zeros(K)
    return {key: value.astype(dtype) for key, value in params.items()}


def feedback_matrix(config: SNNConfig, params: dict) -> np.ndarray:
    """B (K, N) that carries the readout error to the hidden layer (MODEL.md §5, factor 3)."""
    if config.feedback == "symmetric":
        return params["W_out"]
    return _random_feedback(config.n_out, config.n_hidden, config.seed, config.dtype)


@lru_cache(maxsize=16)
def _random_feedback(K: int, N: int, seed: int, dtype: str) -> np.ndarray:
    B = np.random.default_rng([seed, 0xFEED]).normal(0.0, 1.0 / np.sqrt(N), size=(K, N)).astype(dtype)
    B.setflags(write=False)
    return B


def effective_input_weights(config: SNNConfig, params: dict) -> np.ndarray:
    """W_in with the sparsity mask applied (a masked connection carries nothing)."""
    mask = input_mask(config)
    return params["W_in"] if mask is None else params["W_in"] * mask


def input_delays(config: SNNConfig, params: dict) -> np.ndarray | None:
    """Integer input delays: None, (M,) axonal or (N, M) synaptic/fixed."""
    return None if config.delays == "none" else integer_delay(params["D_in"], config.d_max)


def recurrent_delays(config: SNNConfig, params: dict) -> np.ndarray:
    """Integer recurrent delays on top of the one-step transmission: (N, N), (N,) or zeros (N,)."""
    if config.rec_delays == "none":
        return np.zeros(config.n_hidden, dtype=np.int64)
    return integer_delay(params["D_rec"], config.d_max)


# ----------------------------------------------------------------------------- whole sequences
@dataclass
class ForwardResult:
    """Everything the forward pass computed, batch-major.

    v, z: (B, T, N) membrane potentials and spikes; y: (B, T, K) readout; probs: (B, T, K)
    per-step softmax π; current_in: (B, T, N) the delayed input current.
    """

    v: np.ndarray
    z: np.ndarray
    y: np.ndarray
    probs: np.ndarray
    current_in: np.ndarray


def forward(config: SNNConfig, params: dict, x) -> ForwardResult:
    """Run the network on a batch ``x`` (B, T, M) of spike counts (MODEL.md §3)."""
    check_params(config, params)
    x = check_input(config, x)
    return run_forward(config, params, x)


def run_forward(config: SNNConfig, params: dict, x: np.ndarray) -> ForwardResult:
    """:func:`forward` on inputs already checked: delayed current → LIF sequence → leaky readout.

    The three stages are public (:func:`snnlib.delays.delayed_current`, :func:`hidden_sequence`,
    :func:`readout`); :mod:`snnlib.fast` runs the same stages with compiled loops where it can.
    """
    current_in = delayed_current(x, effective_input_weights(config, params), input_delays(config, params))
    v, z = hidden_sequence(config, params, current_in)
    y, probs = readout(config, params, z)
    return ForwardResult(v=v, z=z, y=y, probs=probs, current_in=current_in)


def hidden_sequence(config: SNNConfig, params: dict, current_in: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(v, z)``, both (B, T, N): the LIF layer driven by the (B, T, N) input current, plus the
    delayed recurrent current when the network is recurrent."""
    recurrent = recurrent_current(config, params) if config.recurrent else None
    return lif_sequence(current_in, config.alpha, config.threshold, recurrent)


def recurrent_current(config: SNNConfig, params: dict):
    """A function ``(t, z) -> (B, N)``: ``I_rec[t, j] = Σ_k W_rec[j, k] z[t − 1 − d_rec[j, k], k]``,
    read from the spikes ``z`` (B, T, N) computed so far (one product per distinct delay value)."""
    groups = split_by_delay(params["W_rec"], recurrent_delays(config, params))

    def current(t: int, z: np.ndarray):
        out = 0.0
        for k, W_k in groups:
            if t - 1 - k >= 0:
                out = out + z[:, t - 1 - k] @ W_k.T
        return out

    return current


def readout(config: SNNConfig, params: dict, z: np.ndarray, filter=leaky_filter) -> tuple[np.ndarray, np.ndarray]:
    """``(y, π)``, both (B, T, K): the leaky readout ``y[t] = κ y[t−1] + W_out z[t] + b`` of the spikes
    z (B, T, N) and its per-step softmax. ``filter``: :func:`snnlib.neurons.leaky_filter` or a
    compiled twin with the same signature."""
    y = filter(z @ params["W_out"].T + params["b_out"], config.kappa)
    return y, softmax(y)


# ----------------------------------------------------------------------------- loss
def loss_window(config: SNNConfig, T: int) -> np.ndarray:
    """(T,) 0/1 weights of the loss window 𝒲 (MODEL.md §4)."""
    window = np.zeros(T)
    window[config.loss_start:] = 1.0
    return window


def output_error(config: SNNConfig, probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(B, T, K) ``(π − onehot(c)) / |𝒲|`` inside the window, 0 outside: ∂E/∂y per sample."""
    B, T, K = probs.shape
    window = loss_window(config, T)
    err = probs.copy()
    err[np.arange(B), :, labels] -= 1.0
    return err * (window / window.sum())[None, :, None]


def cross_entropy(config: SNNConfig, probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """(B,) per-sample loss ``E = (1/|𝒲|) Σ_{t∈𝒲} −log π[c, t]``."""
    window = loss_window(config, probs.shape[1])
    return -(log_likelihood(probs, labels) * window).sum(1) / window.sum()


def log_likelihood(probs: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """``log π[c]`` of each sample's own class c: probs (B, T, K) → (B, T), or one step's (B, K) → (B,).

    π is floored at the smallest positive float, so a certain mistake costs a large finite loss.
    """
    p_true = probs[np.arange(len(labels)), ..., labels]
    return np.log(np.maximum(p_true, np.finfo(probs.dtype).tiny))


def learning_signal(config: SNNConfig, params: dict, error: np.ndarray) -> np.ndarray:
    """``L = error · B``: the readout error (…, K) carried to the hidden neurons (…, N) by the feedback
    matrix B (MODEL.md §5, factor 3), at one step or for a whole sequence."""
    return error @ feedback_matrix(config, params)


def predict(config: SNNConfig, probs: np.ndarray) -> np.ndarray:
    """(B,) ``argmax_k Σ_{t∈𝒲} π[k, t]``."""
    window = loss_window(config, probs.shape[1])
    return np.argmax((probs * window[None, :, None]).sum(1), axis=1)


def score(config: SNNConfig, probs: np.ndarray, labels) -> tuple[float, float]:
    """(mean loss, accuracy as a fraction) of the readout probabilities ``probs`` (B, T, K) against ``labels``."""
    labels = check_labels(config, labels, probs.shape[0])
    return float(cross_entropy(config, probs, labels).mean()), float(np.mean(predict(config, probs) == labels))


# ----------------------------------------------------------------------------- streaming
@dataclass
class StepOutput:
    """What one streaming step computed. v, z: (B, N); y, probs: (B, K);
    x_in: the delayed input the neurons saw, (B, N, M) synaptic or (B, M) otherwise;
    x_rec: the delayed recurrent spikes, (B, N, N) or (B, N), or None."""

    v: np.ndarray
    z: np.ndarray
    y: np.ndarray
    probs: np.ndarray
    x_in: np.ndarray
    x_rec: np.ndarray | None


class StreamingNetwork:
    """The network advanced one step at a time, with ring buffers holding delayed spikes.

    Parameters are read from ``params`` at every step, so an optimiser that replaces
    ``params[key]`` mid-sequence changes the network from the next step on.
    Ring depths: ``d_max + 1 + extra_depth`` steps for the inputs and the same for the hidden spikes
    of a recurrent network (that ring stores ``r[t] = z[t − 1]``, so a delay d reads ``z[t − 1 − d]``
    at tap d ≤ d_max). The forward pass alone needs ``extra_depth = 0``. An
    :class:`~snnlib.online.OnlineLearner` asks for ``extra_depth = lag + w``: its delay traces run
    ``lag`` steps behind and the kernel reads ``w`` steps before the delayed spike, so with the
    centred kernel (lag = w) the rings are ``d_max + 2w + 1`` deep, with the causal one (lag 0)
    ``d_max + w + 1`` (MODEL.md §6).
    """

    def __init__(self, config: SNNConfig, params: dict, batch: int, extra_depth: int = 0):
        check_params(config, params)
        self.config, self.params, self.batch = config, params, batch
        dtype = config.np_dtype
        N = config.n_hidden
        self.in_ring = SpikeRing(config.d_max + 1 + extra_depth, batch, config.n_in, dtype)
        # recurrent source r[t] = z[t − 1]: pushed at the start of step t
        self.rec_ring = SpikeRing(config.d_max + 1 + extra_depth, batch, N, dtype) if config.recurrent else None
        self.state = LIFState(np.zeros((batch, N), dtype), np.zeros((batch, N), dtype))
        self.y = np.zeros((batch, config.n_out), dtype)
        self.t = 0

    def step(self, x_t) -> StepOutput:
        """Advance by one step with input ``x_t`` (B, M) of spike counts."""
        c, p = self.config, self.params
        x_t = np.asarray(x_t, dtype=c.np_dtype)
        if x_t.shape != (self.batch, c.n_in):
            raise ValueError(f"x_t must have shape (B, M) = ({self.batch}, {c.n_in}), got {x_t.shape}")
        self.in_ring.push(x_t)
        W_in = effective_input_weights(c, p)
        d = input_delays(c, p)
        if d is None:
            x_in = self.in_ring.read(0)
            current = x_in @ W_in.T
        elif d.ndim == 1:
            x_in = self.in_ring.gather_axonal(d)
            current = x_in @ W_in.T
        else:
            x_in = self.in_ring.gather(d)
            current = np.einsum("bjp,jp->bj", x_in, W_in)
        x_rec = None
        if c.recurrent:
            self.rec_ring.push(self.state.z)
            d_rec = recurrent_delays(c, p)
            if d_rec.ndim == 1:
                x_rec = self.rec_ring.gather_axonal(d_rec)
                current = current + x_rec @ p["W_rec"].T
            else:
                x_rec = self.rec_ring.gather(d_rec)
                current = current + np.einsum("bjk,jk->bj", x_rec, p["W_rec"])
        self.state = lif_step(current, self.state, c.alpha, c.threshold)
        self.y = c.kappa * self.y + self.state.z @ p["W_out"].T + p["b_out"]
        self.t += 1
        return StepOutput(self.state.v, self.state.z, self.y, softmax(self.y), x_in, x_rec)
