"""The delay-learning playground of notebook 03: the two-input toy learns its delay, with sliders.

:class:`snnlib.course.DelayToy` (input A at step ``t_a`` with a learnable delay D, input B at step
``t_b``, one hidden neuron) is trained on its delay alone, with Adam and fixed weights, as in
notebook 03 §7. :func:`learn_delay` runs it and says where D ends relative to the coincidence
window; :func:`delay_learning_figure` draws the trajectory of D and the loss over the updates;
:func:`delay_learning_explorer` puts it under sliders for σ, the delay range d_max, the start D₀,
the learning rate and the number of updates (a released slider re-runs the training and redraws:
about 0.4–1 s for 60 updates on one core, depending on the load).

d_max matters twice: the forward pass clips the integer delay to d_max (so a window beyond d_max
cannot be reached), and every update clips D to [0, d_max] (MODEL.md §8).

Usage in a notebook::

    from snnlib import playground
    playground.delay_learning_explorer();
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from snnlib import plots
from snnlib.course import DelayToy
from snnlib.interactive import Control, Explorer, make_explorer

#: the true loss of the toy when the hidden neuron does not fire (two classes, equal readouts)
NO_SPIKE_LOSS = math.log(2.0)


@lru_cache(maxsize=16)
def firing_window(t_a: int = 10, t_b: int = 30) -> tuple[float, float]:
    """``(lower, upper)``: the delays D of input A for which the toy's neuron fires, ``lower <= D < upper``.

    Found by simulation over the integer delays 0 … ``t_b - t_a + 40`` (with a delay range that long,
    so that the window does not depend on d_max); a delay D acts as its integer ⌊D + ½⌋.
    """
    toy = DelayToy(t_a=int(t_a), t_b=int(t_b), d_max=int(t_b - t_a + 40), n_steps=int(t_b + 70))
    firing = toy.firing_delays()
    if firing.size == 0 or np.any(np.diff(firing) != 1):
        raise ValueError(f"the toy with t_a = {t_a}, t_b = {t_b} has no single window of firing delays")
    return float(firing.min()) - 0.5, float(firing.max()) + 0.5


@dataclass(frozen=True)
class DelayRun:
    """One run of delay learning on the toy.

    ``path``: (n_updates + 1,) the delay D before each update and at the end [step];
    ``loss``: (n_updates + 1,) the true loss at each D of ``path``; ``window``: the firing window
    ``(lower, upper)`` [step] when nothing is clipped; ``d_max``, ``sigma``, ``d0``, ``lr``: the settings.
    """

    path: np.ndarray
    loss: np.ndarray
    window: tuple[float, float]
    d_max: int
    sigma: float
    d0: float
    lr: float

    @property
    def final(self) -> float:
        return float(self.path[-1])

    @property
    def fires(self) -> bool:
        """True when the hidden neuron fires at the end (true loss below ln 2)."""
        return bool(self.loss[-1] < NO_SPIKE_LOSS - 0.01)

    @property
    def clipped(self) -> bool:
        """True when D ends on the edge d_max of the delay range."""
        return self.final >= self.d_max - 1e-9

    @property
    def where(self) -> str:
        """``"inside"``, ``"below"`` or ``"above"`` the window."""
        lower, upper = self.window
        return "below" if self.final < lower else ("inside" if self.final < upper else "above")

    def summary(self) -> str:
        """One line: where D ends relative to the window, e.g. "D ends at 15.8, inside the window …"."""
        lower, upper = self.window
        text = f"D ends at {self.final:.1f}, {self.where} the window [{lower:g}, {upper:g})"
        if self.clipped:
            text += f", clipped at d_max = {self.d_max}"
            if self.d_max < lower:
                text += " (the window lies beyond the delay range)"
        state = "the neuron fires" if self.fires else "no output spike"
        return text + f"; {state}, loss {self.loss[-1]:.3f} after {len(self.path) - 1} updates"


def _check(name: str, value, low: float, high: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, not {value!r}") from None
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} = {value:g} is outside {low:g} … {high:g}; choose a value in that range")
    return value


def learn_delay(sigma: float = 1.0, d_max: int = 40, d0: float = 4.0, lr: float = 0.5, n_updates: int = 60,
                t_a: int = 10, t_b: int = 30) -> DelayRun:
    """Train input A's delay of the toy from ``d0`` for ``n_updates`` Adam steps (weights fixed).

    sigma: width of the Gaussian surrogate [step], 0.05 … 10; d_max: delay range [step], an integer
    1 … 200; d0: starting delay [step], 0 … d_max; lr: Adam's learning rate for the delay [step per
    update], 0 < lr ≤ 10. Bad values raise ``ValueError``. The loop is
    :meth:`snnlib.course.DelayToy.train_delay`'s, recording the loss at every update.
    """
    import snnlib

    sigma = _check("σ (sigma)", sigma, 0.05, 10.0)
    d_max_value = _check("d_max", d_max, 1, 200)
    if d_max_value != int(d_max_value):
        raise ValueError(f"d_max = {d_max_value:g} must be a whole number of steps")
    d_max = int(d_max_value)
    d0 = _check("D₀ (d0)", d0, 0.0, 1e9)
    if d0 > d_max:
        raise ValueError(f"D₀ = {d0:g} lies beyond d_max = {d_max}: choose a start D₀ ≤ d_max")
    lr = _check("learning rate (lr)", lr, 0.0, 10.0)
    if lr == 0.0:
        raise ValueError("learning rate (lr) = 0 does not learn; choose a value above 0")
    if int(n_updates) != n_updates or not 1 <= n_updates <= 10_000:
        raise ValueError(f"n_updates = {n_updates!r} must be a whole number in 1 … 10000")

    window = firing_window(t_a, t_b)
    toy = DelayToy(t_a=int(t_a), t_b=int(t_b), d_max=d_max)
    config, params, x, labels = toy.network(sigma)
    params["D_in"] = np.array([[d0, 0.0]])
    optimizer = snnlib.Adam(config, lr_weights=0.0, lr_delays=lr)
    path, loss = [d0], []
    for _ in range(int(n_updates)):
        value, grads = snnlib.online_gradients(config, params, x, labels, engine="fast")
        loss.append(float(value))
        optimizer.step(params, {key: g if key == "D_in" else np.zeros_like(g) for key, g in grads.items()})
        path.append(float(params["D_in"][0, 0]))
    loss.append(float(snnlib.evaluate(config, params, x, labels)[0]))
    return DelayRun(np.array(path), np.array(loss), window, d_max, sigma, d0, lr)


def delay_learning_figure(sigma: float = 1.0, d_max: int = 40, d0: float = 4.0, lr: float = 0.5,
                          n_updates: int = 60, run: DelayRun | None = None):
    """The trajectory of D over the updates (the firing window as a band, d_max as a limit) and the loss.

    Returns a ``matplotlib.figure.Figure``; its ``run`` attribute holds the :class:`DelayRun` drawn.
    Pass ``run`` to draw a run computed before (the other arguments are then ignored).
    """
    if run is None:
        run = learn_delay(sigma, d_max, d0, lr, n_updates)
    lower, upper = run.window
    updates = np.arange(len(run.path))
    top = max(run.d_max, upper) + 2
    fig, axes = plots.new_figure(2, 1, figsize=(7.5, 5.2), sharex=True, gridspec_kw={"height_ratios": [1.4, 1]})
    ax = axes[0]
    ax.axhspan(lower, upper, color=plots.COLORS["signal"], alpha=0.18,
               label=f"firing window [{lower:g}, {upper:g})")
    ax.axhspan(run.d_max, top, color="#bbbbbb", alpha=0.5, hatch="//", lw=0,
               label=f"beyond d_max = {run.d_max} (unreachable)")
    ax.plot(updates, run.path, "-", color=plots.COLORS["delay"], lw=2, label="D")
    ax.plot(updates[[0, -1]], run.path[[0, -1]], "o", color=plots.COLORS["delay"], ms=5)
    ax.set_ylim(-0.5, top)
    ax.set_ylabel("delay D [step]")
    ax.set_title(f"σ = {run.sigma:g}, d_max = {run.d_max}, D₀ = {run.d0:g}, learning rate {run.lr:g} (Adam)",
                 fontsize=10)
    ax.legend(fontsize=8, frameon=False, loc="best")
    ax = axes[1]
    ax.plot(updates, run.loss, "-", color=plots.COLORS["true"], lw=1.8, label="true loss E")
    ax.axhline(NO_SPIKE_LOSS, color=plots.COLORS["threshold"], ls="--", lw=1, label="ln 2: no output spike")
    ax.set_ylim(0, max(0.8, float(np.max(run.loss)) + 0.05))
    ax.set_xlabel("update")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8, frameon=False, loc="lower left")
    fig.run = run
    return fig


def _render(sigma: float, d_max: int, d0: float, lr: float, n_updates: int):
    fig = delay_learning_figure(sigma=sigma, d_max=d_max, d0=d0, lr=lr, n_updates=n_updates)
    return fig, fig.run.summary()


PLAYGROUND_CONTROLS = (
    Control("sigma", "σ (sigma) [step]", 1.0, 0.1, 5.0, step=0.1, integer=False, css=("snnlib-sigma-slider",),
            readout_format=".1f"),
    Control("d_max", "d_max [step]", 40, 5, 60, css=("snnlib-dmax-slider", "snnlib-size-slider")),
    Control("d0", "D₀ start [step]", 4.0, 0.0, 60.0, step=0.5, integer=False, css=("snnlib-delay-slider",),
            readout_format=".1f"),
    Control("lr", "learning rate", 0.5, 0.05, 3.0, step=0.05, integer=False, readout_format=".2f"),
    Control("n_updates", "updates", 60, 10, 300, step=10),
)


def delay_learning_explorer(*, show: bool = True, live: bool | None = None, **values) -> Explorer:
    """Sliders for σ, d_max, the start D₀, the learning rate and the number of updates; releasing one
    re-runs the training.

    Static (``SNNLIB_STATIC=1`` or no widget front end): one figure for the defaults (or ``values``).
    """
    return make_explorer("delay-learning", _render, PLAYGROUND_CONTROLS, values, show, live)
