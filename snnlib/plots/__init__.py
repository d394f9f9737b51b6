"""Figures of the course and the README: every function returns a :class:`matplotlib.figure.Figure`.

Each function draws results it is given (arrays, dicts of numbers); none runs a simulation. Pass
``ax=`` (or ``axes=`` for a multi-panel figure) to draw into an existing figure; otherwise a new
figure is made with :class:`matplotlib.figure.Figure` directly, not through ``pyplot``, so figures
are never kept in a global registry (sliders can redraw thousands of times) and can be drawn from a
background thread. In a notebook, run ``%matplotlib inline`` once so returned figures are shown.

Units: time axes are in steps unless ``dt`` (seconds) is given, then in milliseconds; delays are
in steps; potentials are in units of the threshold.

This package holds every figure of the library; nothing in it selects a Matplotlib backend or touches
``pyplot``. It imports only NumPy, Matplotlib and the model layer (never the trainer or the data layer):

- ``snnlib.plots`` (this module): the course's building blocks (rasters, membranes, delays, surrogate,
  traces, memory, learning curves);
- :mod:`snnlib.plots.live`: the live training view's figure (:func:`~snnlib.plots.live.delay_view_figure`);
- :mod:`snnlib.plots.audio`: the ear model's stages (notebook 10);
- :mod:`snnlib.plots.gallery`: results — the README gallery and part II of the course (also importable as
  ``snnlib.gallery``).

The submodules load on first use: ``plots.live``, ``plots.audio``, ``plots.gallery`` after
``from snnlib import plots``.
"""
from __future__ import annotations

import importlib
import io

import numpy as np
from matplotlib.figure import Figure

#: Colours used across the course, so that a quantity keeps its colour from notebook to notebook.
COLORS = {
    "input": "#4c72b0",
    "delayed": "#dd8452",
    "membrane": "#333333",
    "threshold": "#c44e52",
    "spike": "#c44e52",
    "weight": "#4c72b0",
    "delay": "#dd8452",
    "signal": "#55a868",
    "psi": "#8172b3",
    "surrogate": "#dd8452",
    "true": "#333333",
}
_CYCLE = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860", "#da8bc3", "#8c8c8c")


def new_figure(nrows: int = 1, ncols: int = 1, *, figsize=(7.0, 3.2), **subplot_kw):
    """A constrained-layout Figure and its axes (an array when ``nrows * ncols > 1``)."""
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def figure_png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure rendered as PNG bytes (for ``ipywidgets.Image`` or a file)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    return buffer.getvalue()


def _axes(ax, figsize=(7.0, 3.2)):
    if ax is None:
        return new_figure(figsize=figsize)
    return ax.figure, ax


def _time(n_steps: int, dt: float | None):
    """(time values, axis label) for steps 0 … n_steps-1."""
    steps = np.arange(n_steps)
    if dt is None:
        return steps, "time [step]"
    return steps * dt * 1e3, "time [ms]"


# ----------------------------------------------------------------------------- spikes and membranes
def plot_raster(spikes, *, dt: float | None = None, ax=None, title: str | None = None, color=None,
                marker: str = "|", size: float = 80.0, label: str | None = None, channel_label: str = "channel"):
    """Raster of ``spikes`` (T, P): a mark at (t, p) wherever ``spikes[t, p] > 0``."""
    spikes = np.asarray(spikes)
    if spikes.ndim != 2:
        raise ValueError(f"spikes must have shape (T, P), got {spikes.shape}")
    fig, ax = _axes(ax)
    t, p = np.nonzero(spikes > 0)
    times, xlabel = _time(spikes.shape[0], dt)
    ax.scatter(times[t], p, marker=marker, s=size, color=color or COLORS["input"], label=label, linewidths=1.5)
    ax.set_xlim(times[0] - 0.5 * (times[1] - times[0] if len(times) > 1 else 1), times[-1] + 0.5)
    ax.set_ylim(-0.7, spikes.shape[1] - 0.3)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(channel_label)
    if spikes.shape[1] <= 12:
        ax.set_yticks(range(spikes.shape[1]))
    else:
        from matplotlib.ticker import MaxNLocator

        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if title:
        ax.set_title(title)
    return fig


def plot_membrane(v, *, threshold: float = 1.0, spikes=None, dt: float | None = None, ax=None,
                  title: str | None = None, label: str | None = None, color=None, show_threshold: bool = True):
    """Membrane potential ``v`` (T,) with the threshold ϑ and the output spikes (T,) marked."""
    v = np.asarray(v, dtype=float)
    fig, ax = _axes(ax)
    times, xlabel = _time(v.shape[0], dt)
    ax.plot(times, v, color=color or COLORS["membrane"], lw=1.6, label=label, drawstyle="default")
    if show_threshold:
        ax.axhline(threshold, color=COLORS["threshold"], ls="--", lw=1.2, label="threshold ϑ")
    top = max(1.15 * threshold, float(v.max(initial=0)) + 0.08)
    if spikes is not None:
        fired = np.nonzero(np.asarray(spikes) > 0)[0]
        if fired.size:
            ax.scatter(times[fired], np.full(fired.size, top), marker="v", s=70,
                       color=COLORS["spike"], zorder=5, label="output spike")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("membrane potential v [ϑ]")
    ax.set_ylim(min(-0.05, float(v.min(initial=0)) - 0.05), top + 0.12 * threshold)
    if title:
        ax.set_title(title)
    return fig


def plot_coincidence(v, z, x, delays, *, threshold: float = 1.0, dt: float | None = None, axes=None,
                     title: str | None = None):
    """Two panels: input spikes (hollow) and where their delays move them (filled), then the membrane.

    v, z: (T,) potential and spikes of the neuron; x: (T, M) input spikes; delays: (M,) integer steps.
    """
    x = np.asarray(x)
    delays = np.asarray(delays, dtype=int)
    if axes is None:
        fig, axes = new_figure(2, 1, figsize=(7.5, 4.6), sharex=True, gridspec_kw={"height_ratios": [1, 2.2]})
    fig = axes[0].figure
    top, bottom = axes
    times, _ = _time(x.shape[0], dt)
    T, M = x.shape
    scale = 1.0 if dt is None else dt * 1e3
    for i in range(M):
        sent = np.nonzero(x[:, i] > 0)[0]
        color = _CYCLE[i % len(_CYCLE)]
        top.scatter(times[sent], np.full(sent.size, i), s=90, facecolors="none", edgecolors=color, lw=1.5,
                    label="sent" if i == 0 else None)
        arrive = sent + delays[i]
        arrive = arrive[arrive < T]
        top.scatter(arrive * scale, np.full(arrive.size, i), s=90, color=color, label="arrives" if i == 0 else None)
        for s in sent:
            if s + delays[i] < T and delays[i] > 0:
                top.annotate("", xy=((s + delays[i]) * scale, i), xytext=(s * scale, i),
                             arrowprops=dict(arrowstyle="->", color=color, lw=1.2))
    top.set_yticks(range(M))
    top.set_yticklabels([f"input {i + 1}" for i in range(M)])
    top.set_ylim(-0.6, M - 0.4)
    top.legend(loc="upper right", fontsize=8, ncol=2, frameon=False)
    top.set_title(title or "inputs and their delays")
    plot_membrane(v, threshold=threshold, spikes=z, dt=dt, ax=bottom)
    bottom.legend(loc="upper left", fontsize=8, frameon=False)
    return fig


def plot_delay_bank(delay_difference, counts, *, expected=None, ax=None, title: str | None = None):
    """Spike count of each neuron of a delay bank against the delay difference it compensates.

    delay_difference: (J,) steps (delay on A minus delay on B); counts: (J,) spikes per neuron;
    expected: the input time difference t_B − t_A that the bank should find, drawn as a line.
    """
    fig, ax = _axes(ax, figsize=(7.0, 3.0))
    delay_difference = np.asarray(delay_difference)
    counts = np.asarray(counts)
    colors = [COLORS["spike"] if c > 0 else "#bbbbbb" for c in counts]
    ax.bar(delay_difference, np.maximum(counts, 0.04), width=1.6, color=colors)
    if expected is not None:
        ax.axvline(expected, color=COLORS["signal"], ls="--", lw=1.5, label=f"t_B − t_A = {expected:g} steps")
        ax.legend(loc="upper right", fontsize=8, frameon=False)
    ax.set_xlabel("delay on A − delay on B  [step]")
    ax.set_ylabel("output spikes")
    ax.set_title(title or "a bank of coincidence detectors")
    return fig


# ----------------------------------------------------------------------------- delays and memory
def plot_delay_matrix(D, *, d_max: float | None = None, ax=None, title: str | None = None, colorbar: bool = True):
    """Heat map of delays: (N, M) synaptic (one per connection) or (M,) axonal (one per input)."""
    D = np.asarray(D, dtype=float)
    fig, ax = _axes(ax, figsize=(5.0, 3.4))
    image = D[None, :] if D.ndim == 1 else D
    mesh = ax.imshow(image, aspect="auto", cmap="viridis", vmin=0, vmax=d_max if d_max is not None else None,
                     interpolation="nearest")
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("input channel i")
    ax.set_ylabel("hidden neuron j" if D.ndim == 2 else "")
    if D.ndim == 1:
        ax.set_yticks([])
    if colorbar:
        fig.colorbar(mesh, ax=ax, label="delay [step]")
    ax.set_title(title or ("synaptic delays D[j, i]" if D.ndim == 2 else "axonal delays D[i]"))
    return fig


def plot_delay_histogram(D, *, d_max: int, ax=None, title: str | None = None, color=None, label=None):
    """Histogram of delay values, one bin per integer step 0 … d_max."""
    fig, ax = _axes(ax, figsize=(5.0, 3.0))
    bins = np.arange(-0.5, d_max + 1.0, 1.0)
    ax.hist(np.ravel(D), bins=bins, color=color or COLORS["delay"], alpha=0.85, label=label)
    ax.set_xlabel("delay [step]")
    ax.set_ylabel("connections")
    ax.set_xlim(-0.5, d_max + 0.5)
    ax.set_title(title or "delay histogram")
    return fig


def plot_memory(reports: dict, *, ax=None, title: str | None = None, weight_bits: int = 8):
    """Stacked bars of storage per network variant: weights, delays and delay buffers, in kB.

    reports: {label: the dict of :func:`snnlib.metrics.memory`}.
    """
    fig, ax = _axes(ax, figsize=(6.0, 3.2))
    labels = list(reports)
    weights = np.array([reports[k]["weights_bytes"][weight_bits] for k in labels]) / 1e3
    delays = np.array([reports[k]["delays_bytes"] for k in labels]) / 1e3
    buffers = np.array([reports[k]["buffer_bytes"] for k in labels]) / 1e3
    position = np.arange(len(labels))
    ax.bar(position, weights, color=COLORS["weight"], label=f"weights ({weight_bits} bit)")
    ax.bar(position, delays, bottom=weights, color=COLORS["delay"], label="delays")
    ax.bar(position, buffers, bottom=weights + delays, color=COLORS["signal"], label="ring buffers")
    for p, total in zip(position, weights + delays + buffers):
        ax.text(p, total, f"{total:,.1f} kB", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(position)
    ax.set_xticklabels(labels)
    ax.set_ylabel("memory [kB]")
    ax.set_ylim(0, float((weights + delays + buffers).max(initial=0)) * 1.18 + 1e-9)
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title(title or "what a streaming implementation stores")
    return fig


def plot_ring(buffer, head: int, *, ax=None, title: str | None = None):
    """Contents of a ring buffer (depth, P) for one sample, with the newest slot framed."""
    buffer = np.asarray(buffer)
    fig, ax = _axes(ax, figsize=(4.5, 3.0))
    ax.imshow(buffer.T, aspect="auto", cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
    ax.add_patch(_rectangle(head - 0.5, -0.5, 1.0, buffer.shape[1], COLORS["threshold"]))
    ax.set_xlabel("slot (the head moves right, wrapping around)")
    ax.set_ylabel("channel")
    ax.set_title(title or f"ring buffer, newest step in slot {head}")
    return fig


def _rectangle(x, y, w, h, color):
    from matplotlib.patches import Rectangle

    return Rectangle((x, y), w, h, fill=False, edgecolor=color, lw=2.0)


# ----------------------------------------------------------------------------- the Gaussian surrogate
def plot_surrogate(tau, spikes, smooth, derivative, *, D: float, sigma: float, ax=None, title: str | None = None):
    """A spike train shifted by D, its Gaussian representation and ∂x̃/∂D.

    tau: (P,) fine time grid (steps); spikes: (T,) the train at steps 0 … T−1; smooth: (P,)
    ``s(tau − D)``; derivative: (P,) ``∂x̃/∂D`` on the same grid.
    """
    fig, ax = _axes(ax, figsize=(7.0, 3.0))
    spikes = np.asarray(spikes)
    t_f = np.nonzero(spikes > 0)[0]
    ax.vlines(t_f + D, 0, 1, color=COLORS["true"], lw=2, label="delayed spikes (t_f + D)")
    ax.plot(tau, smooth, color=COLORS["input"], lw=1.8, label="Gaussian representation s(t − D)")
    ax.plot(tau, derivative, color=COLORS["surrogate"], lw=1.8, label="∂x̃/∂D = −s′(t − D)")
    ax.axhline(0, color="#999999", lw=0.8)
    ax.set_xlabel("time [step]")
    ax.set_ylabel("value")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    ax.set_title(title or f"σ = {sigma:g} step, D = {D:g} step")
    return fig


def plot_loss_landscape(D_grid, true_loss, surrogate_loss=None, gradient=None, *, D_now: float | None = None,
                        sigma: float | None = None, axes=None, title: str | None = None):
    """The loss as a function of a delay: the true one (steps) against the surrogate's smooth picture.

    D_grid: (G,) delays, steps; true_loss: (G,) loss of the forward pass; surrogate_loss: (G,) the
    integral of the surrogate gradient (same value as the true loss at the first grid point);
    gradient: (G,) the surrogate gradient ∂E/∂D. Two panels when ``gradient`` is given.
    """
    n = 2 if gradient is not None else 1
    if axes is None:
        fig, axes = new_figure(n, 1, figsize=(7.0, 2.4 * n + 0.6), sharex=True)
    axes = np.atleast_1d(axes)
    fig = axes[0].figure
    top = axes[0]
    top.plot(D_grid, true_loss, color=COLORS["true"], lw=2, drawstyle="steps-mid", label="true loss E(D)")
    if surrogate_loss is not None:
        top.plot(D_grid, surrogate_loss, color=COLORS["surrogate"], lw=2, label="∫ surrogate gradient")
    if D_now is not None:
        top.axvline(D_now, color=COLORS["signal"], ls=":", lw=1.5, label=f"D = {D_now:g}")
    top.set_ylabel("loss E")
    top.legend(fontsize=8, frameon=False)
    top.set_title(title or ("loss against the delay" + (f" (σ = {sigma:g} step)" if sigma else "")))
    if gradient is not None:
        bottom = axes[1]
        bottom.plot(D_grid, gradient, color=COLORS["surrogate"], lw=1.8, label="surrogate ∂E/∂D")
        bottom.plot(D_grid, np.zeros_like(D_grid), color=COLORS["true"], lw=1.2, ls="--",
                    label="true derivative (0 almost everywhere)")
        if D_now is not None:
            bottom.axvline(D_now, color=COLORS["signal"], ls=":", lw=1.5)
        bottom.set_ylabel("∂E/∂D [1/step]")
        bottom.legend(fontsize=8, frameon=False)
    axes[-1].set_xlabel("delay D [step]")
    return fig


# ----------------------------------------------------------------------------- eligibility traces
#: Panels of :func:`plot_traces`: (record key, label, colour), grouped by panel.
TRACE_PANELS = (
    (("x_tilde", "delayed input x̃", COLORS["input"]),),
    (("v", "membrane v", COLORS["membrane"]), ("psi", "ψ (×10)", COLORS["psi"])),
    (("eps", "ε", COLORS["weight"]), ("ebar", "ē", COLORS["signal"])),
    (("eps_D", "ε_D", COLORS["delay"]), ("ebar_D", "ē_D", COLORS["spike"])),
    (("L", "learning signal L", COLORS["true"]),),
    (("grad_W", "Σ L·ē  (∂E/∂W so far)", COLORS["weight"]), ("grad_D", "Σ L·ē_D  (∂E/∂D so far)", COLORS["delay"])),
)


def plot_traces(record: dict, *, t_now: int | None = None, lag: int = 0, threshold: float = 1.0, axes=None,
                title: str | None = None):
    """The three factors of one synapse, step by step (one panel per row of :data:`TRACE_PANELS`).

    record: {name: (T,) array} with the keys of :data:`TRACE_PANELS`; missing keys are skipped.
    t_now: draw steps 0 … t_now strongly and mark t_now (the rest is drawn faintly); the delay
    quantities (keys ending in ``_D``) are drawn strongly only up to ``t_now − lag``, as far as an
    online learner lagging ``lag`` steps has computed them at that tick.
    """
    panels = [[entry for entry in panel if entry[0] in record] for panel in TRACE_PANELS]
    panels = [p for p in panels if p]
    if axes is None:
        fig, axes = new_figure(len(panels), 1, figsize=(7.5, 1.35 * len(panels) + 0.8), sharex=True)
    axes = np.atleast_1d(axes)
    fig = axes[0].figure
    T = len(next(iter(record.values())))
    t = np.arange(T)
    for ax, panel in zip(axes, panels):
        for key, label, color in panel:
            y = np.asarray(record[key], dtype=float) * (10.0 if key == "psi" else 1.0)
            stop = T if t_now is None else int(t_now) + 1 - (lag if key.endswith("_D") else 0)
            style = "steps-post" if key == "x_tilde" else "default"
            ax.plot(t, y, color=color, lw=1.0, alpha=0.25, drawstyle=style)
            ax.plot(t[:max(stop, 0)], y[:max(stop, 0)], color=color, lw=1.7, label=label, drawstyle=style)
            if key == "v":
                ax.axhline(threshold, color=COLORS["threshold"], ls="--", lw=1.0)
        if t_now is not None:
            ax.axvline(t_now, color="#999999", lw=1.0)
        ax.legend(fontsize=7, frameon=False, loc="upper left", ncol=2)
        ax.tick_params(labelsize=8)
    axes[-1].set_xlabel("time [step]")
    axes[0].set_title(title or "the three factors of one synapse")
    return fig


def plot_gradient_agreement(online: dict, reference: dict, *, ax=None, title: str | None = None):
    """Scatter of every gradient entry: online rule against the reference (BPTT), per parameter."""
    fig, ax = _axes(ax, figsize=(4.6, 4.2))
    lo, hi = np.inf, -np.inf
    for n, key in enumerate(sorted(online)):
        a, b = np.ravel(reference[key]), np.ravel(online[key])
        ax.scatter(a, b, s=10, alpha=0.7, color=_CYCLE[n % len(_CYCLE)], label=key)
        lo, hi = min(lo, a.min(), b.min()), max(hi, a.max(), b.max())
    ax.plot([lo, hi], [lo, hi], color="#999999", lw=1, ls="--")
    ax.set_xlabel("BPTT gradient")
    ax.set_ylabel("online (three-factor) gradient")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(title or "online rule against BPTT")
    return fig


def plot_similarity(similarity: dict, *, ax=None, title: str | None = None, ylabel: str = "cosine similarity"):
    """Bars of one number per parameter, e.g. cosine similarity to BPTT."""
    fig, ax = _axes(ax, figsize=(5.5, 3.0))
    keys = list(similarity)
    values = [float(similarity[k]) for k in keys]
    ax.bar(range(len(keys)), values, color=[_CYCLE[i % len(_CYCLE)] for i in range(len(keys))])
    for i, v in enumerate(values):
        ax.text(i, v, f"{v:.3f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(keys)))
    ax.set_xticklabels(keys)
    ax.set_ylim(min(0.0, min(values, default=0)) - 0.05, 1.12)
    ax.axhline(1.0, color="#999999", lw=0.8, ls="--")
    ax.set_ylabel(ylabel)
    ax.set_title(title or "agreement with BPTT, per parameter")
    return fig


def plot_memory_scaling(n_steps, series: dict, *, ax=None, title: str | None = None):
    """Memory (bytes) against sequence length T for each method: {label: (len(n_steps),) bytes}."""
    fig, ax = _axes(ax, figsize=(5.5, 3.2))
    for n, (label, values) in enumerate(series.items()):
        ax.plot(n_steps, np.asarray(values) / 1e3, marker="o", ms=3, lw=1.8, color=_CYCLE[n % len(_CYCLE)],
                label=label)
    ax.set_xlabel("sequence length T [step]")
    ax.set_ylabel("memory [kB]")
    ax.legend(fontsize=8, frameon=False)
    ax.set_title(title or "memory for the gradient of one sample")
    return fig


# ----------------------------------------------------------------------------- training
def _metric_keys(history: dict) -> tuple[list[str], list[str]]:
    losses = [k for k in history if "loss" in k]
    accuracies = [k for k in history if "acc" in k]
    return losses, accuracies


def plot_learning_curves(history: dict, *, x_key: str = "step", axes=None, title: str | None = None,
                         label_prefix: str = "", color=None):
    """Loss (left) and accuracy (right) against ``history[x_key]``: keys holding "loss" or "acc"."""
    if axes is None:
        fig, axes = new_figure(1, 2, figsize=(8.0, 3.0))
    fig = axes[0].figure
    x = np.asarray(history.get(x_key, np.arange(len(next(iter(history.values()), [])))))
    losses, accuracies = _metric_keys(history)
    def finite(key):
        values = np.asarray(history[key], dtype=float)
        xs = x[: len(values)]
        keep = np.isfinite(values)
        return xs[keep], values[keep]

    for n, key in enumerate(losses):
        xs, values = finite(key)
        axes[0].plot(xs, values, lw=1.6, color=color or _CYCLE[n % len(_CYCLE)], label=label_prefix + key,
                     ls="-" if n == 0 else "--")
    for n, key in enumerate(accuracies):
        xs, values = finite(key)
        axes[1].plot(xs, 100 * values, lw=1.6, color=color or _CYCLE[n % len(_CYCLE)], label=label_prefix + key,
                     ls="-" if n == 0 else "--", marker="o" if len(values) < 30 else None, ms=3)
    axes[0].set_ylabel("loss")
    axes[1].set_ylabel("accuracy [%]")
    axes[1].set_ylim(0, 102)
    for ax in axes:
        ax.set_xlabel("update" if x_key == "step" else x_key)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=8, frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def plot_training(history: dict, *, delays=None, d_max: int | None = None, axes=None, title: str | None = None):
    """The live training view: delay matrix, delay histogram, loss and accuracy (2 × 2 panels).

    history: {"step": [...], "loss": [...], "acc"/"test_acc": [...]}; delays: the current delay
    array (N, M) or (M,), or None for a network without learned delays.
    """
    if axes is None:  # a fixed layout: about twice as quick to draw as a constrained one, for live redraws
        fig = Figure(figsize=(9.0, 5.6))
        axes = fig.subplots(2, 2)
        fig.subplots_adjust(left=0.07, right=0.97, bottom=0.09, top=0.9, hspace=0.42, wspace=0.28)
    axes = np.asarray(axes).reshape(2, 2)
    fig = axes[0, 0].figure
    if delays is not None:
        dmax = d_max if d_max is not None else float(np.max(delays, initial=1))
        plot_delay_matrix(delays, d_max=dmax, ax=axes[0, 0], title="delays now")
        plot_delay_histogram(delays, d_max=int(np.ceil(dmax)), ax=axes[0, 1], title="delay histogram")
    else:
        for ax in axes[0]:
            ax.text(0.5, 0.5, "no learned delays", ha="center", va="center", transform=ax.transAxes, color="#777777")
            ax.set_xticks([])
            ax.set_yticks([])
    if history and any(len(v) for v in history.values()):
        plot_learning_curves(history, axes=axes[1])
        if axes[1, 0].get_lines():
            axes[1, 1].set_xlim(axes[1, 0].get_xlim())  # the same updates on both panels
    else:
        for ax in axes[1]:
            ax.text(0.5, 0.5, "waiting for the first update", ha="center", va="center", transform=ax.transAxes,
                    color="#777777")
    if title:
        fig.suptitle(title)
    return fig


# ----------------------------------------------------------------------------- the submodules, loaded on first use
_SUBMODULES = ("live", "audio", "gallery")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
