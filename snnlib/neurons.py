"""Leaky integrate-and-fire (LIF) and leaky-integrator (LI) steps, spikes and pseudo-derivatives.

MODEL.md §3 and §5 (factor 2). Every function is pure: arrays in, arrays out.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np


class LIFState(NamedTuple):
    """State of N hidden neurons for a batch of B samples.

    v: (B, N) membrane potential (units of the threshold); z: (B, N) spikes of the last step (0/1).
    """

    v: np.ndarray
    z: np.ndarray


def spike(v: np.ndarray, threshold: float) -> np.ndarray:
    """z = H(v − ϑ) with H(0) = 0: a neuron fires when its potential strictly exceeds ϑ."""
    return (v > threshold).astype(v.dtype)


def lif_step(current: np.ndarray, state: LIFState, alpha: float, threshold: float) -> LIFState:
    """One step of ``v[t] = α v[t−1] + I[t] − ϑ z[t−1]``, ``z[t] = H(v[t] − ϑ)`` (reset by subtraction).

    current: (B, N) input current I[t]; alpha: per-step decay α; threshold: ϑ.
    """
    v = alpha * state.v + current - threshold * state.z
    return LIFState(v, spike(v, threshold))


def li_step(y: np.ndarray, current: np.ndarray, kappa: float) -> np.ndarray:
    """Leaky-integrator readout ``y[t] = κ y[t−1] + I[t]`` (I includes the bias)."""
    return kappa * y + current


def pseudo_derivative(v: np.ndarray, threshold: float, gamma: float, kind: str = "triangle") -> np.ndarray:
    """ψ = dz/dv used in place of the Heaviside's derivative (MODEL.md §5, factor 2).

    ``triangle``:     ψ = (γ/ϑ) · max(0, 1 − |v − ϑ| / ϑ)   (the reference choice)
    ``fast_sigmoid``: ψ = (γ/ϑ) / (1 + 10 |v − ϑ| / ϑ)²     (SuperSpike's shape, an alternative)
    """
    distance = np.abs(v - threshold) / threshold
    if kind == "triangle":
        return (gamma / threshold) * np.maximum(0.0, 1.0 - distance)
    if kind == "fast_sigmoid":
        return (gamma / threshold) / (1.0 + 10.0 * distance) ** 2
    raise ValueError(f"unknown surrogate {kind!r}; expected 'triangle' or 'fast_sigmoid'")


def softmax(y: np.ndarray, axis: int = -1) -> np.ndarray:
    """Numerically stable softmax along ``axis``."""
    shifted = y - y.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)
