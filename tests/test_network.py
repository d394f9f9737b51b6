"""Forward pass, streaming, coincidence detection by hand, optimisers and online updates."""
import math

import numpy as np
import pytest

import snnlib
from snnlib import SNNConfig


def coincidence_config(delays="synaptic"):
    # α = exp(−1) ≈ 0.37: an EPSP has mostly decayed after two steps
    return SNNConfig(n_in=2, n_hidden=1, n_out=2, delays=delays, d_max=5, tau_mem=0.01, dt=0.01,
                     threshold=1.0, dtype="float64")


def two_spikes(T=10, t0=2, t1=5):
    x = np.zeros((1, T, 2))
    x[0, t0, 0] = 1.0
    x[0, t1, 1] = 1.0
    return x


@pytest.mark.parametrize("delays", ["synaptic", "axonal"])
@pytest.mark.parametrize("D0,fires_at", [(3.0, 5), (2.6, 5), (3.4, 5), (2.4, None), (1.0, None), (0.0, None)])
def test_coincidence_detection_by_hand(delays, D0, fires_at):
    c = coincidence_config(delays)
    p = snnlib.init_params(c)
    p["W_in"][:] = 0.6
    p["D_in"][...] = 0.0
    if delays == "axonal":
        p["D_in"][0] = D0
    else:
        p["D_in"][0, 0] = D0
    out = snnlib.forward(c, p, two_spikes())
    a = math.exp(-1.0)
    d = int(math.floor(D0 + 0.5))
    # by hand: the first spike arrives at 2 + d, the second at 5
    if fires_at is None:
        assert out.z.sum() == 0
        assert out.v[0, 5, 0] == pytest.approx(0.6 + 0.6 * a ** (5 - (2 + d)), rel=1e-12)
    else:
        assert out.z[0, :, 0].tolist() == [1.0 if t == fires_at else 0.0 for t in range(10)]
        assert out.v[0, 5, 0] == pytest.approx(1.2, rel=1e-12)
        assert out.v[0, 6, 0] == pytest.approx(1.2 * a - 1.0, rel=1e-12)  # reset by subtraction


def test_euler_decay_is_selectable_and_differs():
    exact = SNNConfig(n_in=1, n_hidden=1, n_out=2, tau_mem=0.02, dt=0.01)
    euler = exact.replace(decay="euler")
    assert exact.alpha == pytest.approx(math.exp(-0.5))
    assert euler.alpha == pytest.approx(0.5)
    assert euler.kappa == pytest.approx(0.5)
    with pytest.raises(ValueError, match="Euler"):
        exact.replace(decay="euler", tau_mem=0.005)


KINDS = [("none", False, "none"), ("fixed", False, "none"), ("synaptic", False, "none"),
         ("axonal", False, "none"), ("synaptic", True, "none"), ("axonal", True, "synaptic"),
         ("synaptic", True, "axonal")]


@pytest.mark.parametrize("delays,recurrent,rec_delays", KINDS)
def test_streaming_network_equals_whole_sequence(delays, recurrent, rec_delays):
    c = SNNConfig(n_in=9, n_hidden=6, n_out=3, delays=delays, recurrent=recurrent, rec_delays=rec_delays,
                  d_max=5, dtype="float64", weight_scale=6.0, sparsity=0.3, seed=4)
    p = snnlib.init_params(c)
    x = (np.random.default_rng(1).random((2, 25, 9)) < 0.2).astype(float)
    whole = snnlib.forward(c, p, x)
    net = snnlib.StreamingNetwork(c, p, batch=2)
    for t in range(25):
        out = net.step(x[:, t])
        np.testing.assert_allclose(out.v, whole.v[:, t], rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(out.z, whole.z[:, t])
        np.testing.assert_allclose(out.y, whole.y[:, t], rtol=1e-12, atol=1e-12)
    assert whole.z.sum() > 0


def test_delayed_input_matches_explicit_shift():
    c = SNNConfig(n_in=3, n_hidden=2, n_out=2, delays="synaptic", d_max=4, dtype="float64")
    p = snnlib.init_params(c)
    p["D_in"][...] = np.array([[0, 1, 4], [2, 3, 0]], dtype=float)
    x = (np.random.default_rng(0).random((1, 12, 3)) < 0.5).astype(float)
    current = snnlib.forward(c, p, x).current_in[0]
    for t in range(12):
        for j in range(2):
            expected = sum(p["W_in"][j, i] * x[0, t - int(p["D_in"][j, i]), i]
                           for i in range(3) if t - int(p["D_in"][j, i]) >= 0)
            assert current[t, j] == pytest.approx(expected, abs=1e-12)


def test_init_params_shapes_and_mask():
    c = SNNConfig(n_in=20, n_hidden=8, n_out=4, delays="axonal", recurrent=True, rec_delays="synaptic",
                  sparsity=0.8, d_max=7)
    p = snnlib.init_params(c)
    assert {k: v.shape for k, v in p.items()} == {
        "W_in": (8, 20), "D_in": (20,), "W_rec": (8, 8), "D_rec": (8, 8), "W_out": (4, 8), "b_out": (4,)}
    assert all(v.dtype == np.float32 for v in p.values())
    mask = snnlib.input_mask(c)
    assert mask.sum() == round(0.2 * 160)
    assert np.all(p["W_in"][~mask] == 0)
    assert p["D_in"].min() >= 0 and p["D_in"].max() <= 7
    np.testing.assert_array_equal(snnlib.init_params(c)["W_in"], p["W_in"])  # deterministic
    assert "D_in" not in snnlib.init_params(c.replace(delays="none"))


def test_adam_first_steps_by_hand_and_delay_clipping():
    c = SNNConfig(n_in=2, n_hidden=1, n_out=2, delays="synaptic", d_max=3, dtype="float64")
    p = {"W_in": np.array([[1.0, 2.0]]), "D_in": np.array([[0.05, 2.95]]),
         "W_out": np.zeros((2, 1)), "b_out": np.zeros(2)}
    g = {"W_in": np.array([[0.5, -2.0]]), "D_in": np.array([[1.0, -1.0]]),
         "W_out": np.zeros((2, 1)), "b_out": np.zeros(2)}
    opt = snnlib.Adam(c, lr_weights=0.01, lr_delays=0.1)
    opt.step(p, g)
    # first step: m̂ = g, v̂ = g², so the step is lr · g / (|g| + ε) ≈ lr · sign(g)
    np.testing.assert_allclose(p["W_in"], [[0.99, 2.01]], atol=1e-9)
    np.testing.assert_allclose(p["D_in"], [[0.0, 3.0]])  # 0.05 − 0.1 and 2.95 + 0.1 clipped to [0, 3]
    opt.step(p, g)
    m = 0.9 * 0.1 * 0.5 + 0.1 * 0.5  # m after two steps with the same gradient
    v = 0.999 * 0.001 * 0.25 + 0.001 * 0.25
    step = 0.01 * (m / (1 - 0.81)) / (math.sqrt(v / (1 - 0.999**2)) + 1e-8)
    first = 0.01 * 0.5 / (0.5 + 1e-8)
    assert p["W_in"][0, 0] == pytest.approx(1.0 - first - step, rel=1e-14)


def test_fixed_delays_and_masked_weights_are_never_updated():
    c = SNNConfig(n_in=6, n_hidden=4, n_out=2, delays="fixed", sparsity=0.5, dtype="float64")
    p = snnlib.init_params(c)
    D0 = p["D_in"].copy()
    g = {k: np.ones_like(v) for k, v in p.items()}
    snnlib.SGD(c, lr_weights=0.1, lr_delays=0.1).step(p, g)
    np.testing.assert_array_equal(p["D_in"], D0)
    assert np.all(p["W_in"][~snnlib.input_mask(c)] == 0)


def learning_case(delays="synaptic"):
    c = SNNConfig(n_in=10, n_hidden=8, n_out=3, delays=delays, d_max=6, dtype="float64", weight_scale=6.0)
    p = snnlib.init_params(c)
    rng = np.random.default_rng(7)
    x = (rng.random((4, 30, 10)) < 0.15).astype(float)
    return c, p, x, rng.integers(0, 3, 4)


def test_one_update_per_sequence_applies_exactly_the_gradient():
    c, p, x, y = learning_case()
    _, grads = snnlib.online_gradients(c, p, x, y)
    expected = {k: np.clip(v - 1e-3 * grads[k], 0, c.d_max) if k.startswith("D") else v - 1e-3 * grads[k]
                for k, v in p.items()}
    sgd = snnlib.SGD(c, 1e-3, 1e-3)
    learner = snnlib.OnlineLearner(c, p, on_update=lambda g: sgd.step(p, g))  # U = T
    learner.begin(y, 30)
    for t in range(30):
        learner.step(x[:, t])
    learner.finish()
    for k in p:
        np.testing.assert_allclose(p[k], expected[k], rtol=1e-12, atol=1e-15)


def test_updates_every_step_change_the_network_while_it_runs():
    c, p, x, y = learning_case()
    p0 = {k: v.copy() for k, v in p.items()}
    loss_T, grads = snnlib.online_gradients(c, p0, x, y)
    # U = 1 with a zero learning rate is the same as never updating
    sgd = snnlib.SGD(c, 0.0, 0.0)
    learner = snnlib.OnlineLearner(c, p, update_every=1, on_update=lambda g: sgd.step(p, g))
    learner.begin(y, 30)
    for t in range(30):
        learner.step(x[:, t])
    loss_0, _ = learner.finish()
    assert loss_0 == pytest.approx(loss_T, rel=1e-12)
    for k in p:
        np.testing.assert_array_equal(p[k], p0[k])
    # with a small rate the 30 small updates add up to about one whole-sequence update (first order)
    lr = 1e-6
    sgd = snnlib.SGD(c, lr, lr)
    learner = snnlib.OnlineLearner(c, p, update_every=1, on_update=lambda g: sgd.step(p, g))
    learner.begin(y, 30)
    for t in range(30):
        learner.step(x[:, t])
    learner.finish()
    for k in ("W_in", "W_out", "b_out"):
        np.testing.assert_allclose((p0[k] - p[k]) / lr, grads[k], rtol=1e-3, atol=1e-6 * np.abs(grads[k]).max())
    assert sgd.t == 30  # one update per step (the last at finish)


def test_the_parameter_layout_is_what_init_params_draws_and_what_the_optimiser_moves():
    from snnlib.config import param_layout

    c = SNNConfig(n_in=5, n_hidden=4, n_out=3, delays="fixed", recurrent=True, rec_delays="axonal", d_max=6)
    layout = param_layout(c)
    assert list(layout) == ["W_in", "D_in", "W_rec", "D_rec", "W_out", "b_out"]
    assert {k: s.shape for k, s in layout.items()} == {"W_in": (4, 5), "D_in": (4, 5), "W_rec": (4, 4),
                                                       "D_rec": (4,), "W_out": (3, 4), "b_out": (3,)}
    assert [k for k, s in layout.items() if s.delay] == ["D_in", "D_rec"]
    assert [k for k, s in layout.items() if not s.trainable] == ["D_in"]          # fixed delays stay
    p = snnlib.init_params(c)
    assert {k: v.shape for k, v in p.items()} == {k: s.shape for k, s in layout.items()}
    # the optimiser moves every trainable array by its kind's rate and clips the delays
    before = {k: v.copy() for k, v in p.items()}
    grads = {k: np.ones_like(v) for k, v in p.items()}
    snnlib.SGD(c, lr_weights=0.1, lr_delays=100.0).step(p, grads)
    np.testing.assert_array_equal(p["D_in"], before["D_in"])
    np.testing.assert_allclose(p["W_rec"], before["W_rec"] - 0.1)
    np.testing.assert_array_equal(p["D_rec"], np.zeros(4))                      # 100 steps down, clipped at 0
    # axonal delays without recurrence, none: the layout follows
    assert param_layout(SNNConfig(n_in=5, n_hidden=4, n_out=3, delays="axonal"))["D_in"].shape == (5,)
    assert "D_in" not in param_layout(SNNConfig(n_in=5, n_hidden=4, n_out=3, delays="none"))


def test_the_update_hook_receives_every_part_of_the_gradient_once():
    """A hook that only records: the updates are the gradient of the sequence cut into pieces, whose sum
    is the whole-sequence gradient (computed independently by BPTT), and the learner owns no optimiser."""
    c, p, x, y = learning_case()
    _, whole = snnlib.bptt_gradients(c, p, x, y)
    received = []
    learner = snnlib.OnlineLearner(c, p, update_every=7, on_update=lambda g: received.append(
        {k: v.copy() for k, v in g.items()}))
    learner.begin(y, 30)
    for t in range(30):
        learner.step(x[:, t])
    learner.finish()
    assert len(received) == 5                      # after steps 7, 14, 21, 28, and at the end
    for key in whole:
        total = sum(r[key] for r in received)
        np.testing.assert_allclose(total, whole[key], rtol=1e-9, atol=1e-12 * np.abs(whole[key]).max())
    assert not hasattr(learner, "optimizer")
    with pytest.raises(ValueError, match="on_update must be a function"):
        snnlib.OnlineLearner(c, p, on_update="adam")
