"""Waveform preparation before the cochlea: band-limited resampling, RMS normalisation, a Hann taper.

All three are pure functions of 1-D float arrays. Amplitudes are in full-scale units (a 16-bit WAV maps to ±1).
"""
from __future__ import annotations

from fractions import Fraction

import numpy as np


def next_fast_length(n: int, multiple: int = 1) -> int:
    """The smallest length ≥ n that is a multiple of ``multiple`` and whose cofactor has no prime factor above 5.

    FFTs of such lengths are fast; ``multiple`` lets a caller cut the length evenly (decimation, rational ratios).
    """
    if n < 1 or multiple < 1:
        raise ValueError(f"next_fast_length needs n >= 1 and multiple >= 1, got n={n}, multiple={multiple}")
    target = -(-n // multiple)  # ceil(n / multiple)
    best = None
    p5 = 1
    while p5 < 2 * target:
        p35 = p5
        while p35 < 2 * target:
            p235 = p35
            while p235 < target:
                p235 *= 2
            if best is None or p235 < best:
                best = p235
            p35 *= 3
        p5 *= 5
    return int(best) * multiple


def resample(signal: np.ndarray, rate_in: float, rate_out: float, *, rolloff: float = 0.95) -> np.ndarray:
    """Band-limited resampling by the exact rational ratio ``rate_out / rate_in`` (FFT method).

    signal: (n,) samples at ``rate_in`` Hz. Returns (round(n · rate_out / rate_in),) float64 at ``rate_out`` Hz.

    The signal is zero-padded (so the FFT's circular convolution does not wrap one end onto the other), its
    spectrum is cut at the lower of the two Nyquist frequencies with a raised-cosine roll-off that starts at
    ``rolloff`` × that frequency (a short, nearly ideal low-pass: it removes the images when upsampling and
    prevents aliasing when downsampling), and the inverse FFT is taken at the new length. A sinusoid well inside
    the band passes with its amplitude and phase unchanged.
    """
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"resample takes a 1-D signal, got shape {x.shape}")
    if not (rate_in > 0 and rate_out > 0):
        raise ValueError(f"sample rates must be positive, got rate_in={rate_in}, rate_out={rate_out}")
    if not 0.0 < rolloff <= 1.0:
        raise ValueError(f"rolloff must lie in (0, 1], got {rolloff}")
    ratio = Fraction(rate_out).limit_denominator(1_000_000) / Fraction(rate_in).limit_denominator(1_000_000)
    up, down = ratio.numerator, ratio.denominator
    n_out = int(round(len(x) * up / down))
    if up == down:
        return x.copy()
    # Zero guard of at least 20 ms (and 64 samples) each side; lengths are multiples of `down` so that the
    # output length n_pad * up / down is an integer and the guard maps to a whole number of output samples.
    guard = -(-max(64, int(0.02 * rate_in)) // down) * down
    n_pad = next_fast_length(len(x) + 2 * guard, multiple=down)
    m_pad = n_pad // down * up
    padded = np.zeros(n_pad)
    padded[guard:guard + len(x)] = x
    spectrum = np.fft.rfft(padded)
    n_bins = min(len(spectrum), m_pad // 2 + 1)
    freqs = np.arange(n_bins) / n_pad  # cycles per input sample
    nyquist = 0.5 * min(1.0, up / down)  # the lower Nyquist frequency, in cycles per input sample
    start = rolloff * nyquist
    gain = np.ones(n_bins)
    band = freqs > start
    if rolloff < 1.0:
        gain[band] = 0.5 * (1.0 + np.cos(np.pi * np.clip((freqs[band] - start) / (nyquist - start), 0.0, 1.0)))
    else:
        gain[freqs >= nyquist] = 0.0
    out_spectrum = np.zeros(m_pad // 2 + 1, dtype=complex)
    out_spectrum[:n_bins] = spectrum[:n_bins] * gain
    y = np.fft.irfft(out_spectrum, n=m_pad) * (m_pad / n_pad)
    first = guard // down * up
    return y[first:first + n_out]


def rms_normalise(signal: np.ndarray, *, silence_rms: float = 1e-5) -> np.ndarray:
    """Scale ``signal`` (n,) to unit root-mean-square amplitude.

    A recording whose RMS is below ``silence_rms`` (full-scale units; 1e-5 is −100 dBFS, under the
    quantisation noise of 16-bit audio) is treated as silence and returned unscaled, so digital silence stays
    silent instead of its rounding noise being amplified to speech level.
    """
    x = np.asarray(signal, dtype=np.float64)
    rms = float(np.sqrt(np.mean(x * x))) if x.size else 0.0
    if rms < silence_rms:
        return x.copy()
    return x / rms


def hann_taper(signal: np.ndarray, rate: float, duration: float) -> np.ndarray:
    """Fade ``signal`` (n,) in and out with the two halves of a Hann window, each ``duration`` seconds long.

    w[i] = sin²(π i / (2 m)) over the first m = round(duration · rate) samples and its mirror image over the last m;
    1 in between. If the recording is shorter than 2 m samples, m shrinks to n // 2. Removes the clicks of an
    abrupt start or end, which would otherwise excite every cochlear channel at once.
    """
    x = np.asarray(signal, dtype=np.float64).copy()
    if duration < 0:
        raise ValueError(f"taper duration must be >= 0 seconds, got {duration}")
    m = min(int(round(duration * rate)), len(x) // 2)
    if m > 0:
        ramp = np.sin(0.5 * np.pi * np.arange(m) / m) ** 2
        x[:m] *= ramp
        x[len(x) - m:] *= ramp[::-1]
    return x
