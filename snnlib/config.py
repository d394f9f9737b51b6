"""Network configuration: :class:`SNNConfig` and its validation.

Every bad value is refused here, once, with a message that names the field, the value
and what is expected. Times are in **seconds**; ``sigma`` and ``d_max`` are in **steps**
of width ``dt`` (MODEL.md §1–2).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from snnlib._checks import check_choice
from snnlib._options import option

DELAY_KINDS = ("none", "fixed", "synaptic", "axonal")
REC_DELAY_KINDS = ("none", "synaptic", "axonal")
FEEDBACK_KINDS = ("symmetric", "random")
DECAY_KINDS = ("exact", "euler")
SURROGATE_KINDS = ("triangle", "fast_sigmoid")
KERNEL_KINDS = ("centered", "causal")
DTYPES = ("float32", "float64")
#: Smallest accepted ``sigma`` (steps). The delay kernel is evaluated at offsets down to half a step from its
#: centre; at σ = 0.05 its value there, exp(−1 / (8 σ²)) = exp(−50) ≈ 2·10⁻²², is still a normal float32
#: (the limit is σ ≈ 0.038, where exp(−1 / (8 σ²)) reaches float32's smallest normal 1.2·10⁻³⁸). Below it the
#: kernel underflows to zero, σ² itself underflows for σ < 1e-154, and the delay gradient becomes 0/0.
SIGMA_MIN = 0.05


@dataclass(frozen=True)
class SNNConfig:
    """Everything that defines a network and its learning rule (not the optimiser).

    Sizes
        n_in: M input channels; n_hidden: N LIF neurons; n_out: K classes.
    Delays (MODEL.md §2)
        delays: input→hidden delays, one of ``none | fixed | synaptic | axonal``.
        recurrent: add hidden→hidden weights ``W_rec`` (one-step transmission).
        rec_delays: recurrent delays, ``none | synaptic | axonal`` (needs ``recurrent``).
        d_max: largest integer delay, in steps (default 25 = 250 ms at 10 ms bins).
        sigma: width of the Gaussian spike representation, in steps (MODEL.md §6), at least
            :data:`SIGMA_MIN` = 0.05.
        kernel: ``centered`` (the exact rule, needs a lag of ``ceil(3 sigma)`` steps online)
            or ``causal`` (an option, not the reference: only the half of the kernel that
            lies in the past, so no lag; clearly an approximation).
    Neurons (MODEL.md §3)
        tau_mem, tau_out: membrane and readout time constants, seconds.
        dt: step width, seconds. threshold: firing threshold ϑ (dimensionless).
        decay: ``exact`` (α = exp(−dt/τ)) or ``euler`` (α = 1 − dt/τ, for comparison only).
    Learning rule (MODEL.md §4–5)
        gamma: height of the pseudo-derivative ψ; surrogate: its shape.
        feedback: ``symmetric`` (B = W_out) or ``random`` (fixed random B).
        loss_start: first step of the loss window 𝒲 (𝒲 = steps loss_start … T−1).
    Other
        sparsity: fraction of input connections removed by a fixed mask (0 = dense).
        weight_scale: initial input weights are drawn with std weight_scale / sqrt(M · density).
        seed: seeds the parameters, the mask and the random feedback.
        dtype: ``float32`` (speed) or ``float64`` (exactness); a NumPy dtype is accepted and stored as its name.

    The fields declared with :func:`~snnlib._options.option` are also options of ``python -m snnlib train``
    (``n_hidden`` as ``--hidden``, default 64); their help texts and choices are in the field metadata.
    """

    n_in: int
    n_hidden: int = option(name="hidden", help="hidden LIF neurons N", option_default=64)
    n_out: int
    delays: str = option("synaptic", choices=DELAY_KINDS,
                         help="input delays: none (weights only), fixed random, learned synaptic (one per connection) "
                              "or axonal (one per input)")
    recurrent: bool = option(False, help="add recurrent hidden-to-hidden weights")
    rec_delays: str = option("none", choices=REC_DELAY_KINDS,
                             help="delays of the recurrent connections (needs --recurrent)")
    d_max: int = option(25, help="largest delay, steps")
    sigma: float = option(1.0, help="width of the Gaussian spike representation, steps")
    kernel: str = "centered"
    tau_mem: float = option(0.02, help="membrane time constant, seconds")
    tau_out: float = option(0.02, help="readout time constant, seconds")
    dt: float = option(0.01)  # the option --dt, described with DataConfig.dt (the data is binned at the same step)
    threshold: float = 1.0
    decay: str = "exact"
    gamma: float = 0.3
    surrogate: str = "triangle"
    feedback: str = option("symmetric", choices=FEEDBACK_KINDS, help="feedback weights of the learning signal")
    loss_start: int = 0
    sparsity: float = option(0.0, help="fraction of input connections removed by a fixed mask (e.g. 0.8)")
    weight_scale: float = 3.0
    seed: int = option(0, help="seed of the parameters and of the data order")
    dtype: str = option("float32", choices=DTYPES, help="floating-point precision")

    def __post_init__(self) -> None:
        # a NumPy dtype or scalar type (np.float32, np.dtype("float64")) is stored as its name
        if self.dtype is not None and not isinstance(self.dtype, str):
            try:
                object.__setattr__(self, "dtype", np.dtype(self.dtype).name)
            except (TypeError, ValueError):
                pass  # refused below with the value as given
        _validate(self)

    # -- derived quantities (MODEL.md §3) -------------------------------------------
    @property
    def alpha(self) -> float:
        """Membrane decay per step, α."""
        return decay_factor(self.tau_mem, self.dt, self.decay)

    @property
    def kappa(self) -> float:
        """Readout decay per step, κ."""
        return decay_factor(self.tau_out, self.dt, self.decay)

    @property
    def w(self) -> int:
        """Half-width of the truncated Gaussian, ``ceil(3 sigma)`` steps (MODEL.md §6; :func:`half_width`)."""
        return half_width(self.sigma)

    @property
    def lag(self) -> int:
        """Steps by which an online learner's delay traces run behind the forward pass."""
        return self.w if self.kernel == "centered" else 0

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    @property
    def learns_delays(self) -> bool:
        return self.delays in ("synaptic", "axonal")

    def replace(self, **changes) -> "SNNConfig":
        """A copy with some fields changed (validated again)."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def half_width(sigma: float) -> int:
    """Half-width w of the Gaussian surrogate truncated at ``|u| <= w``: ``w = ceil(3 sigma)`` steps (MODEL.md §6).
    The one definition; :attr:`SNNConfig.w` and :func:`snnlib.surrogate.support` use it."""
    return int(math.ceil(3.0 * sigma))


def decay_factor(tau: float, dt: float, decay: str = "exact") -> float:
    """Per-step decay of a leaky integrator with time constant ``tau`` (s) at step ``dt`` (s)."""
    if decay == "exact":
        return math.exp(-dt / tau)
    return 1.0 - dt / tau


def _validate(c: SNNConfig) -> None:
    def need(ok: bool, message: str) -> None:
        if not ok:
            raise ValueError(message)

    for name in ("n_in", "n_hidden", "n_out"):
        value = getattr(c, name)
        need(isinstance(value, (int, np.integer)) and not isinstance(value, bool) and value >= 1,
             f"{name} must be a positive integer, got {value!r}")
    need(c.n_out >= 2, f"n_out must be at least 2 classes, got {c.n_out}")
    check_choice("delays", c.delays, DELAY_KINDS)
    check_choice("rec_delays", c.rec_delays, REC_DELAY_KINDS)
    check_choice("feedback", c.feedback, FEEDBACK_KINDS)
    check_choice("decay", c.decay, DECAY_KINDS)
    check_choice("surrogate", c.surrogate, SURROGATE_KINDS)
    check_choice("kernel", c.kernel, KERNEL_KINDS)
    check_choice("dtype", c.dtype, DTYPES)
    need(isinstance(c.recurrent, (bool, np.bool_)), f"recurrent must be True or False, got {c.recurrent!r}")
    need(c.recurrent or c.rec_delays == "none",
         f"rec_delays={c.rec_delays!r} needs recurrent=True (a feedforward network has no recurrent delays)")
    need(isinstance(c.d_max, (int, np.integer)) and not isinstance(c.d_max, bool) and c.d_max >= 0,
         f"d_max must be an integer number of steps >= 0, got {c.d_max!r}")
    for name in ("sigma", "tau_mem", "tau_out", "dt", "threshold", "gamma", "weight_scale"):
        value = getattr(c, name)
        need(isinstance(value, (int, float, np.floating, np.integer)) and not isinstance(value, bool)
             and math.isfinite(value) and value > 0,
             f"{name} must be a finite number > 0, got {value!r}")
    need(c.sigma >= SIGMA_MIN,
         f"sigma must be at least {SIGMA_MIN} steps (below it the Gaussian delay kernel underflows to zero), "
         f"got {c.sigma!r}; use sigma >= {SIGMA_MIN}")
    if c.decay == "euler":
        for name in ("tau_mem", "tau_out"):
            need(getattr(c, name) > c.dt,
                 f"Euler decay needs {name} > dt (else α = 1 − dt/τ ≤ 0); got {name}={getattr(c, name)}, "
                 f"dt={c.dt}")
    need(isinstance(c.loss_start, (int, np.integer)) and c.loss_start >= 0,
         f"loss_start must be an integer step >= 0, got {c.loss_start!r}")
    need(isinstance(c.sparsity, (int, float, np.floating)) and 0.0 <= c.sparsity < 1.0,
         f"sparsity must be a fraction in [0, 1), got {c.sparsity!r}")
    need(isinstance(c.seed, (int, np.integer)) and not isinstance(c.seed, bool) and c.seed >= 0,
         f"seed must be an integer >= 0, got {c.seed!r}")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter array of a configuration: its shape, whether it is a delay (in steps, kept in
    [0, d_max]) and whether training changes it (fixed delays are drawn once and kept)."""

    shape: tuple[int, ...]
    delay: bool = False
    trainable: bool = True


def param_layout(config: SNNConfig) -> dict[str, ParamSpec]:
    """The parameter arrays of ``config``, in order (MODEL.md §2–3): the one description that
    initialisation, checks, counts and the optimisers read.

    ``W_in (N, M)``; ``D_in`` (N, M) for synaptic and fixed delays, (M,) for axonal, absent for
    ``delays="none"``; ``W_rec (N, N)`` and ``D_rec`` (N, N) or (N,) when recurrent; ``W_out (K, N)``;
    ``b_out (K,)``. The sparsity mask (:func:`input_mask`) applies to ``W_in`` and a per-connection ``D_in``.
    """
    N, M, K = config.n_hidden, config.n_in, config.n_out
    layout = {"W_in": ParamSpec((N, M))}
    if config.delays in ("synaptic", "fixed"):
        layout["D_in"] = ParamSpec((N, M), delay=True, trainable=config.delays == "synaptic")
    elif config.delays == "axonal":
        layout["D_in"] = ParamSpec((M,), delay=True)
    if config.recurrent:
        layout["W_rec"] = ParamSpec((N, N))
        if config.rec_delays == "synaptic":
            layout["D_rec"] = ParamSpec((N, N), delay=True)
        elif config.rec_delays == "axonal":
            layout["D_rec"] = ParamSpec((N,), delay=True)
    layout["W_out"] = ParamSpec((K, N))
    layout["b_out"] = ParamSpec((K,))
    return layout


def input_mask(config: SNNConfig) -> np.ndarray | None:
    """The fixed binary sparsity mask of ``W_in`` (N, M), or ``None`` for a dense layer.

    Drawn from ``config.seed``, so the same configuration always yields the same mask.
    Exactly ``round(sparsity · N · M)`` connections are removed. Read-only.
    """
    if config.sparsity == 0:
        return None
    return _mask(config.n_hidden, config.n_in, float(config.sparsity), int(config.seed))


@lru_cache(maxsize=16)
def _mask(n: int, m: int, sparsity: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng([seed, 0x5EED_0A5C])
    n_off = int(round(sparsity * n * m))
    flat = np.ones(n * m, dtype=bool)
    flat[rng.permutation(n * m)[:n_off]] = False
    mask = flat.reshape(n, m)
    mask.setflags(write=False)
    return mask
