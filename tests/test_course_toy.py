"""The delay toy of notebook 03 (snnlib.course.DelayToy): its helpers against independent computations."""
from __future__ import annotations

import numpy as np
import pytest

import snnlib
from snnlib import course, surrogate


@pytest.mark.parametrize("t_a, t_b", [(10, 30), (8, 31), (12, 28)])
def test_firing_delays_follow_the_coincidence_window(t_a, t_b):
    toy = course.DelayToy(t_a=t_a, t_b=t_b)
    # two spikes of weight w fire the neuron when they arrive less than τ/dt · ln(w/(ϑ − w)) steps apart
    window = (toy.tau_mem / 0.001) * np.log(toy.weight / (1.0 - toy.weight))
    expected = [d for d in range(toy.d_max + 1) if abs(t_a + d - t_b) < window]
    assert list(toy.firing_delays()) == expected


@pytest.mark.parametrize("D, sigma", [(12.3, 1.0), (18.2, 1.0), (4.1, 0.1), (30.6, 2.0)])
def test_current_credit_rebuilds_the_library_gradients(D, sigma):
    toy = course.DelayToy()
    u = toy.current_credit(D, sigma)
    config, params, x, labels = toy.network(sigma)
    params["D_in"] = np.array([[D, 0.0]])
    _, grads = snnlib.online_gradients(config, params, x, labels, engine="stepwise")
    steps = np.arange(toy.n_steps)
    # ∂E/∂D = W_A Σ_t u[t] h(t − t_a − D); ∂E/∂W_A = u at the arrival step of A's only spike
    by_credit = toy.weight * np.sum(u * surrogate.delay_kernel(steps - toy.t_a - D, sigma))
    d = int(surrogate.integer_delay(D, toy.d_max))
    assert by_credit == pytest.approx(grads["D_in"][0, 0], abs=1e-12)
    assert u[toy.t_a + d] == pytest.approx(grads["W_in"][0, 0], abs=1e-12)
    assert np.all(u <= 1e-15)                       # more input never raises the loss on this toy


def test_train_delay_reports_the_true_final_loss_and_traps_at_small_sigma():
    toy = course.DelayToy()
    path, final_loss = toy.train_delay(lambda update: 1.0, 4.2, n_updates=30)
    config, params, x, labels = toy.network()
    params["D_in"] = np.array([[path[-1], 0.0]])
    probs = snnlib.forward(config, params, x).probs[0]
    assert final_loss == pytest.approx(-np.log(probs[config.loss_start:, 0]).mean(), abs=1e-12)
    assert path[0] == 4.2 and path.shape == (31,) and path[-1] > 8      # σ = 1 moves toward the window
    trapped, _ = toy.train_delay(lambda update: 0.1, 4.2, n_updates=30)
    # σ = 0.1: Adam's momentum may carry D into the next cell, but it stays near its start, pulled to an integer
    assert np.all(np.abs(trapped - 4.2) < 1.5) and abs(trapped[-1] - np.round(trapped[-1])) < 0.1
    still, _ = toy.train_delay(lambda update: 1.0, 7.3, n_updates=5, lr=0.0)
    assert np.all(still == 7.3)
