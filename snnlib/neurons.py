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


def lif_sequence(current_in: np.ndarray, alpha: float, threshold: float, recurrent=None):
    """:func:`lif_step` over a whole sequence: ``(v, z)``, both (B, T, N), from the (B, T, N) input current.

    recurrent: None, or a function ``(t, z) -> (B, N)`` adding the current that the spikes computed
    so far (``z[:, :t]``) send back at step t (see :func:`snnlib.network.recurrent_current`).
    """
    B, T, N = current_in.shape
    v = np.empty_like(current_in)
    z = np.zeros_like(current_in)
    state = LIFState(np.zeros((B, N), current_in.dtype), np.zeros((B, N), current_in.dtype))
    for t in range(T):
        current = current_in[:, t] if recurrent is None else current_in[:, t] + recurrent(t, z)
        state = lif_step(current, state, alpha, threshold)
        v[:, t], z[:, t] = state
    return v, z


def leaky_filter(signal: np.ndarray, factor: float, reverse: bool = False) -> np.ndarray:
    """A first-order filter along time (axis 1) of a (B, T, …) signal.

    Forward:  ``y[t] = factor · y[t−1] + signal[t]`` (the leaky readout, :func:`li_step`, with κ);
    reverse:  ``y[t] = signal[t] + factor · y[t+1]`` (the credit that flows back in time: δy, ȳ and
    L̄ with κ, δv and λ with α). Zero initial state; returns an array like ``signal``.
    """
    out = np.empty_like(signal)
    acc = np.zeros_like(signal[:, 0])
    steps = range(signal.shape[1])
    for t in (reversed(steps) if reverse else steps):
        acc = factor * acc + signal[:, t]
        out[:, t] = acc
    return out


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
