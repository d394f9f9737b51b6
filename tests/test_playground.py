"""snnlib.playground: the delay-learning playground of notebook 03.

Expected windows are worked by hand from the LIF equations (MODEL.md §3): input A's spike (weight
w = 0.6) arriving Δ steps from input B's spike makes the neuron fire when w·α^|Δ| + w > ϑ = 1, i.e.
|Δ| < 10·ln 1.5 ≈ 4.05 with τ_mem = 10 steps. Whether the neuron fires at the end of a run is
re-checked with a plain forward pass, not read from the run.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import snnlib
from snnlib import course, playground


def hand_window(t_a: int, t_b: int) -> tuple[float, float]:
    reach = 10 * math.log(0.6 / 0.4)                     # |Δ| < 4.05 steps
    firing = [d for d in range(100) if abs(t_a + d - t_b) < reach]
    return min(firing) - 0.5, max(firing) + 0.5


def fires_at(D: float, d_max: int = 40) -> bool:
    config, params, x, _ = course.DelayToy(d_max=d_max).network()
    params["D_in"] = np.array([[D, 0.0]])
    return bool(snnlib.forward(config, params, x).z.any())


@pytest.mark.parametrize("t_a, t_b", [(10, 30), (8, 31)])
def test_firing_window_matches_the_lif_equation(t_a, t_b):
    assert playground.firing_window(t_a, t_b) == hand_window(t_a, t_b)


def test_sigma_1_from_4_learns_its_way_into_the_window():
    run = playground.learn_delay(sigma=1.0, d_max=40, d0=4.0, lr=0.5)
    lower, upper = hand_window(10, 30)
    assert run.path[0] == 4.0 and len(run.path) == len(run.loss) == 61
    assert lower <= run.final < upper and run.where == "inside"
    assert fires_at(run.final) and run.fires
    assert run.loss[0] == pytest.approx(math.log(2)) and run.loss[-1] < math.log(2) - 0.1
    assert run.summary().startswith(f"D ends at {run.final:.1f}, inside the window [15.5, 24.5)")


def test_sigma_0_1_traps_the_delay_near_its_start():
    # notebook 03 §5: for σ ≪ 1 the arrival-step tap pulls D back to an integer from both sides
    for d0 in (4.0, 7.2, 11.6, 33.1):
        run = playground.learn_delay(sigma=0.1, d_max=40, d0=d0, lr=0.5)
        assert abs(run.final - d0) < 3.0, d0                      # a cell or two at most (Adam's momentum)
        assert abs(run.final - round(run.final)) < 0.02, d0       # trapped on an integer
        assert run.where != "inside" and not fires_at(run.final) and not run.fires
    assert abs(playground.learn_delay(sigma=0.1, d0=4.0).final - 4.0) < 1.5


def test_a_window_beyond_d_max_cannot_be_reached():
    run = playground.learn_delay(sigma=1.0, d_max=12, d0=4.0)
    assert run.final == 12.0 and run.clipped and not run.fires
    assert np.all((run.path >= 0) & (run.path <= 12))
    assert "clipped at d_max = 12" in run.summary() and "beyond the delay range" in run.summary()
    assert not fires_at(12.0, d_max=12)


def test_figure_draws_the_run_and_the_window():
    fig = playground.delay_learning_figure(sigma=1.0, d_max=25, d0=4.0, lr=0.5)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    run = fig.run
    assert run.d_max == 25 and run.where == "inside"
    line = fig.axes[0].lines[0]
    assert np.array_equal(line.get_ydata(), run.path)
    spans = [p for p in fig.axes[0].patches if p.get_label().startswith("firing window")]
    assert len(spans) == 1
    assert "[15.5, 24.5)" in spans[0].get_label()


@pytest.mark.parametrize("kwargs, message", [
    (dict(sigma=0.0), "σ"),
    (dict(sigma=float("nan")), "σ"),
    (dict(d_max=0), "d_max"),
    (dict(d_max=12.5), "d_max"),
    (dict(d0=-1.0), "D₀"),
    (dict(d0=30.0, d_max=20), "beyond d_max"),
    (dict(lr=0.0), "learning rate"),
    (dict(lr="fast"), "learning rate"),
    (dict(n_updates=0), "n_updates"),
])
def test_bad_values_raise_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        playground.learn_delay(**kwargs)


def test_static_explorer_shows_the_defaults():
    explorer = playground.delay_learning_explorer(show=False, live=False)
    assert explorer.values == {"sigma": 1.0, "d_max": 40, "d0": 4.0, "lr": 0.5, "n_updates": 60}
    assert explorer.png.startswith(b"\x89PNG") and "inside the window" in explorer.readout
    with pytest.raises(ValueError, match="no control"):
        playground.delay_learning_explorer(show=False, live=False, tau=3)


def test_live_explorer_sliders():
    pytest.importorskip("ipywidgets")
    explorer = playground.delay_learning_explorer(show=False, live=True)
    descriptions = {name: s.description for name, s in explorer.sliders.items()}
    assert "σ" in descriptions["sigma"] and "d_max" in descriptions["d_max"]
    assert all(s.continuous_update is False for s in explorer.sliders.values())
    assert "snnlib-sigma-slider" in explorer.sliders["sigma"]._dom_classes
    assert "snnlib-dmax-slider" in explorer.sliders["d_max"]._dom_classes
    before, renders = explorer.image.value, explorer.renders
    explorer.sliders["d_max"].value = 12            # the window now lies beyond d_max
    assert explorer.renders == renders + 1 and explorer.image.value != before
    assert "clipped at d_max = 12" in explorer.readout
    explorer.sliders["d0"].value = 30.0              # beyond d_max: said in the readout, the widget stays
    assert explorer.readout.startswith("error: D₀ = 30 lies beyond d_max = 12")
