"""Offline datasets in the SHD schema, so that every notebook and test runs without a download.

Each generator is deterministic for a seed, takes its sizes as arguments, and writes ``{prefix}_train.h5``,
``{prefix}_test.h5`` (and ``{prefix}_valid.h5`` when ``n_valid > 0``) with :func:`snnlib.data.write_dataset`, so they
are read exactly like the published files. The parameters are stored as file attributes.

- :func:`make_shd_like`: 700 channels, 20 spoken-digit classes in two "languages"; a class is a sequence of
  formant-like sweeps through channel bands, in a class-specific order and direction. Every class visits every band
  for the same share of the word, so the per-channel spike totals are the same for all classes: telling them apart
  needs the time course.
- :func:`make_delay_task`: channels come in pairs; each channel fires once per sample, and the class decides which
  channel of each pair leads the other by ``lag`` steps. Channels and spike counts are identical for all classes;
  a delay of ``lag - offset_c[k]`` on channel k turns every pair of class c into a coincidence.
- :func:`make_randman`: random smooth manifolds (in the style of Zenke & Vogels' Randman benchmark): each class is
  a smooth random map from a low-dimensional latent point to one spike time per channel.

Each generator's own rng streams are derived from ``seed`` per part (structure, train, valid, test), so changing
``n_train`` does not change the test file.
"""
from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np

from snnlib import _io
from snnlib.data.schema import MAX_CHANNELS, DataError, file_prefix, is_count
from snnlib.data.writer import write_datasets

ENGLISH_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
GERMAN_DIGITS = ("null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun")

_PARTS = ("train", "valid", "test")


def make_shd_like(
    out_dir,
    *,
    n_train: int = 2000,
    n_valid: int = 0,
    n_test: int = 500,
    n_channels: int = 700,
    n_classes: int = 20,
    n_speakers: int = 12,
    spikes_per_sample: float = 1500.0,
    n_bands: int = 4,
    seed: int = 0,
) -> dict[str, Path]:
    """SHD-shaped files whose classes differ only in the time course of their spikes.

    A word is ``n_bands`` consecutive sweeps. Sweep i runs through channel band ``order_c[i]`` (the channels split
    into ``n_bands`` equal bands), rising in frequency for the English digits (classes 0-9) and falling for the
    German ones (10-19); digit d has the same band order in both languages. Spikes follow the sweep's centre with a
    Gaussian spread of 1/12 of a band, plus 10 % background spikes anywhere. Speakers differ in speed (word length
    x 0.8-1.25) and a constant channel shift (up to 3 % of the channels); as in SHD, two speakers appear only in
    the test file.

    Args:
        out_dir: folder for ``shd_like_{train,valid,test}.h5``.
        n_train, n_valid, n_test: samples per file (no validation file when n_valid = 0, as in SHD).
        n_channels: input channels (700 as in SHD).
        n_classes: 2..20; class names are the first ``n_classes`` of the English then the German digits (bytes).
        n_speakers: at least 3 (speaker ids 0..n_speakers-1; the last two are test-only).
        spikes_per_sample: mean spikes of a 0.6 s word (longer words have proportionally more).
        n_bands: channel bands per word; needs ``n_bands!`` >= 10 digit orders when n_classes > 6 (default 4).
        seed: seed of everything.

    Returns:
        dict part -> path of the written file.

    Timing: durations 0.45-0.8 s times the speaker's speed, onset 20-80 ms: all spikes lie before 1.15 s.
    """
    _check_sizes(n_train, n_valid, n_test, n_channels, n_classes)
    if n_classes > 20:
        raise DataError(f"shd-like has at most 20 classes (10 English, 10 German digits), got n_classes = {n_classes}")
    if n_speakers < 3:
        raise DataError(f"n_speakers = {n_speakers}; shd-like needs at least 3 (two of them are test-only)")
    n_words = min(n_classes, 10)
    if n_bands < 2 or n_channels < 2 * n_bands or math.factorial(n_bands) < n_words:
        raise DataError(
            f"n_bands = {n_bands} gives {math.factorial(max(n_bands, 0))} band orders for {n_words} digits over "
            f"{n_channels} channels; use at least 4 bands (and at least 2 channels per band)"
        )
    structure, *streams = np.random.SeedSequence(seed).spawn(4)
    rng = np.random.default_rng(structure)
    word_orders = []  # n_words distinct orders of the bands
    while len(word_orders) < n_words:
        order = tuple(rng.permutation(n_bands).tolist())
        if order not in word_orders:
            word_orders.append(order)
    class_orders = np.array([word_orders[c % 10] for c in range(n_classes)])
    class_rising = np.array([c < 10 for c in range(n_classes)])
    speed = rng.uniform(0.8, 1.25, n_speakers)
    shift = rng.uniform(-0.03, 0.03, n_speakers) * n_channels
    gender = rng.choice(np.array([b"female", b"male"]), n_speakers)
    meta_info = {
        "gender": gender,
        "age": rng.integers(20, 65, n_speakers).astype(np.uint8),
        "body_height": np.round(np.where(gender == b"male", 178.0, 166.0) + rng.normal(0, 7, n_speakers)),
    }
    edges = np.linspace(0, n_channels, n_bands + 1)
    width = (n_channels / n_bands) / 12

    def sample(rng, label, speaker):
        duration = rng.uniform(0.45, 0.8) * speed[speaker]
        onset = rng.uniform(0.02, 0.08)
        n_spikes = rng.poisson(spikes_per_sample * duration / 0.6)
        n_noise = rng.binomial(n_spikes, 0.1)
        # Position along the word in [0, 1): which sweep, and how far through it.
        bounds = np.concatenate([[0.0], np.cumsum(rng.dirichlet(np.full(n_bands, 8.0)))])
        u = rng.random(n_spikes - n_noise)
        segment = np.clip(np.searchsorted(bounds, u, side="right") - 1, 0, n_bands - 1)
        progress = (u - bounds[segment]) / (bounds[segment + 1] - bounds[segment])
        if not class_rising[label]:
            progress = 1.0 - progress
        band = class_orders[label][segment]
        centre = edges[band] + progress * (edges[band + 1] - edges[band]) + shift[speaker]
        units = np.rint(centre + rng.normal(0.0, width, len(u)))
        times = onset + u * duration
        noise_times = rng.uniform(0.0, onset + duration + 0.05, n_noise)
        noise_units = rng.integers(0, n_channels, n_noise)
        return _sorted_sample(np.concatenate([times, noise_times]), np.concatenate([units, noise_units]), n_channels)

    test_only = np.arange(n_speakers - 2, n_speakers)
    pools = {"train": np.arange(n_speakers - 2), "valid": np.arange(n_speakers - 2), "test": np.arange(n_speakers)}
    return _write_parts(
        out_dir, "shd-like", dict(zip(_PARTS, (n_train, n_valid, n_test))), streams, sample,
        class_names=(ENGLISH_DIGITS + GERMAN_DIGITS)[:n_classes], speaker_pools=pools, n_channels=n_channels,
        meta_info=meta_info,
        attrs=dict(generator="shd-like", seed=seed, n_bands=n_bands, spikes_per_sample=spikes_per_sample,
                   class_band_orders=class_orders, class_rising=class_rising, test_only_speakers=test_only),
    )


def make_delay_task(
    out_dir,
    *,
    n_train: int = 600,
    n_valid: int = 200,
    n_test: int = 200,
    n_channels: int = 20,
    n_classes: int = 3,
    n_steps: int = 50,
    dt: float = 0.01,
    lag: int = 10,
    jitter: int = 1,
    noise_rate: float = 0.5,
    seed: int = 0,
) -> dict[str, Path]:
    """Classes that differ only in the relative timing of spikes across channels.

    The channels form pairs (0, 1), (2, 3), ... Each channel fires once per sample: in pair g, channel k fires at
    step ``onset_g + offset_c[k] + j``, where ``offset_c`` is 0 for one channel of the pair and ``lag`` for the
    other, as class c dictates; ``onset_g`` is drawn per sample and pair (so absolute time, and timing across
    pairs, carry no information) and ``j`` is a jitter of ``-jitter..jitter`` steps. Channels and spike counts are
    therefore identical for every class: only which channel of each pair leads, by ``lag`` steps, differs. Each
    channel also fires Poisson noise spikes at ``noise_rate`` Hz. Spikes sit in the middle half of their step, so
    binning at ``dt`` recovers the steps exactly.

    Why pairs with independent onsets: with one onset for all channels, the order in which channels fire is a
    class signature that a network without delays reads from the membrane and readout traces (a weights-only LIF
    network trained with BPTT reached 100 % on such data; see docs/data.md). With the lag longer than those
    traces' memory (keep ``tau_mem`` and ``tau_out`` well below ``lag * dt``), a weights-only network sees one spike
    per channel at random times and stays near chance, while a delay of ``lag - offset_c[k]`` steps on channel k
    turns each pair of class c into a coincidence.

    Args:
        out_dir: folder for ``delay_task_{train,valid,test}.h5``.
        n_train, n_valid, n_test: samples per file.
        n_channels: input channels, even (default 20: 10 pairs).
        n_classes: classes (default 3), named ``pattern A``, ``pattern B``, ...
        n_steps: steps per sample; the window is ``n_steps * dt`` seconds (default 50 steps of 10 ms).
        dt: step width, seconds.
        lag: steps between the two spikes of a pair (default 10 = 100 ms, within the default d_max of 25).
        jitter: +- steps of timing noise per spike.
        noise_rate: background spikes per channel per second.
        seed: seed of everything.

    Returns:
        dict part -> path. File attributes: ``class_offsets`` (n_classes, n_channels) steps, each 0 or ``lag``;
        ``lag``, ``dt``, ``n_steps``, ``jitter``, ``noise_rate``, ``seed``.
    """
    _check_sizes(n_train, n_valid, n_test, n_channels, n_classes)
    if n_channels % 2:
        raise DataError(f"delay-task pairs its channels, so n_channels must be even, got {n_channels}")
    free = n_steps - lag - 2 * jitter
    if lag < 1 or jitter < 0 or free < 1:
        raise DataError(
            f"n_steps = {n_steps} cannot hold a lag of {lag} steps with jitter {jitter}; "
            "need lag >= 1 and n_steps > lag + 2 * jitter"
        )
    n_pairs = n_channels // 2
    if n_classes > min(26, 2**n_pairs):
        raise DataError(
            f"n_classes = {n_classes} is more than delay-task can name (A..Z) or encode with {n_pairs} pairs"
        )
    structure, *streams = np.random.SeedSequence(seed).spawn(4)
    leads = _distinct_codes(np.random.default_rng(structure), n_classes, n_pairs)  # (n_classes, n_pairs) 0 or 1
    offsets = np.zeros((n_classes, n_channels), dtype=np.int64)
    offsets[:, 0::2] = lag * leads  # leads = 1: the odd channel of the pair fires first
    offsets[:, 1::2] = lag * (1 - leads)
    window = n_steps * dt
    channels = np.arange(n_channels)

    def sample(rng, label, speaker):
        onset = np.repeat(rng.integers(jitter, jitter + free, n_pairs), 2)
        steps = onset + offsets[label] + rng.integers(-jitter, jitter + 1, n_channels)
        n_noise = rng.poisson(noise_rate * n_channels * window)
        steps = np.concatenate([steps, rng.integers(0, n_steps, n_noise)])
        times = (steps + rng.uniform(0.25, 0.75, len(steps))) * dt
        units = np.concatenate([channels, rng.integers(0, n_channels, n_noise)])
        return _sorted_sample(times, units, n_channels)

    return _write_parts(
        out_dir, "delay-task", dict(zip(_PARTS, (n_train, n_valid, n_test))), streams, sample,
        class_names=[f"pattern {chr(ord('A') + c)}" for c in range(n_classes)], n_channels=n_channels,
        attrs=dict(generator="delay-task", seed=seed, dt=dt, n_steps=n_steps, lag=lag, jitter=jitter,
                   noise_rate=noise_rate, class_offsets=offsets),
    )


def make_randman(
    out_dir,
    *,
    n_train: int = 1000,
    n_valid: int = 200,
    n_test: int = 300,
    n_channels: int = 50,
    n_classes: int = 10,
    dim: int = 1,
    smoothness: float = 2.0,
    n_components: int = 4,
    duration: float = 0.5,
    jitter: float = 0.0,
    seed: int = 0,
) -> dict[str, Path]:
    """Random-manifold spike patterns: each class is a smooth random map from a latent point to spike times.

    For class c and channel k, ``f_ck(x) = sum_d sum_m a_ckdm / m**smoothness * sin(2 pi (m x_d + phi_ckdm))``
    with ``x`` uniform in ``[0, 1)**dim`` and ``m = 1..n_components``, rescaled to [0, 1] over the manifold.
    A sample of class c draws x and fires channel k once, at ``(0.05 + 0.9 f_ck(x)) * duration`` seconds (plus
    Gaussian jitter, clipped to the window). Every class fires every channel exactly once: only timing differs.

    Args:
        out_dir: folder for ``randman_{train,valid,test}.h5``.
        n_train, n_valid, n_test: samples per file.
        n_channels: input channels (default 50).
        n_classes: classes (manifolds), default 10.
        dim: latent dimension (1: each class is a curve; larger is harder).
        smoothness: decay exponent of the Fourier amplitudes (larger: smoother manifolds).
        n_components: Fourier components per latent dimension.
        duration: window, seconds.
        jitter: standard deviation of the spike-time noise, seconds.
        seed: seed of everything.

    Returns:
        dict part -> path.
    """
    _check_sizes(n_train, n_valid, n_test, n_channels, n_classes)
    if dim < 1 or n_components < 1 or not duration > 0 or jitter < 0:
        raise DataError("randman needs dim >= 1, n_components >= 1, duration > 0 s and jitter >= 0 s")
    structure, *streams = np.random.SeedSequence(seed).spawn(4)
    rng = np.random.default_rng(structure)
    shape = (n_classes, n_channels, dim, n_components)
    amplitude = rng.uniform(0.0, 1.0, shape) / np.arange(1, n_components + 1) ** smoothness
    phase = rng.uniform(0.0, 1.0, shape)
    harmonics = np.arange(1, n_components + 1)

    def manifold(label, x):  # x: (P, dim) -> (P, n_channels) raw values
        waves = np.sin(2 * np.pi * (harmonics * x[:, None, :, None] + phase[label][None]))
        return (amplitude[label][None] * waves).sum(axis=(2, 3))

    # Range of each channel's function over the manifold, estimated on random latent points.
    probe = rng.random((1024, dim))
    values = [manifold(c, probe) for c in range(n_classes)]
    low = np.stack([v.min(axis=0) for v in values])
    high = np.stack([v.max(axis=0) for v in values])
    channels = np.arange(n_channels)

    def sample(rng, label, speaker):
        value = (manifold(label, rng.random((1, dim)))[0] - low[label]) / (high[label] - low[label])
        times = (0.05 + 0.9 * np.clip(value, 0.0, 1.0)) * duration + rng.normal(0.0, jitter, n_channels)
        return _sorted_sample(np.clip(times, 0.0, duration * 0.999), channels, n_channels)

    return _write_parts(
        out_dir, "randman", dict(zip(_PARTS, (n_train, n_valid, n_test))), streams, sample,
        class_names=[f"manifold {c}" for c in range(n_classes)], n_channels=n_channels,
        attrs=dict(generator="randman", seed=seed, dim=dim, smoothness=smoothness, n_components=n_components,
                   duration=duration, jitter=jitter),
    )


#: Generators by command-line name.
MAKERS = {"shd-like": make_shd_like, "delay-task": make_delay_task, "randman": make_randman}


def _write_parts(out_dir, name, sizes, streams, sample, *, class_names, n_channels, speaker_pools=None,
                 meta_info=None, attrs=None) -> dict[str, Path]:
    """Write one file per part with n > 0: balanced labels, speakers drawn from the part's pool.

    The parts are written all or none (:func:`~snnlib.data.writer.write_datasets`): a part that cannot be written
    (a full disk, Ctrl-C) leaves the folder as it was, never a new training file beside an old test file.
    """
    out_dir = _io.prepare_folder(out_dir, DataError)  # a file, /proc or a read-only folder: say so before any work
    n_classes = len(class_names)
    files = []
    for part, stream in zip(_PARTS, streams):
        n = sizes[part]
        if n == 0:
            continue
        rng = np.random.default_rng(stream)
        labels = rng.permutation(np.arange(n) % n_classes)
        pool = speaker_pools[part] if speaker_pools else np.zeros(1, np.int64)
        speakers = rng.choice(pool, size=n)
        samples = _generate(sample, rng, labels, speakers)  # lazily, with this part's own generator
        files.append((part, dict(path=out_dir / f"{file_prefix(name)}_{part}.h5", samples=samples, labels=labels,
                                 class_names=class_names, speakers=speakers, meta_info=meta_info,
                                 n_channels=n_channels, attrs=attrs)))
    paths = write_datasets([spec for _, spec in files])
    return {part: path for (part, _), path in zip(files, paths)}


def _generate(sample, rng, labels, speakers):
    for label, speaker in zip(labels, speakers):
        yield sample(rng, label, speaker)


def _sorted_sample(times, units, n_channels):
    """Drop spikes outside the channels (a shifted sweep can leave them), sort by time."""
    inside = (units >= 0) & (units < n_channels)
    times, units = times[inside], units[inside].astype(np.int64)
    order = np.argsort(times, kind="stable")
    return times[order], units[order]


def _distinct_codes(rng, n: int, length: int, attempts: int = 1000) -> np.ndarray:
    """n distinct binary codes of ``length`` bits, preferably every two differing in at least a third of the bits
    and no bit the same in all codes (every pair of channels then carries information)."""
    best, best_distance = None, -1
    for _ in range(attempts):
        codes = rng.integers(0, 2, (n, length))
        distance = min((np.count_nonzero(a != b) for a, b in itertools.combinations(codes, 2)), default=length)
        if distance > best_distance and len({tuple(c) for c in codes}) == n:
            best, best_distance = codes, distance
            if distance >= max(1, length // 3) and (codes.min(0) != codes.max(0)).all():
                break
    return best


def _check_sizes(n_train, n_valid, n_test, n_channels, n_classes):
    for what, value in (("n_train", n_train), ("n_valid", n_valid), ("n_test", n_test)):
        if not is_count(value, minimum=0):
            raise DataError(f"{what} = {value!r}; expected a number of samples >= 0")
    if n_train < 1 or n_test < 1:
        raise DataError("n_train and n_test must be at least 1")
    if not is_count(n_classes, 2):
        raise DataError(f"n_classes = {n_classes!r}; a classification task needs an integer of at least 2 classes")
    if not is_count(n_channels, 1, MAX_CHANNELS):
        raise DataError(f"n_channels = {n_channels!r}; expected an integer in 1..{MAX_CHANNELS}")
