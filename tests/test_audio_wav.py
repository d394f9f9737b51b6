"""WAV reading: supported encodings decode to the right values; every bad file gives an AudioError naming it."""
import struct
import wave

import numpy as np
import pytest

from snnlib.audio import AudioError, read_wav, write_wav


def riff(path, samples: bytes, *, tag=1, channels=1, rate=8000, bits=16, block_align=None, extensible=False):
    """Write a WAV file byte by byte (the `wave` module cannot write float or odd widths)."""
    block_align = channels * bits // 8 if block_align is None else block_align
    if extensible:
        fmt = struct.pack("<HHIIHHHHI", 0xFFFE, channels, rate, rate * block_align, block_align, bits, 22, bits, 0)
        fmt += struct.pack("<H", tag) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    else:
        fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block_align, block_align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(samples)) + samples
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    return path


def test_pcm16_round_trip(tmp_path):
    x = np.sin(np.linspace(0, 20, 1000)) * 0.8
    path = write_wav(tmp_path / "a.wav", x, 16000)
    y, rate = read_wav(path)
    assert rate == 16000 and y.dtype == np.float64 and y.shape == x.shape
    assert np.max(np.abs(y - x)) <= 0.5 / 32768 + 1e-12


@pytest.mark.parametrize("bits, raw, expected", [
    (8, bytes([0, 128, 255]), [-1.0, 0.0, 127 / 128]),
    (16, struct.pack("<3h", -32768, 0, 16384), [-1.0, 0.0, 0.5]),
    (24, bytes([0, 0, 0x80, 0, 0, 0, 0, 0, 0x40]), [-1.0, 0.0, 0.5]),
    (32, struct.pack("<3i", -2**31, 0, 2**30), [-1.0, 0.0, 0.5]),
])
def test_integer_widths_decode_to_full_scale(tmp_path, bits, raw, expected):
    y, _ = read_wav(riff(tmp_path / "w.wav", raw, bits=bits))
    np.testing.assert_allclose(y, expected)


@pytest.mark.parametrize("extensible", [False, True])
def test_float32_wav(tmp_path, extensible):
    y, rate = read_wav(riff(tmp_path / "f.wav", struct.pack("<3f", 0.25, -0.5, 1.5), tag=3, bits=32, rate=44100,
                            extensible=extensible))
    np.testing.assert_allclose(y, [0.25, -0.5, 1.5])
    assert rate == 44100


def test_missing_file(tmp_path):
    with pytest.raises(AudioError, match=r"nope\.wav: no such file"):
        read_wav(tmp_path / "nope.wav")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.wav"
    path.write_bytes(b"")
    with pytest.raises(AudioError, match=r"empty\.wav: the file is empty"):
        read_wav(path)


def test_not_a_wav(tmp_path):
    path = tmp_path / "notes.wav"
    path.write_text("these are not samples\n" * 10)
    with pytest.raises(AudioError, match=r"notes\.wav: not a WAV file"):
        read_wav(path)


def test_stereo_is_refused(tmp_path):
    path = tmp_path / "stereo.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.zeros(200, "<i2").tobytes())
    with pytest.raises(AudioError, match=r"stereo\.wav: has 2 channels.*mono"):
        read_wav(path)


def test_nan_in_float_wav(tmp_path):
    path = riff(tmp_path / "nan.wav", struct.pack("<4f", 0.0, 0.1, float("nan"), 0.2), tag=3, bits=32)
    with pytest.raises(AudioError, match=r"nan\.wav: contains 1 non-finite samples.*sample 2"):
        read_wav(path)


def test_unsupported_sample_width(tmp_path):
    path = riff(tmp_path / "odd.wav", b"\x00" * 12, bits=12, block_align=2)
    with pytest.raises(AudioError, match=r"odd\.wav: unsupported sample width of 12 bits"):
        read_wav(path)


def test_compressed_encoding_is_refused(tmp_path):
    path = riff(tmp_path / "mp3.wav", b"\x00" * 16, tag=0x55, bits=16)
    with pytest.raises(AudioError, match=r"mp3\.wav: unsupported WAV encoding"):
        read_wav(path)


def test_no_samples(tmp_path):
    with pytest.raises(AudioError, match=r"zero\.wav: contains no samples"):
        read_wav(riff(tmp_path / "zero.wav", b""))


def test_truncated_data_chunk(tmp_path):
    path = riff(tmp_path / "cut.wav", b"\x00" * 100)
    path.write_bytes(path.read_bytes()[:-40])
    with pytest.raises(AudioError, match=r"cut\.wav: the data chunk declares 100 bytes but only 60"):
        read_wav(path)


def test_audio_error_is_a_value_error():
    assert issubclass(AudioError, ValueError)
