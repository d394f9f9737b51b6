"""The Gaussian spike representation and its delay derivative (MODEL.md §6)."""
import numpy as np
import pytest

from snnlib import surrogate
from snnlib.delays import SpikeRing, integer_delay, shift


def smoothed_delayed(x, D, sigma, t):
    """s(t − D) computed directly from the spike times, independently of the library."""
    w = int(np.ceil(3 * sigma))
    total = 0.0
    for t_f in np.flatnonzero(x):
        u = t - D - t_f
        if abs(u) <= w:
            total += x[t_f] * np.exp(-u * u / (2 * sigma * sigma))
    return total


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.3])
@pytest.mark.parametrize("D", [0.0, 2.3, 4.49, 7.7])
def test_delay_derivative_matches_finite_differences(sigma, D):
    rng = np.random.default_rng(int(10 * sigma + D))
    x = (rng.random(30) < 0.3).astype(float) * rng.integers(1, 3, 30)
    h = 1e-6
    w = int(np.ceil(3 * sigma))
    for t in range(30):
        # stay away from the kernel's truncation edges, where s is discontinuous
        if any(abs(abs(t - D - tf) - w) < 1e-3 for tf in np.flatnonzero(x)):
            continue
        fd = (smoothed_delayed(x, D + h, sigma, t) - smoothed_delayed(x, D - h, sigma, t)) / (2 * h)
        assert surrogate.delayed_derivative(x, D, sigma)[t] == pytest.approx(fd, rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("D", [0.0, 0.49, 0.5, 3.2, 5.0])
def test_taps_reproduce_the_direct_derivative(D):
    sigma, d_max = 1.4, 6
    rng = np.random.default_rng(3)
    x = (rng.random(25) < 0.3).astype(float)
    d, k, H = surrogate.delay_taps(np.array(D), sigma, d_max)
    assert d == int(np.floor(D + 0.5))
    via_taps = np.zeros(25)
    for n, kn in enumerate(k):
        via_taps += shift(x[None, :, None], int(d + kn))[0, :, 0] * H[n]
    np.testing.assert_allclose(via_taps, surrogate.delayed_derivative(x, D, sigma), atol=1e-12)


def test_integer_delay_rounds_half_up_and_clips():
    D = np.array([0.0, 0.49, 0.5, 1.5, 2.51, 9.9])
    assert integer_delay(D, d_max=5).tolist() == [0, 0, 1, 2, 3, 5]


def test_support_is_three_sigma_rounded_up():
    assert surrogate.support(1.0) == 3
    assert surrogate.support(0.34) == 2
    assert surrogate.support(2.0) == 6


def test_kernel_signs_and_causal_half():
    u = np.array([-2.0, -0.5, 0.0, 0.5, 2.0, 4.0])
    h = surrogate.delay_kernel(u, sigma=1.0)
    # a spike after the delayed time (u < 0) pulls the derivative negative, before it positive
    assert h[0] < 0 and h[1] < 0 and h[2] == 0 and h[3] > 0 and h[4] > 0 and h[5] == 0  # 4 > w = 3
    hc = surrogate.delay_kernel(u, sigma=1.0, causal=True)
    assert np.all(hc[:3] == 0) and np.allclose(hc[3:], h[3:])


@pytest.mark.parametrize("sigma", [0.0, -1.0, np.nan, np.inf])
def test_bad_sigma_is_refused(sigma):
    with pytest.raises(ValueError, match="sigma"):
        surrogate.support(sigma)


def test_ring_buffer_reads_back_what_was_pushed():
    rng = np.random.default_rng(0)
    seq = rng.integers(0, 3, size=(12, 2, 4)).astype(float)  # (T, B, P)
    ring = SpikeRing(depth=5, batch=2, width=4)
    for t in range(12):
        ring.push(seq[t])
        for lag in range(5):
            expected = seq[t - lag] if t - lag >= 0 else np.zeros((2, 4))
            np.testing.assert_array_equal(ring.read(lag), expected)
        lags = rng.integers(0, 5, size=(3, 4))
        got = ring.gather(lags)
        for j in range(3):
            for p in range(4):
                tt = t - lags[j, p]
                np.testing.assert_array_equal(got[:, j, p], seq[tt, :, p] if tt >= 0 else 0)
    with pytest.raises(ValueError, match="lag"):
        ring.read(5)
