"""Basilar-membrane filterbank: channel frequencies along the cochlea and 4th-order gammatone filters.

**A documented simplification.** The pipeline that produced SHD (Cramer et al. 2020) used the hydrodynamic
basilar-membrane transfer function of Sieroka, Dosch & Rupp (2006). Here each place on the membrane is a
gammatone filter (Patterson et al. 1992; Glasberg & Moore 1990 bandwidths), the standard linear approximation of
the same tuning: sharp, asymmetric band-pass filters whose bandwidth grows with characteristic frequency (CF).

Place and frequency. Channels sit at equal steps of *place* x along the membrane (as the SHD channels do),
mapped to CF with Greenwood's (1990) human map ``f(x) = 165.4 (10^(2.1 x) − 0.88)`` Hz, x from apex (0) to base
(1). Unit 0 is the most basal channel, the highest CF, as in SHD; CF falls with the unit id.

Filter. The complex gammatone of order n, ``g(t) = t^(n−1) e^(−2π b t) e^(2π i f_c t)`` for t ≥ 0 (a cascade of
n identical complex one-pole filters), has the frequency response ``G(f) = (1 + i (f − f_c)/b)^(−n)``, normalised
here to gain 1 at f_c. Bandwidth ``b = 1.019 · ERB(f_c)``, ``ERB(f) = 24.7 (4.37 f/1000 + 1)`` Hz. The filter is
applied in the frequency domain, one FFT per recording: the real output keeps G on the positive frequencies and
its mirror image on the negative ones (identical to the real gammatone up to the overlap of those two lobes,
negligible once f_c ≫ b). The filter outputs can be produced directly at a lower rate (``decimation``) by
taking the inverse FFT over fewer bins, an exactly band-limited decimation.
"""
from __future__ import annotations

import numpy as np

from snnlib.audio.preprocess import next_fast_length

GREENWOOD_A = 165.4  # Hz
GREENWOOD_ALPHA = 2.1  # per unit length (x in [0, 1], apex to base)
GREENWOOD_K = 0.88
_BLOCK = 32  # channels per inverse FFT in Filterbank.apply
_CACHE_BYTES = 256 * 2**20  # responses larger than this (very long recordings) are not cached


def greenwood_place(freq: np.ndarray | float) -> np.ndarray:
    """Relative place x ∈ [0, 1] (0 = apex, 1 = base) whose characteristic frequency is ``freq`` (Hz)."""
    return np.log10(np.asarray(freq, dtype=np.float64) / GREENWOOD_A + GREENWOOD_K) / GREENWOOD_ALPHA


def greenwood_frequency(place: np.ndarray | float) -> np.ndarray:
    """Characteristic frequency (Hz) at relative place x ∈ [0, 1] (0 = apex, 1 = base), Greenwood 1990 (human)."""
    return GREENWOOD_A * (10.0 ** (GREENWOOD_ALPHA * np.asarray(place, dtype=np.float64)) - GREENWOOD_K)


def channel_frequencies(n_channels: int, f_min: float, f_max: float) -> np.ndarray:
    """CFs (n_channels,) in Hz, equally spaced in place between ``f_min`` and ``f_max``, highest first (unit 0)."""
    if n_channels < 1:
        raise ValueError(f"n_channels must be >= 1, got {n_channels}")
    if not 0 < f_min < f_max:
        raise ValueError(f"need 0 < f_min < f_max, got f_min={f_min} Hz, f_max={f_max} Hz")
    if n_channels == 1:
        return np.array([float(np.sqrt(f_min * f_max))])
    places = np.linspace(greenwood_place(f_max), greenwood_place(f_min), n_channels)
    return greenwood_frequency(places)


def erb(freq: np.ndarray | float) -> np.ndarray:
    """Equivalent rectangular bandwidth (Hz) of the human auditory filter at ``freq`` Hz (Glasberg & Moore 1990)."""
    return 24.7 * (4.37 * np.asarray(freq, dtype=np.float64) / 1000.0 + 1.0)


def gammatone_bandwidth(cf: np.ndarray | float) -> np.ndarray:
    """The gammatone's bandwidth parameter b = 1.019 · ERB(cf), in Hz."""
    return 1.019 * erb(cf)


def gammatone_response(freqs: np.ndarray, cf: np.ndarray, order: int = 4, gain: float = 1.0) -> np.ndarray:
    """Frequency response ``gain · (1 + i (f − cf)/b)^(−order)``: (C, F) complex64 for cf (C,) and freqs (F,), Hz.

    Magnitude ``gain`` at f = cf, falling as ``(1 + ((f − cf)/b)²)^(−order/2)`` on either side.
    """
    if order < 1:
        raise ValueError(f"gammatone order must be >= 1, got {order}")
    f = np.asarray(freqs, dtype=np.float32)[None, :]
    cf = np.asarray(cf, dtype=np.float64)
    inv_b = (1.0 / gammatone_bandwidth(cf)).astype(np.float32)[:, None]
    u = (f - cf.astype(np.float32)[:, None]) * inv_b
    # 1 / (1 + iu) = (1 − iu) / (1 + u²); raise to `order` by repeated complex multiplication.
    denom = 1.0 / (1.0 + u * u)
    out = np.empty(u.shape, dtype=np.complex64)
    out.real = denom
    out.imag = -u * denom
    del u, denom
    base = out.copy() if order > 1 else None
    for _ in range(order - 1):
        out *= base
    if gain != 1.0:
        out *= np.float32(gain)
    return out


def ringing_samples(cf_min: float, rate: float, order: int = 4) -> int:
    """Zero padding (samples at ``rate`` Hz) after a recording so the slowest channel's ringing does not wrap around.

    The gammatone envelope t^(n−1) e^(−2π b t) has fallen by more than 60 dB relative to its peak after
    (4 n) / (2π b) seconds.
    """
    return int(np.ceil(4 * order / (2 * np.pi * float(gammatone_bandwidth(cf_min))) * rate))


class Filterbank:
    """Gammatone filterbank applied by FFT, with the frequency responses cached per FFT length.

    cf: (C,) characteristic frequencies in Hz (unit 0 first); rate: input sample rate in Hz; decimation: the
    outputs are produced at ``rate / decimation`` Hz; gain: scale of the output (e.g. hair-cell input units per
    full-scale unit); order: gammatone order.
    """

    def __init__(self, cf: np.ndarray, rate: float, *, decimation: int = 1, gain: float = 1.0, order: int = 4):
        self.cf = np.asarray(cf, dtype=np.float64)
        self.rate = float(rate)
        self.decimation = int(decimation)
        self.gain = float(gain)
        self.order = int(order)
        if self.decimation < 1:
            raise ValueError(f"decimation must be a positive integer, got {decimation}")
        out_nyquist = 0.5 * self.rate / self.decimation
        top = float(self.cf.max()) + 4 * float(gammatone_bandwidth(self.cf.max()))
        if top > out_nyquist:
            raise ValueError(f"the highest channel ({self.cf.max():.0f} Hz, bandwidth "
                             f"{float(gammatone_bandwidth(self.cf.max())):.0f} Hz) reaches above the Nyquist "
                             f"frequency of the {self.rate / self.decimation:.0f} Hz output rate; lower f_max "
                             f"or the decimation")
        self.pad = ringing_samples(float(self.cf.min()), self.rate, self.order)
        self._cache: dict[int, np.ndarray] = {}

    def fft_length(self, n: int) -> int:
        """FFT length (input samples) used for a recording of n samples.

        A fast length on a coarse grid (multiples of 1024 · decimation), so that recordings of similar lengths
        share one length and its cached responses.
        """
        return next_fast_length(n + self.pad, multiple=1024 * self.decimation)

    def output_length(self, n: int) -> int:
        """Number of output samples for a recording of n input samples: ceil(n / decimation)."""
        return -(-n // self.decimation)

    def response(self, n_fft: int, channels: slice = slice(None)) -> np.ndarray:
        """(C', F_out) complex64 responses of the ``channels`` on the rFFT bins kept at the output rate.

        Cached for up to three FFT lengths when all C channels fit in 256 MB; computed afresh otherwise.
        """
        n_out = n_fft // self.decimation
        n_bins = n_out // 2 + 1
        if n_fft in self._cache:
            return self._cache[n_fft][channels]
        # The inverse FFT over n_out points scales amplitudes by n_fft / n_out = decimation: undo it here.
        gain = self.gain / self.decimation
        freqs = np.arange(n_bins) * (self.rate / n_fft)
        if len(self.cf) * n_bins * 8 > _CACHE_BYTES:
            return gammatone_response(freqs, self.cf[channels], self.order, gain)
        if len(self._cache) >= 3:
            self._cache.pop(next(iter(self._cache)))
        self._cache[n_fft] = gammatone_response(freqs, self.cf, self.order, gain)
        return self._cache[n_fft][channels]

    def apply(self, signal: np.ndarray, out: np.ndarray | None = None, channels: slice = slice(None)) -> np.ndarray:
        """Filter ``signal`` (n,) → (ceil(n/decimation), C') float32, time-major; written into ``out`` if given.

        ``channels`` selects a contiguous block of the C channels (all by default); C' is its size.
        """
        x = np.asarray(signal, dtype=np.float64)
        first, stop, stride = channels.indices(len(self.cf))
        if stride != 1:
            raise ValueError(f"Filterbank.apply takes a contiguous block of channels, got step {stride}")
        n_fft = self.fft_length(len(x))
        n_keep = self.output_length(len(x))
        n_out = n_fft // self.decimation
        spectrum = np.fft.rfft(x, n=n_fft)[: n_out // 2 + 1].astype(np.complex64)
        if out is None:
            out = np.empty((n_keep, stop - first), dtype=np.float32)
        # Inverse FFTs along the last axis (channel-major), 32 channels at a time so that the transposition into
        # the time-major output stays in cache.
        for c0 in range(first, stop, _BLOCK):
            c1 = min(c0 + _BLOCK, stop)
            block = np.fft.irfft(self.response(n_fft, slice(c0, c1)) * spectrum[None, :], n=n_out, axis=1)
            out[:, c0 - first:c1 - first] = block[:, :n_keep].T
        return out


def basilar_membrane(signal: np.ndarray, rate: float, cf: np.ndarray, *, order: int = 4,
                     decimation: int = 1, gain: float = 1.0) -> np.ndarray:
    """Basilar-membrane motion for ``signal`` (n,) at ``rate`` Hz: (ceil(n/decimation), C) float32, unit 0 = cf[0].

    Output in the units of the input times ``gain`` (gain 1 at each channel's CF).
    """
    return Filterbank(cf, rate, decimation=decimation, gain=gain, order=order).apply(signal)
