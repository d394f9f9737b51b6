"""Interactive figures for the course, built on :mod:`snnlib.plots`, with a static fallback.

Every explorer is a render function ``(**values) -> (Figure, readout text)`` plus slider
specifications. With a widget front end (JupyterLab) it shows the sliders, the figure as a PNG in an
``ipywidgets.Image`` and a one-line readout; moving a slider re-renders (sliders use
``continuous_update=False``: the simulation runs once, when the slider is released). Without one
(``SNNLIB_STATIC=1``, plain Python; see :func:`snnlib.course.widget_frontend`) it shows one static
figure and the readout for the default values, so a headless run executes the same code.

No ipympl is needed. The figures are PNG bytes, so a browser test can compare the image before and
after moving a slider. CSS classes for finding the parts in a page (see docs/course.md):

``snnlib-explorer`` + ``snnlib-<name>``   the whole explorer (e.g. ``snnlib-coincidence``)
``snnlib-slider``                          every slider, plus one of ``snnlib-time-slider``,
                                           ``snnlib-delay-slider``, ``snnlib-tau-slider``,
                                           ``snnlib-sigma-slider``, ``snnlib-size-slider``
                                           (the d_max slider also ``snnlib-dmax-slider``)
                                           and one naming the control (``snnlib-control-<name>``)
``snnlib-figure``                          the image
``snnlib-readout``                         the readout line
``snnlib-live-view``, ``snnlib-stop-button``, ``snnlib-status``, …   the live training view
                                           (:mod:`snnlib.liveview`, which lists its classes)

Usage in a notebook (end the line with ``;`` so the returned object is not echoed)::

    from snnlib import widgets
    widgets.coincidence_explorer();
"""
from __future__ import annotations

import html
from dataclasses import dataclass
from functools import partial

import numpy as np

from snnlib import plots
from snnlib.course import widget_frontend


# ----------------------------------------------------------------------------- the generic explorer
@dataclass(frozen=True)
class Control:
    """A slider: ``name`` is the render function's argument; ``description`` the stable label shown
    (and used by browser tests); ``css`` extra CSS classes."""

    name: str
    description: str
    value: float
    min: float
    max: float
    step: float = 1
    integer: bool = True
    css: tuple[str, ...] = ()
    readout_format: str | None = None

    def check(self, value):
        if not (self.min <= value <= self.max):
            raise ValueError(f"{self.name} = {value!r} is outside the slider's range {self.min} … {self.max}")
        return int(value) if self.integer else float(value)

    def build(self):
        import ipywidgets as w

        kind = w.IntSlider if self.integer else w.FloatSlider
        options = dict(value=self.value, min=self.min, max=self.max, step=self.step, description=self.description,
                       continuous_update=False, style={"description_width": "150px"},
                       layout=w.Layout(width="480px"))
        if self.readout_format:
            options["readout_format"] = self.readout_format
        slider = kind(**options)
        for css in ("snnlib-slider", f"snnlib-control-{self.name}", *self.css):
            slider.add_class(css)
        return slider


class Explorer:
    """Sliders + a figure + a readout line, redrawn by ``render(**values) -> (Figure, str)``.

    Attributes: ``values`` (current control values), ``png`` (the last figure, PNG bytes),
    ``readout`` (the last readout text), ``renders`` (how many times it was drawn), ``live``
    (whether it uses widgets), ``widget`` (the ipywidgets container, None when static),
    ``sliders`` (name → slider, live only).
    """

    def __init__(self, name: str, render, controls, *, live: bool | None = None, dpi: int = 100):
        self.name = name
        self._render = render
        self.controls = {c.name: c for c in controls}
        self.values = {c.name: c.check(c.value) for c in controls}
        self.live = widget_frontend() if live is None else bool(live)
        self.dpi = dpi
        self.png = b""
        self.readout = ""
        self.renders = 0
        self.widget = None
        self.sliders: dict = {}
        self._holding = False
        if self.live:
            self._build()
        self.redraw()

    def _build(self) -> None:
        import ipywidgets as w

        self.sliders = {name: control.build() for name, control in self.controls.items()}
        for name, slider in self.sliders.items():
            slider.observe(partial(self._changed, name), names="value")
        self.image = w.Image(format="png", layout=w.Layout(max_width="100%"))
        self.image.add_class("snnlib-figure")
        self.label = w.HTML(layout=w.Layout(min_height="1.6em"))
        self.label.add_class("snnlib-readout")
        self.widget = w.VBox([*self.sliders.values(), self.label, self.image])
        self.widget.add_class("snnlib-explorer")
        self.widget.add_class(f"snnlib-{self.name}")

    def _changed(self, name, change) -> None:
        self.values[name] = change["new"]
        if not self._holding:
            self.redraw()

    def set(self, **values) -> "Explorer":
        """Change some controls (as if the sliders were moved) and redraw once."""
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"{self.name} has no control {unknown}; its controls are {sorted(self.controls)}")
        checked = {k: self.controls[k].check(v) for k, v in values.items()}
        self._holding = True
        try:
            for key, value in checked.items():
                self.values[key] = value
                if self.live:
                    self.sliders[key].value = value
        finally:
            self._holding = False
        self.redraw()
        return self

    def redraw(self) -> None:
        """Run the render function with the current values and show the result."""
        try:
            fig, text = self._render(**self.values)
            self.png = plots.figure_png(fig, dpi=self.dpi)
        except ValueError as exc:  # a combination the model refuses: say so instead of breaking the widget
            if not self.live:
                raise
            text = f"error: {exc}"
        self.readout = text
        self.renders += 1
        if self.live:
            self.image.value = self.png
            self.label.value = f"<b>{html.escape(text)}</b>"

    def show(self) -> "Explorer":
        """Display the widget (live) or the static figure and its readout."""
        from IPython.display import Image, display

        if self.live:
            display(self.widget)
        else:
            display(Image(data=self.png, format="png"))
            print(self.readout)
        return self

    def __repr__(self) -> str:
        values = ", ".join(f"{k}={v!r}" for k, v in self.values.items())
        return f"Explorer({self.name}: {values})"


def make_explorer(name, render, controls, values, show, live):
    """An :class:`Explorer` called ``name`` over ``controls``, with some start ``values`` changed (a value for no
    control is refused, naming the controls there are); shown at once unless ``show`` is False."""
    unknown = sorted(set(values) - {c.name for c in controls})
    if unknown:
        raise ValueError(f"{name} explorer has no control {unknown}; its controls are "
                         f"{sorted(c.name for c in controls)}")
    controls = [Control(**{**c.__dict__, "value": values.get(c.name, c.value)}) for c in controls]
    explorer = Explorer(name, render, controls, live=live)
    return explorer.show() if show else explorer


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
    """The live training view lives in :mod:`snnlib.liveview` (imported on first use: it runs the trainer)."""
    if name in ("LiveTrainingView", "live_train"):
        from snnlib import liveview

        return getattr(liveview, name)
    raise AttributeError(f"module 'snnlib.widgets' has no attribute {name!r}")
