"""Bad input is refused with a ValueError that names the problem and the expected value."""
import numpy as np
import pytest

import snnlib
from snnlib import SNNConfig

BASE = dict(n_in=5, n_hidden=4, n_out=3)


@pytest.mark.parametrize("changes,match", [
    (dict(sigma=0.0), r"sigma must be a finite number > 0, got 0\.0"),
    (dict(sigma=-1.0), r"sigma must be a finite number > 0"),
    (dict(sigma=float("nan")), r"sigma"),
    (dict(d_max=-1), r"d_max must be an integer number of steps >= 0, got -1"),
    (dict(d_max=2.5), r"d_max"),
    (dict(delays="dendritic"), r"unknown delays 'dendritic'; expected one of none, fixed, synaptic, axonal"),
    (dict(rec_delays="synaptic"), r"needs recurrent=True"),
    (dict(recurrent=True, rec_delays="fixed"), r"unknown rec_delays 'fixed'"),
    (dict(feedback="mirror"), r"unknown feedback"),
    (dict(n_hidden=0), r"n_hidden must be a positive integer, got 0"),
    (dict(n_out=1), r"n_out must be at least 2"),
    (dict(sparsity=1.0), r"sparsity must be a fraction in \[0, 1\)"),
    (dict(tau_mem=0.0), r"tau_mem"),
    (dict(dtype="float16"), r"unknown dtype 'float16'"),
    (dict(dtype=np.float16), r"unknown dtype 'float16'"),
    (dict(recurrent="no"), r"recurrent must be True or False, got 'no'"),
    (dict(sigma=1e-200), r"sigma must be at least 0\.05 steps"),
    (dict(sigma=0.04), r"sigma must be at least 0\.05 steps"),
])
def test_bad_configuration(changes, match):
    with pytest.raises(ValueError, match=match):
        SNNConfig(**{**BASE, **changes})


@pytest.fixture
def net():
    c = SNNConfig(**BASE, delays="synaptic", d_max=4, dtype="float64")
    return c, snnlib.init_params(c)


GOOD_X = np.zeros((2, 6, 5))
GOOD_Y = np.array([0, 2])


@pytest.mark.parametrize("x,match", [
    (np.zeros((6, 5)), r"x must be a \(B, T, M\) array .* got shape \(6, 5\)"),
    (np.zeros((2, 6, 4)), r"x has 4 input channels, expected n_in=5"),
    (np.zeros((2, 6, 5), dtype=object), r"x must hold numbers"),
    (np.full((2, 6, 5), "a"), r"x must hold numbers"),
    (np.where(np.eye(6, 5)[None], np.nan, 0.0).repeat(2, 0), r"NaN or inf"),
    (np.full((2, 6, 5), np.inf), r"NaN or inf"),
    (-np.ones((2, 6, 5)), r"negative spike counts"),
    (np.zeros((0, 6, 5)), r"at least one sample"),
])
@pytest.mark.parametrize("fn", ["forward", "online_gradients", "bptt_gradients"])
def test_bad_inputs(net, x, match, fn):
    c, p = net
    with pytest.raises(ValueError, match=match):
        if fn == "forward":
            snnlib.forward(c, p, x)
        else:
            getattr(snnlib, fn)(c, p, x, np.zeros(x.shape[0] if x.ndim == 3 else 1, dtype=int))


@pytest.mark.parametrize("labels,match", [
    (np.array([0, 3]), r"labels must lie in 0 … 2 \(n_out=3\), found 0 … 3"),
    (np.array([-1, 0]), r"labels must lie in 0 … 2"),
    (np.array([0, 1, 2]), r"labels must have shape \(B,\) = \(2,\), got \(3,\)"),
    (np.array([0.5, 1.0]), r"labels must be integer class indices"),
    (np.array(["a", "b"]), r"labels must be integer class indices"),
])
@pytest.mark.parametrize("fn", ["online_gradients", "bptt_gradients"])
def test_bad_labels(net, labels, match, fn):
    c, p = net
    with pytest.raises(ValueError, match=match):
        getattr(snnlib, fn)(c, p, GOOD_X, labels)


def test_bad_params(net):
    c, p = net
    cases = [
        ({**p, "W_in": p["W_in"][:, :3]}, r"params\['W_in'\] has shape \(4, 3\), expected \(4, 5\)"),
        ({**p, "W_in": np.where(np.eye(4, 5) > 0, np.nan, p["W_in"])}, r"params\['W_in'\] contains NaN or inf"),
        ({**p, "D_in": p["D_in"] - 10}, r"params\['D_in'\] must lie in \[0, d_max=4\] steps"),
        ({k: v for k, v in p.items() if k != "D_in"}, r"missing \['D_in'\]"),
        ({**p, "W_rec": np.zeros((4, 4))}, r"unexpected \['W_rec'\]"),
        ({**p, "W_out": p["W_out"].astype(int)}, r"params\['W_out'\] must be a floating-point"),
    ]
    for bad, match in cases:
        with pytest.raises(ValueError, match=match):
            snnlib.forward(c, bad, GOOD_X)
    with pytest.raises(ValueError, match="unknown engine 'gpu'"):
        snnlib.online_gradients(c, p, GOOD_X, GOOD_Y, engine="gpu")


def test_valid_inputs_of_other_dtypes_are_accepted(net):
    c, p = net
    base = snnlib.online_gradients(c, p, GOOD_X, GOOD_Y)[0]
    for x in (GOOD_X.astype(bool), GOOD_X.astype(np.uint8), GOOD_X.astype(np.float32)):
        assert snnlib.online_gradients(c, p, x, GOOD_Y.astype(np.uint8))[0] == pytest.approx(base)


@pytest.mark.parametrize("dtype, name", [(np.float32, "float32"), (np.dtype("float64"), "float64"),
                                         ("float64", "float64"), (np.float64, "float64")])
def test_numpy_dtypes_are_accepted_and_stored_as_their_name(dtype, name):
    c = SNNConfig(**BASE, dtype=dtype)
    assert c.dtype == name and isinstance(c.dtype, str)
    assert c.np_dtype == np.dtype(name)
    assert c == SNNConfig(**BASE, dtype=name)  # the same configuration, e.g. for resuming a checkpoint


def test_the_smallest_sigma_still_gives_finite_nonzero_delay_gradients():
    """At the documented minimum the kernel half a step from its centre is still a normal float32: the taps of
    delays off the integer grid are finite and not all zero (below the minimum they underflow)."""
    from snnlib.config import SIGMA_MIN
    from snnlib.surrogate import delay_taps

    D = np.array([[2.49, 2.5, 2.0]])
    _, _, H = delay_taps(D, SIGMA_MIN, d_max=6, dtype=np.float32)
    assert np.all(np.isfinite(H))
    assert np.all(np.abs(H).max(axis=-1)[..., :2] > 0)  # the off-centre delays keep a non-zero tap
    _, _, H_below = delay_taps(D, 0.02, d_max=6, dtype=np.float32)
    assert np.all(H_below[..., :2, :] == 0)  # what the minimum protects against
