"""Offline datasets: schema, determinism, and the property each one exists for."""
import argparse

import h5py
import numpy as np
import pytest

from snnlib.data import DataError, bin_sample, make_delay_task, make_randman, make_shd_like, open_dataset
from snnlib.data.cli import register


def read_all(path):
    with open_dataset(path) as ds:
        return [ds[i] for i in range(len(ds))], ds.class_names, ds.speakers, ds.n_channels, ds.attrs


def same_samples(a, b):
    return len(a) == len(b) and all(
        np.array_equal(x[0], y[0]) and np.array_equal(x[1], y[1]) and x[2] == y[2] for x, y in zip(a, b)
    )


@pytest.mark.parametrize("make, sizes", [(make_shd_like, dict(n_train=12, n_test=6, spikes_per_sample=200)),
                                         (make_delay_task, dict(n_train=12, n_valid=4, n_test=6)),
                                         (make_randman, dict(n_train=12, n_valid=4, n_test=6))])
def test_generators_are_deterministic_and_written_in_the_schema(tmp_path, make, sizes):
    a = make(tmp_path / "a", seed=5, **sizes)
    b = make(tmp_path / "b", seed=5, **sizes)
    c = make(tmp_path / "c", seed=6, **sizes)
    more = make(tmp_path / "d", seed=5, **{**sizes, "n_train": sizes["n_train"] + 3})
    assert set(a) == ({"train", "test"} if make is make_shd_like else {"train", "valid", "test"})
    for part in a:
        assert same_samples(read_all(a[part])[0], read_all(b[part])[0])
        assert not same_samples(read_all(a[part])[0], read_all(c[part])[0])
        with h5py.File(a[part], "r") as f:
            assert h5py.check_vlen_dtype(f["spikes/times"].dtype) == np.float16
            assert f["extra/keys"].dtype.kind == "S"
    # The test file does not depend on the size of the training file.
    assert same_samples(read_all(a["test"])[0], read_all(more["test"])[0])


def test_shd_like_has_the_shape_of_shd(tmp_path):
    paths = make_shd_like(tmp_path, n_train=60, n_test=40, spikes_per_sample=300, seed=1)
    samples, names, speakers, n_channels, attrs = read_all(paths["train"])
    assert n_channels == 700 and len(names) == 20
    assert names[:3] == ["zero", "one", "two"] and names[10:13] == ["null", "eins", "zwei"]
    durations = [s[0][-1] for s in samples]
    assert min(durations) < 0.6 < max(durations) < 1.15  # variable lengths, within 1.15 s
    test_speakers = read_all(paths["test"])[2]
    assert set(attrs["test_only_speakers"]) == {10, 11}
    assert not set(speakers) & {10, 11} and set(test_speakers) & {10, 11}
    with open_dataset(paths["train"]) as ds:
        assert set(ds.meta_info) == {"gender", "age", "body_height"} and len(ds.meta_info["age"]) == 12


def test_shd_like_classes_differ_in_time_course_not_in_channel_totals(tmp_path):
    paths = make_shd_like(tmp_path, n_train=400, n_test=1, n_classes=4, spikes_per_sample=400, seed=2)
    samples = read_all(paths["train"])[0]
    totals = np.zeros((4, 4))  # class x band, spike share
    course = np.zeros((4, 4, 4))  # class x band x quarter of the word
    for times, units, label in samples:
        band = units * 4 // 700
        quarter = np.minimum((times - times[0]) * 4 // (times[-1] - times[0] + 1e-9), 3).astype(int)
        totals[label] += np.bincount(band, minlength=4) / len(units)
        np.add.at(course[label], (band, quarter), 1 / len(units))
    totals /= totals.sum(axis=1, keepdims=True)
    course /= course.sum(axis=(1, 2), keepdims=True)
    assert np.abs(totals - totals.mean(axis=0)).max() < 0.03  # every class: the same share per band
    pairwise = [np.abs(course[a] - course[b]).sum() for a in range(4) for b in range(a + 1, 4)]
    assert min(pairwise) > 0.5  # but a different band in each quarter of the word


def nearest_centroid_accuracy(train_x, train_y, test_x, test_y):
    centroids = np.stack([train_x[train_y == c].mean(axis=0) for c in np.unique(train_y)])
    predicted = np.argmin(((test_x[:, None] - centroids[None]) ** 2).sum(axis=-1), axis=1)
    return float((predicted == test_y).mean())


def test_delay_task_needs_delays(tmp_path):
    paths = make_delay_task(tmp_path, n_train=300, n_valid=0, n_test=300, seed=3)
    parts = {part: read_all(paths[part]) for part in ("train", "test")}
    attrs = parts["train"][4]
    offsets, lag, n_steps = attrs["class_offsets"], int(attrs["lag"]), int(attrs["n_steps"])
    assert offsets.shape == (3, 20) and set(np.unique(offsets)) == {0, lag}
    assert (offsets[:, 0::2] + offsets[:, 1::2] == lag).all()  # one channel of each pair leads

    def features(samples):
        dense = np.stack([bin_sample(t, u, 20, 0.01, n_steps * 0.01) for t, u, _ in samples])
        counts = dense.sum(axis=1)  # what a network without memory of time can use
        # Delay the channels as class c's offsets say, and count coincident pairs (+-2 steps) per class.
        coincidences = []
        for delays in lag - offsets:
            shifted = np.stack([np.roll(dense[:, :, k], delays[k], axis=1) for k in range(20)], axis=2)
            window = sum(np.roll(shifted, s, axis=1) for s in range(-2, 3))
            coincidences.append((shifted[:, :, 0::2] * window[:, :, 1::2]).sum(axis=(1, 2)))
        return counts, np.stack(coincidences, axis=1)

    (tr_counts, tr_coinc), (te_counts, te_coinc) = features(parts["train"][0]), features(parts["test"][0])
    y_tr = np.array([s[2] for s in parts["train"][0]])
    y_te = np.array([s[2] for s in parts["test"][0]])
    counts_acc = nearest_centroid_accuracy(tr_counts, y_tr, te_counts, y_te)
    delay_acc = float((np.argmax(te_coinc, axis=1) == y_te).mean())
    assert counts_acc < 0.45  # chance is 1/3
    assert delay_acc > 0.9


def test_delay_task_without_noise_has_one_spike_per_channel(tmp_path):
    paths = make_delay_task(tmp_path, n_train=30, n_valid=0, n_test=1, noise_rate=0.0, jitter=0, lag=7, seed=4)
    samples, _, _, _, attrs = read_all(paths["train"])
    offsets = attrs["class_offsets"]
    for times, units, label in samples:
        assert sorted(units.tolist()) == list(range(20))
        step = np.floor(times / 0.01).astype(int)[np.argsort(units)]
        gap = step[1::2] - step[0::2]
        assert (gap == offsets[label, 1::2] - offsets[label, 0::2]).all()
        assert set(np.abs(gap)) == {7}


def test_randman_fires_every_channel_once_and_classes_differ_in_timing(tmp_path):
    paths = make_randman(tmp_path, n_train=300, n_valid=0, n_test=200, n_channels=30, n_classes=5, seed=5)

    def spike_times(samples):
        out = np.zeros((len(samples), 30))
        for i, (times, units, _) in enumerate(samples):
            assert sorted(units.tolist()) == list(range(30))
            out[i, units] = times
        return out, np.array([s[2] for s in samples])

    (x_tr, y_tr), (x_te, y_te) = spike_times(read_all(paths["train"])[0]), spike_times(read_all(paths["test"])[0])
    assert x_tr.max() < 0.5
    # Each class is a curve in spike-time space: nearest neighbours follow it (chance is 0.2).
    nearest = np.argmin(((x_te[:, None] - x_tr[None]) ** 2).sum(axis=-1), axis=1)
    assert (y_tr[nearest] == y_te).mean() > 0.9


def test_generators_refuse_impossible_sizes(tmp_path):
    with pytest.raises(DataError, match="even"):
        make_delay_task(tmp_path, n_channels=21)
    with pytest.raises(DataError, match="lag"):
        make_delay_task(tmp_path, lag=60)
    with pytest.raises(DataError, match="at most 20 classes"):
        make_shd_like(tmp_path, n_classes=21)
    with pytest.raises(DataError, match="n_train"):
        make_randman(tmp_path, n_train=-1)
    assert list(tmp_path.iterdir()) == []


def run_cli(argv):
    parser = argparse.ArgumentParser(prog="snnlib")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    return args.func(args)


def test_cli_make_and_info(tmp_path, capsys):
    code = run_cli(["data", "make", "delay-task", "--out", str(tmp_path), "--train", "20", "--valid", "0",
                    "--test", "5", "--channels", "8", "--classes", "2", "--seed", "1"])
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["delay_task_test.h5", "delay_task_train.h5"]
    capsys.readouterr()
    assert run_cli(["data", "info", str(tmp_path / "delay_task_train.h5")]) == 0
    out = capsys.readouterr().out
    assert "samples:    20" in out and "8 declared, 8 used" in out and "pattern A" in out
    assert "spikes per sample" in out and "duration" in out


def test_the_data_layer_cli_knows_nothing_of_audio():
    import subprocess
    import sys

    code = ("import sys, argparse; from snnlib.data import cli; p = argparse.ArgumentParser(); "
            "cli.register(p.add_subparsers()); print(sorted(m for m in sys.modules if m.startswith('snnlib.audio')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
    with pytest.raises(SystemExit):                    # `fsdd` is added by snnlib.audio.cli, not by the data layer
        run_cli(["data", "make", "fsdd", "--out", "x"])


def test_cli_make_fsdd_passes_its_options_through(tmp_path, monkeypatch):
    from snnlib import cli
    from snnlib.audio import cli as audio_cli

    calls = []
    monkeypatch.setattr(audio_cli, "make_fsdd",
                        lambda out_dir, **options: calls.append((out_dir, options)) or [out_dir / "fsdd_train.h5"])
    assert cli.main(["data", "make", "fsdd", "--out", str(tmp_path), "--split", "speaker", "--workers", "2"]) == 0
    out_dir, options = calls[0]
    assert out_dir == tmp_path and options["channels"] == 700 and options["split"] == "speaker"
    assert options["workers"] == 2 and options["seed"] == 0
    assert options["source"] is None                   # None: fsdd.fsdd_source's default search
    with pytest.raises(SystemExit):                    # the synthetic sizes are not fsdd's options
        cli.main(["data", "make", "fsdd", "--out", str(tmp_path), "--train", "5"])


def test_cli_options_fit_the_audio_module_when_present(tmp_path):
    import inspect

    fsdd = pytest.importorskip("snnlib.audio.fsdd")
    inspect.signature(fsdd.make_fsdd).bind(tmp_path, channels=700, split="official", workers=None, source=tmp_path,
                                           seed=0)
