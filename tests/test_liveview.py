"""snnlib.liveview: the live view watches real (tiny) training runs of snnlib.train.train; the delay figure."""
from __future__ import annotations

import sys
import time

import numpy as np
import pytest

from snnlib import liveview, liveview_threads
from snnlib.config import SNNConfig
from snnlib.train import DataConfig, TrainConfig, load_data

pytest.importorskip("ipywidgets")


@pytest.fixture(scope="module")
def task(tmp_path_factory):
    data = load_data(DataConfig("delay-task", data_dir=tmp_path_factory.mktemp("data"),
                                generator=dict(n_train=64, n_valid=32, n_test=32)))
    model = SNNConfig(n_in=data.n_in, n_hidden=8, n_out=data.n_classes, d_max=12, sigma=1.5, tau_mem=0.02,
                      tau_out=0.02, dt=data.dt)
    return model, TrainConfig(epochs=1, batch_size=16, callback_every=1, lr_weights=2e-2), data


def _stop_after(view, n):
    original = view._after_record

    def after():
        original()
        if view.updates == n:
            view.stop()
    view._after_record = after


def _wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


# ----------------------------------------------------------------------------- foreground and static runs
@pytest.mark.slow
def test_static_view_trains_with_the_trainer_and_restarts_with_new_settings(task, capsys):
    model, settings, data = task
    view = liveview.LiveTrainingView("static", live=False, dpi=40)
    view.train(model, settings, data)
    assert view.mode == "static" and view.result.status == "finished" and view.runs == 1
    n_batches = 4  # 64 samples in batches of 16, one event per batch (the last one is the epoch event)
    assert view.history["step"] == [1, 2, 3, 4] and view.updates == n_batches
    val = view.history["val_acc"]
    assert np.isnan(val[:3]).all() and val[3] == pytest.approx(view.result.history[-1]["val_accuracy"])
    assert view.best["epoch"] == 1 and "test" not in " ".join(view.history)
    assert "validation accuracy" in capsys.readouterr().out

    view.set(sigma=2.5, d_max=5, lr_delays=1.0, feedback="random")
    assert view.result.metrics["config"]["model"]["sigma"] == 1.5  # nothing changes before Restart
    view.restart()
    used = view.result.metrics["config"]
    assert used["model"]["sigma"] == 2.5 and used["model"]["d_max"] == 5 and used["model"]["feedback"] == "random"
    assert used["train"]["lr_delays"] == 1.0 and view.runs == 2
    assert view.delays.max() <= 5 and view.d_max == 5
    with pytest.raises(ValueError, match="sigma"):
        view.set(sigma=0.0)
    with pytest.raises(ValueError, match="no control"):
        view.set(tau=1)


def test_stop_ends_a_static_run_at_the_next_event(task):
    model, settings, data = task
    view = liveview.LiveTrainingView("stop", live=False, static_every=100)
    _stop_after(view, 2)
    view.train(model, settings.replace(epochs=3), data)
    assert view.result.status == "stopped" and view.updates == 2 and view.status.startswith("stopped")
    assert view.result.position == (0, 2)  # the trainer stopped after its second batch


def test_foreground_is_chosen_where_threads_cannot_update_widgets(task, monkeypatch):
    model, settings, data = task
    monkeypatch.setattr(liveview, "threads_supported", lambda: (False, "Colab"))
    view = liveview.LiveTrainingView("fg", live=True, dpi=40)
    view.train(model, settings, data)
    assert view.mode == "foreground" and not view.running        # the run happened inside train()
    assert view.result.status == "finished" and view.updates == 4 and view.renders >= 2
    assert "Colab" in view.label.value or view.status.startswith("done")
    assert not view.buttons["restart"].disabled and view.buttons["stop"].disabled
    view.set(d_max=6)
    view.buttons["restart"].click()                               # after the run, the controls work
    assert view.runs == 2 and view.result.metrics["config"]["model"]["d_max"] == 6

    monkeypatch.setattr(liveview, "threads_supported", lambda: (True, ""))
    assert liveview.LiveTrainingView("t2", live=True)._choose_mode() == "thread"
    assert liveview.LiveTrainingView("t3", live=False)._choose_mode() == "static"


def test_detection_of_front_ends(monkeypatch):
    assert liveview.threads_supported is liveview_threads.threads_supported
    monkeypatch.setattr(liveview_threads, "_ipykernel_version", lambda: "7.4.0")
    assert liveview.threads_supported() == (True, "")
    monkeypatch.setattr(liveview_threads, "_ipykernel_version", lambda: "7.0.1")
    assert liveview.threads_supported() == (False, "ipykernel 7.0.1")
    monkeypatch.setattr(liveview_threads, "_ipykernel_version", lambda: "6.29.5")
    monkeypatch.setattr(sys, "platform", "emscripten")
    assert not liveview.threads_supported()[0]
    monkeypatch.setattr(sys, "platform", "linux")
    monkeypatch.setitem(sys.modules, "google.colab", object())
    assert liveview.threads_supported() == (False, "Colab")


# ----------------------------------------------------------------------------- the view alone, fed scripted events
SCRIPTED_JOB = r'''
import math
from types import SimpleNamespace

import numpy as np


class ScriptedJob:
    """A job that plays trainer events (the fields of snnlib.train.TrainEvent) instead of training: 2 epochs of
    3 batches, one event per batch (the last of an epoch is its epoch event), delays moving towards d_max."""

    ideal = None

    def __init__(self, n_epochs=2, n_batches=3, accuracies=(0.5, 0.75), pause_s=0.0):
        self.n_epochs, self.n_batches, self.accuracies, self.pause_s = n_epochs, n_batches, accuracies, pause_s
        self.answers, self.ran_with = [], []

    def settings(self):
        return {"sigma": 1.5, "d_max": 8, "lr_weights": 1e-2, "lr_delays": 0.5, "feedback": "symmetric"}

    def configs(self, settings):
        if settings["sigma"] <= 0:
            raise ValueError("sigma must be > 0")
        from snnlib.config import SNNConfig  # the model layer: what the view's figure reads (the input mask)

        model = SNNConfig(n_in=4, n_hidden=3, n_out=2, d_max=int(settings["d_max"]), sigma=float(settings["sigma"]),
                          feedback=settings["feedback"], sparsity=0.25)
        return model, dict(settings)

    def n_events(self, train_config):
        return self.n_epochs * self.n_batches

    def run(self, model, train_config, callback):
        import time

        self.ran_with.append(dict(train_config))
        rng = np.random.default_rng(0)
        params = {"W_in": rng.normal(size=(3, 4)), "W_out": rng.normal(size=(2, 3)), "D_in": np.zeros((3, 4))}
        history = []
        for epoch in range(1, self.n_epochs + 1):
            for batch in range(1, self.n_batches + 1):
                params["D_in"] = np.minimum(params["D_in"] + 1.0, model.d_max)
                loss = 1.0 / (epoch * self.n_batches + batch)
                kind = "batch" if batch < self.n_batches else "epoch"
                if kind == "epoch":
                    history.append({"epoch": epoch, "train_loss": loss, "val_accuracy": self.accuracies[epoch - 1]})
                event = SimpleNamespace(kind=kind, epoch=epoch, batch=batch, n_batches=self.n_batches, loss=loss,
                                        params=params, history=history, batch_loss=loss)
                self.answers.append(callback(event))
                if self.answers[-1] is False:
                    return SimpleNamespace(status="stopped", history=history)
                time.sleep(self.pause_s)
        callback(SimpleNamespace(kind="end", epoch=self.n_epochs, batch=0, n_batches=self.n_batches, loss=math.nan,
                                 params=params, history=history, batch_loss=math.nan))
        return SimpleNamespace(status="finished", history=history)
'''
_scripted: dict = {}
exec(SCRIPTED_JOB, _scripted)
ScriptedJob = _scripted["ScriptedJob"]


def test_the_view_draws_scripted_trainer_events_without_importing_the_trainer():
    """The view is a consumer of trainer events: fed by a job that plays them, in a fresh interpreter, it records
    and draws them, and neither it, its panel, its threads nor the figures import snnlib.train."""
    import subprocess

    code = SCRIPTED_JOB + """
import sys
from snnlib import liveview, liveview_panel, liveview_threads, plots, widgets
assert "snnlib.train" not in sys.modules, "importing the view imported the trainer"
view = liveview.LiveTrainingView("scripted", live=False, static_every=100, dpi=30)
job = ScriptedJob()
view.attach(job)
assert view.mode == "static" and view.result.status == "finished" and view.updates == view.total == 6
assert view.history["step"] == [1, 2, 3, 4, 5, 6], view.history
assert view.history["loss"] == [1 / 4, 1 / 5, 1 / 6, 1 / 7, 1 / 8, 1 / 9]
val = view.history["val_acc"]
assert [v for v in val if v == v] == [0.5, 0.75] and val[2] == 0.5 and val[5] == 0.75
assert view.best["epoch"] == 2 and view.best["val_accuracy"] == 0.75 and view.delays.max() == 6
assert job.answers == [None] * 6 and view.png[:4] == b"\\x89PNG" and view.status.startswith("done")
assert "best validation accuracy 75.0 % at epoch 2" in view.status
view.set(d_max=4)
view.restart()
assert view.runs == 2 and job.ran_with[-1]["d_max"] == 4 and view.delays.max() == 4 and view.d_max == 4
assert "snnlib.train" not in sys.modules, "the view imported the trainer"
print("ok")
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def test_the_view_steers_a_scripted_job_in_a_background_thread():
    """Pause holds the job inside its callback, Stop makes the callback answer False, the widgets follow."""
    job = ScriptedJob(n_epochs=200, n_batches=5, accuracies=[0.1] * 200, pause_s=0.005)
    view = liveview.LiveTrainingView("scripted-thread", live=True, mode="thread", every=1, min_interval=0.0, dpi=20)
    view.attach(job)
    assert view.running and view.mode == "thread" and "snnlib-running" in view.widget._dom_classes
    assert view.controls["d_max"].value == 8 and "d_max" in view.controls["d_max"].description
    assert _wait_for(lambda: view.updates >= 3 and view.renders >= 3)
    view.buttons["pause"].click()
    assert view.buttons["pause"].description == "Resume" and not view.buttons["restart"].disabled
    time.sleep(0.2)
    held = view.updates
    time.sleep(0.3)
    assert view.updates == held and view.running and view.status.startswith("paused")
    view.buttons["pause"].click()                                   # Resume
    assert _wait_for(lambda: view.updates > held)
    view.controls["sigma"].value = 2.5                              # moved by hand: waits for Restart
    assert view.settings["sigma"] == 2.5 and "new settings take effect on Restart" in view.status
    view.buttons["stop"].click()
    view.wait(timeout=30)
    assert not view.running and view.result.status == "stopped" and job.answers[-1] is False
    assert view.stopped and view.status.startswith("stopped") and "snnlib-done" in view.widget._dom_classes
    assert view.buttons["stop"].disabled and not view.buttons["start"].disabled
    assert job.ran_with[-1]["sigma"] == 1.5
    with pytest.raises(ValueError, match="sigma must be > 0"):
        view.set(sigma=0.0)                                         # the job's own refusal, before any run
    view.buttons["restart"].click()
    assert _wait_for(lambda: view.updates >= 1) and view.runs == 2
    view.stop()
    view.wait(timeout=30)
    assert job.ran_with[-1]["sigma"] == 2.5


def test_a_click_that_raises_is_shown_in_the_status_line():
    view = liveview.LiveTrainingView("click", live=True, mode="thread", dpi=20)
    view.buttons["start"].disabled = False  # a stale page could still send the click
    view.buttons["start"].click()           # nothing attached yet: the error is shown, not raised into the page
    assert view.status.startswith("error: nothing to start") and "nothing to start" in view.label.value


# ----------------------------------------------------------------------------- thread mode
def test_thread_mode_pause_stop_restart_by_buttons(task):
    model, settings, data = task
    view = liveview.LiveTrainingView("bg", live=True, mode="thread", every=1, min_interval=0.0, dpi=30)
    labels = {k: c.description for k, c in view.controls.items()}
    assert labels == {}  # controls are built when a training is attached
    view.train(model, settings.replace(epochs=200), data)
    assert view.mode == "thread" and view.running                  # train() returned while training goes on
    assert "σ" in view.controls["sigma"].description and "d_max" in view.controls["d_max"].description
    assert "snnlib-running" in view.widget._dom_classes
    assert _wait_for(lambda: view.updates >= 2)
    view.buttons["pause"].click()
    assert view.buttons["pause"].description == "Resume"
    time.sleep(0.3)
    held = view.updates
    time.sleep(0.5)
    assert view.updates == held and view.running                   # paused: no event goes by
    view.buttons["start"].click()                                  # Start resumes
    assert _wait_for(lambda: view.updates > held)
    view.controls["sigma"].value = 3.0                             # a learner moves the σ slider
    view.controls["d_max"].value = 7
    view.buttons["stop"].click()
    view.wait(timeout=60)
    assert not view.running and view.result.status == "stopped" and view.updates < 800
    assert view.result.metrics["config"]["model"]["sigma"] == 1.5  # the slider waited for Restart
    assert "snnlib-done" in view.widget._dom_classes and view.buttons["stop"].disabled

    view.buttons["restart"].click()
    assert view.runs == 2
    assert _wait_for(lambda: view.updates >= 1)
    view.stop()
    view.wait(timeout=60)
    used = view.result.metrics["config"]["model"]
    assert used["sigma"] == 3.0 and used["d_max"] == 7 and view.delays.max() <= 7


def test_restart_while_running_starts_a_fresh_run(task):
    model, settings, data = task
    view = liveview.LiveTrainingView("re", live=True, mode="thread", every=1000, dpi=30)
    view.train(model, settings.replace(epochs=200), data)
    assert _wait_for(lambda: view.updates >= 3)
    first = view._worker.thread
    view.set(lr_weights=1e-3)
    view.restart()
    assert not first.is_alive() and view.running and view.runs == 2
    view.stop()
    view.wait(timeout=60)
    assert view.result.metrics["config"]["train"]["lr_weights"] == 1e-3


# ----------------------------------------------------------------------------- the figure
def _texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_delay_figure_counts_clipping_and_orders_neurons():
    rng = np.random.default_rng(3)
    N, M, K, d_max = 9, 12, 3, 10
    D = rng.uniform(0, d_max, (N, M))
    D[rng.random((N, M)) < 0.2] = 0.0
    D[rng.random((N, M)) < 0.15] = d_max
    mask = rng.random((N, M)) > 0.25
    W_out = rng.normal(size=(K, N))
    fig = liveview.delay_view_figure(D, d_max=d_max, W_out=W_out, mask=mask,
                                     history={"step": [1, 2], "loss": [1.0, 0.9], "val_acc": [np.nan, 0.5]})
    n_low = sum(1 for j in range(N) for i in range(M) if mask[j, i] and D[j, i] == 0.0)
    n_high = sum(1 for j in range(N) for i in range(M) if mask[j, i] and D[j, i] == d_max)
    assert n_low > 0 and n_high > 0
    texts = _texts(fig)
    assert f"{n_low} delays clipped at 0" in texts and f"{n_high} delays clipped at d_max = {d_max}" in texts
    # rows: neurons grouped by the class whose readout weight is largest, strongest first within a class
    preferred = [int(np.argmax(W_out[:, j])) for j in range(N)]
    expected = sorted(range(N), key=lambda j: (preferred[j], -W_out[preferred[j], j]))
    shown = np.ma.filled(fig.axes[0].images[0].get_array().astype(float), np.nan)
    want = np.where(mask, D, np.nan)[expected]
    assert np.array_equal(np.isnan(shown), np.isnan(want)) and np.allclose(shown[~np.isnan(want)],
                                                                            want[~np.isnan(want)])


def test_relative_delay_panel_recognises_the_ideal_pattern():
    rng = np.random.default_rng(0)
    K, M, N, lag = 3, 10, 6, 4
    leads = rng.integers(0, 2, (K, M // 2))
    offsets = np.zeros((K, M), int)
    offsets[:, 0::2], offsets[:, 1::2] = lag * leads, lag * (1 - leads)
    W_out = np.full((K, N), -1.0)
    classes = np.arange(N) % K
    W_out[classes, np.arange(N)] = 1.0
    ideal = {"class_offsets": offsets, "lag": lag}
    perfect = (lag - offsets[classes] + 2).astype(float)       # each pair of class c becomes a coincidence
    texts = " ".join(_texts(liveview.delay_view_figure(perfect, d_max=10, W_out=W_out, ideal=ideal)))
    assert "100 % of pairs within 2 steps" in texts and "±4" in texts
    wrong = (lag - offsets[(classes + 1) % K] + 2).astype(float)  # the pattern of another class
    n_pairs_right = np.sum(offsets[(classes + 1) % K] == offsets[classes]) / 2
    share = round(100 * n_pairs_right / (N * M / 2))
    texts = " ".join(_texts(liveview.delay_view_figure(wrong, d_max=10, W_out=W_out, ideal=ideal)))
    assert f"{share} % of pairs within 2 steps" in texts and share < 100


def test_ideal_delays_come_from_the_delay_task_file(task):
    _, _, data = task
    ideal = liveview.ideal_delays(data)
    offsets = np.asarray(data.info["file_attrs"]["class_offsets"])
    assert ideal["lag"] == 10 and np.array_equal(ideal["class_offsets"], offsets)
    # every pair has one channel at 0 and the other at lag, in each class
    assert np.all(np.sort(np.stack([offsets[:, 0::2], offsets[:, 1::2]]), axis=0) == np.array([0, 10])[:, None, None])


def test_the_figure_without_delays_or_history():
    fig = liveview.delay_view_figure(None, d_max=5)
    assert "no learned delays" in _texts(fig) and "waiting for the first update" in _texts(fig)


# ----------------------------------------------------------------------------- a real kernel, as JupyterLab drives it
@pytest.mark.slow
def test_controls_work_in_a_kernel_while_the_trainer_runs(tmp_path):
    """A kernel with live widgets (this machine's ipykernel): the cell returns, Pause/Stop arrive as comm messages."""
    from tests.kernel import live_kernel

    with live_kernel(timeout=120) as kernel:
        execute, kc = kernel.execute, kernel.kc

        def click(name):
            kernel.click(execute(f"print(view.buttons[{name!r}].model_id)").strip())

        execute("import time\nfrom snnlib import SNNConfig, widgets\nfrom snnlib.train import DataConfig, TrainConfig, "
                f"load_data\ndata = load_data(DataConfig('delay-task', data_dir={str(tmp_path)!r}, "
                "generator=dict(n_train=64, n_valid=32, n_test=32)))\n"
                "model = SNNConfig(n_in=data.n_in, n_hidden=8, n_out=data.n_classes, d_max=12, dt=data.dt)\n"
                "view = widgets.LiveTrainingView('kernel', every=2, min_interval=0.0, dpi=30)\n"
                "view.train(model, TrainConfig(epochs=500, batch_size=16, callback_every=1), data);")
        assert execute("print(view.mode, view.running)").split() == ["thread", "True"]
        image = execute("print(view.image.model_id)").strip()
        deadline, redraws = time.monotonic() + 60, 0
        while redraws < 2 and time.monotonic() < deadline:  # the figure, redrawn by the training thread, reaches
            msg = kc.get_iopub_msg(timeout=60)               # the front end's channel as widget updates
            content = msg["content"]
            if msg["msg_type"] == "comm_msg" and content.get("comm_id") == image \
                    and content["data"].get("method") == "update":
                redraws += 1
        assert redraws >= 2
        execute("while view.updates < 3: time.sleep(0.05)")
        click("pause")
        execute("time.sleep(0.5)\nheld = view.updates\ntime.sleep(0.5)")
        assert execute("print(view.updates == held, view.running, view.buttons['pause'].description)").split() == \
            ["True", "True", "Resume"]
        click("stop")
        state = execute("view.wait(timeout=120)\nprint(view.result.status, view.running, view.buttons['stop'].disabled)")
        assert state.split() == ["stopped", "False", "True"]


def test_a_paused_background_run_leaves_ctrl_c_handling_to_a_foreground_training(task):
    """While a live view holds a training in a background thread, train() in the main thread installs its own
    Ctrl-C guard (it must not share the background run's, which could install no handler)."""
    import signal

    from snnlib import train as trainer

    model, settings, data = task
    # Python's own Ctrl-C handler, as in a terminal or a kernel: a test runner started in the background of a
    # non-interactive shell inherits SIGINT ignored, and the guard leaves an ignored signal alone (by design)
    inherited = signal.signal(signal.SIGINT, signal.default_int_handler)
    view = liveview.LiveTrainingView("held", live=True, mode="thread", every=1000, dpi=30)
    view.train(model, settings.replace(epochs=200), data)
    assert _wait_for(lambda: view.updates >= 1)
    view.pause()
    seen = []
    before = signal.getsignal(signal.SIGINT)
    try:
        trainer.train(model, settings, data, progress=False,
                      callback=lambda event: seen.append(signal.getsignal(signal.SIGINT)))
    finally:
        view.stop()
        view.wait(timeout=60)
        after = signal.getsignal(signal.SIGINT)
        signal.signal(signal.SIGINT, inherited)
    assert seen and all(getattr(h, "__self__", None).__class__ is trainer.deferred_interrupts for h in seen)
    assert after is before and trainer.deferred_interrupts._active is None


def test_relative_delay_panel_counts_the_pairs_a_neuron_listens_to():
    rng = np.random.default_rng(5)
    K, M, N, lag = 2, 8, 4, 3
    offsets = np.zeros((K, M), int)
    offsets[0, 0::2], offsets[1, 1::2] = lag, lag               # class 0: odd channels lead; class 1: even ones
    W_out = np.array([[1.0, -1, 1, -1], [-1.0, 1, -1, 1]])       # neurons 0, 2 vote for class 0; 1, 3 for class 1
    classes = np.array([0, 1, 0, 1])
    D = (lag - offsets[classes] + 1).astype(float)               # the ideal pattern everywhere ...
    W_in = rng.uniform(0.1, 1.0, (N, M))
    wrong = rng.random((N, M // 2)) < 0.5                        # ... except on some pairs, which get the
    D[:, 0::2][wrong] = D[:, 1::2][wrong]                        # same delay on both channels (relative 0) and
    W_in[:, 0::2][wrong] *= -1                                   # an inhibitory input, so the neuron ignores them
    n_listened = int((~wrong).sum())
    all_share = round(100 * (~wrong).mean())
    fig = liveview.delay_view_figure(D, d_max=8, W_out=W_out, W_in=W_in, ideal={"class_offsets": offsets, "lag": lag})
    text = " ".join(_texts(fig))
    assert f"100 % of the {n_listened} pairs\nwith both inputs excitatory" in text and f"(all: {all_share} %)" in text
    assert all_share < 100


def test_the_title_shows_the_settings_of_the_run_not_the_sliders(task):
    model, settings, data = task
    view = liveview.LiveTrainingView("title", live=False, static_every=100)
    view.train(model, settings, data)
    view.set(sigma=3.0)
    assert "σ = 1.5" in view._title() and "σ = 3" not in view._title()
    view.restart()
    assert "σ = 3" in view._title() and "run 2" in view._title()


def test_an_error_in_a_foreground_run_is_raised_and_shown(task, monkeypatch):
    model, settings, data = task
    monkeypatch.setattr(liveview, "threads_supported", lambda: (False, "Colab"))
    view = liveview.LiveTrainingView("err", live=True, dpi=30)
    with pytest.raises(ValueError, match="loss_start"):
        view.train(model.replace(loss_start=10_000), settings, data)
    assert view.status.startswith("error: ValueError")
