"""`python -m snnlib train / evaluate`: options, config files, refusals before work, outputs, resume."""
import errno
import json

import pytest

from snnlib import train_cli
from snnlib.train_cli import build_configs, main, read_config_file, resolve_options

# a small delay-task: 48 training, 16 validation, 16 test samples; one run takes a second or two
SMALL = ["--generator", "n_train=48", "--generator", "n_valid=16", "--generator", "n_test=16",
         "--hidden", "6", "--batch-size", "16", "--d-max", "13"]


@pytest.fixture(autouse=True)
def data_home(tmp_path_factory, monkeypatch):
    folder = tmp_path_factory.getbasetemp() / "snnlib-data"
    monkeypatch.setenv("SNNLIB_DATA", str(folder))
    return folder


def parse(argv):
    import argparse

    parser = argparse.ArgumentParser()
    train_cli.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(argv)


# ----------------------------------------------------------------------------- refusals before any work
@pytest.mark.parametrize("argv, message", [
    (["--rec-delays", "synaptic"], "--rec-delays synaptic needs --recurrent"),
    (["--update-every", "5", "--method", "bptt"], "--update-every applies to the online rule only"),
    (["--dataset", "mnist"], "unknown dataset 'mnist'"),
    (["--sparsity", "1.5"], "sparsity"),
    (["--lr-delays", "-1"], "lr_delays"),
    (["--valid-fraction", "1.0"], "valid_fraction"),
    (["--sigma", "1e-200"], "sigma must be at least 0.05 steps"),
])
def test_bad_combinations_are_refused_before_any_work(tmp_path, capsys, argv, message):
    out = tmp_path / "run"
    assert main(["train", "--out", str(out)] + argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not out.exists()


def test_missing_shd_files_give_the_data_layers_download_hint(tmp_path, capsys):
    assert main(["train", "--dataset", "shd", "--data-dir", str(tmp_path / "empty"), "--out",
                 str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "shd_train.h5" in err and "download" in err


def test_an_unwritable_output_folder_is_one_line_and_non_zero(tmp_path, capsys):
    (tmp_path / "file").write_text("")
    assert main(["train", "--out", str(tmp_path / "file" / "run")] + SMALL) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write to output folder") and err.count("\n") == 1


def test_out_is_required(capsys):
    assert main(["train"]) == 2
    assert "--out DIR is required" in capsys.readouterr().err


# ----------------------------------------------------------------------------- config files
@pytest.mark.parametrize("name, text", [
    ("run.toml", 'dataset = "randman"\nhidden = 12\nlr-weights = 0.02\nrecurrent = true\n[generator]\nn_train = 30\n'),
    ("run.yaml", "dataset: randman\nhidden: 12\nlr_weights: 0.02\nrecurrent: true\ngenerator:\n  n_train: 30\n"),
    ("run.json", '{"dataset": "randman", "hidden": 12, "lr_weights": 0.02, "recurrent": true, '
                 '"generator": {"n_train": 30}}'),
])
def test_config_files_in_three_formats(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    assert read_config_file(path) == {"dataset": "randman", "hidden": 12, "lr_weights": 0.02, "recurrent": True,
                                      "generator": {"n_train": 30}}
    # flags override the file; unspecified options come from the dataset's defaults
    options = resolve_options(parse(["train", "--config", str(path), "--hidden", "7", "--no-recurrent"]))
    assert options["hidden"] == 7 and options["lr_weights"] == 0.02 and options["recurrent"] is False
    assert options["dataset"] == "randman" and options["generator"] == {"n_train": 30}
    model, train, data = build_configs(options)
    assert model.n_hidden == 7 and train.lr_weights == 0.02 and data.generator == {"n_train": 30}


def test_unknown_keys_in_a_config_file_are_refused(tmp_path):
    path = tmp_path / "run.toml"
    path.write_text("hiden = 12\n")
    with pytest.raises(ValueError, match="unknown option 'hiden'"):
        read_config_file(path)
    path.write_text("hidden = [1\n")
    with pytest.raises(ValueError, match="could not be parsed"):
        read_config_file(path)


# ----------------------------------------------------------------------------- runs
def test_train_evaluate_and_resume_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    small = SMALL + ["--lr-schedule", "constant"]  # so that the number of epochs may grow on resume
    assert main(["train", "--dataset", "delay-task", "--epochs", "1", "--out", str(out)] + small) == 0
    printed = capsys.readouterr().out
    assert "48 train / 16 valid / 16 test" in printed and "test accuracy" in printed
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0 <= metrics["test_accuracy"] <= 1 and metrics["epochs_completed"] == 1
    assert metrics["config"]["model"]["n_hidden"] == 6

    # a second run into the same folder needs --resume or --overwrite
    assert main(["train", "--dataset", "delay-task", "--epochs", "1", "--out", str(out)] + small) == 2
    assert "--resume" in capsys.readouterr().err

    # resume takes every option from the run; only the new epoch count is given
    assert main(["train", "--resume", "--out", str(out), "--epochs", "2"]) == 0
    resumed = json.loads((out / "metrics.json").read_text())
    assert resumed["epochs_completed"] == 2 and resumed["config"]["model"]["n_hidden"] == 6
    fresh = tmp_path / "fresh"
    assert main(["train", "--dataset", "delay-task", "--epochs", "2", "--out", str(fresh)] + small) == 0
    again = json.loads((fresh / "metrics.json").read_text())
    for key in ("test_accuracy", "test_loss", "val_accuracy", "train_loss"):
        assert resumed[key] == again[key]

    capsys.readouterr()
    assert main(["evaluate", str(out)]) == 0
    report = capsys.readouterr().out
    assert "weights" in report and "delay buffers" in report and "accuracy" in report
    assert f"{100 * resumed['test_accuracy']:.2f} %" in report


def test_disk_full_during_training_is_one_line_and_non_zero(tmp_path, capsys, monkeypatch):
    import snnlib.checkpoint as checkpoint

    real = checkpoint.write_atomic
    calls = {"n": 0}

    def fills_up(path, data):
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data)

    monkeypatch.setattr(checkpoint, "write_atomic", fills_up)
    assert main(["train", "--epochs", "1", "--out", str(tmp_path / "run")] + SMALL) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and err.count("\n") == 1


def test_the_commands_are_registered_in_the_main_command_line():
    from snnlib.cli import build_parser

    parser = build_parser()
    assert parser.parse_args(["train", "--out", "x"]).func is train_cli.run_train
    assert parser.parse_args(["evaluate", "x"]).func is train_cli.run_evaluate
    assert parser.parse_args(["experiments", "--out", "x"]).func is train_cli.run_experiments


def test_the_example_configs_are_valid():
    from pathlib import Path

    files = sorted((Path(__file__).parent.parent / "configs").glob("*.toml"))
    assert files, "configs/*.toml are missing"
    for path in files:
        options = resolve_options(parse(["train", "--config", str(path)]))
        model, train, data = build_configs(options)
        assert data.dataset == options["dataset"] and model.n_hidden == options["hidden"], path.name


# ----------------------------------------------------------------------------- Ctrl-C and SIGTERM, for real
@pytest.mark.slow
def test_signals_at_many_moments_always_end_in_a_clean_resumable_save(tmp_path, data_home):
    """Start real `python -m snnlib train` processes, send SIGINT or SIGTERM at 12 moments spread over a run,
    and require every one to end either in the documented clean save (message, exit 130 / 143, checkpoint with
    status "interrupted", no traceback) or — for a signal that arrives after training ended — a complete run
    (metrics.json and the final checkpoint), never anything else.
    Two interrupted runs are resumed and must reach exactly the numbers of an uninterrupted run."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from snnlib.train import load_trained

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root), SNNLIB_DATA=str(data_home))
    # batch size 2: many short batches, so most signals arrive while a compiled kernel runs
    argv = [sys.executable, "-m", "snnlib", "train", "--epochs", "2", "--lr-schedule", "constant",
            *SMALL[:-6], "--hidden", "6", "--batch-size", "2", "--d-max", "13"]

    def start(out, *extra):  # SIGINT at its default: a shell may have started pytest with SIGINT ignored
        return subprocess.Popen(argv + ["--out", str(out), *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    warm_up = start(tmp_path / "warm-up")  # generates the data and fills numba's cache
    stdout, stderr = warm_up.communicate(timeout=300)
    assert warm_up.returncode == 0, stderr
    reference = start(tmp_path / "reference")  # an uninterrupted run: its numbers, and how long it trains
    assert reference.stdout.readline().startswith("delay-task:")
    began = time.monotonic()
    stdout, stderr = reference.communicate(timeout=300)
    duration = time.monotonic() - began
    assert reference.returncode == 0, stderr
    expected = json.loads((tmp_path / "reference" / "metrics.json").read_text())

    # moments spread over the first half of a run (the rest is training too, then the test evaluation and the exit);
    # the machine's load may change, so a trial may still run faster than the reference and get its signal late
    moments = [duration * f for f in (0.0, 0.02, 0.04, 0.07, 0.1, 0.13, 0.17, 0.21, 0.26, 0.32, 0.4, 0.5)]
    outcomes, interrupted = [], {}
    for i, delay in enumerate(moments):
        sig = signal.SIGTERM if i % 3 == 2 else signal.SIGINT
        out = tmp_path / f"run{i}"
        proc = start(out)
        assert proc.stdout.readline().startswith("delay-task:")  # printed once the signals are deferred
        time.sleep(delay)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
        assert "Traceback" not in stderr and "SystemError" not in stderr, (delay, stderr)
        if (out / "metrics.json").is_file():
            # the signal came after training ended (the test evaluation, the last print or the exit): the run is
            # complete — printed "finished", or stopped in its last lines — and its checkpoint is the final one
            _, _, state = load_trained(out)
            assert state["status"] == "running" and state["position"] == [2, 0], (delay, stderr)
            assert "finished:" in stdout or proc.returncode in (130, -signal.SIGINT, -signal.SIGTERM), (delay, stderr)
            outcomes.append("finished")
        else:
            assert stderr.startswith("interrupted"), (delay, proc.returncode, stderr)
            assert proc.returncode == (143 if sig == signal.SIGTERM else 130), (delay, proc.returncode, stderr)
            assert stderr.count("\n") == 1 and f"--resume --out {out}" in stderr
            assert ("by SIGTERM" in stderr) == (sig == signal.SIGTERM)
            _, _, state = load_trained(out)
            assert state["status"] == "interrupted"
            interrupted.setdefault(sig, out)
            outcomes.append("interrupted")
    assert outcomes.count("interrupted") >= 6, outcomes  # the moments lie well inside training
    assert set(interrupted) == {signal.SIGINT, signal.SIGTERM}
    for out in interrupted.values():
        resumed = subprocess.run([sys.executable, "-m", "snnlib", "train", "--resume", "--out", str(out)],
                                 capture_output=True, text=True, env=env, timeout=300)
        assert resumed.returncode == 0, resumed.stderr
        metrics = json.loads((out / "metrics.json").read_text())
        for key in ("test_loss", "test_accuracy", "val_loss", "train_loss"):
            assert metrics[key] == expected[key], key


# ----------------------------------------------------------------------------- strict types in config files
@pytest.mark.parametrize("text, message", [
    ('{"recurrent": "no"}', "recurrent must be true or false, got 'no'"),
    ('{"recurrent": 1}', "recurrent must be true or false, got 1"),
    ('{"data_dir": ["a"]}', "data_dir must be a non-empty string (a name or a path), got ['a']"),
    ('{"generator": [1, 2]}', "generator must be a table of KEY = VALUE arguments, got [1, 2]"),
    ('{"hidden": 1e8}', "hidden must be an integer, got 100000000.0 (write it without a decimal point"),
    ('{"d_max": "25"}', "d_max must be an integer, got '25'"),
    ('{"dt": "fast"}', "dt must be a number, got 'fast'"),
    ('{"delays": true}', "delays must be one of none, fixed, synaptic, axonal, got True"),
    ('{"out": 5}', "out must be a non-empty string"),
])
def test_config_values_of_the_wrong_type_are_refused_naming_the_key_and_the_file(tmp_path, capsys, monkeypatch,
                                                                                    text, message):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "run.json"
    path.write_text(text)
    assert main(["train", "--config", str(path), "--out", str(tmp_path / "run")] + SMALL) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"config file {path}: " in err and message in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json"]  # no folder "['a']", no run folder


def test_null_means_the_default_for_optional_values(tmp_path):
    path = tmp_path / "run.yaml"
    path.write_text("max_time: null\ndata_dir: null\nupdate_every: null\n")
    options = resolve_options(parse(["train", "--config", str(path)]))
    assert options["max_time"] is None and options["data_dir"] is None and options["update_every"] is None


@pytest.mark.parametrize("changes, message", [
    (dict(recurrent="no"), "recurrent must be True or False, got 'no'"),
    (dict(data_dir=["a"]), "data_dir must be a folder path (a string), got ['a']"),
    (dict(generator=[1, 2]), "generator must be a dict of generator arguments"),
])
def test_stored_options_are_checked_as_strictly(changes, message):
    """The same values reaching build_configs another way (a resumed run's stored options, experiments)."""
    from snnlib.train import GENERIC_DEFAULTS

    with pytest.raises(ValueError) as info:
        build_configs({**GENERIC_DEFAULTS, **changes})
    assert message in str(info.value)


# ----------------------------------------------------------------------------- sizes: refused before allocating
def test_one_stray_spike_does_not_set_the_window(tmp_path, capsys):
    """A spike at 60000 s in one sample would make every sample 6 million steps long (tens of GiB)."""
    import numpy as np

    from snnlib.data import write_dataset

    rng = np.random.default_rng(0)
    samples = [(np.sort(rng.random(5)) * 0.9, rng.integers(0, 4, 5)) for _ in range(40)]
    samples[7] = (np.array([0.1, 0.2, 60000.0]), np.array([0, 1, 2]))
    write_dataset(tmp_path / "o_train.h5", samples, [i % 2 for i in range(40)], ["a", "b"], [0] * 40, n_channels=4)
    write_dataset(tmp_path / "o_test.h5", samples[:10], [i % 2 for i in range(10)], ["a", "b"], [0] * 10,
                  n_channels=4)
    longest_inlier = max(float(t.max()) for i, (t, _) in enumerate(samples) if i != 7)
    suggestion = (int(longest_inlier / 0.01) + 1) * 0.01
    argv = ["train", "--dataset", str(tmp_path / "o_train.h5"), "--epochs", "1", "--hidden", "4"]
    assert main(argv + ["--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "sample 7 of the train part" in err and "o_train.h5" in err
    assert "lasts 60000 s" in err and f"--max-time {suggestion:g}" in err
    assert not (tmp_path / "run").exists()
    # the advice works: the stray spike is dropped, the run trains on T = 0.9 s / 10 ms steps
    assert main(argv + ["--max-time", f"{suggestion:g}", "--out", str(tmp_path / "ok")]) == 0
    assert json.loads((tmp_path / "ok" / "metrics.json").read_text())["data"]["n_steps"] == round(suggestion / 0.01)


@pytest.mark.parametrize("argv, message", [
    (["--max-time", "1e6"], r"binning at dt=0.01 s over max_time=1e\+06 s needs about .* GiB, more than the 1 GiB "
                            r"\$SNNLIB_MEMORY_LIMIT .*raise --dt, lower --max-time or pool channels with --pool"),
    (["--dt", "1e-6", "--max-time", "10"], r"binning at dt=1e-06 s .*raise --dt"),
    (["--d-max", "100000000"], r"training needs about .*delay buffers \(d_max=100,000,000.*lower --d-max"),
    (["--hidden", "100000000"], r"training needs about .*N=100000000.*lower --batch-size or --hidden"),
    (["--sigma", "1e6"], r"training needs about .*2w=6,000,000 steps.*--sigma"),
])
def test_runs_too_big_for_the_memory_are_refused_before_allocating(tmp_path, capsys, monkeypatch, argv, message):
    import re

    monkeypatch.setenv("SNNLIB_MEMORY_LIMIT", "1G")
    out = tmp_path / "run"
    assert main(["train", "--epochs", "1", "--out", str(out)] + SMALL[:6] + argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and re.search(message, err), err
    assert not (out / "checkpoint.json").exists()


def test_the_memory_estimate_covers_what_numpy_allocates():
    """The estimate against tracemalloc's peak over one training batch and one evaluation batch (NumPy's own
    allocations; numba's are not traced, so this checks the estimate is not too small for those, and not absurdly
    large)."""
    import tracemalloc

    import numpy as np

    from snnlib import SNNConfig
    from snnlib import evaluate
    from snnlib.train import Dataset, SpikeArrays, TrainConfig, training_memory
    from snnlib.train_loop import _Run

    mc = SNNConfig(n_in=30, n_hidden=48, n_out=5, delays="synaptic", d_max=10, seed=1)
    tc = TrainConfig(batch_size=16, eval_batch_size=64)
    rng = np.random.default_rng(0)
    x = (rng.random((64, 150, 30)) < 0.05).astype(np.uint8)
    y = rng.integers(0, 5, 64)
    data = Dataset(SpikeArrays(x[:32], y[:32]), SpikeArrays(x, y), class_names=list("abcde"))
    run = _Run(mc, tc, data, None, None, False)
    run.start(None)
    run._train_batch(np.arange(16))  # compile first
    tracemalloc.start()
    try:
        run._snapshot()
        run._train_batch(np.arange(16))
        evaluate(mc, run.params, data.test.x, data.test.labels, tc.eval_batch_size, engine="fast")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    estimate = sum(training_memory(mc, tc, 150, 32, 64).values())
    assert peak <= estimate <= 4 * peak, (peak, estimate)


def test_the_memory_limit_variable_is_read_and_checked(monkeypatch):
    from snnlib.train import available_memory

    monkeypatch.setenv("SNNLIB_MEMORY_LIMIT", "512M")
    assert available_memory() == 512 * 2**20
    monkeypatch.setenv("SNNLIB_MEMORY_LIMIT", "lots")
    with pytest.raises(ValueError, match="SNNLIB_MEMORY_LIMIT='lots' is not a number of bytes"):
        available_memory()
    monkeypatch.delenv("SNNLIB_MEMORY_LIMIT")
    assert available_memory() is None or available_memory() > 0
