"""The explorers of part I of the course (notebooks 00–04): small simulations under sliders.

Each is a render function ``*_figure(**values) -> (Figure, readout)``, usable on its own, and an explorer built on
it with :mod:`snnlib.interactive` (sliders, a PNG figure and a readout line; one static figure without a widget
front end). CSS classes for finding the parts in a page: those of :mod:`snnlib.interactive` — ``snnlib-explorer``
and ``snnlib-<name>`` on each explorer, ``snnlib-slider`` and ``snnlib-control-<name>`` on every slider,
``snnlib-figure``, ``snnlib-readout`` — plus these, by kind of slider:

``snnlib-time-slider``, ``snnlib-delay-slider``, ``snnlib-tau-slider``, ``snnlib-sigma-slider``,
``snnlib-size-slider`` (the d_max slider also ``snnlib-dmax-slider``)

``widgets.LiveTrainingView`` (and ``live_train``), the live training view of notebooks 05 and 07, is
:mod:`snnlib.liveview`'s (imported on first use), which lists its own classes (``snnlib-live-view``,
``snnlib-stop-button``, ``snnlib-status``, …). ``Control``, ``Explorer`` and ``make_explorer`` are
:mod:`snnlib.interactive`'s.

Usage in a notebook (end the line with ``;`` so the returned object is not echoed)::

    from snnlib import widgets
    widgets.coincidence_explorer();
"""
from __future__ import annotations

import numpy as np

from snnlib import plots
from snnlib.interactive import Control, Explorer, make_explorer


# ----------------------------------------------------------------------------- notebook 01
def _spike_readout(z) -> str:
    fired = np.nonzero(np.asarray(z) > 0)[0]
    if fired.size == 0:
        return "no spike"
    if fired.size == 1:
        return f"spike at step {fired[0]}"
    return "spikes at steps " + ", ".join(str(s) for s in fired)


def coincidence_figure(t1: int = 20, t2: int = 30, delay1: int = 0, delay2: int = 0, tau_mem_ms: float = 10.0,
                       weight: float = 0.6, n_steps: int = 80):
    """One LIF neuron, two input spikes with delays: ``(Figure, "spike at step t" | "no spike")``.

    Times and delays in steps of 1 ms; ``tau_mem_ms`` in milliseconds.
    """
    from snnlib.course import coincidence_neuron

    v, z, x = coincidence_neuron([t1, t2], [delay1, delay2], weight=weight, tau_mem=tau_mem_ms * 1e-3, dt=1e-3,
                                 n_steps=n_steps)
    gap = abs((t1 + delay1) - (t2 + delay2))
    fig = plots.plot_coincidence(v, z, x, [delay1, delay2],
                                 title=f"arrivals {gap} step(s) apart, τ_mem = {tau_mem_ms:g} ms (1 step = 1 ms)")
    return fig, _spike_readout(z)


COINCIDENCE_CONTROLS = (
    Control("t1", "input 1 time [step]", 20, 0, 60, css=("snnlib-time-slider",)),
    Control("t2", "input 2 time [step]", 30, 0, 60, css=("snnlib-time-slider",)),
    Control("delay1", "delay 1 [step]", 0, 0, 19, css=("snnlib-delay-slider",)),
    Control("delay2", "delay 2 [step]", 0, 0, 19, css=("snnlib-delay-slider",)),
    Control("tau_mem_ms", "tau_mem [ms]", 10.0, 1.0, 40.0, step=1.0, integer=False, css=("snnlib-tau-slider",),
            readout_format=".0f"),
)


def coincidence_explorer(*, show: bool = True, live: bool | None = None, **values) -> Explorer:
    """Sliders for the two input times, their delays and τ_mem; the membrane trace and threshold are
    redrawn and the readout says ``spike at step t`` or ``no spike``. Keyword values set the start."""
    return make_explorer("coincidence", coincidence_figure, COINCIDENCE_CONTROLS, values, show, live)


def delay_bank_figure(difference: int = 6, max_delay: int = 20, t_a: int = 30):
    """A Jeffress-style bank of coincidence detectors facing inputs ``difference`` steps apart."""
    from snnlib.course import delay_bank

    delays, counts, v, z = delay_bank((t_a, t_a + difference), max_delay=max_delay, n_steps=t_a + 2 * max_delay + 10)
    compensated = delays[:, 0] - delays[:, 1]
    fig, axes = plots.new_figure(1, 2, figsize=(9.0, 3.2), gridspec_kw={"width_ratios": [1.4, 1]})
    plots.plot_delay_bank(compensated, counts, expected=difference, ax=axes[0])
    plots.plot_raster(z, ax=axes[1], color=plots.COLORS["spike"], channel_label="neuron j",
                      title="output spikes of the bank")
    firing = compensated[counts > 0]
    if firing.size:
        text = (f"neurons firing compensate {firing.min()} … {firing.max()} steps; "
                f"centre {0.5 * (firing.min() + firing.max()):g} (true difference {difference})")
    else:
        text = "no neuron fires"
    return fig, text


DELAY_BANK_CONTROLS = (
    Control("difference", "t_B - t_A [step]", 6, -20, 20, css=("snnlib-time-slider",)),
)


def delay_bank_explorer(*, show: bool = True, live: bool | None = None, **values) -> Explorer:
    """A slider for the time difference between two inputs; the bank's answer is redrawn."""
    return make_explorer("delay-bank", delay_bank_figure, DELAY_BANK_CONTROLS, values, show, live)


# ----------------------------------------------------------------------------- notebook 02
def delay_memory_figure(d_max: int = 25, n_in: int = 700, n_hidden: int = 128, n_out: int = 20, dt: float = 0.01):
    """Storage of a layer without delays, with axonal and with synaptic delays (MODEL.md §9)."""
    import snnlib
    from snnlib import metrics

    reports, counts = {}, {}
    for kind in ("none", "axonal", "synaptic"):
        config = snnlib.SNNConfig(n_in=n_in, n_hidden=n_hidden, n_out=n_out, delays=kind, d_max=d_max, dt=dt)
        reports[kind] = metrics.memory(config)
        counts[kind] = metrics.parameter_counts(config)
    latency = metrics.latency(config)["added_latency_s"]
    fig = plots.plot_memory(reports, title=f"M = {n_in} inputs, N = {n_hidden} hidden, d_max = {d_max} steps")
    bits = reports["synaptic"]["delay_bits"]
    text = (f"synaptic: {counts['synaptic']['delays']:,} delays × {bits} bit = "
            f"{reports['synaptic']['delays_bytes'] / 1e3:,.1f} kB; axonal: {counts['axonal']['delays']:,} delays = "
            f"{reports['axonal']['delays_bytes'] / 1e3:,.2f} kB; ring buffers {reports['synaptic']['buffer_bytes'] / 1e3:,.2f} kB; "
            f"added latency {latency * 1e3:.0f} ms")
    return fig, text


DELAY_MEMORY_CONTROLS = (
    Control("d_max", "d_max [step]", 25, 1, 100, css=("snnlib-delay-slider", "snnlib-dmax-slider")),
    Control("n_in", "inputs M", 700, 10, 1000, step=10, css=("snnlib-size-slider",)),
    Control("n_hidden", "hidden N", 128, 8, 512, step=8, css=("snnlib-size-slider",)),
)


def delay_memory_explorer(*, show: bool = True, live: bool | None = None, **values) -> Explorer:
    """Sliders for d_max and the layer sizes; memory and added latency are read out."""
    return make_explorer("delay-memory", delay_memory_figure, DELAY_MEMORY_CONTROLS, values, show, live)


# ----------------------------------------------------------------------------- notebook 03
_LANDSCAPES: dict = {}


def _landscape(sigma: float):
    from snnlib.course import DelayToy

    key = round(float(sigma), 6)
    if key not in _LANDSCAPES:
        toy = DelayToy()
        grid = np.linspace(0.0, toy.d_max, 4 * toy.d_max + 1)
        _LANDSCAPES[key] = (toy, grid, *toy.landscape(grid, sigma))
        while len(_LANDSCAPES) > 32:
            _LANDSCAPES.pop(next(iter(_LANDSCAPES)))
    return _LANDSCAPES[key]


def surrogate_figure(sigma: float = 1.0, delay: float = 12.0):
    """The Gaussian representation of input A's spike, its derivative, and the loss against the delay
    (true steps vs the surrogate's smooth picture) for the two-input toy of notebook 03."""
    from snnlib import surrogate
    from snnlib.surrogate import integer_delay

    toy, grid, loss, grad, integral = _landscape(sigma)
    fig, axes = plots.new_figure(3, 1, figsize=(7.5, 7.6), gridspec_kw={"height_ratios": [1.1, 1, 0.8]})
    train = np.zeros(toy.n_steps)
    train[toy.t_a] = 1.0
    tau = np.linspace(0, toy.n_steps - 1, 20 * toy.n_steps)
    smooth = surrogate.smoothed_train(train, tau - delay, sigma)
    derivative = surrogate.delay_kernel(tau - delay - toy.t_a, sigma)
    plots.plot_surrogate(tau, train, smooth, derivative, D=delay, sigma=sigma, ax=axes[0])
    steps = np.arange(toy.n_steps)
    sampled = surrogate.delayed_derivative(train, delay, sigma)
    axes[0].plot(steps, sampled, "o", ms=3.5, color=plots.COLORS["surrogate"], label="used at integer steps")
    axes[0].axvline(toy.t_b, color=plots.COLORS["signal"], lw=1.2, ls="--", label=f"input B at step {toy.t_b}")
    axes[0].legend(fontsize=7, frameon=False, loc="upper right")
    axes[0].set_xlim(0, toy.n_steps - 1)
    plots.plot_loss_landscape(grid, loss, integral, grad, D_now=delay, sigma=sigma, axes=axes[1:])
    # the readout is computed at the slider's D itself: the gradient is a saw-tooth within each
    # integer cell (steep for small σ), so interpolating the plotted grid would misreport it
    at_D, g_at_D, _ = toy.landscape([float(delay)], sigma)
    E, g = float(at_D[0]), float(g_at_D[0])
    direction = "increase D" if g < 0 else ("decrease D" if g > 0 else "no signal")
    text = (f"D = {delay:.2f} → integer delay {int(integer_delay(delay, toy.d_max))}; E = {E:.3f}; "
            f"surrogate dE/dD = {g:+.4f} ({direction})")
    return fig, text


SURROGATE_CONTROLS = (
    Control("sigma", "sigma [step]", 1.0, 0.1, 5.0, step=0.1, integer=False, css=("snnlib-sigma-slider",),
            readout_format=".1f"),
    Control("delay", "D [step]", 12.0, 0.0, 40.0, step=0.25, integer=False, css=("snnlib-delay-slider",),
            readout_format=".2f"),
)


def surrogate_explorer(*, show: bool = True, live: bool | None = None, **values) -> Explorer:
    """Sliders for σ and the delay D: kernel, derivative and loss landscape are redrawn."""
    return make_explorer("surrogate", surrogate_figure, SURROGATE_CONTROLS, values, show, live)


# ----------------------------------------------------------------------------- notebook 04
def trace_explorer(record: dict, *, show: bool = True, live: bool | None = None, t: int | None = None) -> Explorer:
    """A time slider over a recording of :func:`snnlib.course.record_synapse`."""
    T = len(record["v"])
    lag = int(record.get("lag", 0))

    def render(t: int):
        fig = plots.plot_traces({k: v for k, v in record.items() if isinstance(v, np.ndarray) and v.ndim == 1},
                                t_now=t, lag=lag, title=f"one synapse at step {t}: the delay quantities (_D) are "
                                                        f"known up to step {t - lag}")
        text = f"step {t}: dE/dW so far {record['grad_W'][t]:+.5f}"
        if "grad_D" in record:
            behind = t - lag
            value = record["grad_D"][behind] if behind >= 0 and np.isfinite(record["grad_D"][behind]) else 0.0
            text += f"; dE/dD so far {value:+.5f} (up to step {max(behind, -1)})"
        return fig, text

    control = Control("t", "time [step]", T - 1 if t is None else t, 0, T - 1, css=("snnlib-time-slider",))
    explorer = Explorer("traces", render, [control], live=live)
    return explorer.show() if show else explorer


# ----------------------------------------------------------------------------- notebooks 05 and 07
def __getattr__(name):
    """The live training view lives in :mod:`snnlib.liveview` (imported on first use)."""
    if name in ("LiveTrainingView", "live_train"):
        from snnlib import liveview

        return getattr(liveview, name)
    raise AttributeError(f"module 'snnlib.widgets' has no attribute {name!r}")
