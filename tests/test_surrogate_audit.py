"""The yardsticks of the delay surrogate (snnlib.surrogate_audit), checked against independent computations."""
from __future__ import annotations

import numpy as np
import pytest

import snnlib
from snnlib import course, surrogate_audit as sa


def _central(f, D, j, i, h=1e-6):
    up, down = D.copy(), D.copy()
    up[j, i] += h
    down[j, i] -= h
    return (f(up) - f(down)) / (2 * h)


@pytest.mark.parametrize("sigma", [0.7, 1.0, 2.5])
@pytest.mark.parametrize("area", ["unit", "peak"])
def test_smooth_gradient_matches_finite_differences(sigma, area):
    rng = np.random.default_rng(11)
    config, params, x, labels = sa.random_network(rng, sigma)
    loss, grad = sa.smooth_loss_and_grad(config, params, x, labels, area=area)

    def loss_at(D):
        return sa.smooth_loss_and_grad(config, {**params, "D_in": D}, x, labels, area=area)[0]

    numeric = np.array([[_central(loss_at, params["D_in"], j, i) for i in range(grad.shape[1])]
                        for j in range(grad.shape[0])])
    assert np.isfinite(loss) and np.abs(grad).max() > 1e-4          # a gradient worth checking
    assert np.allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_smoothed_input_derivative_and_charge():
    rng = np.random.default_rng(2)
    x = (rng.random((2, 30, 3)) < 0.2).astype(float)
    D = rng.uniform(2, 8, (2, 3))
    for area in ("unit", "peak"):
        xs, dxs = sa.smoothed_input(x, D, 1.3, area)
        for j, i in np.ndindex(D.shape):
            numeric = _central(lambda d: sa.smoothed_input(x, d, 1.3, area)[0][:, :, j, i], D, j, i)
            assert np.allclose(dxs[:, :, j, i], numeric, atol=1e-7)
    # unit area: a spike far from the edges delivers one unit of charge, less the 0.3 % cut off beyond 3σ
    one = np.zeros((1, 40, 1))
    one[0, 10, 0] = 1.0
    xs, _ = sa.smoothed_input(one, np.array([[5.3]]), 1.0, "unit")
    assert 0.995 < xs.sum() < 1.0
    xs_peak, _ = sa.smoothed_input(one, np.array([[5.0]]), 1.0, "peak")
    assert xs_peak.max() == pytest.approx(1.0)


def test_step_effect_is_the_change_of_the_binary_loss():
    toy = course.DelayToy()
    config, params, x, labels = toy.network(sigma=1.0)
    params["D_in"] = np.array([[15.2, 0.3]])        # integer delays 15 and 0

    def loss_with(d_a, d_b):   # an independent loss: forward pass + cross-entropy written out here
        p = {**params, "D_in": np.array([[float(d_a), float(d_b)]])}
        probs = snnlib.forward(config, p, x).probs[0]
        return -np.log(probs[config.loss_start:, labels[0]]).mean()

    effect = sa.step_effect(config, params, x, labels)
    assert effect[0, 0] == pytest.approx((loss_with(16, 0) - loss_with(14, 0)) / 2, abs=1e-12)
    assert effect[0, 0] < 0        # one step up reaches the window (16), so E falls
    # at d = 0 the one-sided difference E(1) − E(0) is used
    assert effect[0, 1] == pytest.approx(loss_with(15, 1) - loss_with(15, 0), abs=1e-12)


def test_agreement_hand_values():
    cosine, sign = sa.agreement(np.array([1.0, -1.0, 2.0, 0.5]), np.array([1.0, 1.0, 2.0, 0.0]))
    assert cosine == pytest.approx((1 - 1 + 4) / (np.sqrt(6.25) * np.sqrt(6)))
    assert sign == pytest.approx(2 / 3)             # the zero reference entry is not counted
    assert np.isnan(sa.agreement(np.ones(3), np.zeros(3))[0])


def test_bad_input_is_refused_with_a_clear_message():
    rng = np.random.default_rng(0)
    config, params, x, labels = sa.random_network(rng, 1.0)
    with pytest.raises(ValueError, match="area"):
        sa.smoothed_input(x, params["D_in"], 1.0, area="half")
    with pytest.raises(ValueError, match="beta"):
        sa.smooth_loss_and_grad(config, params, x, labels, beta=0.0)
    axonal = config.replace(delays="axonal")
    with pytest.raises(ValueError, match="synaptic"):
        sa.smooth_loss_and_grad(axonal, params, x, labels)
