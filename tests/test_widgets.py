"""snnlib.widgets and snnlib.course: explorers (live and static), the live training view, the switches.

Expected readouts are worked by hand from the LIF equations (MODEL.md §3), not read from the engine.
The last test drives a real kernel the way JupyterLab does: it sends the Stop button's click as a
comm message while the training runs in the kernel's background thread.
"""
from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from snnlib import course, widgets

ipywidgets = pytest.importorskip("ipywidgets")


# ----------------------------------------------------------------------------- switches
@pytest.mark.parametrize("value, expected", [("1", True), ("true", True), ("0", False), ("", False)])
def test_fast_mode_reads_the_environment(monkeypatch, value, expected):
    monkeypatch.setenv("SNNLIB_FAST", value)
    assert course.fast_mode() is expected
    assert course.sized(full=30, fast=3) == (3 if expected else 30)


def test_switches_refuse_unknown_values(monkeypatch):
    monkeypatch.setenv("SNNLIB_STATIC", "maybe")
    with pytest.raises(ValueError, match="SNNLIB_STATIC='maybe'"):
        course.widget_frontend()


def test_widget_frontend(monkeypatch):
    monkeypatch.setenv("SNNLIB_STATIC", "1")
    assert course.widget_frontend() is False
    monkeypatch.setenv("SNNLIB_STATIC", "0")
    assert course.widget_frontend() is True
    monkeypatch.delenv("SNNLIB_STATIC")
    assert course.widget_frontend() is False  # plain Python process: no kernel, no front end


# ----------------------------------------------------------------------------- the course's small models
def _fires_by_hand(gap: int, weight=0.6, tau_ms=10.0, dt_ms=1.0) -> bool:
    """Two spikes ``gap`` steps apart on one LIF neuron: v = w·α^gap + w > ϑ = 1?"""
    return weight * math.exp(-gap * dt_ms / tau_ms) + weight > 1.0


@pytest.mark.parametrize("delay1", [0, 4, 5, 6, 10, 14, 15])
def test_coincidence_readout_matches_the_hand_calculation(delay1):
    _, text = widgets.coincidence_figure(t1=20, t2=30, delay1=delay1)
    gap = abs(20 + delay1 - 30)
    assert text == (f"spike at step {max(20 + delay1, 30)}" if _fires_by_hand(gap) else "no spike")


def test_delay_bank_finds_the_time_difference():
    delays, counts, _, _ = course.delay_bank((30, 38), max_delay=20)
    compensated = delays[:, 0] - delays[:, 1]
    assert np.array_equal(delays[:, 0] + delays[:, 1], np.full(21, 20))
    firing = compensated[counts > 0]
    # t_A + d_A and t_B + d_B within the window (4 steps at τ = 5 ms, w = 0.6: 5·ln 1.5 = 2.03 → |Δ| ≤ 2)
    assert set(firing) == {c for c in compensated if abs(c - 8) <= 2}


def test_memory_readout_follows_the_counting_rules():
    _, text = widgets.delay_memory_figure(d_max=31, n_in=100, n_hidden=50)
    bits = 5  # ceil(log2(32))
    assert f"synaptic: {100 * 50:,} delays × {bits} bit = {100 * 50 * bits / 8 / 1e3:,.1f} kB" in text
    assert f"ring buffers {100 * 32 / 8 / 1e3:,.2f} kB" in text and "added latency 310 ms" in text


def test_surrogate_readout_reports_the_integer_delay():
    _, text = widgets.surrogate_figure(sigma=1.0, delay=12.5)
    assert text.startswith("D = 12.50 → integer delay 13;")


@pytest.mark.parametrize("sigma, delay", [(0.1, 4.1), (0.1, 3.9), (0.3, 7.35), (1.0, 12.5), (2.0, 9.8)])
def test_surrogate_readout_is_the_gradient_at_the_sliders_delay(sigma, delay):
    import re

    import snnlib
    from snnlib import surrogate

    _, text = widgets.surrogate_figure(sigma=sigma, delay=delay)
    printed = float(re.search(r"surrogate dE/dD = ([+-][0-9.]+)", text).group(1))
    # independent: the tick-by-tick online learner at exactly this D
    toy = course.DelayToy()
    config, params, x, labels = toy.network(sigma=sigma)
    params["D_in"] = np.array([[delay, 0.0]])
    _, grads = snnlib.online_gradients(config, params, x, labels, engine="stepwise")
    assert printed == pytest.approx(grads["D_in"][0, 0], abs=1e-4)
    if sigma == 0.1:
        # by hand: input A's one spike arrives at t_a + d, where only the tap h(−δ) is non-negligible, and
        # ∂E/∂W_A = ∂E/∂I[t_a + d] (one input spike), so ∂E/∂D = W_A · h(−δ) · ∂E/∂W_A
        d = int(np.floor(delay + 0.5))
        tap = surrogate.delay_kernel(np.array(-(delay - d)), sigma)
        assert printed == pytest.approx(toy.weight * tap * grads["W_in"][0, 0], abs=1e-4)
        assert abs(printed) > 1.0                   # large: a small σ does not make it vanish
        assert np.sign(printed) == np.sign(delay - d)   # and it points back to the integer: trapped


# ----------------------------------------------------------------------------- explorers
def test_static_explorer_shows_one_figure_and_refuses_bad_values(capsys):
    explorer = widgets.coincidence_explorer(live=False, delay1=10)
    assert explorer.widget is None and explorer.png[:4] == b"\x89PNG"
    assert "spike at step 30" in capsys.readouterr().out
    with pytest.raises(ValueError, match="no control"):
        explorer.set(delay3=1)
    with pytest.raises(ValueError, match="outside the slider's range"):
        explorer.set(delay1=99)
    with pytest.raises(ValueError, match="no control"):
        widgets.coincidence_explorer(live=False, bogus=1)
    assert "0x" not in repr(explorer)


def test_live_explorer_redraws_when_a_slider_moves():
    explorer = widgets.coincidence_explorer(live=True, show=False)
    box = explorer.widget
    assert {"snnlib-explorer", "snnlib-coincidence"} <= set(box._dom_classes)
    slider = explorer.sliders["delay1"]
    assert {"snnlib-slider", "snnlib-delay-slider", "snnlib-control-delay1"} <= set(slider._dom_classes)
    assert slider.description == "delay 1 [step]" and slider.continuous_update is False
    assert "snnlib-figure" in explorer.image._dom_classes and "snnlib-readout" in explorer.label._dom_classes
    before, renders = explorer.image.value, explorer.renders
    slider.value = 10  # what the front end does when the slider is released
    assert explorer.renders == renders + 1
    assert explorer.image.value != before
    assert explorer.readout == "spike at step 30" and "spike at step 30" in explorer.label.value
    explorer.set(delay1=0, t2=21)  # two controls, one redraw
    assert explorer.renders == renders + 2 and explorer.readout == "spike at step 21"


def test_surrogate_explorer_has_sigma_and_delay_sliders():
    explorer = widgets.surrogate_explorer(live=True, show=False)
    assert "snnlib-sigma-slider" in explorer.sliders["sigma"]._dom_classes
    assert "snnlib-delay-slider" in explorer.sliders["delay"]._dom_classes
    before = explorer.image.value
    explorer.sliders["sigma"].value = 2.0
    assert explorer.image.value != before and explorer.values["sigma"] == 2.0


def test_trace_explorer_moves_in_time():
    n = 10
    record = {k: np.linspace(0, 1, n) for k in ("x_tilde", "v", "psi", "eps", "ebar", "L", "grad_W")}
    explorer = widgets.trace_explorer(record, live=True, show=False, t=3)
    assert explorer.readout.startswith("step 3:")
    explorer.sliders["t"].value = 7
    assert explorer.readout.startswith("step 7:") and "snnlib-time-slider" in explorer.sliders["t"]._dom_classes


# ----------------------------------------------------------------------------- the live training view
def _updates(n, delay=0.0, stop_at=None, view=None, fail_at=None):
    for i in range(n):
        if delay:
            time.sleep(delay)
        if fail_at is not None and i == fail_at:
            raise RuntimeError("training blew up")
        record = {"step": i + 1, "loss": 1.0 / (i + 1), "delays": np.full((2, 3), float(i))}
        if (i + 1) % 4 == 0:
            record["test_acc"] = 0.25 * (i + 1) / 4
        if stop_at is not None and i + 1 == stop_at:
            view.stop()
        yield record


def test_static_view_records_everything_and_shows_snapshots(capsys):
    view = widgets.LiveTrainingView("t", live=False, d_max=20)
    history = view.run(_updates(12), total=12).wait()
    assert history["step"] == list(range(1, 13)) and history["loss"][-1] == pytest.approx(1 / 12)
    acc = history["test_acc"]
    assert np.isnan(acc[0]) and acc[3] == 0.25 and acc[11] == 0.75 and len(acc) == 12
    assert np.array_equal(view.delays, np.full((2, 3), 11.0))
    assert view.renders == 1  # the figure once, at the end …
    out = capsys.readouterr().out
    assert "training: update 6 / 12" in out  # … and the progress half-way, in words
    assert "done: update 12 / 12" in out and "test_acc 75.0 %" in out


def test_stop_ends_the_run_after_the_current_update():
    view = widgets.LiveTrainingView("t", live=False)
    view.run(_updates(50, stop_at=5, view=view), total=50)
    assert view.stopped and view.updates == 5 and view.status.startswith("stopped")


def test_errors_of_the_training_loop_are_raised():
    view = widgets.LiveTrainingView("t", live=False)
    with pytest.raises(RuntimeError, match="blew up"):
        view.run(_updates(10, fail_at=3))


def test_live_view_trains_in_the_background_and_stops_on_click(capsys):
    view = widgets.LiveTrainingView("bg", live=True, every=2, min_interval=0.0)
    assert "snnlib-live-view" in view.widget._dom_classes and "snnlib-stop-button" in view.button._dom_classes
    start = time.monotonic()
    view.run(_updates(500, delay=0.01), total=500)
    assert time.monotonic() - start < 5.0 and view.running  # run() returned while training goes on
    assert "snnlib-running" in view.widget._dom_classes
    deadline = time.monotonic() + 30
    while view.updates < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    view.button.click()  # the front end's click ends up here
    history = view.wait(timeout=30)
    assert not view.running and view.stopped and len(history["step"]) < 500
    assert view.button.disabled and "snnlib-done" in view.widget._dom_classes
    assert "snnlib-running" not in view.widget._dom_classes and view.label.value.startswith("stopped")


def test_rerunning_a_view_stops_the_previous_run():
    first = widgets.LiveTrainingView("same", live=True)
    first.run(_updates(10_000, delay=0.01))
    second = widgets.LiveTrainingView("same", live=True)
    second.run(_updates(3))
    assert not first.running and first.stopped
    second.wait(timeout=30)
    assert second.updates == 3 and not second.stopped


# ----------------------------------------------------------------------------- a real kernel, as JupyterLab drives it
@pytest.mark.slow
def test_stop_button_works_in_a_kernel():
    """Run the view in a kernel with live widgets; click Stop by a comm message, like the front end."""
    from tests.kernel import live_kernel

    with live_kernel(timeout=60) as kernel:
        execute = kernel.execute
        execute("import time\nfrom snnlib.widgets import LiveTrainingView\n"
                "def slow():\n    for i in range(2000):\n        time.sleep(0.01)\n        yield {'loss': 1.0}\n"
                "view = LiveTrainingView('kernel', every=1000)\nview.run(slow(), total=2000);")
        button = execute("print(view.button.model_id)").strip()
        assert execute("print(view.running)").strip() == "True"  # the cell has returned, training goes on
        kernel.click(button)
        state = execute("view.wait(timeout=60)\nprint(view.stopped, view.updates < 2000, view.button.disabled)")
        assert state.split() == ["True", "True", "True"]
