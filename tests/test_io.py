"""snnlib._io: atomic writes with the usual permissions, no debris on any way out, stale temporary files cleaned,
free space and memory checked before big writes and allocations."""
import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from snnlib import _io
from snnlib.checkpoint import write_atomic

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def umask022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_write_bytes_replaces_the_file_whole_and_leaves_nothing_else(tmp_path):
    path = tmp_path / "a.txt"
    _io.write_bytes(path, b"first")
    _io.write_text(path, "second ✓")
    assert path.read_text(encoding="utf-8") == "second ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize("mask, mode", [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_files_get_0666_less_the_umask(tmp_path, mask, mode):
    old = os.umask(mask)
    try:
        _io.write_bytes(tmp_path / "a", b"x")
        write_atomic(tmp_path / "b", b"x")  # the checkpoint writer goes through _io too
        with _io.atomic_path(tmp_path / "c") as tmp:
            tmp.write_bytes(b"x")
        assert _io.default_mode() == mode
    finally:
        os.umask(old)
    for name in "abc":
        assert (tmp_path / name).stat().st_mode & 0o777 == mode, name


def test_an_explicit_mode_is_applied(tmp_path, umask022):
    _io.write_bytes(tmp_path / "a", b"x", mode=0o600)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("exception", [RuntimeError("boom"), KeyboardInterrupt()])
def test_an_error_inside_the_block_removes_the_temporary_file_and_keeps_the_old_file(tmp_path, exception):
    path = _io.write_bytes(tmp_path / "a", b"old")
    with pytest.raises(type(exception)):
        with _io.atomic_path(path) as tmp:
            tmp.write_bytes(b"half of the new")
            raise exception
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


def test_a_failing_write_removes_the_temporary_file(tmp_path, monkeypatch):
    path = _io.write_bytes(tmp_path / "a", b"old")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_io.os, "replace", full)  # fails at the very last step
    with pytest.raises(OSError, match="No space left"):
        _io.write_bytes(path, b"new")
    assert path.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["a"]


def test_temporary_names_are_recognisable_and_in_the_same_folder(tmp_path):
    tmp = _io.temp_path(tmp_path / "data.h5")
    assert tmp.parent == tmp_path
    assert tmp.name.startswith(".data.h5.") and tmp.name.endswith(".snnlib-tmp")
    assert f"-{os.getpid()}-" in tmp.name
    assert _io.temp_path(tmp_path / "data.h5") != tmp


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_clean_stale_removes_only_abandoned_temporary_files_of_that_name(tmp_path):
    host = _io._host_tag()
    dead = tmp_path / f".data.h5.{host}-{_dead_pid()}-0a1b2c3d.snnlib-tmp"
    alive = tmp_path / f".data.h5.{host}-{os.getppid()}-0a1b2c3d.snnlib-tmp"  # a running process (our parent)
    mine = _io.temp_path(tmp_path / "data.h5")
    foreign_old = tmp_path / ".data.h5.ffffffff-12345-0a1b2c3d.snnlib-tmp"
    foreign_new = tmp_path / ".data.h5.fffffffe-12345-0a1b2c3d.snnlib-tmp"
    other_name = tmp_path / f".other.h5.{host}-{_dead_pid()}-0a1b2c3d.snnlib-tmp"
    lookalike = tmp_path / f".data.h5.{host}-{_dead_pid()}-0a1b2c3d.tmp"  # not our suffix
    for p in (dead, alive, mine, foreign_old, foreign_new, other_name, lookalike):
        p.write_bytes(b"x")
    day_ago = time.time() - 2 * _io.FOREIGN_STALE_SECONDS
    os.utime(foreign_old, (day_ago, day_ago))
    removed = _io.clean_stale(tmp_path / "data.h5")
    assert sorted(removed) == sorted([dead, foreign_old])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in (alive, mine, foreign_new, other_name, lookalike))


def test_names_with_glob_characters_are_cleaned_exactly(tmp_path):
    host = _io._host_tag()
    weird = tmp_path / f".a[1]*.h5.{host}-{_dead_pid()}-00000000.snnlib-tmp"
    near = tmp_path / f".a1x.h5.{host}-{_dead_pid()}-00000000.snnlib-tmp"
    weird.write_bytes(b"x")
    near.write_bytes(b"x")
    assert _io.clean_stale(tmp_path / "a[1]*.h5") == [weird]
    assert near.exists()


def test_a_writer_killed_outright_leaves_a_temporary_file_that_the_next_write_removes(tmp_path):
    """SIGKILL cannot be caught: the temporary file stays until the next write of the same file."""
    ready = tmp_path / "ready"
    script = textwrap.dedent(f"""
        import time, numpy as np
        from pathlib import Path
        from snnlib.data import write_dataset
        def samples():
            yield np.array([0.1]), np.array([1])
            Path({str(ready)!r}).write_text("writing")
            time.sleep(60)
            yield np.array([0.1]), np.array([1])
        write_dataset({str(tmp_path / "d.h5")!r}, samples(), [0, 0], ["a"], [0, 0])
    """)
    child = subprocess.Popen([sys.executable, "-c", script], env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and time.monotonic() < deadline and child.poll() is None:
            time.sleep(0.05)
        assert ready.exists(), "the writer did not start"
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
    left = [p for p in tmp_path.iterdir() if p.name.endswith(_io.TEMP_SUFFIX)]
    assert len(left) == 1 and left[0].name.startswith(".d.h5.")

    from snnlib.data import open_dataset, write_dataset

    write_dataset(tmp_path / "d.h5", [(np.array([0.2]), np.array([3]))], [0], ["a"], [0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.h5", "ready"]
    with open_dataset(tmp_path / "d.h5") as ds:
        assert ds[0][1].tolist() == [3]


def test_not_enough_space_names_folder_need_and_availability(tmp_path, monkeypatch):
    monkeypatch.setattr(_io, "free_space", lambda folder: 1536)
    with pytest.raises(_io.NotEnoughSpace) as info:
        _io.write_bytes(tmp_path / "big.bin", b"x" * 10_000)
    message = str(info.value)
    assert message == (f"not enough disk space in {tmp_path} to write big.bin: it needs about 265.8 KiB, 1.5 KiB is "
                       "available; free some space or choose another folder")
    assert info.value.errno == errno.ENOSPC and isinstance(info.value, OSError)
    assert list(tmp_path.iterdir()) == []


def test_checkpoint_writer_reports_a_full_disk_as_an_os_error(tmp_path, monkeypatch):
    write_atomic(tmp_path / "c.json", b"old")
    monkeypatch.setattr(_io, "free_space", lambda folder: 0)
    with pytest.raises(OSError, match="not enough disk space"):
        write_atomic(tmp_path / "c.json", b"new")
    assert (tmp_path / "c.json").read_bytes() == b"old" and len(list(tmp_path.iterdir())) == 1


def test_memory_shortfall_and_byte_formatting(monkeypatch):
    monkeypatch.setattr(_io, "available_memory", lambda: 3 << 30)
    assert _io.memory_shortfall(2 << 30) is None
    assert _io.memory_shortfall(16 << 30) == "about 16.0 GiB, more than the 3.0 GiB of memory available"
    monkeypatch.setattr(_io, "available_memory", lambda: None)
    assert _io.memory_shortfall(1 << 60) is None  # unknown: no refusal
    assert [_io.format_bytes(n) for n in (0, 1023, 1024, 1536, 5 << 20, 2**40)] == [
        "0 B", "1023 B", "1.0 KiB", "1.5 KiB", "5.0 MiB", "1.0 TiB"]


def test_available_memory_is_plausible():
    available = _io.available_memory()
    assert available is None or 0 < available < 1 << 50


@pytest.mark.parametrize("code, expected", [
    (errno.EACCES, "permission denied writing {t}: this user may not create files in {f}"),
    (errno.EROFS, "the file system is read-only"),
    (errno.ENOSPC, "disk full while writing {t}; free some space in {f}"),
    (errno.EISDIR, "it is a folder"),
])
def test_write_error_messages_give_the_right_advice(tmp_path, code, expected):
    target = tmp_path / "x.h5"
    message = _io.write_error_message(OSError(code, os.strerror(code)), target)
    assert expected.format(t=target, f=tmp_path) in message and "\n" not in message
    if code == errno.EACCES:
        assert "ask its owner for write access" in message and "damaged" not in message


def test_prepare_folder(tmp_path):
    assert _io.prepare_folder(tmp_path / "a" / "b") == tmp_path / "a" / "b" and (tmp_path / "a" / "b").is_dir()
    assert list((tmp_path / "a" / "b").iterdir()) == []  # the write probe is gone
    (tmp_path / "f").write_text("x")
    with pytest.raises(ValueError, match="is a file, not a folder"):
        _io.prepare_folder(tmp_path / "f", ValueError)
    with pytest.raises(OSError, match=r"cannot write in /proc/snnlib-x"):
        _io.prepare_folder("/proc/snnlib-x")
    with pytest.raises(ValueError, match="is a folder; give the name of the file"):
        _io.check_output_file(tmp_path / "a", ValueError)


def test_experiments_refuse_an_unwritable_output_before_any_training(tmp_path, monkeypatch):
    from snnlib import experiments

    monkeypatch.setattr(experiments, "make_specs",
                        lambda *a, **k: pytest.fail("the grid started although the output cannot be written"))
    (tmp_path / "plain").write_text("x")
    with pytest.raises(OSError, match="plain is a file, not a folder"):
        experiments.run_experiments("delay-task", tmp_path / "plain" / "out")


def test_fsync_errors_that_mean_data_loss_propagate(tmp_path, monkeypatch):
    path = tmp_path / "a"
    path.write_bytes(b"x")
    monkeypatch.setattr(_io.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EIO, "I/O error")))
    with pytest.raises(OSError, match="I/O error"):
        _io.write_bytes(tmp_path / "b", b"y")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]
    monkeypatch.setattr(_io.os, "fsync", lambda fd: (_ for _ in ()).throw(OSError(errno.EINVAL, "not supported")))
    _io.write_bytes(tmp_path / "b", b"y")  # a file system that cannot sync: written all the same
    assert (tmp_path / "b").read_bytes() == b"y"
