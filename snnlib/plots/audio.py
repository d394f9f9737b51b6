"""Figures of the ear model (:mod:`snnlib.audio`): one recording on its way from sound to spikes.

Every function draws arrays it is given (usually the fields of an
:class:`snnlib.audio.EncoderStages`, from :func:`snnlib.audio.encode_stages`), returns a
:class:`matplotlib.figure.Figure` and accepts ``ax=`` (``axes=`` for several panels); none runs the
encoder. Conventions of the figures:

- time in milliseconds from the start of the recording;
- channels drawn as the encoder numbers them, **unit 0 (the highest characteristic frequency) at the
  top**, so low frequencies sit at the bottom as on a spectrogram; the right-hand ticks give the
  characteristic frequency (CF) of a few channels;
- the stages sampled at the model rate (24 kHz by default) are summarised over frames of ``frame_ms``
  milliseconds (RMS for the basilar membrane, means for rates), because a picture of 24 000 columns
  per second would only show aliasing.

::

    from snnlib import audio, plots
    stages = audio.encode_stages(*audio.read_wav("3_theo_0.wav"), audio.EncoderParams(n_channels=64))
    plots.audio.plot_encoder_stages(stages)          # waveform, basilar membrane, hair cells, nerve, output
    plots.audio.plot_channel(stages, unit=40)        # one place on the cochlea, sample by sample
"""
from __future__ import annotations

import numpy as np

from snnlib.plots import COLORS, new_figure

__all__ = ["frame_summary", "plot_waveform", "plot_cochleagram", "plot_nerve_rates", "plot_output_spikes",
           "plot_encoder_stages", "plot_channel"]


# ----------------------------------------------------------------------------- helpers
def frame_summary(values, frame: int, how: str = "mean") -> np.ndarray:
    """(T, C) samples → (ceil(T / frame), C): the ``mean`` or the ``rms`` of each run of ``frame`` samples.

    The last frame may be shorter; it is summarised over the samples it has.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"values must have shape (T, C), got {values.shape}")
    if not isinstance(frame, (int, np.integer)) or frame < 1:
        raise ValueError(f"frame must be a positive number of samples, got {frame!r}")
    if how not in ("mean", "rms"):
        raise ValueError(f"how must be 'mean' or 'rms', got {how!r}")
    T, C = values.shape
    n_frames = -(-T // frame)
    padded = np.zeros((n_frames * frame, C))
    padded[:T] = values ** 2 if how == "rms" else values
    sums = padded.reshape(n_frames, frame, C).sum(axis=1)
    counts = np.full(n_frames, float(frame))
    counts[-1] = T - (n_frames - 1) * frame
    means = sums / counts[:, None]
    return np.sqrt(means) if how == "rms" else means


def _frame_length(rate: float, frame_ms: float) -> int:
    if not (np.isfinite(frame_ms) and frame_ms > 0):
        raise ValueError(f"frame_ms must be a positive number of milliseconds, got {frame_ms!r}")
    return max(1, int(round(frame_ms * 1e-3 * rate)))


def _axes(ax, figsize=(7.0, 2.8)):
    if ax is None:
        return new_figure(figsize=figsize)
    return ax.figure, ax


def _cf_ticks(ax, cf, n_ticks: int = 5) -> None:
    """Channel numbers on the left; the CF of a few channels (kHz or Hz) on a twin axis on the right."""
    cf = np.asarray(cf, dtype=float)
    C = len(cf)
    ax.set_ylabel("channel (0 = highest CF)")
    twin = ax.twinx()
    twin.set_ylim(ax.get_ylim())
    picks = np.unique(np.linspace(0, C - 1, min(n_ticks, C)).round().astype(int))
    twin.set_yticks(picks)
    twin.set_yticklabels([f"{cf[p] / 1e3:.1f} kHz" if cf[p] >= 1e3 else f"{cf[p]:.0f} Hz" for p in picks],
                         fontsize=7)
    twin.tick_params(length=2)


def _image(ax, values, duration_ms: float, cf, *, cmap: str, vmin=None, vmax=None, label: str | None = None,
           colorbar: bool = True):
    """values (F, C) as an image: time along x (0 … duration_ms), channel 0 at the top."""
    C = values.shape[1]
    image = ax.imshow(values.T, aspect="auto", origin="upper", cmap=cmap, vmin=vmin, vmax=vmax,
                      extent=(0.0, duration_ms, C - 0.5, -0.5), interpolation="nearest")
    ax.set_xlabel("time [ms]")
    _cf_ticks(ax, cf)
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax, pad=0.09, fraction=0.04)
        if label:
            bar.set_label(label, fontsize=8)
        bar.ax.tick_params(labelsize=7)
    return image


# ----------------------------------------------------------------------------- one stage per function
def plot_waveform(waveform, sample_rate: float, *, ax=None, title: str | None = None, color=None):
    """The (n,) waveform at ``sample_rate`` Hz, against time in ms (amplitude in units of its RMS)."""
    waveform = np.asarray(waveform, dtype=float)
    if waveform.ndim != 1:
        raise ValueError(f"waveform must have shape (n,), got {waveform.shape}")
    fig, ax = _axes(ax)
    t = np.arange(len(waveform)) / sample_rate * 1e3
    ax.plot(t, waveform, lw=0.5, color=color or COLORS["input"])
    ax.set_xlim(0, max(t[-1], 1e-9) if len(t) else 1)
    ax.set_xlabel("time [ms]")
    ax.set_ylabel("pressure [RMS units]")
    if title:
        ax.set_title(title)
    return fig


def plot_cochleagram(values, rate: float, cf, *, how: str = "rms", frame_ms: float = 1.0, db: bool = True,
                     floor_db: float = 50.0, ax=None, title: str | None = None, cmap: str = "magma",
                     label: str | None = None, colorbar: bool = True):
    """A (T, C) stage sampled at ``rate`` Hz as an image of channels against time.

    how: ``rms`` (oscillating signals such as the basilar membrane) or ``mean`` (rates, transmitter) over frames of
    ``frame_ms``; db: show 20·log10 of the value relative to its maximum, clipped at −``floor_db`` dB.
    cf: (C,) characteristic frequencies, Hz, for the right-hand axis.
    """
    values = np.asarray(values)
    cf = np.asarray(cf)
    if values.ndim != 2 or values.shape[1] != len(cf):
        raise ValueError(f"values must have shape (T, C) with C = len(cf) = {len(cf)}, got {values.shape}")
    fig, ax = _axes(ax)
    frames = frame_summary(values, _frame_length(rate, frame_ms), how)
    duration_ms = values.shape[0] / rate * 1e3
    if db:
        top = float(frames.max(initial=0.0))
        scaled = 20 * np.log10(np.maximum(frames, top * 10 ** (-floor_db / 20) if top > 0 else 1e-12)
                               / (top if top > 0 else 1.0))
        _image(ax, scaled, duration_ms, cf, cmap=cmap, vmin=-floor_db, vmax=0.0,
               label=label or "dB re max", colorbar=colorbar)
    else:
        _image(ax, frames, duration_ms, cf, cmap=cmap, vmin=0.0, label=label, colorbar=colorbar)
    if title:
        ax.set_title(title)
    return fig


def plot_nerve_rates(step, channel, n_steps: int, rate: float, cf, *, frame_ms: float = 1.0, ax=None,
                     title: str | None = None, cmap: str = "viridis", colorbar: bool = True):
    """Auditory-nerve spikes of all fibres of each channel, as spikes per second per channel.

    step, channel: (S,) the fibre spikes (e.g. ``stages.nerve.step``, ``stages.nerve.channel``), steps of the
    model rate ``rate`` Hz; n_steps: length of the recording in steps; cf: (C,) Hz.
    """
    step = np.asarray(step, dtype=np.int64)
    channel = np.asarray(channel, dtype=np.int64)
    cf = np.asarray(cf)
    C = len(cf)
    if step.shape != channel.shape:
        raise ValueError(f"step and channel must have the same shape, got {step.shape} and {channel.shape}")
    if step.size and (step.max() >= n_steps or channel.max() >= C or step.min() < 0 or channel.min() < 0):
        raise ValueError(f"spikes outside {n_steps} steps × {C} channels")
    frame = _frame_length(rate, frame_ms)
    n_frames = -(-n_steps // frame)
    counts = np.zeros((n_frames, C))
    np.add.at(counts, (step // frame, channel), 1.0)
    fig, ax = _axes(ax)
    _image(ax, counts / (frame / rate), n_steps / rate * 1e3, cf, cmap=cmap, vmin=0.0,
           label="fibre spikes/s (all fibres)", colorbar=colorbar)
    if title:
        ax.set_title(title)
    return fig


def plot_output_spikes(times, units, cf, *, duration: float | None = None, ax=None, title: str | None = None,
                       color=None, size: float = 2.0):
    """The encoder's output: a dot per spike at (time [ms], unit), unit 0 at the top.

    times: (S,) seconds; units: (S,) channel ids; cf: (C,) Hz; duration: x range in seconds (default: last spike).
    """
    times = np.asarray(times, dtype=float)
    units = np.asarray(units, dtype=np.int64)
    cf = np.asarray(cf)
    C = len(cf)
    if times.shape != units.shape:
        raise ValueError(f"times and units must have the same shape, got {times.shape} and {units.shape}")
    if units.size and (units.min() < 0 or units.max() >= C):
        raise ValueError(f"units must lie in 0 … {C - 1} (len(cf) channels), got {units.min()} … {units.max()}")
    fig, ax = _axes(ax)
    ax.scatter(times * 1e3, units, s=size, color=color or COLORS["spike"], linewidths=0, marker="o")
    end = duration if duration is not None else (float(times.max()) if times.size else 1.0)
    ax.set_xlim(0, end * 1e3)
    ax.set_ylim(C - 0.5, -0.5)
    ax.set_xlabel("time [ms]")
    _cf_ticks(ax, cf)
    ax.text(0.995, 0.02, f"{times.size} spikes", transform=ax.transAxes, ha="right", va="bottom", fontsize=8,
            color="#555555")
    if title:
        ax.set_title(title)
    return fig


# ----------------------------------------------------------------------------- all stages of one recording
def plot_encoder_stages(stages, *, frame_ms: float = 1.0, axes=None, title: str | None = None):
    """Five panels, one per stage of :func:`snnlib.audio.encode_stages`, on a shared time axis in ms.

    1. the waveform (resampled, unit RMS, tapered); 2. basilar-membrane motion (RMS per frame, dB);
    3. hair-cell release rate h·c (spikes/s a fibre would fire); 4. auditory-nerve spikes (all fibres of a
    channel, per second); 5. the bushy cells' output spikes — what a dataset stores.
    stages: an :class:`snnlib.audio.EncoderStages`; axes: five Axes to draw into.
    """
    if axes is None:
        fig, axes = new_figure(5, 1, figsize=(8.0, 10.5), sharex=True,
                               gridspec_kw={"height_ratios": [0.7, 1, 1, 1, 1]})
    axes = list(np.ravel(axes))
    if len(axes) != 5:
        raise ValueError(f"plot_encoder_stages draws five panels; got {len(axes)} axes")
    fig = axes[0].figure
    rate = float(stages.model_rate)
    n_steps = stages.basilar.shape[0]
    duration = n_steps / rate
    plot_waveform(stages.waveform, stages.sample_rate, ax=axes[0], title="1 · waveform (48 kHz, unit RMS, tapered)")
    plot_cochleagram(stages.basilar, rate, stages.cf, how="rms", frame_ms=frame_ms, ax=axes[1],
                     title="2 · basilar membrane: gammatone filterbank (RMS per frame)")
    plot_cochleagram(stages.h * stages.cleft, rate, stages.cf, how="mean", frame_ms=frame_ms, db=False,
                     ax=axes[2], cmap="inferno", label="release rate [spikes/s]",
                     title="3 · inner hair cells (Meddis): release rate h·c")
    plot_nerve_rates(stages.nerve.step, stages.nerve.channel, n_steps, rate, stages.cf, frame_ms=frame_ms,
                     ax=axes[3], title="4 · auditory nerve: spikes of the fibres of each channel")
    plot_output_spikes(stages.times, stages.units, stages.cf, duration=duration, ax=axes[4],
                       title="5 · bushy cells: the output spikes")
    for ax in axes[:-1]:
        ax.set_xlabel("")
    for ax in axes:
        ax.set_xlim(0, duration * 1e3)
    if title:
        fig.suptitle(title)
    return fig


def plot_channel(stages, unit: int, *, start: float | None = None, stop: float | None = None, axes=None,
                 title: str | None = None):
    """One place on the cochlea, sample by sample: basilar-membrane motion, release rate, fibre spikes and
    the bushy cell's spikes of channel ``unit``, between ``start`` and ``stop`` seconds (default: a 40 ms
    window around the channel's strongest motion).
    """
    C = stages.basilar.shape[1]
    if not (0 <= int(unit) < C):
        raise ValueError(f"unit must be a channel 0 … {C - 1}, got {unit!r}")
    unit = int(unit)
    rate = float(stages.model_rate)
    n_steps = stages.basilar.shape[0]
    motion = np.asarray(stages.basilar[:, unit], dtype=float)
    if start is None or stop is None:
        centre = int(np.argmax(np.abs(motion))) / rate
        half = min(0.02, 0.5 * n_steps / rate)
        start = max(0.0, centre - half) if start is None else start
        stop = min(n_steps / rate, start + 2 * half) if stop is None else stop
    if not 0 <= start < stop:
        raise ValueError(f"need 0 <= start < stop seconds, got start={start}, stop={stop}")
    a, b = int(np.floor(start * rate)), min(n_steps, int(np.ceil(stop * rate)))
    if axes is None:
        fig, axes = new_figure(3, 1, figsize=(7.5, 5.4), sharex=True, gridspec_kw={"height_ratios": [1, 1, 1.2]})
    axes = list(np.ravel(axes))
    fig = axes[0].figure
    t_ms = np.arange(a, b) / rate * 1e3
    axes[0].plot(t_ms, motion[a:b], lw=0.8, color=COLORS["input"])
    axes[0].set_ylabel("basilar motion\n[input units]")
    axes[1].plot(t_ms, stages.h * np.asarray(stages.cleft[a:b, unit], dtype=float), lw=1.0,
                 color=COLORS["delayed"])
    axes[1].set_ylabel("release rate\n[spikes/s]")
    nerve = stages.nerve
    mine = (nerve.channel == unit) & (nerve.step >= a) & (nerve.step < b)
    axes[2].scatter(nerve.step[mine] / rate * 1e3, nerve.fibre[mine], s=6, marker="|", color="#555555",
                    linewidths=1.0, label="fibre spikes")
    n_fibres = int(nerve.fibre.max()) + 1 if nerve.fibre.size else 1
    out = (stages.units == unit) & (stages.times >= a / rate) & (stages.times < b / rate)
    axes[2].scatter(stages.times[out] * 1e3, np.full(int(out.sum()), n_fibres + 1.5), marker="v", s=40,
                    color=COLORS["spike"], label="bushy-cell spike", zorder=3)
    axes[2].set_ylim(-1, n_fibres + 3)
    axes[2].set_ylabel("fibre")
    axes[2].set_xlabel("time [ms]")
    axes[2].legend(fontsize=7, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2,
                   borderaxespad=0.1)
    for ax in axes:
        ax.set_xlim(t_ms[0] if len(t_ms) else 0, t_ms[-1] if len(t_ms) else 1)
    cf = float(np.asarray(stages.cf)[unit])
    fig.suptitle(title or f"channel {unit} (CF {cf:.0f} Hz): one place on the cochlea")
    return fig
