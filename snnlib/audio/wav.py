"""Reading and writing WAV files, with checks that name the file and the problem.

The reader parses the RIFF container itself (the standard library's ``wave`` module reads integer PCM only, and
the encoder also accepts IEEE-float WAVs, which is where NaN can hide). Supported: mono, integer PCM of 8, 16, 24
or 32 bits, IEEE float of 32 or 64 bits, plain or ``WAVE_FORMAT_EXTENSIBLE`` headers, sample rates from
:data:`MIN_RATE` to :data:`MAX_RATE` Hz. Everything else raises :class:`AudioError` with the file name, what was
found and what to do. A file too large to decode in the memory available is refused before it is read.
"""
from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np

from snnlib import _io

_PCM = 0x0001
_FLOAT = 0x0003
_EXTENSIBLE = 0xFFFE
_PCM_WIDTHS = (8, 16, 24, 32)
_FLOAT_WIDTHS = (32, 64)

#: Sample rates accepted, Hz: from telephone-band recordings well below 8 kHz to the highest studio rates. A header
#: outside declares a rate no recording has (1 Hz would stretch 4 KB into half an hour of sound to resample).
MIN_RATE = 1000
MAX_RATE = 768_000


class AudioError(ValueError):
    """A recording that cannot be encoded: missing, empty, not a WAV, stereo, non-finite or an unsupported format.

    A ``ValueError``, so ``python -m snnlib`` reports it as one line; the message always starts with the file name.
    """


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a mono WAV file.

    Returns ``(signal, rate)``: ``signal`` (n,) float64 in full-scale units (integer PCM is divided by
    2**(bits-1), so ±1 is the largest representable value; float files are returned as stored), ``rate`` in Hz.
    Raises :class:`AudioError` for a missing or empty file, a file that is not RIFF/WAVE, more than one channel,
    an unsupported encoding or sample width, no samples, or NaN/inf samples.
    """
    path = Path(path)
    if not path.exists():
        raise AudioError(f"{path}: no such file")
    if not path.is_file():
        raise AudioError(f"{path}: not a regular file")
    size = path.stat().st_size
    shortfall = _io.memory_shortfall(9 * size)  # the bytes, then up to 8 bytes of float64 per byte (8-bit PCM)
    if shortfall is not None:
        raise AudioError(f"{path}: a {_io.format_bytes(size)} recording; decoding it would need {shortfall}; "
                         "split it into shorter recordings")
    try:
        raw = path.read_bytes()
    except PermissionError:
        raise AudioError(f"{path}: permission denied: this user may not read the file; ask its owner for read "
                         "access (chmod a+r), or copy it to a folder of yours") from None
    if len(raw) == 0:
        raise AudioError(f"{path}: the file is empty (0 bytes)")
    if len(raw) < 12 or raw[:4] != b"RIFF" or raw[8:12] != b"WAVE":
        raise AudioError(f"{path}: not a WAV file (no RIFF/WAVE header); convert it to WAV first")

    fmt = None
    data = None
    pos = 12
    while pos + 8 <= len(raw):
        chunk_id = raw[pos:pos + 4]
        (size,) = struct.unpack("<I", raw[pos + 4:pos + 8])
        body = raw[pos + 8:pos + 8 + size]
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(path, body)
        elif chunk_id == b"data":
            if len(body) < size:
                raise AudioError(f"{path}: the data chunk declares {size} bytes but only {len(body)} are present "
                                 "(truncated file?)")
            data = body
            break
        pos += 8 + size + (size & 1)  # chunks are padded to an even length
    if fmt is None:
        raise AudioError(f"{path}: no 'fmt ' chunk before the audio data; the WAV header is damaged")
    if data is None:
        raise AudioError(f"{path}: no 'data' chunk; the WAV file holds no audio")

    tag, n_channels, rate, block_align, bits = fmt
    if n_channels != 1:
        raise AudioError(f"{path}: has {n_channels} channels; the encoder takes mono recordings "
                         "(mix the channels down, or pick one, before encoding)")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioError(f"{path}: declares a sample rate of {rate} Hz, outside the {MIN_RATE}-{MAX_RATE} Hz "
                         "of real recordings; the header is damaged, or resample the file (e.g. to 16000 Hz)")
    if tag == _PCM and bits not in _PCM_WIDTHS:
        raise AudioError(f"{path}: unsupported sample width of {bits} bits for integer PCM "
                         f"(supported: {', '.join(map(str, _PCM_WIDTHS))} bits)")
    if tag == _FLOAT and bits not in _FLOAT_WIDTHS:
        raise AudioError(f"{path}: unsupported sample width of {bits} bits for float samples (supported: 32, 64)")
    width = bits // 8
    if block_align != width:
        raise AudioError(f"{path}: block align {block_align} does not match {bits}-bit mono samples "
                         f"({width} bytes); the WAV header is damaged")
    n = len(data) // width  # a trailing partial frame is ignored
    if n == 0:
        raise AudioError(f"{path}: contains no samples (empty data chunk)")
    signal = _decode(data[:n * width], tag, bits)
    bad = ~np.isfinite(signal)
    if bad.any():
        raise AudioError(f"{path}: contains {int(bad.sum())} non-finite samples (NaN or inf), the first at sample "
                         f"{int(np.argmax(bad))}; repair or drop the recording")
    return signal, int(rate)


def _parse_fmt(path: Path, body: bytes) -> tuple[int, int, int, int, int]:
    if len(body) < 16:
        raise AudioError(f"{path}: the 'fmt ' chunk is {len(body)} bytes, shorter than the 16 a WAV header needs")
    tag, n_channels, rate, _byte_rate, block_align, bits = struct.unpack("<HHIIHH", body[:16])
    if tag == _EXTENSIBLE:
        if len(body) < 26:
            raise AudioError(f"{path}: WAVE_FORMAT_EXTENSIBLE header without its sub-format; the header is damaged")
        (tag,) = struct.unpack("<H", body[24:26])  # first two bytes of the sub-format GUID are the format code
    if tag not in (_PCM, _FLOAT):
        raise AudioError(f"{path}: unsupported WAV encoding (format code {tag:#06x}); only uncompressed integer PCM "
                         "and IEEE float are read; convert it to 16-bit PCM first")
    return tag, n_channels, rate, block_align, bits


def _decode(data: bytes, tag: int, bits: int) -> np.ndarray:
    if tag == _FLOAT:
        return np.frombuffer(data, dtype="<f4" if bits == 32 else "<f8").astype(np.float64)
    if bits == 8:  # 8-bit WAV is unsigned, centred on 128
        return (np.frombuffer(data, dtype=np.uint8).astype(np.float64) - 128.0) / 128.0
    if bits == 24:
        b = np.frombuffer(data, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        return ints.astype(np.float64) / float(1 << 23)
    dtype = "<i2" if bits == 16 else "<i4"
    return np.frombuffer(data, dtype=dtype).astype(np.float64) / float(1 << (bits - 1))


def write_wav(path: str | Path, signal: np.ndarray, rate: int) -> Path:
    """Write ``signal`` (n,) in full-scale units as a mono 16-bit PCM WAV at ``rate`` Hz.

    Samples are rounded to multiples of 1/32768 and clipped to [−1, 32767/32768], so that :func:`read_wav` returns
    them to within half a step.
    """
    signal = np.asarray(signal, dtype=np.float64)
    if signal.ndim != 1:
        raise ValueError(f"write_wav takes a 1-D signal, got shape {signal.shape}")
    if not np.all(np.isfinite(signal)):
        raise ValueError(f"write_wav: the signal for {path} contains NaN or inf")
    ints = np.clip(np.round(signal * 32768.0), -32768, 32767).astype("<i2")  # the inverse of read_wav's scaling
    path = Path(path)
    with _io.atomic_path(path) as tmp, wave.open(str(tmp), "wb") as handle:  # whole file or none
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(int(rate))
        handle.writeframes(ints.tobytes())
    return path
