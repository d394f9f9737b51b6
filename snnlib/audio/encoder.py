"""Sound → spikes: the encoder pipeline, modelled on the one that produced SHD (Cramer et al. 2020).

Stages, for one recording::

    waveform   resample to 48 kHz (band-limited), scale to unit RMS, Hann taper at both ends   (preprocess.py)
    basilar    C gammatone channels, unit 0 = highest CF, × ``level`` → hair-cell input units     (cochlea.py)
    cleft      Meddis inner hair cell per channel (explicit Euler, guarded)                        (haircell.py)
    nerve      n_fibres fibres per channel, release-probability spiking, absolute refractoriness (nerve.py)
    bushy      one LIF bushy cell per channel, driven by its fibres; its spikes are the output    (nerve.py)

The filterbank runs on the 48 kHz waveform; its outputs are taken at ``48 kHz / decimation`` (default 24 kHz: an
exactly band-limited decimation, valid because the highest channel's passband ends below 12 kHz), and the hair
cells, fibres and bushy cells run at that model rate. ``decimation=1`` runs everything at 48 kHz, about twice as
slow.

Randomness is confined to the fibres and comes from ``numpy.random.default_rng([seed, first_channel])``: the same
recording, parameters and seed always give the same spikes, whether it is encoded alone (:func:`encode`), with
its intermediate stages (:func:`encode_stages`) or in a batch (:func:`encode_many`).

Speed: the time loops of the hair cell and the bushy cells are vectorised across channels *and* across the
recordings of a batch (several recordings side by side in one (T, W) array), so the per-step Python overhead is
shared; the fibres are vectorised over time (see :mod:`snnlib.audio.nerve`).
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

import numpy as np

from snnlib.audio.cochlea import Filterbank, channel_frequencies, gammatone_bandwidth
from snnlib.audio.haircell import MeddisParams, check_stability, haircell
from snnlib.audio.nerve import BushyParams, NerveParams, NerveSpikes, bushy_cells, nerve_spikes, spike_counts
from snnlib import _io
from snnlib.audio.preprocess import hann_taper, resample, rms_normalise
from snnlib.audio.wav import MAX_RATE, MIN_RATE, AudioError

# Batches of recordings are packed so that one (T, W) float32 array holds at most this many values (~320 MB; a
# batch needs about twice that in all), and at most this many columns (wider arrays no longer reduce the per-step
# overhead).
_MAX_ELEMENTS = 80_000_000
_MAX_WIDTH = 8400


@dataclass(frozen=True)
class EncoderParams:
    """Every setting of the encoder. Frozen: derive variants with ``dataclasses.replace``.

    n_channels: output channels (700 as in SHD); unit 0 has the highest characteristic frequency.
    f_min, f_max: CFs of the lowest and highest channel, Hz (equal steps of cochlear place in between).
    sample_rate: rate the recording is resampled to before the filterbank, Hz (48 kHz as in SHD).
    decimation: the hair cells, fibres and bushy cells run at ``sample_rate / decimation`` Hz.
    taper: length of each Hann ramp at the start and end of the recording, seconds.
    level: RMS amplitude of the recording after normalisation, in hair-cell input units (sets how hard the
        hair cells are driven; Meddis's B = 300 units is where they start to saturate).
    silence_rms: recordings quieter than this RMS (full-scale units) are not normalised (they stay silent).
    gammatone_order: order of the gammatone filters.
    haircell: Meddis hair-cell parameters. nerve: fibres per channel and their refractory period.
    bushy: bushy-cell LIF parameters.
    """

    n_channels: int = 700
    f_min: float = 50.0
    f_max: float = 8000.0
    sample_rate: float = 48000.0
    decimation: int = 2
    taper: float = 0.005
    level: float = 1500.0
    silence_rms: float = 1e-5
    gammatone_order: int = 4
    haircell: MeddisParams = field(default_factory=MeddisParams)
    nerve: NerveParams = field(default_factory=NerveParams)
    bushy: BushyParams = field(default_factory=BushyParams)

    def __post_init__(self):
        def integer(name, lo, hi):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not lo <= value <= hi:
                raise ValueError(f"EncoderParams.{name} must be an integer in [{lo}, {hi}], got {value!r}")

        def positive(name):
            value = getattr(self, name)
            if not (isinstance(value, (int, float, np.floating)) and np.isfinite(value) and value > 0):
                raise ValueError(f"EncoderParams.{name} must be a positive number, got {value!r}")

        integer("n_channels", 1, 65536)
        integer("decimation", 1, 64)
        integer("gammatone_order", 1, 16)
        for name in ("f_min", "f_max", "sample_rate", "level", "silence_rms"):
            positive(name)
        if not (np.isfinite(self.taper) and self.taper >= 0):
            raise ValueError(f"EncoderParams.taper must be >= 0 seconds, got {self.taper!r}")
        if self.f_min >= self.f_max:
            raise ValueError(f"EncoderParams.f_min ({self.f_min} Hz) must be below f_max ({self.f_max} Hz)")
        for name, kind in (("haircell", MeddisParams), ("nerve", NerveParams), ("bushy", BushyParams)):
            if not isinstance(getattr(self, name), kind):
                raise ValueError(f"EncoderParams.{name} must be a {kind.__name__}, got "
                                 f"{type(getattr(self, name)).__name__}")
        top = self.f_max + 4 * float(gammatone_bandwidth(self.f_max))
        if top > 0.5 * self.model_rate:
            raise ValueError(
                f"EncoderParams.f_max = {self.f_max:g} Hz: the channel's passband reaches {top:.0f} Hz, above the "
                f"Nyquist frequency {0.5 * self.model_rate:.0f} Hz of the model rate "
                f"(sample_rate / decimation = {self.model_rate:g} Hz); lower f_max or the decimation")
        check_stability(self.haircell, self.dt)

    @property
    def model_rate(self) -> float:
        """Rate of the hair cells, fibres and bushy cells, Hz."""
        return self.sample_rate / self.decimation

    @property
    def dt(self) -> float:
        """Time step of the hair cells, fibres and bushy cells, seconds."""
        return 1.0 / self.model_rate

    @property
    def cf(self) -> np.ndarray:
        """(n_channels,) characteristic frequencies in Hz; cf[unit], highest first."""
        return channel_frequencies(self.n_channels, self.f_min, self.f_max)

    def as_attrs(self, prefix: str = "encoder.") -> dict[str, float]:
        """Flat ``{name: number}`` view (nested parameters as ``haircell.g`` …), e.g. for HDF5 file attributes."""
        flat = {}
        for key, value in asdict(self).items():
            if isinstance(value, dict):
                flat.update({f"{prefix}{key}.{k}": v for k, v in value.items()})
            else:
                flat[f"{prefix}{key}"] = value
        return flat


class EncoderStages(NamedTuple):
    """Every stage of the encoder for one recording (for plotting; see notebook 10).

    waveform: (n,) float64, the recording after resampling, RMS normalisation and taper (unit RMS), at
        ``sample_rate`` Hz.
    sample_rate: Hz. cf: (C,) characteristic frequency of each channel, Hz (unit 0 highest).
    model_rate: Hz, the rate of every array below; step t is at time t / model_rate seconds.
    basilar: (T, C) float32 basilar-membrane motion in hair-cell input units.
    cleft: (T, C) float32 cleft transmitter of each hair cell; ``release_rate`` = h · cleft in spikes/s.
    nerve: the auditory-nerve fibre spikes (step, channel, fibre arrays).
    bushy: (T, C) bool, bushy-cell spikes.
    times: (S,) float64 seconds and units: (S,) uint16 — the output spikes, as written to a dataset.
    h: the hair cell's firing rate per unit of cleft transmitter, spikes/s.
    """

    waveform: np.ndarray
    sample_rate: float
    cf: np.ndarray
    model_rate: float
    basilar: np.ndarray
    cleft: np.ndarray
    nerve: NerveSpikes
    bushy: np.ndarray
    times: np.ndarray
    units: np.ndarray
    h: float

    @property
    def release_rate(self) -> np.ndarray:
        """(T, C) firing rate of a non-refractory fibre, spikes/s."""
        return self.h * self.cleft


def prepare(signal: np.ndarray, rate: float, params: EncoderParams | None = None) -> np.ndarray:
    """The waveform stage: resample ``signal`` (n,) from ``rate`` Hz to ``params.sample_rate``, normalise to unit RMS
    and taper. Returns (round(n · sample_rate / rate),) float64.
    """
    params = params or EncoderParams()
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"the encoder takes a non-empty 1-D signal, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"the signal contains {int(np.sum(~np.isfinite(x)))} NaN or inf samples")
    if not (np.isfinite(rate) and rate > 0):
        raise ValueError(f"the sample rate must be a positive number of Hz, got {rate!r}")
    check_encodable(len(x), rate, params)
    x = resample(x, rate, params.sample_rate)
    if x.size == 0:
        raise ValueError(f"the recording ({len(signal)} samples at {rate:g} Hz) is too short to resample to "
                         f"{params.sample_rate:g} Hz")
    x = rms_normalise(x, silence_rms=params.silence_rms)
    return hann_taper(x, params.sample_rate, params.taper)


def encoding_memory(n_samples: int, rate: float, params: EncoderParams | None = None) -> int:
    """Bytes that encoding one recording of ``n_samples`` at ``rate`` Hz allocates beyond the fixed batch budget
    (about 0.5 GB, see ``_MAX_ELEMENTS``): resampling (about 20 B per sample at ``sample_rate``), the filterbank's
    FFTs of 32 channels at a time (measured 241 B per sample at ``sample_rate``) and, for recordings longer than the
    batch budget's time span, the model-rate arrays of one channel (10 B per step)."""
    params = params or EncoderParams()
    n = float(n_samples) * params.sample_rate / float(rate)  # samples at the encoder's rate
    steps = n / params.decimation
    return int(280 * n + 10 * max(0.0, steps - _MAX_ELEMENTS))


def check_encodable(n_samples: int, rate: float, params: EncoderParams | None = None, where: str = "the recording"
                    ) -> None:
    """Raise :class:`~snnlib.audio.wav.AudioError` if the rate lies outside ``MIN_RATE``..``MAX_RATE`` Hz or if
    encoding the recording would need more memory than the machine has available (:func:`encoding_memory`)."""
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"{where}: sample rate {rate:g} Hz is outside the {MIN_RATE}-{MAX_RATE} Hz the encoder "
                         "takes; resample the recording (e.g. to 16000 Hz)")
    shortfall = _io.memory_shortfall(encoding_memory(n_samples, rate, params))
    if shortfall is not None:
        raise AudioError(f"{where}: {n_samples / rate:.0f} s of sound; encoding it would need {shortfall}; "
                         "split it into shorter recordings")


def encode(signal: np.ndarray, rate: float, params: EncoderParams | None = None, seed: int = 0
           ) -> tuple[np.ndarray, np.ndarray]:
    """Encode one recording. signal: (n,) samples (full scale ±1) at ``rate`` Hz; seed: non-negative int.

    Returns ``(times, units)``: (S,) float64 spike times in seconds from the start of the recording, sorted, and
    (S,) uint16 channel ids (unit 0 = highest CF).
    """
    return encode_many([(signal, rate)], params, [seed])[0]


def encode_stages(signal: np.ndarray, rate: float, params: EncoderParams | None = None, seed: int = 0
                  ) -> EncoderStages:
    """Encode one recording and return every intermediate stage (:class:`EncoderStages`).

    Its ``times`` and ``units`` equal :func:`encode`'s for the same arguments.
    """
    params = params or EncoderParams()
    waveform = prepare(signal, rate, params)
    filterbank = _filterbank(params)
    n_steps = filterbank.output_length(len(waveform))
    shape = (n_steps, params.n_channels)
    basilar = np.empty(shape, np.float32)
    cleft = np.empty(shape, np.float32)
    bushy = np.empty(shape, bool)
    nerve, steps, units = [], [], []
    for c0, c1 in _channel_blocks(n_steps, params.n_channels):
        unit = _Unit(0, c0, c1, n_steps)
        (result,), kept = _run_batch([unit], [waveform], [_check_seed(seed)], params, filterbank, keep=True)
        basilar[:, c0:c1], cleft[:, c0:c1], bushy[:, c0:c1] = kept["basilar"], kept["cleft"], kept["bushy"]
        sp = kept["nerve"][0]
        nerve.append(NerveSpikes(sp.step, sp.channel + c0, sp.fibre))
        steps.append(result[0])
        units.append(result[1])
    step, units = _merge_blocks(steps, units)
    times = step * params.dt
    nerve_all = NerveSpikes(*(np.concatenate(parts) for parts in zip(*nerve)))
    if len(nerve) > 1:  # blocks were simulated one after the other: restore the (step, channel) order
        order = np.lexsort((nerve_all.channel, nerve_all.step))
        nerve_all = NerveSpikes(*(a[order] for a in nerve_all))
    return EncoderStages(waveform, params.sample_rate, params.cf, params.model_rate, basilar, cleft, nerve_all,
                         bushy, times, units, params.haircell.h)


def encode_many(recordings: Sequence[tuple[np.ndarray, float]], params: EncoderParams | None = None,
                seeds: Sequence[int] | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Encode several recordings, batched for speed. recordings: (signal, rate) pairs; seeds: one per recording
    (default: all 0). Returns one ``(times, units)`` pair per recording, as :func:`encode` would.
    """
    params = params or EncoderParams()
    return [(steps * params.dt, units) for steps, units in _encode_steps(recordings, params, seeds)]


def _encode_steps(recordings, params: EncoderParams, seeds) -> list[tuple[np.ndarray, np.ndarray]]:
    """As :func:`encode_many`, with spike times as integer model steps (times = steps · dt)."""
    recordings = list(recordings)
    seeds = [0] * len(recordings) if seeds is None else [_check_seed(s) for s in seeds]
    if len(seeds) != len(recordings):
        raise ValueError(f"encode_many got {len(recordings)} recordings but {len(seeds)} seeds")
    waveforms = [prepare(signal, rate, params) for signal, rate in recordings]
    filterbank = _filterbank(params)
    lengths = [filterbank.output_length(len(w)) for w in waveforms]
    steps: list[list[np.ndarray]] = [[] for _ in waveforms]
    units: list[list[np.ndarray]] = [[] for _ in waveforms]
    for batch in plan_batches(lengths, params.n_channels):
        results, _ = _run_batch(batch, waveforms, seeds, params, filterbank)
        for unit, (st, un) in zip(batch, results):
            steps[unit.clip].append(st)
            units[unit.clip].append(un)
    return [_merge_blocks(st, un) for st, un in zip(steps, units)]


# -- batching ------------------------------------------------------------------------------------------------------

class _Unit(NamedTuple):
    """A block of channels [c0, c1) of recording ``clip``, which lasts ``n_steps`` model steps."""

    clip: int
    c0: int
    c1: int
    n_steps: int


def _channel_blocks(n_steps: int, n_channels: int) -> list[tuple[int, int]]:
    """Split the channels of a recording too long for one array into blocks (depends only on its own size)."""
    widest = max(1, _MAX_ELEMENTS // max(n_steps, 1))
    n_blocks = -(-n_channels // widest)
    edges = [i * n_channels // n_blocks for i in range(n_blocks + 1)]  # blocks of equal width (±1)
    return list(zip(edges[:-1], edges[1:]))


def plan_batches(lengths: Sequence[int], n_channels: int) -> list[list[_Unit]]:
    """Group recordings of ``lengths`` model steps into batches (longest first) that fit the memory budget."""
    units = [_Unit(i, c0, c1, n) for i, n in enumerate(lengths) for c0, c1 in _channel_blocks(n, n_channels)]
    units.sort(key=lambda u: -u.n_steps)
    batches: list[list[_Unit]] = []
    width = 0
    for unit in units:
        w = unit.c1 - unit.c0
        if batches and (width + w) * batches[-1][0].n_steps <= _MAX_ELEMENTS and width + w <= _MAX_WIDTH:
            batches[-1].append(unit)
            width += w
        else:
            batches.append([unit])
            width = w
    return batches


def _run_batch(batch: list[_Unit], waveforms, seeds, params: EncoderParams, filterbank: Filterbank,
               keep: bool = False):
    """Simulate the units of a batch side by side; returns per-unit (steps, units) and, with ``keep``, the stages."""
    n_steps = max(u.n_steps for u in batch)
    offsets = np.cumsum([0] + [u.c1 - u.c0 for u in batch])
    width = int(offsets[-1])
    dt = params.dt
    signal = np.zeros((n_steps, width), dtype=np.float32)
    for unit, off in zip(batch, offsets):
        filterbank.apply(waveforms[unit.clip], out=signal[:unit.n_steps, off:off + unit.c1 - unit.c0],
                         channels=slice(unit.c0, unit.c1))
    kept = {"basilar": signal.copy()} if keep else {}
    cleft = haircell(signal, params.haircell, dt, out=signal)  # in place: the stimulus is consumed row by row
    counts = np.zeros((n_steps, width), dtype=np.uint8 if params.nerve.n_fibres < 256 else np.uint16)
    nerves = []
    for unit, off in zip(batch, offsets):
        w = unit.c1 - unit.c0
        rng = np.random.default_rng([seeds[unit.clip], unit.c0])
        sp = nerve_spikes(cleft[:unit.n_steps, off:off + w], dt, params.haircell.h, params.nerve, rng)
        spike_counts(sp, counts.shape, offset=off, out=counts)
        if keep:
            nerves.append(sp)
    spikes = bushy_cells(counts, params.bushy, dt)
    step, column = np.divmod(np.flatnonzero(spikes), width)  # sorted by step, then column
    which = np.searchsorted(offsets, column, side="right") - 1
    results = []
    for i, unit in enumerate(batch):
        mine = (which == i) & (step < unit.n_steps)
        results.append((step[mine], column[mine] - offsets[i] + unit.c0))
    if keep:
        kept.update(cleft=cleft, nerve=nerves, bushy=spikes)
    return results, kept


def _merge_blocks(steps: list[np.ndarray], units: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Spikes of a recording's channel blocks → (steps int64, units uint16) sorted by step, then unit."""
    step = np.concatenate(steps) if steps else np.zeros(0, np.int64)
    unit = np.concatenate(units) if units else np.zeros(0, np.int64)
    if len(steps) > 1:
        order = np.lexsort((unit, step))
        step, unit = step[order], unit[order]
    return step, unit.astype(np.uint16)


@functools.lru_cache(maxsize=2)
def _filterbank(params: EncoderParams) -> Filterbank:
    """The filterbank of ``params``, kept between calls so its cached responses are reused (e.g. by a worker)."""
    return Filterbank(params.cf, params.sample_rate, decimation=params.decimation, gain=params.level,
                      order=params.gammatone_order)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return int(seed)


__all__ = ["EncoderParams", "EncoderStages", "encode", "encode_many", "encode_stages", "plan_batches", "prepare"]
