"""Broken files and bad arguments raise DataError naming the file, the sample and the problem.

The broken files are crafted with h5py directly, so the writer's own checks cannot hide a reader bug.
"""
import importlib
import os
from pathlib import Path

import h5py
import numpy as np
import pytest

from snnlib.data import DataError, bin_sample, open_dataset, write_dataset


def craft(path, times=None, units=None, labels=(0, 1), keys=(b"a", b"b"), speakers=None, n_channels=None,
          drop=(), times_dtype=np.float16, units_dtype=np.uint16):
    """Write an SHD-schema file by hand; each argument can be made wrong on purpose."""
    times = times if times is not None else [[0.1, 0.2], [0.3]]
    units = units if units is not None else [[1, 2], [3]]
    speakers = speakers if speakers is not None else [0] * len(labels)
    with h5py.File(path, "w") as f:
        if n_channels is not None:
            f.attrs["n_channels"] = n_channels
        for name, rows, dtype in (("spikes/times", times, times_dtype), ("spikes/units", units, units_dtype)):
            if name in drop:
                continue
            ds = f.create_dataset(name, (len(rows),), dtype=h5py.vlen_dtype(dtype))
            for i, row in enumerate(rows):
                ds[i] = np.asarray(row, dtype=dtype)
        for name, data in (("labels", np.asarray(labels)), ("extra/keys", np.array(keys)),
                           ("extra/speaker", np.asarray(speakers))):
            if name not in drop:
                f.create_dataset(name, data=data)
    return path


def test_a_good_crafted_file_reads(tmp_path):
    with open_dataset(craft(tmp_path / "ok.h5")) as ds:
        assert ds[0][1].tolist() == [1, 2] and ds.class_names == ["a", "b"]


def test_missing_file_names_it_and_says_how_to_get_data(tmp_path):
    with pytest.raises(DataError, match=r"nope\.h5: no such file.*download"):
        open_dataset(tmp_path / "nope.h5")


def test_directory_is_refused(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        open_dataset(tmp_path)


def test_non_hdf5_file(tmp_path):
    path = tmp_path / "text.h5"
    path.write_text("this is not HDF5\n")
    with pytest.raises(DataError, match=r"text\.h5: not a readable HDF5 file"):
        open_dataset(path)


def test_truncated_file(tmp_path):
    samples = [(np.sort(np.random.default_rng(i).random(500)), np.arange(500) % 700) for i in range(200)]
    path = write_dataset(tmp_path / "t.h5", samples, [0] * 200, ["a"], [0] * 200)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError, match=r"t\.h5"):
        with open_dataset(path) as ds:  # depending on where the cut falls: at open or at a read
            for _ in ds:
                pass


@pytest.mark.parametrize("missing", ["spikes/times", "spikes/units", "labels", "extra/keys", "extra/speaker"])
def test_missing_groups(tmp_path, missing):
    path = craft(tmp_path / "m.h5", drop=(missing,))
    with pytest.raises(DataError, match=f"missing {missing}"):
        open_dataset(path)


def test_times_of_wrong_dtype(tmp_path):
    path = craft(tmp_path / "d.h5", times=[[1, 2], [3]], times_dtype=np.int32)
    with pytest.raises(DataError, match=r"spikes/times holds variable-length int32.*float16 seconds"):
        open_dataset(path)


def test_units_of_wrong_dtype(tmp_path):
    path = craft(tmp_path / "d.h5", units=[[1.0, 2.0], [3.0]], units_dtype=np.float32)
    with pytest.raises(DataError, match="spikes/units holds variable-length float32"):
        open_dataset(path)


def test_fixed_size_times_instead_of_variable_length(tmp_path):
    path = craft(tmp_path / "d.h5", drop=("spikes/times",))
    with h5py.File(path, "a") as f:
        f["spikes/times"] = np.zeros((2, 5), np.float16)
    with pytest.raises(DataError, match="expected a 1-D variable-length array"):
        open_dataset(path)


def test_float_labels(tmp_path):
    path = craft(tmp_path / "l.h5", labels=np.array([0.0, 1.0]))
    with pytest.raises(DataError, match="labels has dtype float64"):
        open_dataset(path)


def test_per_sample_arrays_of_different_lengths(tmp_path):
    path = craft(tmp_path / "n.h5", labels=(0, 1, 1))
    with pytest.raises(DataError, match=r"labels has shape \(3,\) but spikes/times has 2 samples"):
        open_dataset(path)


def test_bad_n_channels_attribute(tmp_path):
    with pytest.raises(DataError, match="n_channels"):
        open_dataset(craft(tmp_path / "c.h5", n_channels=-3))


def test_unit_at_channel_count(tmp_path):
    path = craft(tmp_path / "u.h5", units=[[1, 2], [700]])
    with open_dataset(path) as ds:
        ds[0]  # a good sample still reads
        with pytest.raises(DataError, match=r"u\.h5, sample 1: spikes/units holds 700, at or above the 700 channels"):
            ds[1]


def test_unit_above_declared_channels(tmp_path):
    path = craft(tmp_path / "u.h5", units=[[1, 12], [3]], n_channels=10)
    with open_dataset(path) as ds, pytest.raises(DataError, match="sample 0: spikes/units holds 12"):
        ds[0]


@pytest.mark.parametrize(
    "times, problem",
    [([[0.1, 0.2], [-0.3]], "negative time"), ([[0.1, np.nan], [0.3]], "finite"), ([[0.1, np.inf], [0.3]], "finite"),
     ([[0.2, 0.1], [0.3]], "not sorted")],
)
def test_bad_times_name_sample_and_problem(tmp_path, times, problem):
    path = craft(tmp_path / "t.h5", times=times)
    with open_dataset(path) as ds:
        sample = 1 if times[1][0] < 0 else 0
        with pytest.raises(DataError, match=f"t\\.h5, sample {sample}: .*{problem}"):
            ds[sample]


def test_times_and_units_of_different_lengths_in_a_sample(tmp_path):
    path = craft(tmp_path / "s.h5", units=[[1], [3]])
    with open_dataset(path) as ds, pytest.raises(DataError, match="sample 0: 2 spike times but 1 units"):
        ds[0]


def test_label_outside_the_classes(tmp_path):
    path = craft(tmp_path / "l.h5", labels=(0, 2))
    with open_dataset(path) as ds:
        assert ds[0][2] == 0
        with pytest.raises(DataError, match=r"l\.h5, sample 1: label 2 is outside the 2 classes"):
            ds[1]
        with pytest.raises(DataError, match="sample 1"):
            ds.labels


def test_empty_keys(tmp_path):
    path = craft(tmp_path / "k.h5", keys=np.array([], dtype="S1"))
    with pytest.raises(DataError, match="extra/keys"):
        open_dataset(path)


# -- the writer refuses the same problems and never leaves a file behind -----------------------------------------


@pytest.mark.parametrize(
    "sample, problem",
    [((np.array([0.2, 0.1]), np.array([0, 1])), "not sorted"), ((np.array([0.1]), np.array([9])), "holds 9"),
     ((np.array([np.nan]), np.array([0])), "finite"), ((np.array([0.1, 0.2]), np.array([0])), "2 spike times"),
     ((np.array([1e6]), np.array([0])), "float16 range"), ((np.array([0.1]), np.array([0.5])), "integer")],
)
def test_writer_refuses_bad_samples_atomically(tmp_path, sample, problem):
    good = (np.array([0.1]), np.array([1]))
    with pytest.raises(DataError, match=f"w\\.h5, sample 1: .*{problem}"):
        write_dataset(tmp_path / "w.h5", [good, sample], [0, 0], ["a"], [0, 0], n_channels=9)
    assert list(tmp_path.iterdir()) == []


def test_writer_keeps_the_old_file_when_interrupted(tmp_path):
    path = write_dataset(tmp_path / "w.h5", [(np.array([0.1]), np.array([1]))], [0], ["a"], [0])
    before = path.read_bytes()

    def failing():
        yield np.array([0.1]), np.array([1])
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_dataset(path, failing(), [0, 0], ["a"], [0, 0])
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["w.h5"]


@pytest.mark.parametrize(
    "kwargs, problem",
    [(dict(labels=[0, 3]), "label 3 is outside the 2 classes"), (dict(labels=[0]), "1 labels but 2 speakers"),
     (dict(class_names=[]), "class_names is empty"), (dict(n_channels=0), "n_channels"),
     (dict(labels=[0.5, 1.0]), "labels must be integers")],
)
def test_writer_refuses_bad_arguments(tmp_path, kwargs, problem):
    args = dict(samples=[(np.array([0.1]), np.array([1]))] * 2, labels=[0, 1], class_names=["a", "b"],
                speakers=[0, 0])
    args.update(kwargs)
    with pytest.raises(DataError, match=problem):
        write_dataset(tmp_path / "w.h5", **args)
    assert list(tmp_path.iterdir()) == []


def test_writer_refuses_sample_count_mismatch(tmp_path):
    with pytest.raises(DataError, match="1 samples but 2 labels"):
        write_dataset(tmp_path / "w.h5", [(np.array([0.1]), np.array([1]))], [0, 0], ["a"], [0, 0])
    with pytest.raises(DataError, match="more samples than the 1 labels"):
        write_dataset(tmp_path / "w.h5", [(np.array([0.1]), np.array([1]))] * 2, [0], ["a"], [0])


# -- binning arguments -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, problem",
    [(dict(dt=0), "dt = 0"), (dict(dt=-0.01), "dt = -0.01"), (dict(max_time=0), "max_time = 0"),
     (dict(max_time=float("nan")), "max_time"), (dict(max_time=1.005), "not a whole number of dt"),
     (dict(pool=3), "pool = 3 does not divide the 10 channels"), (dict(pool=0), "pool is 0"),
     (dict(units=np.array([1])), "2 spike times but 1 units"), (dict(units=np.array([1, 10])), "holds 10"),
     (dict(times=np.array([0.1, np.nan])), "finite"), (dict(times=np.array([-0.1, 0.1])), "negative"),
     (dict(n_channels=0), "n_channels")],
)
def test_bin_sample_validates_its_arguments(kwargs, problem):
    args = dict(times=np.array([0.1, 0.2]), units=np.array([1, 2]), n_channels=10, dt=0.01, max_time=1.0, pool=1)
    args.update(kwargs)
    with pytest.raises(DataError, match=problem):
        bin_sample(**args)


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


# -- sizes declared by small files: refused before anything is allocated -------------------------------------------


def craft_declaring(path, n_samples, n_keys=2, key_size=1):
    """A few-KB file whose arrays declare ``n_samples`` samples and ``n_keys`` class names: chunked datasets with no
    chunk written take no room in the file, however large their declared shape."""
    with h5py.File(path, "w") as f:
        for name, dtype in (("spikes/times", h5py.vlen_dtype(np.float16)), ("spikes/units", h5py.vlen_dtype(np.uint16)),
                            ("labels", np.uint8), ("extra/speaker", np.uint16)):
            f.create_dataset(name, (n_samples,), dtype=dtype, chunks=(min(n_samples, 1024),))
        f.create_dataset("extra/keys", (n_keys,), dtype=f"S{key_size}", chunks=(min(n_keys, 1024),))
    return path


@pytest.mark.parametrize("n", [2**40, 2**31, 2**25])
def test_a_small_file_declaring_too_many_samples_is_refused(tmp_path, n):
    path = craft_declaring(tmp_path / "huge.h5", n)
    assert path.stat().st_size < 20_000
    with pytest.raises(DataError, match=rf"huge\.h5: declares {n} samples, more than the 16777216"):
        open_dataset(path)


def test_a_file_that_would_not_fit_in_memory_is_refused(tmp_path, monkeypatch):
    from snnlib import _io

    path = craft_declaring(tmp_path / "big.h5", 2**20)  # within the schema's limit
    monkeypatch.setattr(_io, "available_memory", lambda: 4 << 20)  # simulated: a machine with 4 MiB free
    with pytest.raises(DataError, match=r"big\.h5: opening it would need about .* more than the 4\.0 MiB of memory"):
        open_dataset(path)
    monkeypatch.setattr(_io, "available_memory", lambda: 1 << 30)
    with open_dataset(path) as ds:  # with room, the same file opens (its samples are empty)
        assert len(ds) == 2**20


def test_a_small_file_declaring_too_many_class_names_is_refused(tmp_path):
    path = craft_declaring(tmp_path / "keys.h5", 2, n_keys=2**34)
    with pytest.raises(DataError, match=r"keys\.h5: extra/keys declares 17179869184 class names"):
        open_dataset(path)


def test_huge_class_names_are_refused_by_the_memory_estimate(tmp_path, monkeypatch):
    from snnlib import _io

    path = craft_declaring(tmp_path / "keys.h5", 2, n_keys=60_000, key_size=1_000_000)  # 60 GB of names
    monkeypatch.setattr(_io, "available_memory", lambda: 8 << 30)
    with pytest.raises(DataError, match=r"keys\.h5: opening it would need about 5\d\.\d GiB"):
        open_dataset(path)


# -- security: a data file may not read other files ------------------------------------------------------------


SECRET = b"root:x:0:0:secret-line\n"


def test_external_storage_is_refused_and_nothing_of_the_other_file_is_shown(tmp_path, capsys):
    import argparse

    from snnlib.data.cli import register

    secret = tmp_path / "secret.txt"
    secret.write_bytes(SECRET)
    path = craft(tmp_path / "ext.h5", drop=("extra/keys",))
    with h5py.File(path, "a") as f:
        f.create_dataset("extra/keys", (1,), dtype=f"S{len(SECRET)}", external=[(str(secret), 0, len(SECRET))])
    with pytest.raises(DataError, match=r"ext\.h5: refused for safety: extra/keys keeps its data in another file"):
        open_dataset(path)
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers())
    args = parser.parse_args(["data", "info", str(path)])
    with pytest.raises(DataError):
        args.func(args)
    assert b"secret" not in capsys.readouterr().out.encode()


def test_external_links_are_refused(tmp_path):
    other = craft(tmp_path / "other.h5")
    path = craft(tmp_path / "link.h5", drop=("extra/keys",))
    with h5py.File(path, "a") as f:
        f["extra/keys"] = h5py.ExternalLink(str(other), "/extra/keys")
    with pytest.raises(DataError, match=r"link\.h5: refused for safety: extra/keys is an external link to .*other\.h5"):
        open_dataset(path)


def test_virtual_datasets_are_refused(tmp_path):
    other = craft(tmp_path / "other.h5")
    path = craft(tmp_path / "virtual.h5", drop=("labels",))
    layout = h5py.VirtualLayout(shape=(2,), dtype=np.int64)
    layout[:] = h5py.VirtualSource(str(other), "labels", shape=(2,))
    with h5py.File(path, "a") as f:
        f.create_virtual_dataset("labels", layout)
    with pytest.raises(DataError, match=r"virtual\.h5: refused for safety: labels is a virtual dataset"):
        open_dataset(path)


# -- permissions, folders and full disks ----------------------------------------------------------------------


def test_unreadable_file_says_permission_denied_not_damaged(tmp_path, monkeypatch):
    reader = importlib.import_module("snnlib.data.reader")
    path = craft(tmp_path / "private.h5")

    real_open = reader.os.open

    def denied(name, flags, *args, **kwargs):
        if str(name) == str(path):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, flags, *args, **kwargs)

    monkeypatch.setattr(reader.os, "open", denied)  # simulated: root reads every file
    with pytest.raises(DataError) as info:
        open_dataset(path)
    message = str(info.value)
    assert "permission denied" in message and "read access" in message
    assert "damaged" not in message and "download" not in message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0,
                    reason="root reads files whatever their mode; the simulated test above covers the message")
def test_unreadable_file_for_real(tmp_path):
    path = craft(tmp_path / "private.h5")
    path.chmod(0)
    with pytest.raises(DataError, match="permission denied.*read access"):
        open_dataset(path)


def test_writer_refuses_a_folder_as_the_file(tmp_path):
    (tmp_path / "out.h5").mkdir()
    with pytest.raises(DataError, match=r"out\.h5 is a folder; give the name of the \.h5 file"):
        write_dataset(tmp_path / "out.h5", [(np.array([0.1]), np.array([1]))], [0], ["a"], [0])


@pytest.mark.parametrize("where", ["file", "proc"])
def test_writer_refuses_an_unusable_folder_in_one_line(tmp_path, where):
    if where == "file":
        (tmp_path / "plain").write_text("x")
        target = tmp_path / "plain" / "sub" / "w.h5"
        expected = "plain is a file, not a folder"
    else:
        target = Path("/proc/snnlib-test/w.h5")
        expected = "cannot write in /proc/snnlib-test"
    with pytest.raises(DataError) as info:
        write_dataset(target, [(np.array([0.1]), np.array([1]))], [0], ["a"], [0])
    assert expected in str(info.value) and "\n" not in str(info.value)


def test_writer_stops_before_a_full_disk_and_removes_its_temporary_file(tmp_path, monkeypatch):
    from snnlib import _io

    old = write_dataset(tmp_path / "w.h5", [(np.array([0.1]), np.array([1]))], [0], ["a"], [0])
    before = old.read_bytes()
    calls = []

    def nearly_full(folder):  # simulated: room for the header, not for the spikes
        calls.append(folder)
        return 10 << 20 if len(calls) == 1 else 300_000

    monkeypatch.setattr(_io, "free_space", nearly_full)
    samples = [(np.sort(np.random.default_rng(i).random(1000)), np.arange(1000) % 700) for i in range(100)]
    with pytest.raises(DataError) as info:
        write_dataset(tmp_path / "w.h5", samples, [0] * 100, ["a"], [0] * 100)
    message = str(info.value)
    assert message.startswith(f"not enough disk space in {tmp_path} to write w.h5: it needs about ")
    assert "293.0 KiB is available" in message
    assert [p.name for p in tmp_path.iterdir()] == ["w.h5"] and old.read_bytes() == before


def test_writer_on_a_real_full_disk(tmp_path):
    import subprocess
    import sys

    from tests.tmpfs import small_tmpfs

    with small_tmpfs(tmp_path / "disk", "2m") as disk:
        # in a child process: were HDF5 to run into the full disk, it could crash the interpreter
        done = subprocess.run([sys.executable, "-m", "snnlib", "data", "make", "shd-like", "--out", str(disk / "d")],
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"error: not enough disk space in {disk / 'd'} to write shd_like_train.h5")
        assert len(done.stderr.strip().splitlines()) == 1
        assert list((disk / "d").iterdir()) == []


@pytest.mark.parametrize("case", ["file", "under a file", "proc"])
def test_data_make_refuses_an_unusable_out_in_one_line(tmp_path, capsys, case):
    from snnlib.cli import main

    (tmp_path / "plain").write_text("x")
    out, expected = {"file": (tmp_path / "plain", "plain is a file, not a folder"),
                     "under a file": (tmp_path / "plain" / "sub", "plain is a file, not a folder"),
                     "proc": ("/proc/snnlib-test",
                              "cannot write in /proc/snnlib-test: the folder cannot be created")}[case]
    code = main(["data", "make", "delay-task", "--out", str(out), "--train", "8", "--test", "4"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and expected in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plain"]


def test_data_make_on_a_disk_that_fills_at_the_test_file_keeps_the_earlier_dataset(tmp_path, monkeypatch, capsys):
    from snnlib import _io
    from snnlib.cli import main
    from snnlib.data import make_delay_task

    old = make_delay_task(tmp_path / "d", n_train=20, n_test=10, n_valid=0, seed=1)  # a dataset saved earlier
    before = {part: path.read_bytes() for part, path in old.items()}
    real, calls = _io.free_space, []

    def fills_after_the_training_file(folder):  # simulated: room for the training file (2 checks), then full
        calls.append(folder)
        return real(folder) if len(calls) <= 2 else 1000

    monkeypatch.setattr(_io, "free_space", fills_after_the_training_file)
    code = main(["data", "make", "delay-task", "--out", str(tmp_path / "d"), "--train", "40", "--test", "20",
                 "--valid", "0", "--seed", "2"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "not enough disk space" in err and "delay_task_test.h5" in err
    assert {part: path.read_bytes() for part, path in old.items()} == before  # both old parts intact
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == ["delay_task_test.h5", "delay_task_train.h5"]


def test_train_generating_its_data_on_a_full_disk_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    from snnlib import _io
    from snnlib.cli import main

    real = _io.free_space
    data = tmp_path / "data"
    monkeypatch.setattr(_io, "free_space", lambda folder: 1000 if data in Path(folder).parents or Path(folder) == data
                        else real(folder))  # simulated: only the data disk is full
    code = main(["train", "--dataset", "delay-task", "--data-dir", str(data), "--epochs", "1",
                 "--out", str(tmp_path / "run"), "--no-progress"])
    err = capsys.readouterr().err
    assert code != 0 and err.count("\n") == 1 and "not enough disk space" in err and "1000 B is available" in err
    assert not [p for p in data.rglob("*") if p.is_file()]  # no file left in the data folder
