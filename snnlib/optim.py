"""Optimisers that update a parameter dict in place, with separate rates for weights and delays.

After every update the delays are clipped to [0, d_max] (MODEL.md §8), and masked input weights
stay zero. Delays of kind ``fixed`` are never updated.
"""
from __future__ import annotations

import numpy as np

from snnlib.config import SNNConfig, input_mask, param_layout

#: The default learning rates, one per kind of parameter (weights; delays, in steps per update): the optimisers',
#: the trainer's (``TrainConfig``) and the command line's. Each dataset's own rates are in
#: ``snnlib.train.DATASET_DEFAULTS``.
LR_WEIGHTS = 5e-3
LR_DELAYS = 0.5


class _Optimizer:
    def __init__(self, config: SNNConfig, lr_weights: float = LR_WEIGHTS, lr_delays: float = LR_DELAYS):
        for name, value in (("lr_weights", lr_weights), ("lr_delays", lr_delays)):
            if not (np.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
        self.config, self.lr_weights, self.lr_delays = config, float(lr_weights), float(lr_delays)
        self.layout = param_layout(config)
        self.t = 0

    def rate(self, key: str) -> float:
        return self.lr_delays if self.layout[key].delay else self.lr_weights

    def trainable(self, params: dict):
        for key in params:
            if self.layout[key].trainable:
                yield key

    def step(self, params: dict, grads: dict) -> None:
        """Apply one update to ``params`` (arrays replaced in place in the dict)."""
        self.t += 1
        for key in self.trainable(params):
            params[key] = (params[key] - self.direction(key, grads[key])).astype(params[key].dtype)
        _constrain(self.config, self.layout, params)

    def direction(self, key: str, grad: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        return {"t": np.array(self.t)}

    def load_state_dict(self, state: dict) -> None:
        self.t = int(state["t"])


class SGD(_Optimizer):
    """Plain gradient descent: ``p ← p − lr · g``."""

    def direction(self, key, grad):
        return self.rate(key) * grad


class Adam(_Optimizer):
    """Adam (β1 = 0.9, β2 = 0.999, ε = 1e-8) with bias correction, per parameter array."""

    def __init__(self, config: SNNConfig, lr_weights: float = LR_WEIGHTS, lr_delays: float = LR_DELAYS,
                 beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        super().__init__(config, lr_weights, lr_delays)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}

    def direction(self, key, grad):
        m = self.m.get(key, 0.0) * self.beta1 + (1 - self.beta1) * grad
        v = self.v.get(key, 0.0) * self.beta2 + (1 - self.beta2) * grad * grad
        self.m[key], self.v[key] = m, v
        m_hat = m / (1 - self.beta1**self.t)
        v_hat = v / (1 - self.beta2**self.t)
        return self.rate(key) * m_hat / (np.sqrt(v_hat) + self.eps)

    def state_dict(self):
        state = super().state_dict()
        state.update({f"m/{k}": v for k, v in self.m.items()})
        state.update({f"v/{k}": v for k, v in self.v.items()})
        return state

    def load_state_dict(self, state):
        super().load_state_dict(state)
        self.m = {k[2:]: np.array(v) for k, v in state.items() if k.startswith("m/")}
        self.v = {k[2:]: np.array(v) for k, v in state.items() if k.startswith("v/")}


def _constrain(config: SNNConfig, layout: dict, params: dict) -> None:
    for key in params:
        if layout[key].delay:
            np.clip(params[key], 0.0, config.d_max, out=params[key])
    mask = input_mask(config)
    if mask is not None:
        params["W_in"] *= mask
