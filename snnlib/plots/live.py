"""The live training view's figure: delays ordered by class, the ideal pattern, relative delays, clipping, and
the validation curve. Functions return a :class:`~matplotlib.figure.Figure` (no pyplot state); used by
:class:`snnlib.liveview.LiveTrainingView`, usable on their own (e.g. on a trained network's parameters).
"""
from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure

from snnlib import plots

__all__ = ["delay_view_figure", "ideal_delays", "clipping_counts"]


def ideal_delays(data) -> dict | None:
    """The ideal delay pattern of a ``delay-task`` :class:`~snnlib.train.Dataset`, or None.

    Returns ``{"class_offsets": (K, M) steps, "lag": steps}`` read from the generator's file attributes: on
    channel k, class c needs a delay of ``lag - class_offsets[c, k]`` (up to a constant per neuron). None for
    other data, or when pooling merged channels (the offsets no longer match the inputs).
    """
    attrs = (getattr(data, "info", None) or {}).get("file_attrs") or {}
    if attrs.get("generator") != "delay-task" or "class_offsets" not in attrs or "lag" not in attrs:
        return None
    offsets = np.asarray(attrs["class_offsets"], dtype=np.int64)
    if offsets.ndim != 2 or offsets.shape[1] != data.n_in:
        return None
    return {"class_offsets": offsets, "lag": int(attrs["lag"])}


def clipping_counts(delays, d_max: float, mask=None) -> tuple[int, int]:
    """(delays at 0, delays at d_max) among the existing connections (``mask`` nonzero, or all)."""
    D = np.asarray(delays, dtype=float)
    keep = np.ones(D.shape, bool) if mask is None else np.broadcast_to(np.asarray(mask) != 0, D.shape)
    return int(np.sum((D <= 0) & keep)), int(np.sum((D >= d_max) & keep))


def delay_view_figure(delays, *, d_max: float, W_out=None, W_in=None, mask=None, ideal: dict | None = None,
                      history: dict | None = None, title: str | None = None) -> Figure:
    """The live view's figure (2 × 2 panels); returns a :class:`~matplotlib.figure.Figure`.

    Args:
        delays: the input delays, (N, M) synaptic or (M,) axonal, in steps (None: a network without them).
        d_max: the largest delay, steps.
        W_out: (K, N) readout weights; orders the neurons by preferred class ``argmax_k W_out[k, j]``.
        W_in: (N, M) input weights (synaptic delays only): the relative-delay panel then singles out the pairs a
            neuron listens to — both input weights excitatory (> 0) — where a coincidence can drive it.
        mask: (N, M) sparsity mask (0 = no connection); absent connections are left out everywhere.
        ideal: ``{"class_offsets": (K, M), "lag": L}`` for delay-task (:func:`ideal_delays`): marks the channels
            that should be delayed by ``L`` more than their pair partner for the neuron's class, and draws the
            relative delay within each pair (channels 2g, 2g+1) around ±L.
        history: ``{"step": [...], "loss": [...], "val_acc": [...]}`` (NaN where a record has no value):
            training loss per update and validation accuracy after each epoch.
    """
    fig = Figure(figsize=(10.0, 6.4))
    axes = fig.subplots(2, 2)
    fig.subplots_adjust(left=0.08, right=0.9, bottom=0.08, top=0.9, hspace=0.45, wspace=0.32)
    if delays is None:
        for ax in axes.flat[:3]:
            ax.text(0.5, 0.5, "no learned delays", ha="center", va="center", transform=ax.transAxes,
                    color="#777777")
            ax.set_xticks([])
            ax.set_yticks([])
    else:
        D = np.asarray(delays, dtype=float)
        D2 = D[None, :] if D.ndim == 1 else D
        exists = np.ones(D2.shape, bool) if mask is None or D.ndim == 1 else np.asarray(mask) != 0
        preferred = None
        order = np.arange(D2.shape[0])
        if W_out is not None and D.ndim == 2:
            W_out = np.asarray(W_out, dtype=float)
            preferred = np.argmax(W_out, axis=0)
            strength = W_out[preferred, np.arange(W_out.shape[1])]
            order = np.lexsort((-strength, preferred))
        _heat_map(axes[0, 0], D2, exists, order, preferred, ideal, d_max)
        W_in = None if W_in is None or D.ndim == 1 else np.asarray(W_in, dtype=float)
        _relative_histogram(axes[0, 1], D2, exists, preferred, ideal, d_max, W_in)
        _clipping_histogram(axes[1, 0], D2[exists], d_max)
    _curves(axes[1, 1], history or {})
    if title:
        fig.suptitle(title)
    return fig


def _heat_map(ax, D2, exists, order, preferred, ideal, d_max):
    shown = np.where(exists, D2, np.nan)[order]
    mesh = ax.imshow(shown, aspect="auto", cmap="viridis", vmin=0, vmax=d_max, interpolation="nearest")
    ax.figure.colorbar(mesh, ax=ax, label="delay [step]")
    ax.set_xlabel("input channel")
    if D2.shape[0] == 1:
        ax.set_yticks([])
        ax.set_title("axonal delays (one per input)")
        return
    if preferred is None:
        ax.set_ylabel("hidden neuron")
        ax.set_title("delays D[j, i]")
        return
    sorted_pref = preferred[order]
    edges = np.nonzero(np.diff(sorted_pref))[0]
    for e in edges:
        ax.axhline(e + 0.5, color="white", lw=1.2)
    starts = np.concatenate([[0], edges + 1])
    ax.set_yticks(starts)
    ax.set_yticklabels([f"class {sorted_pref[s]}" for s in starts], fontsize=7)
    ax.set_ylabel("hidden neuron, by preferred class")
    title = "delays, neurons by preferred class"
    if ideal is not None:
        offsets, lag = ideal["class_offsets"], ideal["lag"]
        should_wait = offsets[sorted_pref] == 0            # (N, M): this channel should be delayed by lag more
        rows, cols = np.nonzero(should_wait & exists[order])
        ax.plot(cols, rows, "w.", ms=2.5, alpha=0.9)
        title += f"\n(dots: ideal, {lag} steps longer than the pair partner)"
    ax.set_title(title, fontsize=9)


def _relative_histogram(ax, D2, exists, preferred, ideal, d_max, W_in):
    span = int(math.ceil(d_max))
    bins = np.arange(-span - 0.5, span + 1.0, 1.0)
    if ideal is not None and D2.shape[1] % 2 == 0:
        lag = ideal["lag"]
        both = exists[:, 0::2] & exists[:, 1::2]
        rel = D2[:, 0::2] - D2[:, 1::2]                    # (N, pairs): delay of channel 2g minus 2g+1
        ax.hist(rel[both], bins=bins, color=plots.COLORS["delay"], alpha=0.45, label="all pairs")
        listened = None
        if W_in is not None:
            listened = both & (W_in[:, 0::2] > 0) & (W_in[:, 1::2] > 0)
            ax.hist(rel[listened], bins=bins, color=plots.COLORS["delay"], alpha=1.0,
                    label="both inputs excitatory")
            ax.legend(fontsize=7, frameon=False, loc="upper right")
        for x in (-lag, lag):
            ax.axvline(x, color="#333333", ls="--", lw=1)
        ax.set_xlabel("relative delay within a pair, D[2g] − D[2g+1] [step]")
        text = f"ideal: ±{lag}"
        if preferred is not None:
            offsets = ideal["class_offsets"][preferred]    # (N, M) each neuron's class
            target = offsets[:, 1::2] - offsets[:, 0::2]
            on_target = np.abs(rel - target) <= 2
            if listened is not None and listened.any():
                text += (f"\n{100 * np.mean(on_target[listened]):.0f} % of the {int(listened.sum())} pairs\n"
                         f"with both inputs excitatory\nwithin 2 steps of the\nneuron's ideal "
                         f"(all: {100 * np.mean(on_target[both]):.0f} %)")
            else:
                text += f"\n{100 * np.mean(on_target[both]):.0f} % of pairs within 2 steps\nof their neuron's ideal"
        ax.text(0.02, 0.97, text, transform=ax.transAxes, va="top", fontsize=7)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.7)  # room for the text above the bars
        ax.set_title("relative delays within channel pairs", fontsize=9)
    else:
        rel = D2 - np.nanmedian(np.where(exists, D2, np.nan), axis=1, keepdims=True)
        ax.hist(rel[exists], bins=bins, color=plots.COLORS["delay"], alpha=0.85)
        ax.set_xlabel("delay − the neuron's median delay [step]")
        ax.set_title("delays relative to each neuron", fontsize=9)
    ax.set_ylabel("count")


def _clipping_histogram(ax, values, d_max):
    span = int(math.ceil(d_max))
    bins = np.arange(-0.5, span + 1.0, 1.0)
    low, high = clipping_counts(values, d_max)
    inside = values[(values > 0) & (values < d_max)]
    counts, _, _ = ax.hist(inside, bins=bins, color=plots.COLORS["delay"], alpha=0.85)
    # the clipped delays, stacked on the end bins in another colour: a pile-up there is the clipping at work
    ax.bar([0, span], [low, high], bottom=[counts[0], counts[-1]], width=1.0, color=plots.COLORS["threshold"],
           alpha=0.85)
    counts = counts + np.bincount([0, len(counts) - 1], weights=[low, high], minlength=len(counts))
    ax.text(0.02, 0.97, f"{low} delays clipped at 0", transform=ax.transAxes, va="top", fontsize=8,
            color=plots.COLORS["threshold"] if low else "#333333")
    ax.text(0.02, 0.87, f"{high} delays clipped at d_max = {d_max:g}", transform=ax.transAxes, va="top",
            ha="left", fontsize=8, color=plots.COLORS["threshold"] if high else "#333333")
    ax.set_ylim(0, max(1.0, counts.max()) * 1.45)
    ax.set_xlim(-0.5, span + 0.5)
    ax.set_xlabel("delay [step]")
    ax.set_ylabel("connections")
    ax.set_title(f"delay histogram ({len(values)} connections)", fontsize=9)


def _curves(ax, history):
    step = np.asarray(history.get("step", []), dtype=float)
    loss = np.asarray(history.get("loss", [np.nan] * len(step)), dtype=float)
    val = np.asarray(history.get("val_acc", [np.nan] * len(step)), dtype=float)
    ax.set_xlabel("update (batch)")
    ax.set_title("training loss and validation accuracy", fontsize=9)
    if not len(step):
        ax.text(0.5, 0.5, "waiting for the first update", ha="center", va="center", transform=ax.transAxes,
                color="#777777")
        return
    ok = np.isfinite(loss)
    ax.plot(step[ok], loss[ok], color=plots.COLORS["membrane"], lw=1)
    ax.set_ylabel("training loss")
    right = ax.twinx()
    ok = np.isfinite(val)
    right.plot(step[ok], 100 * val[ok], "o-", color=plots.COLORS["signal"], ms=3)
    right.set_ylim(0, 100)
    right.set_ylabel("validation accuracy [%]", color=plots.COLORS["signal"])
    if not ok.any():
        right.text(0.5, 0.5, "validation after each epoch", ha="center", va="center", transform=ax.transAxes,
                   color="#777777", fontsize=8)
