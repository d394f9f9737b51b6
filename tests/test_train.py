"""The training loop: determinism, exact resume, interrupts, divergence, disk errors, schedules."""
import errno
import json

import numpy as np
import pytest

import snnlib
import snnlib.train as train_module
import snnlib.train_loop as train_loop
from snnlib import SNNConfig, gradients, init_params, online_gradients
from snnlib.checkpoint import load_checkpoint
from snnlib.optim import Adam
from snnlib.online import OnlineLearner
from snnlib.train import (Dataset, OutputError, SpikeArrays, StopTraining, TrainConfig, TrainingDiverged,
                          train)


def tiny_data(n_train=40, T=16, M=6, K=3, seed=0):
    rng = np.random.default_rng(seed)
    n = n_train + 24
    x = (rng.random((n, T, M)) < 0.2).astype(np.uint8)
    y = rng.integers(0, K, n)
    part = lambda a, b: SpikeArrays(x[a:b], y[a:b])  # noqa: E731
    return Dataset(train=part(0, n_train), valid=part(n_train, n_train + 12), test=part(n_train + 12, n),
                   class_names=[f"c{k}" for k in range(K)], dt=0.01)


def model(**kw):
    base = dict(n_in=6, n_hidden=5, n_out=3, delays="synaptic", d_max=4, dtype="float64", seed=3)
    base.update(kw)
    return SNNConfig(**base)


TC = TrainConfig(epochs=2, batch_size=16, lr_weights=1e-2, lr_delays=0.5, lr_schedule="constant", callback_every=1)
RESULT_KEYS = ("test_accuracy", "test_loss", "val_accuracy", "val_loss", "train_loss", "best_val_accuracy",
               "best_epoch", "test_accuracy_at_best_val", "test_loss_at_best_val", "epochs_completed", "parameters",
               "memory", "latency")


def same_run(a, b):
    """Exact equality of everything that does not measure time."""
    assert sorted(a.params) == sorted(b.params)
    for key in a.params:
        np.testing.assert_array_equal(a.params[key], b.params[key])
    strip = lambda h: [{k: v for k, v in row.items() if not k.endswith("_s")} for row in h]  # noqa: E731
    assert strip(a.history) == strip(b.history)
    for key in RESULT_KEYS:
        assert a.metrics[key] == b.metrics[key], key
    assert (a.best_params is None) == (b.best_params is None)
    for key in a.best_params or {}:
        np.testing.assert_array_equal(a.best_params[key], b.best_params[key])


# ----------------------------------------------------------------------------- configuration
@pytest.mark.parametrize("kw, message", [
    (dict(method="bptt", update_every=4), "update_every applies to the online rule"),
    (dict(lr_weights=-1.0), "lr_weights"),
    (dict(lr_delays=float("nan")), "lr_delays"),
    (dict(engine="gpu"), "unknown engine"),
    (dict(method="rtrl"), "unknown method"),
    (dict(batch_size=0), "batch_size"),
    (dict(epochs=1.5), "epochs"),
])
def test_train_config_refuses_bad_values(kw, message):
    with pytest.raises(ValueError, match=message):
        TrainConfig(**kw)


def test_data_that_does_not_fit_the_network_is_refused_before_any_work(tmp_path):
    with pytest.raises(ValueError, match="input channels"):
        train(model(n_in=7), TC, tiny_data(), out_dir=tmp_path / "run")
    with pytest.raises(ValueError, match="dt"):
        train(model(dt=0.005), TC, tiny_data(), out_dir=tmp_path / "run")
    assert not (tmp_path / "run").exists()


# ----------------------------------------------------------------------------- determinism and outputs
def test_same_seed_gives_the_same_result_and_other_seed_does_not(tmp_path):
    data = tiny_data()
    a = train(model(), TC, data, out_dir=tmp_path / "a")
    b = train(model(), TC, data, out_dir=tmp_path / "b")
    same_run(a, b)
    c = train(model(), TC.replace(seed=1), data)  # another data order
    assert not np.array_equal(a.params["W_in"], c.params["W_in"])


def test_outputs_log_and_metrics(tmp_path):
    data = tiny_data()
    result = train(model(), TC, data, out_dir=tmp_path)
    lines = (tmp_path / "log.csv").read_text().splitlines()
    assert lines[0].split(",")[:4] == ["epoch", "train_loss", "val_loss", "val_accuracy"]
    assert [line.split(",")[0] for line in lines[1:]] == ["1", "2"]
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    # hand count: W_in 5x6 + W_out 3x5 + b_out 3 = 48 weights; 30 synaptic delays
    assert metrics["parameters"]["weights"] == 48 and metrics["parameters"]["delays"] == 30
    assert metrics["config"]["model"]["n_hidden"] == 5 and metrics["config"]["train"]["epochs"] == 2
    assert metrics["timing"]["train_s"] > 0 and metrics["inference_s_per_sample"] > 0
    # the reported test accuracy is the accuracy of the returned parameters on the test set
    predicted_loss, accuracy = snnlib.evaluate(model(), result.params, data.test.x, data.test.labels, 256, engine="fast")
    assert metrics["test_accuracy"] == accuracy
    assert metrics["val_accuracy"] == result.history[-1]["val_accuracy"]


def test_an_existing_checkpoint_is_not_overwritten_by_accident(tmp_path):
    data = tiny_data()
    train(model(), TC.replace(epochs=1), data, out_dir=tmp_path)
    with pytest.raises(ValueError, match="already holds a checkpoint"):
        train(model(), TC, data, out_dir=tmp_path)
    train(model(), TC.replace(epochs=1), data, out_dir=tmp_path, overwrite=True)


# ----------------------------------------------------------------------------- resume
def test_one_epoch_plus_resume_equals_two_epochs(tmp_path):
    data = tiny_data()
    whole = train(model(), TC, data, out_dir=tmp_path / "whole")
    train(model(), TC.replace(epochs=1), data, out_dir=tmp_path / "split")
    resumed = train(model(), TC, data, out_dir=tmp_path / "split", resume=True)
    same_run(whole, resumed)
    # and the optimiser state on disk is the same as well
    a, _ = load_checkpoint(tmp_path / "whole")
    b, _ = load_checkpoint(tmp_path / "split")
    assert sorted(a) == sorted(b)
    for key in a:
        np.testing.assert_array_equal(a[key], b[key])


def test_a_cosine_schedule_resumes_exactly_and_needs_the_same_epochs(tmp_path):
    data = tiny_data()
    tc = TC.replace(epochs=3, lr_schedule="cosine")
    whole = train(model(), tc, data)
    stop_after_first_epoch = lambda event: event.kind != "epoch"  # noqa: E731  (False stops)
    first = train(model(), tc, data, out_dir=tmp_path, callback=stop_after_first_epoch)
    assert first.status == "stopped" and first.position == (1, 0)
    with pytest.raises(ValueError, match="epochs"):
        train(model(), tc.replace(epochs=4), data, out_dir=tmp_path, resume=True)
    same_run(whole, train(model(), tc, data, out_dir=tmp_path, resume=True))
    constant = train(model(), tc.replace(lr_schedule="constant"), data)
    assert not np.array_equal(constant.params["W_in"], whole.params["W_in"])


def test_resume_with_another_configuration_is_refused(tmp_path):
    data = tiny_data()
    train(model(), TC.replace(epochs=1), data, out_dir=tmp_path)
    with pytest.raises(ValueError, match="another configuration"):
        train(model(n_hidden=6), TC, data, out_dir=tmp_path, resume=True)
    with pytest.raises(ValueError, match="lr_weights"):
        train(model(), TC.replace(lr_weights=0.1), data, out_dir=tmp_path, resume=True)


def test_keyboard_interrupt_in_a_callback_saves_a_resumable_checkpoint(tmp_path):
    data = tiny_data()
    whole = train(model(), TC, data, out_dir=tmp_path / "whole")

    def press_ctrl_c(event):
        if event.kind == "batch" and event.epoch == 2:
            raise KeyboardInterrupt

    cut = train(model(), TC, data, out_dir=tmp_path / "cut", callback=press_ctrl_c)
    assert cut.status == "interrupted" and cut.position == (1, 1)
    _, state = load_checkpoint(tmp_path / "cut")
    assert state["status"] == "interrupted" and state["position"] == [1, 1]
    resumed = train(model(), TC, data, out_dir=tmp_path / "cut", resume=True)
    same_run(whole, resumed)


def test_an_interrupt_inside_a_batch_is_redone_on_resume(tmp_path, monkeypatch):
    data = tiny_data()
    whole = train(model(), TC, data, out_dir=tmp_path / "whole")
    calls = {"n": 0}

    def interrupted_third_batch(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return gradients(*args, **kw)

    monkeypatch.setattr(train_loop, "gradients", interrupted_third_batch)
    cut = train(model(), TC, data, out_dir=tmp_path / "cut")
    assert cut.status == "interrupted" and cut.position == (0, 2)  # 3 batches per epoch
    monkeypatch.undo()
    same_run(whole, train(model(), TC, data, out_dir=tmp_path / "cut", resume=True))


@pytest.mark.parametrize("how", ["return False", "raise StopTraining"])
def test_a_callback_can_stop_training_and_the_run_resumes(tmp_path, how):
    data = tiny_data()
    whole = train(model(), TC, data)
    events = []

    def stop_after_first_batch(event):
        events.append((event.kind, event.epoch, event.batch))
        assert event.params is not None and event.model_config.n_hidden == 5
        if event.kind == "batch":
            if how == "return False":
                return False
            raise StopTraining

    stopped = train(model(), TC, data, out_dir=tmp_path, callback=stop_after_first_batch)
    assert stopped.status == "stopped" and events[0] == ("batch", 1, 1) and stopped.position == (0, 1)
    assert stopped.metrics["status"] == "stopped"
    resumed = train(model(), TC, data, out_dir=tmp_path, resume=True)
    same_run(whole, resumed)


# ----------------------------------------------------------------------------- faults
def test_a_nan_loss_stops_with_epoch_and_batch_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    data = tiny_data()
    one_epoch = train(model(), TC.replace(epochs=1), data)
    calls = {"n": 0}

    def nan_in_epoch_2_batch_2(*args, **kw):
        calls["n"] += 1
        loss, grads = gradients(*args, **kw)
        return (float("nan"), grads) if calls["n"] == 5 else (loss, grads)  # 3 batches per epoch

    monkeypatch.setattr(train_loop, "gradients", nan_in_epoch_2_batch_2)
    with pytest.raises(TrainingDiverged, match="epoch 2, batch 2") as info:
        train(model(), TC, data, out_dir=tmp_path)
    assert "checkpoint (epoch 1)" in str(info.value)
    arrays, state = load_checkpoint(tmp_path)
    assert state["position"] == [1, 0]
    for key, value in one_epoch.params.items():
        np.testing.assert_array_equal(arrays[f"params/{key}"], value)


def test_an_infinite_gradient_is_caught_too(monkeypatch):
    def inf_gradient(*args, **kw):
        loss, grads = gradients(*args, **kw)
        grads["D_in"][0, 0] = np.inf
        return loss, grads

    monkeypatch.setattr(train_loop, "gradients", inf_gradient)
    with pytest.raises(TrainingDiverged, match=r"epoch 1, batch 1: the gradient of D_in"):
        train(model(), TC, tiny_data())


def test_disk_full_while_checkpointing_is_reported(tmp_path, monkeypatch):
    import snnlib.checkpoint as checkpoint

    real = checkpoint.write_atomic
    calls = {"n": 0}

    def fills_up(path, data):
        calls["n"] += 1
        if calls["n"] > 3:  # the write probe, log.csv and the first array file succeed
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        return real(path, data)

    monkeypatch.setattr(checkpoint, "write_atomic", fills_up)
    with pytest.raises(OutputError, match="No space left on device") as info:
        train(model(), TC, tiny_data(), out_dir=tmp_path)
    assert "\n" not in str(info.value)
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_unwritable_output_folder_is_reported_before_training(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="cannot write to output folder"):
        train(model(), TC, tiny_data(), out_dir=blocker / "run")


# ----------------------------------------------------------------------------- schedules and methods
def test_updates_within_a_sample_follow_the_stepwise_learner():
    data = tiny_data(n_train=16)
    mc = model()
    tc = TC.replace(epochs=1, batch_size=16, update_every=4)
    result = train(mc, tc, data)
    # the same by hand: one batch (all 16 samples in the generator's order), updates every 4 steps
    params = init_params(mc)
    optimizer = Adam(mc, lr_weights=tc.lr_weights, lr_delays=tc.lr_delays)
    order = np.random.default_rng(tc.seed).permutation(16)
    x, y = data.train.x[order].astype(float), data.train.labels[order]
    learner = OnlineLearner(mc, params, update_every=4, on_update=lambda grads: optimizer.step(params, grads))
    learner.begin(y, x.shape[1])
    for t in range(x.shape[1]):
        learner.step(x[:, t])
    learner.finish()
    for key in params:
        np.testing.assert_array_equal(result.params[key], params[key])
    once = train(mc, tc.replace(update_every=None), data)
    assert not np.allclose(once.params["W_in"], result.params["W_in"])
    assert result.metrics["engine_used"].startswith("stepwise")


@pytest.mark.parametrize("engine", ["fast", "stepwise"])
def test_online_training_equals_bptt_training_for_a_feedforward_network(engine):
    """Online = BPTT for feedforward nets (MODEL.md §7), so SGD runs of both stay together."""
    data = tiny_data()
    tc = TC.replace(optimizer="sgd", lr_weights=0.5, lr_delays=5.0, engine=engine)
    online = train(model(), tc, data)
    bptt = train(model(), tc.replace(method="bptt"), data)
    for key in online.params:
        np.testing.assert_allclose(online.params[key], bptt.params[key], rtol=1e-9, atol=1e-12)
    moved = np.abs(online.params["D_in"] - init_params(model())["D_in"]).max()
    assert moved > 1e-3  # the delays did learn, so the comparison covers them


def test_sgd_step_matches_a_hand_update():
    data = tiny_data(n_train=16)
    mc = model()
    tc = TC.replace(epochs=1, batch_size=16, optimizer="sgd", lr_weights=0.1, lr_delays=1.0)
    result = train(mc, tc, data)
    params = init_params(mc)
    order = np.random.default_rng(tc.seed).permutation(16)
    _, grads = online_gradients(mc, params, data.train.x[order].astype(float), data.train.labels[order])
    np.testing.assert_allclose(result.params["W_out"], params["W_out"] - 0.1 * grads["W_out"], rtol=1e-12)
    np.testing.assert_allclose(result.params["D_in"], np.clip(params["D_in"] - 1.0 * grads["D_in"], 0, 4),
                               rtol=1e-12)


# ----------------------------------------------------------------------------- data
def test_load_data_generates_once_and_holds_out_whole_speakers(tmp_path):
    from snnlib.train import DataConfig, load_data

    config = DataConfig("shd-like", data_dir=str(tmp_path), pool=10, valid_fraction=0.2, valid_by="speaker",
                        generator=dict(n_train=60, n_test=20, spikes_per_sample=200.0))
    data = load_data(config)
    generated = sorted(tmp_path.glob("generated/shd_like-*/shd_like_train.h5"))
    assert len(generated) == 1
    stamp = generated[0].stat().st_mtime_ns
    assert data.n_in == 70 and data.n_classes == 20 and len(data.test) == 20
    # 10 training speakers (two more are test-only): round(0.2 * 10) = 2 held out, every sample of them
    assert len(set(data.valid.speakers)) == 2
    assert not set(data.valid.speakers) & set(data.train.speakers)
    assert len(data.train) + len(data.valid) == 60
    again = load_data(config)
    assert generated[0].stat().st_mtime_ns == stamp  # read from the cache, not generated again
    np.testing.assert_array_equal(again.train.x, data.train.x)
    # another generator argument is another dataset, in its own folder
    load_data(config.replace(generator=dict(n_train=40, n_test=20, spikes_per_sample=200.0)))
    assert len(list(tmp_path.glob("generated/shd_like-*"))) == 2


# ----------------------------------------------------------------------------- hand-edited checkpoints
def _edit_state(folder, edit):
    path = folder / "checkpoint.json"
    document = json.loads(path.read_text())
    edit(document["state"])
    path.write_text(json.dumps(document))


@pytest.mark.parametrize("edit, message", [
    (lambda s: s.update(position=[-1, 0]), r"position must be \[epoch, batch\], two integers >= 0"),
    (lambda s: s.update(position=[1, 99999]), r"batch position 99999 is beyond the 3 batches of an epoch"),
    (lambda s: s.update(position=[7, 0]), r"history holds 1 epochs but the position says 7"),
    (lambda s: s.update(position="1,0"), r"position must be"),
    (lambda s: s["rng_epoch_start"].update(bit_generator="MT19937"), r"rng_epoch_start is not a valid"),
    (lambda s: s["rng_epoch_start"].update(state="zero"), r"rng_epoch_start is not a valid"),
    (lambda s: s.update(rng_epoch_start=None), r"rng_epoch_start is not a valid"),
    (lambda s: s.update(history=[{"epoch": 1}]), r"history entry 1 must be an object with epoch, train_loss"),
    (lambda s: s.update(history="none"), r"history must be a list"),
    (lambda s: s["history"][0].update(train_loss="low"), r"history entry 1 has train_loss = 'low'"),
    (lambda s: s["history"][0].update(epoch=5), r"history entry 1 is numbered 5"),
    (lambda s: s.update(epoch_loss=-3), r"epoch_loss must be a finite number >= 0"),
    (lambda s: s.update(elapsed_s="long"), r"elapsed_s must be a number of seconds"),
    (lambda s: s["model_config"].update(n_hidden="five"), r"its configuration is invalid \(n_hidden"),
    (lambda s: s.pop("train_config"), r"'train_config' is missing"),
])
def test_a_hand_edited_checkpoint_is_refused_on_resume_and_kept(tmp_path, edit, message):
    data = tiny_data()
    train(model(), TC.replace(epochs=1), data, out_dir=tmp_path)
    _edit_state(tmp_path, edit)
    before = sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir())
    with pytest.raises(train_module.CheckpointError, match=message) as info:
        train(model(), TC, data, out_dir=tmp_path, resume=True)
    assert "\n" not in str(info.value) and "--overwrite" in str(info.value)
    assert sorted((p.name, p.read_bytes()) for p in tmp_path.iterdir()) == before  # nothing lost or changed


def test_a_mid_epoch_position_must_match_the_samples_done(tmp_path):
    data = tiny_data()

    def stop_at_second_batch(event):
        return False if event.kind == "batch" and event.batch == 2 else None

    train(model(), TC, data, out_dir=tmp_path, callback=stop_at_second_batch)
    _edit_state(tmp_path, lambda s: s.update(position=[0, 1]))
    with pytest.raises(train_module.CheckpointError, match=r"32 samples done at batch 1 of 16"):
        train(model(), TC, data, out_dir=tmp_path, resume=True)


def test_the_cli_refuses_a_hand_edited_checkpoint_with_one_line(tmp_path, capsys):
    from snnlib.train_cli import main

    data = tiny_data()
    train(model(), TC.replace(epochs=1), data, out_dir=tmp_path)
    _edit_state(tmp_path, lambda s: s.update(history=None))
    for argv in (["train", "--resume", "--out", str(tmp_path)], ["evaluate", str(tmp_path)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("error: the checkpoint in") and "history must be a list" in err
        assert err.count("\n") == 1


# ----------------------------------------------------------------------------- tiny or mismatched splits
def _samples(n, seed=0):
    rng = np.random.default_rng(seed)
    return [(np.sort(rng.random(5)) * 0.3, rng.integers(0, 4, 5)) for _ in range(n)]


def _write(path, n, class_names=("a", "b"), n_channels=4):
    from snnlib.data import write_dataset

    labels = [i % len(class_names) for i in range(n)]
    write_dataset(path, _samples(n), labels, list(class_names), [0] * n, n_channels=n_channels)
    return path


@pytest.mark.parametrize("setup, message", [
    (lambda d: _write(d / "four.h5", 4),
     r"four\.h5 holds 4 samples: too few to hold out a test set .*at least 3 samples per class"),
    (lambda d: _write(d / "none.h5", 0), r"none\.h5 holds no samples"),
    (lambda d: (_write(d / "e_train.h5", 8), _write(d / "e_test.h5", 0))[0],
     r"the test file \S*e_test\.h5 holds no samples"),
    (lambda d: (_write(d / "m_train.h5", 8), _write(d / "m_test.h5", 6, ("a", "b", "c")))[0],
     r"the test file \S*m_test\.h5 has classes the training file \S*m_train\.h5 does not \(3 classes, labels up "
     r"to 2, vs 2 in training\)"),
    (lambda d: (_write(d / "v_train.h5", 8), _write(d / "v_test.h5", 4), _write(d / "v_valid.h5", 3, "abc"))[0],
     r"the valid file \S*v_valid\.h5 has classes"),
    (lambda d: (_write(d / "c_train.h5", 8), _write(d / "c_test.h5", 4, n_channels=6))[0],
     r"the test file \S*c_test\.h5 declares 6 channels but the training file \S*c_train\.h5 has 4"),
])
def test_tiny_or_mismatched_splits_are_refused_at_load_time_naming_the_file(tmp_path, setup, message):
    from snnlib.train import DataConfig, load_data

    path = setup(tmp_path)
    with pytest.raises(ValueError, match=message) as info:
        load_data(DataConfig(str(path), valid_fraction=0.0))
    assert "\n" not in str(info.value)


def test_a_single_file_with_three_samples_per_class_is_enough():
    """The boundary of the message above: 6 samples of 2 classes give a test set of one sample per class."""
    import tempfile
    from pathlib import Path

    from snnlib.train import DataConfig, load_data

    with tempfile.TemporaryDirectory() as folder:
        data = load_data(DataConfig(str(_write(Path(folder) / "six.h5", 6)), valid_fraction=0.0))
    assert len(data.test) == 2 and len(data.train) == 4


def test_the_cli_names_the_file_and_exits_non_zero_before_training(tmp_path, capsys):
    from snnlib.train_cli import main

    _write(tmp_path / "m_train.h5", 8)
    _write(tmp_path / "m_test.h5", 6, ("a", "b", "c"))
    assert main(["train", "--dataset", str(tmp_path / "m_train.h5"), "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err
    assert "m_test.h5 has classes" in err and err.count("\n") == 1
    assert not (tmp_path / "run" / "checkpoint.json").exists()


# ----------------------------------------------------------------------------- signals, in process
@pytest.fixture
def default_sigint():
    """Python's own Ctrl-C handler during the test (a shell may have started the tests with SIGINT ignored)."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_the_first_signal_is_deferred_and_the_second_stops_hard(default_sigint):
    import os
    import signal

    from snnlib.train import deferred_interrupts

    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    with deferred_interrupts() as guard:
        assert signal.getsignal(signal.SIGINT) != before[0]  # installed
        os.kill(os.getpid(), signal.SIGTERM)
        assert guard.signum == signal.SIGTERM  # noted, nothing raised
        with deferred_interrupts() as inner:  # nested: the same flag
            assert inner is guard
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100):  # the handler runs between bytecodes
                pass
        assert signal.getsignal(signal.SIGINT) == before[0]  # restored by the second signal
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == before


def test_a_signal_during_a_batch_saves_after_it_and_resumes_exactly(tmp_path, default_sigint):
    import os
    import signal

    data = tiny_data()
    whole = train(model(), TC, data, out_dir=tmp_path / "whole")

    def signal_in_second_batch(event):  # callback_every=1: called after each batch
        if event.kind == "batch" and event.epoch == 1 and event.batch == 1:
            os.kill(os.getpid(), signal.SIGINT)

    cut = train(model(), TC, data, out_dir=tmp_path / "cut", callback=signal_in_second_batch)
    assert cut.status == "interrupted" and cut.position == (0, 1)
    _, state = load_checkpoint(tmp_path / "cut")
    assert state["status"] == "interrupted" and state["position"] == [0, 1]
    same_run(whole, train(model(), TC, data, out_dir=tmp_path / "cut", resume=True))


def test_a_second_signal_while_saving_stops_hard_and_keeps_the_last_checkpoint(tmp_path, monkeypatch,
                                                                                default_sigint):
    import os
    import signal

    import snnlib.checkpoint as checkpoint

    data = tiny_data()
    real = checkpoint.write_atomic
    calls = {"n": 0}

    def interrupted_write(path, data_bytes):
        calls["n"] += 1
        if calls["n"] == 3:  # the first epoch's checkpoint is two writes (.npz, .json); then log.csv ...
            os.kill(os.getpid(), signal.SIGINT)  # first signal: noted
        if calls["n"] == 5:  # ... the interrupted save: a second signal in the middle of writing
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(100):
                pass
        return real(path, data_bytes)

    train(model(), TC.replace(epochs=1), data, out_dir=tmp_path)
    saved = load_checkpoint(tmp_path)
    monkeypatch.setattr(checkpoint, "write_atomic", interrupted_write)
    with pytest.raises(KeyboardInterrupt):
        train(model(), TC.replace(epochs=3), data, out_dir=tmp_path, overwrite=True)
    arrays, state = load_checkpoint(tmp_path)  # whole and loadable: the one written before the second signal
    assert state["position"] in ([1, 0], [0, 0]) and sorted(arrays) == sorted(saved[0])
    assert not list(tmp_path.glob(".*.tmp"))  # no half-written file left


def test_the_best_validation_epoch_is_kept_and_tested_as_a_run_that_stops_there():
    data = tiny_data(seed=0)
    settings = TC.replace(epochs=8, lr_weights=5e-2, lr_delays=1.0)
    whole = train(model(), settings, data)
    m = whole.metrics
    assert m["best_epoch"] < settings.epochs                   # an earlier epoch than the last: a real selection
    vals = [row["val_accuracy"] for row in whole.history]
    k = m["best_epoch"]
    assert m["best_val_accuracy"] == max(vals) and vals.index(max(vals)) == k - 1      # the earliest of equals
    # independent: with a constant learning rate, the first k epochs of a run are a run of k epochs
    short = train(model(), settings.replace(epochs=k), data)
    for key in short.params:
        np.testing.assert_array_equal(whole.best_params[key], short.params[key])
    assert m["test_accuracy_at_best_val"] == short.metrics["test_accuracy"]
    assert m["test_loss_at_best_val"] == short.metrics["test_loss"]


def test_the_kept_best_survives_an_interruption(tmp_path):
    data = tiny_data(seed=0)
    settings = TC.replace(epochs=8, lr_weights=5e-2, lr_delays=1.0)
    whole = train(model(), settings, data)
    assert whole.metrics["best_epoch"] < 5                      # kept before the interruption

    def stop_late(event):
        return False if event.kind == "epoch" and event.epoch == 5 else None

    from snnlib.train import train as run

    out = tmp_path / "run"
    cut = run(model(), settings, data, out_dir=out, callback=stop_late)
    assert cut.status == "stopped"
    same_run(whole, run(model(), settings, data, out_dir=out, resume=True))


def test_without_validation_data_there_is_no_best():
    data = tiny_data()
    result = train(model(), TC, Dataset(train=data.train, test=data.test, class_names=data.class_names, dt=0.01))
    assert result.best_params is None and result.metrics["test_accuracy_at_best_val"] is None


def test_events_carry_the_loss_of_each_batch():
    """batch_loss of every event is the loss of the batch just trained: the first one recomputed from the initial
    parameters and the first batch of the seeded order; the epoch's running mean is their size-weighted mean."""
    data, mc = tiny_data(n_train=40), model()
    events = []
    train(mc, TC, data, callback=lambda e: events.append((e.kind, e.epoch, e.batch, e.batch_loss, e.loss)))
    batches = [e for e in events if e[0] in ("batch", "epoch")]
    assert [(k, ep, b) for k, ep, b, *_ in batches[:3]] == [("batch", 1, 1), ("batch", 1, 2), ("epoch", 1, 0)]
    order = np.random.default_rng(TC.seed).permutation(40)
    first = order[:16]
    expected, _ = online_gradients(mc, init_params(mc), data.train.x[first].astype(float), data.train.labels[first])
    assert batches[0][3] == pytest.approx(expected, rel=1e-12)
    sizes = [16, 16, 8]                                          # 40 samples in batches of 16
    losses = [row[3] for row in batches[:3]]
    assert batches[2][4] == pytest.approx(np.dot(sizes, losses) / 40, rel=1e-12)
