"""Explorers of data and results for part II of the course (notebooks 06, 08, 09, 10).

Each explorer is a rendering function ``(...) -> (Figure, readout text)`` that can be called and
tested on its own, plus an :class:`snnlib.interactive.Explorer` with sliders built on it. Sliders use
``continuous_update=False`` (the figure is computed once, when a slider is released) and, without a
widget front end (``SNNLIB_STATIC=1``), the explorer shows the figure for the default values.

- :func:`raster_figure` / :func:`raster_explorer` (06): one sample of a spiking dataset chosen by
  class, speaker and index, its raster next to the counts :func:`snnlib.data.bin_sample` makes of it
  at a step ``dt`` and a channel pooling, and how many spikes binning keeps, merges and drops;
- :func:`confusion_matrix`, :func:`confusion_figure` / :func:`confusion_explorer` (08): a confusion
  matrix with a choice of normalisation and one class's row in detail;
- :func:`grid_figure` / :func:`grid_explorer` (09): trained networks on the accuracy–memory plane, and
  the memory, parameters and added latency (:mod:`snnlib.metrics`) of any width, sparsity and delay kind;
- :func:`ear_figure` / :func:`ear_explorer` (10): the stages of the ear model for a recording and a
  number of channels.

In a page, each explorer carries the CSS classes ``snnlib-explorer`` and ``snnlib-raster`` /
``snnlib-confusion`` / ``snnlib-grid`` / ``snnlib-ear``; each slider ``snnlib-slider`` and
``snnlib-control-<argument>`` (e.g. ``snnlib-control-dt_ms``), as in :mod:`snnlib.interactive`.

Usage in a notebook (end the line with ``;``)::

    from snnlib import explorers
    explorers.raster_explorer(files["train"]);
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from snnlib import plots
from snnlib.interactive import Control, Explorer, make_explorer

#: Normalisations of :func:`confusion_figure`, by the value of its ``normalise`` slider.
NORMALISATIONS = ("counts", "rows (share of the true class)", "columns (share of the prediction)")
#: Delay kinds of :func:`grid_figure`, by the value of its ``delay_kind`` slider.
DELAY_KINDS = ("none", "axonal", "synaptic")


# ----------------------------------------------------------------------------- notebook 06
def binning_summary(times, units, n_channels: int, dt: float, max_time: float, pool: int = 1) -> dict:
    """What binning one sample with :func:`snnlib.data.bin_sample` keeps.

    Returns ``x`` (the counts), ``spikes`` (all spikes), ``kept`` (spikes counted in some bin), ``dropped``
    (at or after ``max_time``), ``bins`` (non-empty bins), ``merged`` (kept spikes that share their bin
    with another one: ``kept - bins``; their order within the bin is lost, and ``binary=True`` would
    delete them).
    """
    from snnlib.data import bin_sample

    x, dropped = bin_sample(times, units, n_channels, dt, max_time, pool, return_dropped=True, dtype=np.int64)
    kept, bins = int(x.sum()), int(np.count_nonzero(x))
    return {"x": x, "spikes": len(times), "kept": kept, "dropped": int(dropped), "bins": bins, "merged": kept - bins}


def raster_figure(dataset, cls: int = 0, speaker: int = -1, sample: int = 0, dt_ms: float = 10.0, pool: int = 1,
                  max_time: float = 1.0):
    """One sample of ``dataset`` as stored (left) and as binned (right), with what binning keeps.

    dataset: a :class:`snnlib.data.SpikeDataset` (or a Subset): ``ds[i] -> (times, units, label)``,
        ``labels``, ``speakers``, ``class_names``, ``n_channels``.
    cls: class index; speaker: position in the sorted list of the dataset's speakers, -1 for any speaker;
    sample: which of the matching samples (wraps around); dt_ms: step width in ms; pool: channels summed.
    max_time: the window in seconds; it is cut to a whole number of steps, ``floor(max_time / dt) · dt``.
    Returns ``(Figure, readout)``.
    """
    speakers = np.unique(dataset.speakers)
    if not 0 <= cls < len(dataset.class_names):
        raise ValueError(f"class {cls} is outside 0 … {len(dataset.class_names) - 1}")
    if not -1 <= speaker < len(speakers):
        raise ValueError(f"speaker {speaker} is outside -1 (any) … {len(speakers) - 1}")
    match = np.asarray(dataset.labels) == cls
    who = "any speaker"
    if speaker >= 0:
        match &= np.asarray(dataset.speakers) == speakers[speaker]
        who = f"speaker {speakers[speaker]}"
    found = np.flatnonzero(match)
    name = dataset.class_names[cls]
    dt = float(dt_ms) * 1e-3
    steps = int(np.floor(max_time / dt + 1e-9))
    if steps < 1:
        raise ValueError(f"dt = {dt_ms:g} ms is longer than the window of {max_time:g} s")
    window = steps * dt
    fig, axes = plots.new_figure(1, 2, figsize=(11.0, 3.6))
    if found.size == 0:
        for ax in axes:
            ax.text(0.5, 0.5, f"no sample of {name!r} from {who}", ha="center", va="center", transform=ax.transAxes)
            ax.set_axis_off()
        return fig, f"no sample of class {name!r} from {who}: choose another speaker (-1: any)"
    index = int(found[sample % found.size])
    times, units, _ = dataset[index]
    s = binning_summary(times, units, dataset.n_channels, dt, window, pool)
    plots.gallery.plot_spike_events(times, units, ax=axes[0],
                                    max_time=max(max_time, float(np.max(times, initial=0))),
                                    n_channels=dataset.n_channels,
                                    title=f"{name!r}, {who}: sample {index} ({sample % found.size + 1} of {found.size})")
    axes[0].axvline(window * 1e3, color=plots.COLORS.get("threshold", "#c0392b"), ls="--", lw=1)
    plots.gallery.plot_binned(s["x"], dt=dt, ax=axes[1], colorbar=True,
                              title=f"binned: dt = {dt_ms:g} ms, pool = {pool} → {s['x'].shape}")
    text = (f"{s['spikes']} spikes: {s['kept']} kept in {s['bins']} bins, {s['merged']} merged into a bin with "
            f"another spike ({100 * s['merged'] / max(s['kept'], 1):.0f} % of the kept), {s['dropped']} dropped "
            f"(at or after {window * 1e3:g} ms); {s['x'].size:,} values (T × channels = {s['x'].shape[0]} × "
            f"{s['x'].shape[1]})")
    return fig, text


def raster_explorer(dataset, *, max_time: float = 1.0, show: bool = True, live: bool | None = None,
                    **values) -> Explorer:
    """Sliders for class, speaker (-1: any), sample, dt and pooling over a spiking dataset.

    dataset: a path to an SHD-format file (the explorer opens it and keeps it open) or an open dataset.
    A pooling that does not divide the channels is refused in the readout. Keyword values set the start.
    """
    from snnlib import data

    if isinstance(dataset, (str, Path)):
        dataset = data.open_dataset(dataset)
    n_speakers = len(np.unique(dataset.speakers))
    controls = (
        Control("cls", "class", 0, 0, len(dataset.class_names) - 1),
        Control("speaker", "speaker (-1: any)", -1, -1, n_speakers - 1),
        Control("sample", "sample", 0, 0, 49),
        Control("dt_ms", "dt [ms]", 10.0, 1.0, 50.0, step=1.0, integer=False, css=("snnlib-time-slider",),
                readout_format=".0f"),
        Control("pool", "pool [channels]", 1, 1, 20),
    )

    def render(**v):
        return raster_figure(dataset, max_time=max_time, **v)

    return make_explorer("raster", render, controls, values, show, live)


# ----------------------------------------------------------------------------- notebook 08
def confusion_matrix(labels, predicted, n_classes: int) -> np.ndarray:
    """(n_classes, n_classes) int64 counts, ``C[true, predicted]``."""
    labels, predicted = np.asarray(labels, dtype=np.int64), np.asarray(predicted, dtype=np.int64)
    if labels.shape != predicted.shape or labels.ndim != 1:
        raise ValueError(f"labels {labels.shape} and predictions {predicted.shape} must be two 1-d arrays "
                         "of one length")
    for what, v in (("labels", labels), ("predictions", predicted)):
        if v.size and (v.min() < 0 or v.max() >= n_classes):
            raise ValueError(f"{what} must lie in 0 … {n_classes - 1}; found {v.min()} … {v.max()}")
    return np.bincount(labels * n_classes + predicted, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def normalised(C, normalise: int = 1) -> np.ndarray:
    """``C`` as counts (0), divided by its row sums (1) or by its column sums (2); empty rows/columns stay 0."""
    C = np.asarray(C, dtype=float)
    if normalise == 0:
        return C
    axis = {1: 1, 2: 0}.get(int(normalise))
    if axis is None:
        raise ValueError(f"normalise = {normalise}; choose 0 ({NORMALISATIONS[0]}), 1 ({NORMALISATIONS[1]}) "
                         f"or 2 ({NORMALISATIONS[2]})")
    sums = C.sum(axis=axis, keepdims=True)
    return np.divide(C, sums, out=np.zeros_like(C), where=sums > 0)


def confusion_figure(labels, predicted, class_names, focus: int = 0, normalise: int = 1, top: int = 5):
    """The confusion matrix (normalised as chosen) with the row of class ``focus`` marked, and that row in detail.

    Returns ``(Figure, readout)``; the readout names the classes ``focus`` is most often taken for.
    """
    n = len(class_names)
    if not 0 <= focus < n:
        raise ValueError(f"class {focus} is outside 0 … {n - 1}")
    C = confusion_matrix(labels, predicted, n)
    M = normalised(C, normalise)
    fig, axes = plots.new_figure(1, 2, figsize=(11.0, 4.4), gridspec_kw={"width_ratios": [1.1, 1]})
    vmax = 1.0 if normalise else max(C.max(), 1)
    image = axes[0].imshow(M, cmap="Blues", vmin=0, vmax=vmax, interpolation="nearest")
    axes[0].axhline(focus - 0.5, color="#c0392b", lw=1)
    axes[0].axhline(focus + 0.5, color="#c0392b", lw=1)
    axes[0].set(xlabel="predicted class", ylabel="true class", title=f"confusion matrix: {NORMALISATIONS[normalise]}")
    fig.colorbar(image, ax=axes[0], shrink=0.85)
    row = M[focus]
    axes[1].bar(np.arange(n), row, color=["#2e86c1" if j == focus else "#c0392b" for j in range(n)])
    axes[1].set(xlabel="predicted class", ylabel="share" if normalise else "samples",
                title=f"true class {focus} ({class_names[focus]!r}): what it is predicted as")
    total, correct = int(C[focus].sum()), int(C[focus, focus])
    errors = [(int(C[focus, j]), j) for j in range(n) if j != focus and C[focus, j] > 0]
    errors.sort(key=lambda e: (-e[0], e[1]))
    if total == 0:
        return fig, f"class {class_names[focus]!r} has no sample in this set"
    text = f"{class_names[focus]!r}: {total} samples, {correct} right ({100 * correct / total:.0f} %)"
    if errors:
        text += "; taken for " + ", ".join(f"{class_names[j]!r} ({k})" for k, j in errors[:top])
    else:
        text += "; never confused"
    taken = int(C[:, focus].sum()) - correct
    text += f"; {taken} samples of other classes predicted as {class_names[focus]!r}"
    return fig, text


def confusion_explorer(labels, predicted, class_names, *, show: bool = True, live: bool | None = None,
                       **values) -> Explorer:
    """Sliders for the class in focus and the normalisation (0 counts, 1 rows, 2 columns)."""
    labels, predicted = np.asarray(labels), np.asarray(predicted)
    class_names = list(class_names)
    controls = (
        Control("focus", "true class", 0, 0, len(class_names) - 1),
        Control("normalise", "0 counts · 1 rows · 2 cols", 1, 0, 2),
    )

    def render(**v):
        return confusion_figure(labels, predicted, class_names, **v)

    return make_explorer("confusion", render, controls, values, show, live)


# ----------------------------------------------------------------------------- notebook 09
def network_cost(n_in: int, n_hidden: int, n_out: int, delays: str = "synaptic", sparsity: float = 0.0,
                 d_max: int = 25, dt: float = 0.01, weight_bits: int = 8) -> dict:
    """Parameters, bytes and added latency of one network, from :mod:`snnlib.metrics`."""
    import snnlib
    from snnlib import metrics

    config = snnlib.SNNConfig(n_in=n_in, n_hidden=n_hidden, n_out=n_out, delays=delays, sparsity=sparsity,
                              d_max=d_max, dt=dt)
    counts = metrics.parameter_counts(config)
    return {"parameters": counts["total"], "weights": counts["weights"], "delays": counts["delays"],
            "bytes": metrics.memory(config, weight_bits=(weight_bits,))["total_bytes"][weight_bits],
            "latency_ms": 1e3 * metrics.latency(config)["added_latency_s"]}


def grid_figure(rows, n_hidden: int = 128, sparsity: float = 0.0, delay_kind: int = 2, *, n_in: int = 140,
                n_out: int = 20, d_max: int = 25, dt: float = 0.01, chance: float | None = None):
    """Trained networks ``rows`` on the accuracy–memory plane, and the cost of the network chosen by the sliders.

    rows: dicts with ``hidden``, ``sparsity``, ``delays``, ``test_accuracy``, ``bytes_8bit``
    (:func:`snnlib.experiments.run_grid`'s rows). The chosen network (width, sparsity, delay kind) is
    costed with :mod:`snnlib.metrics` and drawn as a vertical line at its memory; the trained networks of the
    same delay kind and sparsity are marked, and the readout names the trained network closest in memory.
    """
    kind = DELAY_KINDS[int(delay_kind)]
    cost = network_cost(n_in, n_hidden, n_out, kind, sparsity, d_max, dt)
    fig, axes = plots.new_figure(1, 2, figsize=(11.0, 4.0), gridspec_kw={"width_ratios": [1.3, 1]})
    ax = axes[0]
    colors = {"none": "#7f8c8d", "axonal": "#27ae60", "synaptic": "#2e86c1", "fixed": "#8e44ad"}
    for r in rows:
        same = r["delays"] == kind and abs(r["sparsity"] - sparsity) < 1e-9
        ax.scatter(r["bytes_8bit"] / 1e3, 100 * r["test_accuracy"], s=80 if same else 30,
                   color=colors.get(r["delays"], "#333333"), edgecolor="black" if same else "none", zorder=3)
        ax.annotate(f"N={r['hidden']}" + (f", {100 * r['sparsity']:.0f}% sp." if r["sparsity"] else ""),
                    (r["bytes_8bit"] / 1e3, 100 * r["test_accuracy"]), fontsize=7, xytext=(3, 3),
                    textcoords="offset points")
    for k, c in colors.items():
        if any(r["delays"] == k for r in rows):
            ax.scatter([], [], color=c, label=k)
    ax.axvline(cost["bytes"] / 1e3, color="#c0392b", ls="--", label="chosen network")
    if chance is not None:
        ax.axhline(100 * chance, color="#999999", ls=":", label="chance")
    ax.set_xscale("log")
    from matplotlib.ticker import FuncFormatter

    kb = [r["bytes_8bit"] / 1e3 for r in rows] + [cost["bytes"] / 1e3]
    ax.set_xlim(min(kb) / 1.3, max(kb) * 1.3)
    plain = FuncFormatter(lambda v, _: f"{v:g}")
    ax.xaxis.set_major_formatter(plain)
    ax.xaxis.set_minor_formatter(plain)
    ax.set(xlabel="memory, 8-bit weights [kB]", ylabel="test accuracy [%]", ylim=(0, 100),
           title="trained networks (ringed: same delay kind and sparsity)")
    ax.legend(fontsize=7, frameon=False, loc="best")
    widths = np.unique(np.r_[np.geomspace(8, 512, 13).astype(int), n_hidden])
    for k in DELAY_KINDS:
        kb = [network_cost(n_in, int(n), n_out, k, sparsity, d_max, dt)["bytes"] / 1e3 for n in widths]
        axes[1].plot(widths, kb, "-", color=colors[k], label=k, lw=2.5 if k == kind else 1)
    axes[1].plot([n_hidden], [cost["bytes"] / 1e3], "o", color="#c0392b")
    axes[1].set(xscale="log", yscale="log", xlabel="hidden neurons N", ylabel="memory [kB]",
                title=f"memory against width, {100 * sparsity:.0f} % sparse")
    axes[1].legend(fontsize=7, frameon=False)
    text = (f"N = {n_hidden}, {100 * sparsity:.0f} % sparse, delays {kind}: {cost['parameters']:,} parameters "
            f"({cost['weights']:,} weights + {cost['delays']:,} delays), {cost['bytes'] / 1e3:.1f} kB, "
            f"added latency {cost['latency_ms']:.0f} ms")
    if rows:
        near = min(rows, key=lambda r: abs(np.log(r["bytes_8bit"]) - np.log(cost["bytes"])))
        text += (f"; trained network closest in memory: N = {near['hidden']}, {near['delays']}, "
                 f"{100 * near['sparsity']:.0f} % sparse, {near['bytes_8bit'] / 1e3:.1f} kB, "
                 f"{100 * near['test_accuracy']:.1f} %")
    return fig, text


def grid_explorer(rows, *, n_in: int = 140, n_out: int = 20, d_max: int = 25, dt: float = 0.01,
                  chance: float | None = None, show: bool = True, live: bool | None = None, **values) -> Explorer:
    """Sliders for width N, sparsity and delay kind (0 none, 1 axonal, 2 synaptic) over trained ``rows``."""
    rows = [dict(r) for r in rows]
    controls = (
        Control("n_hidden", "hidden N", 128, 8, 512, step=8, css=("snnlib-size-slider",)),
        Control("sparsity", "sparsity", 0.0, 0.0, 0.95, step=0.05, integer=False, readout_format=".2f"),
        Control("delay_kind", "0 none · 1 axonal · 2 syn.", 2, 0, 2),
    )

    def render(**v):
        return grid_figure(rows, n_in=n_in, n_out=n_out, d_max=d_max, dt=dt, chance=chance, **v)

    return make_explorer("grid", render, controls, values, show, live)


# ----------------------------------------------------------------------------- notebook 10
def ear_figure(recordings, recording: int = 0, n_channels: int = 64):
    """The stages of the ear model (:func:`snnlib.audio.encode_stages`) for ``recordings[recording]``.

    recordings: a list of paths to WAV files. Returns ``(Figure, readout)``.
    """
    if not 0 <= recording < len(recordings):
        raise ValueError(f"recording {recording} is outside 0 … {len(recordings) - 1}")
    path = Path(recordings[recording])
    st = _encoded(str(path), int(n_channels))
    fig = plots.audio.plot_encoder_stages(
        st, title=f"{path.stem}: {n_channels} channels, {len(st.times)} output spikes")
    text = (f"{path.stem}: {len(st.nerve.step):,} fibre spikes → {len(st.times)} output spikes in {n_channels} "
            f"channels (CF {st.cf[-1]:.0f} … {st.cf[0]:.0f} Hz)")
    return fig, text


_EAR_CACHE: dict = {}


def _encoded(path: str, n_channels: int):
    from snnlib import audio

    key = (path, n_channels)
    if key not in _EAR_CACHE:
        signal, rate = audio.read_wav(path)
        _EAR_CACHE[key] = audio.encode_stages(signal, rate, audio.EncoderParams(n_channels=n_channels), seed=0)
        while len(_EAR_CACHE) > 8:
            _EAR_CACHE.pop(next(iter(_EAR_CACHE)))
    return _EAR_CACHE[key]


def ear_explorer(recordings, *, show: bool = True, live: bool | None = None, **values) -> Explorer:
    """Sliders for the recording (position in ``recordings``) and the number of channels of the ear model."""
    recordings = [Path(p) for p in recordings]
    if not recordings:
        raise ValueError("ear_explorer needs at least one recording")
    controls = (
        Control("recording", "recording", 0, 0, len(recordings) - 1),
        Control("n_channels", "channels", 64, 16, 140, step=4, css=("snnlib-size-slider",)),
    )

    def render(**v):
        return ear_figure(recordings, **v)

    return make_explorer("ear", render, controls, values, show, live)
