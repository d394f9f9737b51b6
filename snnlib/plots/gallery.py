"""Figures of results: the README gallery (``scripts/make_figures.py``) and part II of the course.

Like :mod:`snnlib.plots`, every function here draws numbers it is given and returns a
:class:`matplotlib.figure.Figure`; pass ``ax=`` (or ``axes=``) to draw into an existing figure. Nothing here
trains, simulates or reads data: the scripts and notebooks compute, this module draws. The one computation it
holds, :func:`pareto_front`, is the definition the Pareto plot needs.

Units: spike times in seconds (drawn in ms), delays in steps, memory in bytes (drawn in kB), accuracy as a
fraction (drawn in %).

Also importable as ``snnlib.gallery`` (the name notebook 09 and ``scripts/make_figures.py`` use).
"""
from __future__ import annotations

import numpy as np

from snnlib import surrogate
from snnlib.plots import COLORS, new_figure, plot_delay_matrix

__all__ = ["DELAY_STYLE", "plot_spike_events", "plot_binned", "plot_surrogate_kernels", "plot_delay_learning",
           "plot_gradient_check", "pareto_front", "plot_pareto"]

#: Marker and colour of each kind of input delay, the same in every figure of part II.
DELAY_STYLE = {
    "none": ("o", "#8c8c8c", "weights only"),
    "fixed": ("s", "#4c72b0", "fixed random delays"),
    "synaptic": ("^", COLORS["delay"], "learned synaptic delays"),
    "axonal": ("D", "#55a868", "learned axonal delays"),
}


def _axes(ax, figsize):
    if ax is None:
        return new_figure(figsize=figsize)
    return ax.figure, ax


# ----------------------------------------------------------------------------- data
def plot_spike_events(times, units, *, ax=None, title: str | None = None, color=None, max_time: float | None = None,
                      n_channels: int | None = None):
    """Raster of one sample as stored: a dot at (time, channel) for every spike.

    times: (S,) seconds; units: (S,) channel of each spike. max_time (s) and n_channels fix the axes' extent.
    """
    times = np.asarray(times, dtype=float)
    units = np.asarray(units)
    fig, ax = _axes(ax, (6.0, 3.2))
    ax.scatter(times * 1e3, units, s=0.6, color=color or COLORS["input"], rasterized=True, linewidths=0)
    if max_time is not None:
        ax.set_xlim(0, max_time * 1e3)
    if n_channels is not None:
        ax.set_ylim(-0.5, n_channels - 0.5)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("channel")
    if title:
        ax.set_title(title)
    return fig


def plot_binned(x, *, dt: float, ax=None, title: str | None = None, colorbar: bool = True):
    """Spike counts of one binned sample (T, C) as an image: time (ms) across, channel up."""
    x = np.asarray(x)
    fig, ax = _axes(ax, (6.0, 3.2))
    T, C = x.shape
    image = ax.imshow(x.T, origin="lower", aspect="auto", cmap="Greys", interpolation="nearest",
                      extent=(0, T * dt * 1e3, -0.5, C - 0.5), vmin=0)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("channel (after pooling)")
    if colorbar:
        fig.colorbar(image, ax=ax, label="spikes per bin")
    if title:
        ax.set_title(title)
    return fig


# ----------------------------------------------------------------------------- the surrogate
def plot_surrogate_kernels(u, bumps: dict, kernels: dict, *, axes=None, title: str | None = None):
    """The Gaussian spike representation and its delay derivative for several widths σ.

    u: (P,) offsets from a spike, steps; bumps: {σ: (P,) exp(−u²/2σ²) truncated at |u| ≤ ceil(3σ)};
    kernels: {σ: (P,) the derivative kernel (u/σ²)·exp(−u²/2σ²), same truncation}. Two panels.
    """
    if axes is None:
        fig, axes = new_figure(1, 2, figsize=(9.0, 3.2))
    fig = axes[0].figure
    u = np.asarray(u, dtype=float)
    colors = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")
    for n, sigma in enumerate(bumps):
        color = colors[n % len(colors)]
        axes[0].plot(u, bumps[sigma], color=color, lw=1.8, label=f"σ = {sigma:g}")
        axes[1].plot(u, kernels[sigma], color=color, lw=1.8, label=f"σ = {sigma:g} (w = {surrogate.support(sigma)})")
    for ax in axes:
        ax.axhline(0, color="#999999", lw=0.8)
        ax.axvline(0, color="#bbbbbb", lw=0.8, ls=":")
        ax.set_xlabel("offset from the spike, u [step]")
        ax.legend(fontsize=8, frameon=False, loc="upper left")
    axes[0].set_ylabel("s(u)")
    axes[0].set_title("a spike as a Gaussian of width σ")
    axes[1].set_ylabel("∂x̃/∂D contribution [1/step]")
    axes[1].set_title("the delay gradient's kernel (truncated at ±w)")
    if title:
        fig.suptitle(title)
    return fig


# ----------------------------------------------------------------------------- learning delays
def plot_delay_learning(D_before, D_after, curves: dict, *, d_max: int, n_classes: int | None = None, axes=None,
                        title: str | None = None):
    """Delays before and after training, and accuracy per epoch with and without delays (three panels).

    D_before, D_after: (N, M) synaptic or (M,) axonal delays, steps; curves: {label: (epochs (E,), accuracy (E,)
    as fractions)}; n_classes draws chance level.
    """
    if axes is None:
        fig = new_figure(1, 3, figsize=(13.0, 3.4))[0]
        axes = fig.axes
    fig = axes[0].figure
    plot_delay_matrix(D_before, d_max=d_max, ax=axes[0], title="delays at the start (random)", colorbar=False)
    plot_delay_matrix(D_after, d_max=d_max, ax=axes[1], title="delays after training")
    palette = {label: color for label, color in zip(curves, ("#8c8c8c", COLORS["delay"], "#4c72b0", "#55a868"))}
    for label, (epochs, accuracy) in curves.items():
        axes[2].plot(epochs, 100 * np.asarray(accuracy, dtype=float), "o-", ms=3, lw=1.6, color=palette[label],
                     label=label)
    if n_classes:
        axes[2].axhline(100 / n_classes, color="#999999", ls=":", lw=1, label="chance")
    axes[2].set_xlabel("epoch")
    axes[2].set_ylabel("validation accuracy [%]")
    axes[2].set_ylim(0, 102)
    axes[2].legend(fontsize=8, frameon=False, loc="center right")
    axes[2].set_title("weights only vs learned delays")
    if title:
        fig.suptitle(title)
    return fig


def plot_gradient_check(online: dict, reference: dict, *, ax=None, title: str | None = None,
                        similarity: dict | None = None):
    """Every gradient entry, online rule against BPTT, each parameter scaled by its largest BPTT entry.

    online, reference: {parameter: array}; similarity: {parameter: cosine similarity} shown in the legend.
    Scaling puts weights and delays (whose gradients differ by orders of magnitude) on one pair of axes.
    """
    fig, ax = _axes(ax, (4.6, 4.3))
    colors = ("#4c72b0", "#dd8452", "#55a868", "#c44e52", "#8172b3", "#937860")
    for n, key in enumerate(sorted(online)):
        ref = np.ravel(reference[key]).astype(float)
        scale = float(np.max(np.abs(ref), initial=0.0)) or 1.0
        label = key if similarity is None else f"{key} (cos {similarity[key]:.3f})"
        ax.scatter(ref / scale, np.ravel(online[key]) / scale, s=9, alpha=0.6, color=colors[n % len(colors)],
                   label=label, linewidths=0)
    ax.plot([-1.05, 1.05], [-1.05, 1.05], color="#999999", lw=1, ls="--")
    ax.set_xlim(-1.1, 1.1)
    ax.set_ylim(-1.1, 1.1)
    ax.set_aspect("equal")
    ax.set_xlabel("BPTT gradient (÷ its largest |entry|)")
    ax.set_ylabel("online three-factor gradient (same scale)")
    ax.legend(fontsize=7, frameon=False, loc="upper left", markerscale=2)
    ax.set_title(title or "online rule against BPTT")
    return fig


# ----------------------------------------------------------------------------- size against accuracy
def pareto_front(cost, value) -> np.ndarray:
    """Which points no other point beats: (P,) bool, True where no point has cost ≤ and value ≥ with one strict.

    cost: (P,) smaller is better (e.g. bytes); value: (P,) larger is better (e.g. accuracy).
    """
    cost = np.asarray(cost, dtype=float)
    value = np.asarray(value, dtype=float)
    if cost.shape != value.shape or cost.ndim != 1:
        raise ValueError(f"cost and value must be 1-D arrays of the same length, got {cost.shape} and {value.shape}")
    no_worse = (cost[None, :] <= cost[:, None]) & (value[None, :] >= value[:, None])
    better = (cost[None, :] < cost[:, None]) | (value[None, :] > value[:, None])
    return ~np.any(no_worse & better, axis=1)


def plot_pareto(points: list, *, ax=None, title: str | None = None, xlabel: str | None = None,
                annotate: bool = True, chance: float | None = None):
    """Accuracy against memory, one marker per network, with the Pareto front drawn as a step line.

    points: dicts with ``label``, ``bytes`` (memory, bytes), ``accuracy`` (fraction), ``delays`` (a key of
    :data:`DELAY_STYLE`) and optionally ``sparsity`` (> 0: hollow marker). chance: accuracy of guessing.
    """
    fig, ax = _axes(ax, (8.6, 4.2))
    if not points:
        raise ValueError("plot_pareto needs at least one point")
    cost = np.array([p["bytes"] for p in points], dtype=float) / 1e3
    acc = 100 * np.array([p["accuracy"] for p in points], dtype=float)
    front = pareto_front(cost, acc)
    order = np.argsort(cost[front])
    xs, ys = cost[front][order], acc[front][order]
    ax.step(np.append(xs, cost.max() * 1.6), np.append(ys, ys[-1]), where="post", color="#c44e52", lw=1.2,
            alpha=0.7, label="Pareto front", zorder=1)
    shown = set()
    for p, x, y in zip(points, cost, acc):
        marker, color, name = DELAY_STYLE.get(p.get("delays", "none"), DELAY_STYLE["none"])
        sparse = p.get("sparsity", 0) > 0
        legend = f"{name}{', sparse' if sparse else ''}"
        ax.scatter([x], [y], marker=marker, s=55, zorder=3, linewidths=1.5,
                   facecolors="white" if sparse else color, edgecolors=color,
                   label=None if legend in shown else legend)
        shown.add(legend)
        if annotate:
            ax.annotate(p["label"], (x, y), textcoords="offset points", xytext=(5, 4), fontsize=7, color="#444444")
    if chance is not None:
        ax.axhline(100 * chance, color="#999999", ls=":", lw=1, label="chance")
    ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter

    plain = FuncFormatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(FuncFormatter(lambda value, _: f"{value:g}" if _leading_digit(value) in (2, 5)
                                               else ""))
    ax.tick_params(axis="x", which="minor", labelsize=7)
    ax.set_xlim(cost.min() / 1.25, cost.max() * 1.6)
    ax.set_xlabel(xlabel or "memory [kB] (8-bit weights + delays + delay buffers)")
    ax.set_ylabel("test accuracy [%]")
    ax.set_ylim(0, min(109, max(acc.max() * 1.15, 10)))
    ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= 100])
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.set_title(title or "accuracy against memory")
    return fig


def _leading_digit(value: float) -> int:
    """First significant digit of a positive number (2 for 0.02, 250 or 2.5)."""
    return int(f"{value:e}"[0]) if value > 0 else 0
