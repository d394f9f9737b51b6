"""Meddis inner hair cell: the transmitter-reservoir model of Meddis (1986, 1988).

Each inner hair cell holds transmitter in a free pool ``q``; a fraction crosses the membrane into the synaptic
cleft ``c`` at a rate ``k(t)`` set by the stimulus; from the cleft it is lost (rate ``l``) or taken back into a
reprocessing store ``w`` (rate ``r``), which returns it to the free pool (rate ``x``); a factory tops the free pool
up towards ``M`` (rate ``y``)::

    k(t)  = g (s(t) + A) / (s(t) + A + B)   if s(t) + A > 0, else 0        (membrane permeability, 1/s)
    dq/dt = y (M − q) + x w − k q
    dc/dt = k q − l c − r c
    dw/dt = r c − x w

``s(t)`` is the basilar-membrane motion in hair-cell input units (A and B set that scale: the response starts to
saturate once s is a few times B). An auditory-nerve fibre attached to the cell fires at the rate ``h · c(t)``
(spikes/s) when it is not refractory. The parameters below are Meddis's published (1988) set, with which a fibre
fires about 65 spikes/s in silence and adapts after an onset.

Integration is explicit Euler at step ``dt``; it is only stable (and keeps every pool non-negative) when each
decay rate times ``dt`` is below 1, which :func:`check_stability` enforces.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from typing import NamedTuple

import numpy as np


@dataclass(frozen=True)
class MeddisParams:
    """Parameters of the Meddis hair cell (defaults: Meddis 1988).

    A: permeability offset, hair-cell input units. B: permeability saturation, input units.
    g: maximum permeability, 1/s. y: replenishment rate from the factory, 1/s. l: loss rate from the cleft, 1/s.
    r: reuptake rate from the cleft, 1/s. x: reprocessing rate back to the free pool, 1/s.
    M: capacity of the free pool, transmitter units. h: firing rate per unit of cleft transmitter, spikes/s.
    """

    A: float = 5.0
    B: float = 300.0
    g: float = 2000.0
    y: float = 5.05
    l: float = 2500.0  # noqa: E741 — the published symbol
    r: float = 6580.0
    x: float = 66.31
    M: float = 1.0
    h: float = 50000.0

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, (int, float)) and np.isfinite(value)):
                raise ValueError(f"MeddisParams.{f.name} must be a finite number, got {value!r}")
            if f.name != "A" and value <= 0:
                raise ValueError(f"MeddisParams.{f.name} must be > 0, got {value}")
        if self.A < 0:
            raise ValueError(f"MeddisParams.A must be >= 0, got {self.A}")


class MeddisState(NamedTuple):
    """Transmitter in the free pool ``q``, the cleft ``c`` and the reprocessing store ``w``: arrays of one shape."""

    q: np.ndarray
    c: np.ndarray
    w: np.ndarray


def permeability(s: np.ndarray, params: MeddisParams) -> np.ndarray:
    """k = g (s + A) / (s + A + B) where s + A > 0, else 0 — in 1/s, same shape as ``s`` (input units)."""
    sa = np.maximum(np.asarray(s) + params.A, 0.0)
    return params.g * sa / (sa + params.B)


def rest_state(params: MeddisParams, shape: tuple[int, ...] = (), dtype=np.float64) -> MeddisState:
    """The steady state in silence (s = 0): every derivative above is zero."""
    k = params.g * params.A / (params.A + params.B)
    c = params.M * params.y * k / (params.l * k + params.y * (params.l + params.r))
    q = c * (params.l + params.r) / k if k > 0 else params.M
    w = c * params.r / params.x
    return MeddisState(*(np.full(shape, v, dtype=dtype) for v in (q, c, w)))


def spontaneous_rate(params: MeddisParams) -> float:
    """Firing rate in silence, h · c_rest, in spikes/s."""
    return float(params.h * rest_state(params).c)


def check_stability(params: MeddisParams, dt: float) -> None:
    """Refuse an integration step at which explicit Euler is unstable.

    Euler multiplies each pool by (1 − rate · dt) per step; that factor must stay positive, so every decay rate
    must satisfy rate · dt < 1: y + g (the free pool, at the largest permeability g), l + r (the cleft) and x
    (the store). Raises ValueError naming the offending rate and the bound on dt.
    """
    if not dt > 0:
        raise ValueError(f"the hair-cell time step dt must be > 0 seconds, got {dt}")
    for name, rate in (("y + g", params.y + params.g), ("l + r", params.l + params.r), ("x", params.x)):
        if rate * dt >= 1.0:
            raise ValueError(
                f"unstable hair-cell integration: explicit Euler needs rate * dt < 1, but MeddisParams {name} = "
                f"{rate:g}/s with dt = {dt:.3g} s gives {rate * dt:.3g}; use dt < {1.0 / rate:.3g} s "
                f"(a model rate above {rate:.0f} Hz) or smaller rates")


def meddis_step(s: np.ndarray, state: MeddisState, params: MeddisParams, dt: float) -> MeddisState:
    """One explicit-Euler step of the equations above. s: stimulus at this step (input units); dt: seconds.

    Pure: returns the new state. Fibres fire at ``params.h * new_state.c`` spikes/s.
    """
    k = permeability(s, params)
    q, c, w = state
    return MeddisState(
        q + dt * (params.y * (params.M - q) + params.x * w - k * q),
        c + dt * (k * q - (params.l + params.r) * c),
        w + dt * (params.r * c - params.x * w),
    )


def haircell(s: np.ndarray, params: MeddisParams, dt: float, *, out: np.ndarray | None = None,
             state: MeddisState | None = None, chunk: int = 32) -> np.ndarray:
    """Cleft transmitter ``c`` over time for stimulus ``s`` (T, N) in input units: (T, N) float32, time-major.

    Identical to iterating :func:`meddis_step` from the rest state (or ``state``), but vectorised across the N
    columns and precomputing the permeability for ``chunk`` steps at a time (few enough to stay in cache); the
    loop over time does ten in-place array operations per step. ``out`` may be ``s`` itself (the stimulus is
    overwritten row by row once used). Multiply by ``params.h`` for the firing rate in spikes/s.
    """
    check_stability(params, dt)
    s = np.asarray(s)
    if s.ndim != 2:
        raise ValueError(f"haircell expects the stimulus as a (T, N) array, got shape {s.shape}")
    n_steps, width = s.shape
    if out is None:
        out = np.empty((n_steps, width), dtype=np.float32)
    f32 = np.float32
    if state is None:
        state = rest_state(params, (width,), np.float32)
    q = np.array(state.q, dtype=np.float32).reshape(width)
    w = np.array(state.w, dtype=np.float32).reshape(width)
    c_prev = np.array(state.c, dtype=np.float32).reshape(width)
    xdt, rdt, ydt_m = f32(params.x * dt), f32(params.r * dt), f32(params.y * params.M * dt)
    w_keep, c_keep = f32(1 - params.x * dt), f32(1 - (params.l + params.r) * dt)
    k_dt = np.empty((chunk, width), dtype=np.float32)  # k·dt
    q_keep = np.empty((chunk, width), dtype=np.float32)  # 1 − (y + k)·dt
    released = np.empty(width, dtype=np.float32)
    tmp = np.empty(width, dtype=np.float32)
    for start in range(0, n_steps, chunk):
        stop = min(start + chunk, n_steps)
        n = stop - start
        kd, qk = k_dt[:n], q_keep[:n]
        # k·dt = g·dt·(s + A)⁺ / ((s + A)⁺ + B), vectorised over the whole chunk
        np.add(s[start:stop], f32(params.A), out=kd)
        np.maximum(kd, f32(0.0), out=kd)
        np.add(kd, f32(params.B), out=qk)
        np.divide(kd, qk, out=kd)
        kd *= f32(params.g * dt)
        np.subtract(f32(1 - params.y * dt), kd, out=qk)
        rows = out[start:stop]
        for i in range(n):
            np.multiply(kd[i], q, out=released)           # k q dt          (uses the old q)
            np.multiply(w, xdt, out=tmp)                  # x w dt
            q *= qk[i]                                    # q (1 − y dt − k dt)
            q += tmp
            q += ydt_m                                    # + y M dt
            np.multiply(c_prev, rdt, out=tmp)             # r c dt          (uses the old c)
            w *= w_keep                                   # w (1 − x dt)
            w += tmp
            c_new = rows[i]
            np.multiply(c_prev, c_keep, out=c_new)        # c (1 − (l + r) dt)
            c_new += released
            c_prev = c_new
    return out
