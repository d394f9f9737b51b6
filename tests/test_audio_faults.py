"""Faults around the audio encoder: absurd WAV headers, recordings too long for memory, bad outputs, a full disk,
Ctrl-C with worker processes. Every case ends in one line, a non-zero exit from the CLI and no output file."""
import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from snnlib import _io
from snnlib.audio import AudioError, EncoderParams, encode, read_wav, write_wav
from snnlib.audio.encoder import encoding_memory
from snnlib.cli import main

ROOT = Path(__file__).resolve().parent.parent


def wav_bytes(rate: int, n_samples: int, bits: int = 16) -> bytes:
    """A mono PCM WAV declaring ``rate`` Hz, with ``n_samples`` silent-ish samples, built byte by byte."""
    data = (np.arange(n_samples) % 50).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2 % 2**32, 2, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("rate", [1, 999, 768_001, 4_294_967_295])
def test_absurd_sample_rates_are_refused_by_the_reader(tmp_path, rate):
    path = tmp_path / "odd.wav"
    path.write_bytes(wav_bytes(rate, 2000))  # 4 KB
    with pytest.raises(AudioError, match=rf"odd\.wav: declares a sample rate of {rate} Hz, outside the 1000-768000"):
        read_wav(path)


@pytest.mark.parametrize("rate", [1000, 8000, 768_000])
def test_real_sample_rates_are_read(tmp_path, rate):
    path = tmp_path / "ok.wav"
    path.write_bytes(wav_bytes(rate, 2000))
    signal_, got = read_wav(path)
    assert got == rate and len(signal_) == 2000


def test_encoder_refuses_an_absurd_rate_given_as_an_array():
    with pytest.raises(AudioError, match=r"sample rate 1 Hz is outside"):
        encode(np.zeros(2000), 1.0, EncoderParams(n_channels=4))


def test_encoding_memory_follows_the_duration():
    one = encoding_memory(16000, 16000)  # 1 s
    assert 280 * 48000 == one  # 48 kHz inside the encoder, 280 B per sample there
    assert encoding_memory(16000 * 3600, 16000) == pytest.approx(3600 * one, rel=0.01)
    assert encoding_memory(8000, 8000) == one  # the same second at another rate


def test_a_recording_too_long_for_memory_is_refused_before_encoding(tmp_path, monkeypatch, capsys):
    wavs = tmp_path / "wavs"
    wavs.mkdir()
    write_wav(wavs / "long.wav", np.zeros(16000 * 10), 16000)  # 10 s: 134 MB to encode by the estimate
    monkeypatch.setattr(_io, "available_memory", lambda: 50 << 20)  # simulated: 50 MiB free
    code = main(["audio", "encode", str(wavs), str(tmp_path / "out.h5"), "--no-progress", "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "long.wav: 10 s of sound; encoding it would need about 128.2 MiB, more than the 50.0 MiB" in err
    assert "split it into shorter recordings" in err
    assert not (tmp_path / "out.h5").exists()


def test_a_file_too_large_to_decode_is_refused_before_reading(tmp_path, monkeypatch):
    path = tmp_path / "big.wav"
    path.write_bytes(wav_bytes(16000, 200_000))
    monkeypatch.setattr(_io, "available_memory", lambda: 1 << 20)
    with pytest.raises(AudioError, match=r"big\.wav: a 390\.7 KiB recording; decoding it would need about 3\.4 MiB"):
        read_wav(path)


@pytest.fixture
def wav_folder(tmp_path):
    folder = tmp_path / "wavs"
    folder.mkdir()
    t = np.arange(1600) / 16000
    for i in range(2):
        write_wav(folder / f"w{i}.wav", 0.3 * np.sin(2 * np.pi * 500 * (i + 1) * t), 16000)
    return folder


def test_output_that_is_a_folder_is_refused_before_encoding(tmp_path, wav_folder, capsys, monkeypatch):
    (tmp_path / "out").mkdir()
    monkeypatch.setattr("snnlib.audio.dataset.encode_recordings",
                        lambda *a, **k: pytest.fail("encoding started although the output is a folder"))
    code = main(["audio", "encode", str(wav_folder), str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"error: {tmp_path / 'out'} is a folder; give the name of the file to write" in err


@pytest.mark.parametrize("where", ["under a file", "under /proc"])
def test_output_that_cannot_be_written_is_refused_before_encoding(tmp_path, wav_folder, capsys, where):
    if where == "under a file":
        (tmp_path / "plain").write_text("x")
        out, expected = tmp_path / "plain" / "out.h5", "plain is a file, not a folder"
    else:
        out, expected = Path("/proc/snnlib-test/out.h5"), "cannot write in /proc/snnlib-test"
    code = main(["audio", "encode", str(wav_folder), str(out), "--no-progress", "--channels", "8"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and expected in err


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root may write in any folder whatever its mode; the /proc case covers the message")
def test_output_in_a_read_only_folder(tmp_path, wav_folder, capsys):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    code = main(["audio", "encode", str(wav_folder), str(locked / "out.h5"), "--no-progress", "--channels", "8"])
    assert code == 2 and "permission denied writing in" in capsys.readouterr().err


def test_disk_full_while_writing_the_encoded_file(tmp_path, wav_folder, capsys, monkeypatch):
    old = tmp_path / "out.h5"
    old.write_bytes(b"previous result")
    monkeypatch.setattr(_io, "free_space", lambda folder: 1000)  # simulated: a full disk
    code = main(["audio", "encode", str(wav_folder), str(old), "--no-progress", "--channels", "8",
                 "--workers", "1"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert f"error: not enough disk space in {tmp_path} to write out.h5" in err and "1000 B is available" in err
    assert old.read_bytes() == b"previous result"  # nothing already saved is lost
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.h5", "wavs"]  # no temporary file


def test_write_wav_is_atomic_and_readable_by_others(tmp_path):
    path = write_wav(tmp_path / "a.wav", np.zeros(100), 16000)
    old = os.umask(0o022)
    try:
        path = write_wav(tmp_path / "b.wav", np.zeros(100), 16000)
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    with pytest.raises(ValueError):
        write_wav(tmp_path / "a.wav", np.full(100, np.nan), 16000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav", "b.wav"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _encoding_with_two_workers(tmp_path, **popen):
    """Start `audio encode --workers 2` on recordings long enough that each worker's task runs for many seconds;
    return the process and its two worker pids once both workers are inside their first task."""
    wavs = tmp_path / "wavs"
    wavs.mkdir()
    t = np.arange(8 * 16000) / 16000
    for i in range(13):  # 12 recordings per task at 700 channels: two tasks, one per worker
        write_wav(wavs / f"r{i:02d}.wav", 0.3 * np.sin(2 * np.pi * (200 + 50 * i) * t), 16000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "snnlib", "audio", "encode", str(wavs), str(tmp_path / "out.h5"), "--workers", "2",
         "--no-progress"], env=env, **popen)
    deadline = time.monotonic() + 120
    workers = []
    while time.monotonic() < deadline and process.poll() is None:
        workers = [p for p in _children(process.pid) if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes()]
        if len(workers) == 2:
            break
        time.sleep(0.2)
    if len(workers) != 2:
        process.kill()
        raise AssertionError("the two workers did not start")
    time.sleep(3)  # the workers are inside their first task
    return process, workers


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes through /proc (Linux)")
def test_ctrl_c_to_the_parent_alone_stops_workers_promptly(tmp_path):
    """Each worker task here runs for a minute or more; Ctrl-C to the parent must not wait for it."""
    process, workers = _encoding_with_two_workers(
        tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # a background shell may have ignored it
    try:
        start = time.monotonic()
        process.send_signal(signal.SIGINT)  # to the parent only, as `kill -INT PID` does
        _, err = process.communicate(timeout=60)
        stopped = time.monotonic() - start
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 130 and err.strip().splitlines()[-1] == "interrupted"
    assert stopped < 15, f"took {stopped:.1f} s to stop"
    assert not any(Path(f"/proc/{p}").exists() for p in workers)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["wavs"]


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the worker processes through /proc (Linux)")
def test_workers_end_when_their_parent_is_killed_outright(tmp_path):
    """A parent killed with SIGKILL (a Jupyter kernel killed or restarted mid-encoding) cannot stop its workers; they
    must notice and end by themselves instead of staying behind."""
    process, workers = _encoding_with_two_workers(tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.kill()  # SIGKILL: no handler, no cleanup in the parent
        process.wait(timeout=30)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in workers):
            time.sleep(0.2)
        left = [p for p in workers if Path(f"/proc/{p}").exists()
                and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    finally:
        for p in workers:  # never leave them behind, even when the test fails
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
    assert not left, f"worker processes {left} outlived their killed parent"


def test_a_bad_recording_creates_no_output_folder(tmp_path, wav_folder, capsys):
    (wav_folder / "broken.wav").write_bytes(b"RIFF....WAVEjunk")
    code = main(["audio", "encode", str(wav_folder), str(tmp_path / "new" / "deeper" / "out.h5"), "--no-progress"])
    assert code == 2 and "broken.wav" in capsys.readouterr().err
    assert not (tmp_path / "new").exists()
