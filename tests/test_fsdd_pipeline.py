"""Real speech end to end: FSDD recordings → ear model → SHD-format files → trainer → metrics.json.

Encodes 24 recordings of the Free Spoken Digit Dataset at 16 channels (12 training, 12 test), trains a tiny network
for two epochs through the command line (``python -m snnlib train``), and checks what the run wrote against
numbers computed here independently: the sizes and classes of the data, the parameter count by hand, and the test
accuracy recomputed from the saved parameters with the forward pass and the prediction rule of MODEL.md §4 on
spikes binned here. Then the results script (``scripts/fsdd_experiments.py``) runs on the same files.

Needs the recordings: ``$SNNLIB_FSDD``, else ``../shared/data/fsdd`` beside the repository; skipped with a message
when they are absent (CI has them). The recordings are read where they are; everything written goes to tmp_path.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
N_CHANNELS = 16
LIMIT = 12
N_TRAIN = N_TEST = LIMIT


def fsdd_folder() -> Path | None:
    """The FSDD recordings folder if present: $SNNLIB_FSDD, else ../shared/data/fsdd beside the repository."""
    base = Path(os.environ["SNNLIB_FSDD"]).expanduser() if os.environ.get("SNNLIB_FSDD") else \
        ROOT.parent / "shared" / "data" / "fsdd"
    for folder in (base / "recordings", base):
        if folder.is_dir() and any(folder.glob("*_*_*.wav")):
            return folder
    return None


FSDD = fsdd_folder()
pytestmark = pytest.mark.skipif(
    FSDD is None, reason="FSDD recordings not found (set SNNLIB_FSDD, or put the Free Spoken Digit Dataset in "
                         "../shared/data/fsdd beside the repository)")


def _expected_recordings(part: str, limit: int) -> list[tuple[int, str]]:
    """(digit, speaker) of the recordings make_fsdd keeps with ``limit``, from the file names alone: FSDD's split
    (takes 0–4 test, 5–49 train) and the documented order (take, speaker, digit)."""
    found = []
    for path in FSDD.glob("*.wav"):
        digit, speaker, take = path.stem.split("_")
        if (int(take) < 5) == (part == "test"):
            found.append((int(take), speaker, int(digit)))
    return [(digit, speaker) for take, speaker, digit in sorted(found)[:limit]]


@pytest.fixture(scope="module")
def encoded(tmp_path_factory):
    from snnlib import audio

    out = tmp_path_factory.mktemp("fsdd16")
    # limit is per file, in the order (take, speaker, digit): george's ten digits and jackson's 0 and 1, of take 5
    # (training) and of take 0 (test) — 24 recordings, two speakers
    return audio.make_fsdd(out, channels=N_CHANNELS, split="official", workers=1, limit=LIMIT, source=FSDD,
                           progress=False)


def test_encoded_files_hold_the_expected_recordings(encoded):
    from snnlib import data

    train_path, test_path = encoded
    for path, part, n in ((train_path, "train", N_TRAIN), (test_path, "test", N_TEST)):
        expected = _expected_recordings(part, n)
        with data.open_dataset(path) as ds:
            assert len(ds) == n and ds.n_channels == N_CHANNELS
            assert ds.class_names == ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
            assert ds.labels.tolist() == [digit for digit, _ in expected]
            names = [n.decode() for n in ds.meta_info["speaker_name"]]
            assert [names[s] for s in ds.speakers] == [speaker for _, speaker in expected]
            assert ds.attrs["licence"] == "CC BY-SA 4.0" and "Free Spoken Digit" in ds.attrs["attribution"]
            for i in range(n):
                times, units, _ = ds[i]
                assert times.size > 0 and np.all(np.diff(times) >= 0)
                assert units.min() >= 0 and units.max() < N_CHANNELS


def test_train_cli_on_fsdd_writes_consistent_metrics(encoded, tmp_path):
    import snnlib
    from snnlib import cli, data
    from snnlib.train import load_trained

    train_path, test_path = encoded
    out = tmp_path / "run"
    dt, max_time, hidden = 0.02, 0.8, 6
    code = cli.main(["train", "--dataset", str(train_path), "--delays", "synaptic", "--hidden", str(hidden),
                     "--epochs", "2", "--batch-size", "4", "--dt", str(dt), "--max-time", str(max_time),
                     "--d-max", "5", "--tau-out", "0.2", "--valid-fraction", "0", "--out", str(out),
                     "--no-progress"])
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    for key in ("test_accuracy", "test_loss", "parameters", "timing", "data", "config", "status"):
        assert key in metrics, f"metrics.json lacks {key}"
    assert metrics["status"] == "finished" and metrics["epochs_completed"] == 2
    T = int(round(max_time / dt))
    assert metrics["data"] == {"n_train": N_TRAIN, "n_valid": 0, "n_test": N_TEST, "n_steps": T,
                               "n_in": N_CHANNELS, "n_classes": 10}
    # parameters by hand: W_in N·M, D_in N·M (synaptic), W_out K·N, b_out K
    M, N, K = N_CHANNELS, hidden, 10
    assert metrics["parameters"]["weights"] == N * M + K * N + K
    assert metrics["parameters"]["delays"] == N * M
    assert metrics["config"]["model"]["delays"] == "synaptic" and metrics["config"]["model"]["n_hidden"] == hidden
    assert np.isfinite(metrics["test_loss"]) and metrics["timing"]["train_s"] > 0

    # the test accuracy again, from the saved parameters, on spikes binned here (floor(t / dt), t < max_time)
    config, params, _ = load_trained(out)
    with data.open_dataset(test_path) as ds:
        x = np.zeros((len(ds), T, M), np.float32)
        for b in range(len(ds)):
            times, units, _ = ds[b]
            kept = times < max_time
            np.add.at(x[b], (np.floor(times[kept] / dt).astype(int), units[kept]), 1.0)
        labels = ds.labels
    probs = snnlib.forward(config, params, x).probs                       # (B, T, K)
    predicted = np.argmax(probs.sum(axis=1), axis=1)                      # loss window = every step
    assert metrics["test_accuracy"] == pytest.approx(np.mean(predicted == labels), abs=1e-12)
    assert np.allclose(probs.sum(axis=2), 1.0, atol=1e-5)


def _load_script():
    spec = importlib.util.spec_from_file_location("fsdd_experiments", ROOT / "scripts" / "fsdd_experiments.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_results_script_official_and_loso(encoded, tmp_path, capsys):
    script = _load_script()
    data_dir = encoded[0].parent
    out = tmp_path / "results"
    argv = ["--data", str(data_dir), "--out", str(out), "--protocol", "official", "loso", "--models", "none",
            "synaptic", "--loso-models", "synaptic", "--speakers", "george", "jackson", "--hidden", "4",
            "--epochs", "1", "--batch-size", "4", "--dt", "0.02", "--max-time", "0.8", "--d-max", "5",
            "--valid-fraction", "0.25", "--seeds", "1"]
    assert script.main(argv) == 0
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [(r["protocol"], r["held_out"], r["model"]) for r in rows] == [
        ("official", "", "none"), ("official", "", "synaptic"),
        ("loso", "loso-george", "synaptic"), ("loso", "loso-jackson", "synaptic")]
    n = N_TRAIN + N_TEST
    # official: the 12 training recordings minus a class-stratified quarter (rounded per class); test = 12
    official = rows[0]
    assert int(official["n_test"]) == N_TEST and int(official["n_train"]) + int(official["n_valid"]) == N_TRAIN
    # LOSO: test = every recording of the held-out speaker, from both files; the rest trains or validates
    expected = _expected_recordings("train", N_TRAIN) + _expected_recordings("test", N_TEST)
    for row, speaker in zip(rows[2:], ("george", "jackson")):
        held = sum(s == speaker for _, s in expected)
        assert int(row["n_test"]) == held
        assert int(row["n_train"]) + int(row["n_valid"]) == n - held
    for row in rows:
        assert 0.0 <= float(row["test_last"]) <= 1.0
        assert (out / "runs" / ("official" if row["protocol"] == "official" else row["held_out"]) / row["model"]
                / "seed-0" / "metrics.json").exists()
    table = (out / "results.md").read_text()
    assert "| weights only | 4 |" in table and "| learned synaptic delays | 4 |" in table
    assert "LOSO george" in table and "Command: `python scripts/fsdd_experiments.py" in table
    summary = json.loads((out / "results.json").read_text())["summary"]
    synaptic = next(line for line in summary if line["model"] == "synaptic")
    per_speaker = [float(r["test_last"]) for r in rows[2:]]
    assert synaptic["loso_speakers"] == 2 and synaptic["loso_mean"] == pytest.approx(np.mean(per_speaker))

    # a second invocation reads the finished runs back instead of training them again
    capsys.readouterr()
    assert script.main(argv) == 0
    assert capsys.readouterr().out.count("done before") == 4


def test_results_script_several_seeds_mean_and_spread(encoded, tmp_path):
    script = _load_script()
    out = tmp_path / "results"
    argv = ["--data", str(encoded[0].parent), "--out", str(out), "--protocol", "official", "--models", "synaptic",
            "--hidden", "4", "--epochs", "2", "--batch-size", "4", "--dt", "0.02", "--max-time", "0.8", "--d-max", "5",
            "--valid-fraction", "0.25", "--seeds", "3", "--seed", "4"]
    assert script.main(argv) == 0
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert [int(r["seed"]) for r in rows] == [4, 5, 6]
    assert len({r["test_last"] for r in rows}) > 1                         # the seeds differ: a real spread
    tests = np.array([float(r["test_last"]) for r in rows])
    line = json.loads((out / "results.json").read_text())["summary"][0]
    assert line["official_seeds"] == 3
    assert line["official_test_last"] == pytest.approx(tests.mean(), abs=1e-6)          # the CSV keeps 6 digits
    assert line["official_test_last_sd"] == pytest.approx(tests.std(ddof=1), abs=1e-6)
    assert "seeds 4, 5, 6 (official: mean ± sd over them, ddof 1)" in (out / "results.md").read_text()


def test_loso_summary_gives_the_spread_over_speakers_and_over_seeds_worked_by_hand():
    script = _load_script()
    acc = {("george", 0): 0.5, ("jackson", 0): 0.7, ("george", 1): 0.6, ("jackson", 1): 0.9,
           ("george", 2): 0.4}  # seed 2 lacks jackson: left out of the over-seeds spread
    rows = [{"protocol": "loso", "held_out": f"loso-{who}", "model": "synaptic", "seed": seed, "hidden": 4,
             "weights": 1, "delays": 1, "test_last": value, "test_at_best_val": value}
            for (who, seed), value in acc.items()]
    line = script.summarise(rows, ["synaptic"], ["george", "jackson"])[0]
    # over speakers: george (0.5 + 0.6 + 0.4) / 3 = 0.5, jackson (0.7 + 0.9) / 2 = 0.8
    assert line["loso_mean"] == pytest.approx(0.65) and line["loso_std"] == pytest.approx(0.3 / 2 ** 0.5)
    # over seeds: seed 0 → 0.6, seed 1 → 0.75; mean 0.675, sd |0.75 - 0.6| / √2
    assert line["loso_seeds"] == 2 and line["loso_seed_mean"] == pytest.approx(0.675)
    assert line["loso_seed_sd"] == pytest.approx(0.15 / 2 ** 0.5)


def test_results_script_augments_training_on_request_and_keeps_older_runs(encoded, tmp_path, capsys):
    script = _load_script()
    base = ["--data", str(encoded[0].parent), "--out", str(tmp_path), "--protocol", "loso", "--models", "none",
            "--speakers", "george", "--hidden", "4", "--epochs", "1", "--batch-size", "4", "--dt", "0.02",
            "--max-time", "0.8", "--d-max", "5", "--valid-fraction", "0.25", "--seeds", "1"]
    assert script.main(base) == 0
    plain = json.loads((tmp_path / "runs" / "loso-george" / "none" / "seed-0" / "metrics.json").read_text())
    assert plain["config"]["train"]["augment_shift"] == 0
    # the identity of a run without augmentation does not name it: runs stored before it existed are read back
    stored = json.loads((tmp_path / "runs" / "loso-george" / "none" / "seed-0" / "selection.json").read_text())
    assert not any(k.startswith("augment") for k in stored["identity"]["settings"])
    capsys.readouterr()
    assert script.main(base + ["--augment-shift", "2", "--augment-stretch", "0.1"]) == 0
    assert "done before" not in capsys.readouterr().out       # another setting: trained again
    metrics = json.loads((tmp_path / "runs" / "loso-george" / "none" / "seed-0" / "metrics.json").read_text())
    assert metrics["config"]["train"]["augment_shift"] == 2 and metrics["config"]["train"]["augment_stretch"] == 0.1
    assert "channels shifted by up to ±2, time stretched by a factor in 1 ± 0.1" in (tmp_path / "results.md").read_text()


def test_results_script_can_validate_on_a_voice_it_does_not_train_on():
    script = _load_script()
    speakers = np.repeat(np.arange(6), 20)                     # six speakers, 20 recordings each
    labels = np.tile(np.arange(10), 12)
    corpus = script.Corpus(x=np.zeros((120, 3, 2), np.uint8), labels=labels, speakers=speakers,
                           official_test=np.tile(np.arange(20) < 4, 6), speaker_names=list("abcdef"),
                           class_names=[str(k) for k in range(10)], n_channels=2, dropped=0, attrs={})
    by_voice = script.Settings(valid_by="speaker", valid_fraction=0.1)
    for held in range(6):
        train, valid, test = script.split(corpus, "loso", by_voice, speaker=held)
        assert set(speakers[test]) == {held} and len(test) == 20
        assert len(set(speakers[valid])) == 1 and len(valid) == 20          # one whole other voice ...
        assert not set(speakers[valid]) & set(speakers[train]) and held not in set(speakers[valid])
        assert len(train) == 80                                               # ... and the four others train
    train, valid, test = script.split(corpus, "official", by_voice)
    assert len(set(speakers[valid])) == 1 and not set(speakers[valid]) & set(speakers[train])
    assert len(valid) == 16 and len(train) == 80 and len(test) == 24          # 96 training takes: one voice's 16
    # the default stays the class-stratified share, and leaves the stored runs' identity as it was
    train, valid, _ = script.split(corpus, "loso", script.Settings(valid_fraction=0.1), speaker=0)
    assert len(set(speakers[valid])) > 1 and len(valid) == 10                 # one per class, any voice
