"""The batched engine (snnlib.fast) against the step-by-step learner, and its compiled kernels.

Tolerance: for every gradient array, ``max|fast − stepwise| / max|stepwise|`` (the error relative
to the largest entry of the reference, so that near-zero entries of a large gradient do not
dominate). Bounds: 1e-10 in float64, 1e-4 in float32. Each check runs on the NumPy back end
always and on the numba back end when numba is installed.
"""
import numpy as np
import pytest

import snnlib
from snnlib import fast
from snnlib.config import input_mask
from snnlib.delays import shift
from snnlib.surrogate import delay_taps

HAVE_NUMBA = fast.numba_available()
NO_NUMBA = "numba is not installed (pip install numba): the compiled back end is not tested"
BACKENDS = ["numpy", pytest.param("numba", marks=pytest.mark.skipif(not HAVE_NUMBA, reason=NO_NUMBA))]


def rel_err(a, b):
    """max|a − b| / max|b|; exact equality is required where b is all zeros."""
    scale = np.abs(b).max()
    return float(np.abs(a - b).max() / scale) if scale > 0 else float(np.abs(a).max())


def make_case(delays="synaptic", *, recurrent=False, rec_delays="none", sigma=1.0, d_max=6, sparsity=0.0,
              kernel="centered", dtype="float64", B=3, T=36, M=11, N=9, K=3, seed=0, counts=False, **extra):
    c = snnlib.SNNConfig(n_in=M, n_hidden=N, n_out=K, delays=delays, recurrent=recurrent,
                         rec_delays=rec_delays, d_max=d_max, sigma=sigma, sparsity=sparsity, kernel=kernel,
                         dtype=dtype, weight_scale=6.0, seed=seed, **extra)
    p = snnlib.init_params(c)
    rng = np.random.default_rng(seed + 7)
    x = (rng.random((B, T, M)) < 0.15).astype(dtype)
    if counts:  # some bins hold two spikes
        x *= rng.integers(1, 3, size=x.shape)
    return c, p, x, rng.integers(0, K, size=B)


def _case_id(case):
    return "-".join(f"{k}={v}" for k, v in case.items()) or "default"


CASES = (
    # every input delay kind, feedforward and with each kind of recurrent delay
    [dict(delays=d) for d in ("none", "fixed", "synaptic", "axonal")]
    + [dict(delays=d, recurrent=True, rec_delays=r)
       for d in ("none", "fixed", "synaptic", "axonal") for r in ("none", "synaptic", "axonal")]
    # sparsity mask
    + [dict(delays=d, sparsity=0.6) for d in ("fixed", "synaptic", "axonal")]
    + [dict(delays="synaptic", sparsity=0.5, recurrent=True, rec_delays="synaptic")]
    # kernel width and longest delay
    + [dict(delays=d, sigma=s, d_max=dm) for d in ("synaptic", "axonal")
       for (s, dm) in ((0.4, 3), (2.0, 12), (1.3, 0))]
    # the causal kernel option
    + [dict(delays="synaptic", kernel="causal"), dict(delays="axonal", kernel="causal"),
       dict(delays="synaptic", kernel="causal", recurrent=True, rec_delays="axonal")]
    # loss window, random feedback, other surrogate and decay, spike counts above one, batch of 1
    + [dict(delays="synaptic", loss_start=10, feedback="random", surrogate="fast_sigmoid", decay="euler"),
       dict(delays="synaptic", counts=True), dict(delays="axonal", counts=True), dict(delays="synaptic", B=1)]
)

_stepwise_cache = {}


def stepwise(case):
    key = _case_id(case)
    if key not in _stepwise_cache:
        c, p, x, labels = make_case(**case)
        _stepwise_cache[key] = snnlib.online_gradients(c, p, x, labels, engine="stepwise")
    return _stepwise_cache[key]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_fast_equals_stepwise_float64(case, backend):
    c, p, x, labels = make_case(**case)
    z = snnlib.forward(c, p, x).z
    assert 0.02 < z.mean() < 0.7, "the case must have spiking neurons to be meaningful"
    loss_ref, g_ref = stepwise(case)
    loss, g = fast.fast_gradients(c, p, x, labels, backend=backend)
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    assert sorted(g) == sorted(p)
    for key in p:
        assert g[key].shape == p[key].shape and g[key].dtype == p[key].dtype, key
        if key == "D_in" and c.delays == "fixed":
            assert np.all(g[key] == 0)
            continue
        assert np.abs(g_ref[key]).max() > 0, f"{key}: a zero reference would make the check empty"
        assert rel_err(g[key], g_ref[key]) <= 1e-10, key
    mask = input_mask(c)
    if mask is not None:  # a masked connection has neither weight nor delay gradient
        assert np.all(g["W_in"][~mask] == 0)
        if c.delays == "synaptic":
            assert np.all(g["D_in"][~mask] == 0)


FLOAT32_CASES = [dict(delays="synaptic"), dict(delays="axonal", sparsity=0.5),
                 dict(delays="synaptic", recurrent=True, rec_delays="synaptic"),
                 dict(delays="none", recurrent=True, rec_delays="axonal", sigma=2.0, d_max=10)]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", FLOAT32_CASES, ids=_case_id)
def test_fast_equals_stepwise_float32(case, backend):
    """float32 fast engine against the float32 stepwise learner (same spikes, ≤ 1e-4 relative)."""
    c, p, x, labels = make_case(dtype="float32", **case)
    loss_ref, g_ref = snnlib.online_gradients(c, p, x, labels, engine="stepwise")
    out = fast.fast_forward(c, p, x, backend=backend)
    np.testing.assert_array_equal(out.z, snnlib.forward(c, p, x).z)
    loss, g = fast.fast_gradients(c, p, x, labels, backend=backend)
    assert loss == pytest.approx(loss_ref, rel=1e-5)
    for key in p:
        assert g[key].dtype == np.float32, key
        assert rel_err(g[key], g_ref[key]) <= 1e-4, key


def test_float32_engine_is_close_to_float64_stepwise():
    """The float32 fast path against the float64 stepwise learner on the same parameters."""
    c32, p32, x32, labels = make_case(dtype="float32", delays="synaptic", T=30)
    c64 = c32.replace(dtype="float64")
    p64 = {key: value.astype(np.float64) for key, value in p32.items()}
    np.testing.assert_array_equal(snnlib.forward(c32, p32, x32).z, snnlib.forward(c64, p64, x32.astype(float)).z)
    _, g_ref = snnlib.online_gradients(c64, p64, x32.astype(float), labels, engine="stepwise")
    _, g = fast.fast_gradients(c32, p32, x32, labels)
    for key in p32:
        assert rel_err(g[key].astype(float), g_ref[key]) <= 1e-4, key


def test_online_gradients_dispatches_to_the_fast_engine():
    case = dict(delays="synaptic", recurrent=True, rec_delays="synaptic")
    c, p, x, labels = make_case(**case)
    loss_ref, g_ref = stepwise(case)
    loss, g = snnlib.online_gradients(c, p, x, labels, engine="fast")
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    for key in p:
        assert rel_err(g[key], g_ref[key]) <= 1e-10, key


# ----------------------------------------------------------------------------- forward
@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("case", [dict(delays=d) for d in ("none", "fixed", "synaptic", "axonal")]
                         + [dict(delays="synaptic", recurrent=True, rec_delays=r)
                            for r in ("none", "synaptic", "axonal")]
                         + [dict(delays="synaptic", sparsity=0.5, counts=True)], ids=_case_id)
def test_fast_forward_equals_network_forward(case, backend):
    c, p, x, _ = make_case(**case)
    ref = snnlib.forward(c, p, x)
    out = fast.fast_forward(c, p, x, backend=backend)
    np.testing.assert_array_equal(out.z, ref.z)
    for name in ("v", "y", "probs", "current_in"):
        a, b = getattr(out, name), getattr(ref, name)
        assert a.shape == b.shape and a.dtype == b.dtype, name
        assert rel_err(a, b) <= 1e-12, name


@pytest.mark.parametrize("backend", BACKENDS)
def test_fused_call_returns_the_forward_pass_and_the_gradients(backend):
    c, p, x, labels = make_case(delays="axonal", recurrent=True, rec_delays="synaptic")
    out, loss, g = fast.fast_forward_and_gradients(c, p, x, labels, backend=backend)
    np.testing.assert_array_equal(out.z, snnlib.forward(c, p, x).z)
    loss_ref, g_ref = snnlib.online_gradients(c, p, x, labels, engine="stepwise")
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    for key in p:
        assert rel_err(g[key], g_ref[key]) <= 1e-10, key
    with pytest.raises(ValueError, match="input channels"):
        fast.fast_forward_and_gradients(c, p, x[:, :, :-1], labels, backend=backend)
    with pytest.raises(ValueError, match="labels"):
        fast.fast_forward_and_gradients(c, p, x, labels[:-1], backend=backend)


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_fast_forward_scores_as_the_reference_forward(backend):
    from snnlib.network import score

    c, p, x, labels = make_case(delays="synaptic", recurrent=True, rec_delays="axonal")
    loss, acc = score(c, fast.fast_forward(c, p, x, backend=backend).probs, labels)
    loss_ref, acc_ref = score(c, snnlib.forward(c, p, x).probs, labels)
    assert loss == pytest.approx(loss_ref, rel=1e-12)
    assert acc == acc_ref


def test_evaluate_in_batches_on_either_engine_equals_one_reference_pass():
    c, p, x, labels = make_case(delays="synaptic")
    out = snnlib.forward(c, p, x)
    # by hand: the mean over samples and steps of −log π[label], and the share of samples whose summed π picks the label
    steps = slice(c.loss_start, None)
    loss_hand = -np.log(out.probs[np.arange(len(labels)), steps, labels]).mean()
    acc_hand = np.mean(out.probs[:, steps].sum(1).argmax(-1) == labels)
    for engine in ("reference", "fast"):
        for batch_size in (None, 1, max(1, len(labels) // 3)):
            loss, acc = snnlib.evaluate(c, p, x, labels, batch_size=batch_size, engine=engine)
            assert loss == pytest.approx(loss_hand, rel=1e-12) and acc == pytest.approx(acc_hand, abs=1e-12)
    assert all(np.isnan(snnlib.evaluate(c, p, x[:0], labels[:0], engine="fast")))
    with pytest.raises(ValueError, match="labels"):
        snnlib.evaluate(c, p, x, labels[:-1], engine="fast")
    with pytest.raises(ValueError, match="unknown engine"):
        snnlib.evaluate(c, p, x, labels, engine="gpu")
    with pytest.raises(ValueError, match="batch_size"):
        snnlib.evaluate(c, p, x, labels, batch_size=0)


# ----------------------------------------------------------------------------- back-end choice
def test_backend_selection(monkeypatch):
    monkeypatch.delenv("SNNLIB_FAST_BACKEND", raising=False)
    assert fast.resolve_backend("numpy") == "numpy"
    assert fast.resolve_backend() == ("numba" if HAVE_NUMBA else "numpy")
    monkeypatch.setenv("SNNLIB_FAST_BACKEND", "numpy")
    assert fast.resolve_backend() == "numpy"
    monkeypatch.setenv("SNNLIB_FAST_BACKEND", "gpu")
    with pytest.raises(ValueError, match="SNNLIB_FAST_BACKEND"):
        fast.resolve_backend()
    with pytest.raises(ValueError, match="unknown backend"):
        fast.resolve_backend("cuda")
    monkeypatch.setattr(fast, "numba_available", lambda: False)
    monkeypatch.delenv("SNNLIB_FAST_BACKEND")
    assert fast.resolve_backend() == "numpy"
    with pytest.raises(ValueError, match="pip install numba"):
        fast.resolve_backend("numba")


# ----------------------------------------------------------------------------- the kernels, one by one
needs_numba = pytest.mark.skipif(not HAVE_NUMBA, reason=NO_NUMBA)


@needs_numba
def test_spike_events_lists_every_spike_by_source():
    from snnlib.kernels import spike_events

    x = np.zeros((2, 4, 3))
    x[0, 1, 2] = 1
    x[1, 0, 2] = 2
    x[0, 3, 0] = 1
    x[1, 2, 0] = 1
    ptr, b, t, count = spike_events(x)
    np.testing.assert_array_equal(ptr, [0, 2, 2, 4])  # source 0: two spikes, 1: none, 2: two
    np.testing.assert_array_equal(b, [0, 1, 0, 1])
    np.testing.assert_array_equal(t, [3, 2, 1, 0])
    np.testing.assert_array_equal(count, [1, 1, 1, 2])


@needs_numba
def test_delayed_current_kernel_by_hand():
    from snnlib.kernels import delayed_current

    # one sample, 5 steps, 2 sources, 2 targets; source 0 spikes at t=1, source 1 at t=0 (twice)
    x = np.zeros((1, 5, 2))
    x[0, 1, 0] = 1
    x[0, 0, 1] = 2
    W = np.array([[0.5, -1.0], [2.0, 3.0]])  # W[j, p]
    d = np.array([[0, 3], [2, 4]])  # d[j, p]; the spike of source 1 reaches target 1 at t=4
    current = delayed_current(x, np.ascontiguousarray(W.T), np.ascontiguousarray(d.T), 4)
    expected = np.zeros((1, 5, 2))
    expected[0, 1, 0] = 0.5  # source 0 → target 0, delay 0
    expected[0, 3, 0] = -2.0  # source 1 (count 2) → target 0, delay 3
    expected[0, 3, 1] = 2.0  # source 0 → target 1, delay 2
    expected[0, 4, 1] = 6.0  # source 1 (count 2) → target 1, delay 4
    np.testing.assert_array_equal(current, expected)


@needs_numba
@pytest.mark.parametrize("sigma, causal", [(0.3, False), (1.0, False), (1.7, False), (1.0, True)])
def test_synapse_correlations_against_a_direct_sum(sigma, causal):
    """GW and GH against the definition, summed spike by spike with explicit loops."""
    from snnlib.kernels import spike_events, synapse_correlations

    rng = np.random.default_rng(3)
    B, T, P, N, d_max = 2, 15, 4, 3, 5
    x = (rng.random((B, T, P)) < 0.3) * rng.integers(1, 3, size=(B, T, P)).astype(float)
    lam = rng.normal(size=(B, T, N))
    D = rng.uniform(0, d_max, size=(N, P))
    d, k, H = delay_taps(D, sigma, d_max, causal=causal)  # the library's kernel taps h(k − δ)
    w = int(k[-1])
    lamP = np.zeros((B, N, T + d_max + 2 * w))
    lamP[:, :, w:w + T] = lam.transpose(0, 2, 1)
    GW, GH = synapse_correlations(lamP.ravel(), lamP.shape[2], *spike_events(x), np.ascontiguousarray(d.T),
                                  np.ascontiguousarray((D - d).T), sigma, causal, (0,) * (2 * w + 1))
    GW_ref, GH_ref = np.zeros((P, N)), np.zeros((P, N))
    for j in range(N):
        for p in range(P):
            for b in range(B):
                for s in range(T):
                    if x[b, s, p]:
                        for n, kn in enumerate(k):
                            t = s + d[j, p] + kn
                            if 0 <= t < T:
                                GH_ref[p, j] += x[b, s, p] * H[j, p, n] * lam[b, t, j]
                                if kn == 0:
                                    GW_ref[p, j] += x[b, s, p] * lam[b, t, j]
    assert np.abs(GH_ref).max() > 0
    np.testing.assert_allclose(GW, GW_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(GH, GH_ref, rtol=1e-12, atol=1e-12)


@needs_numba
def test_recurrent_kernel_matches_a_loop_over_the_equations():
    from snnlib.kernels import recurrent_neurons

    rng = np.random.default_rng(5)
    B, T, N, d_max = 2, 25, 5, 3
    current = rng.normal(0.4, 0.6, size=(B, T, N))
    W = rng.normal(0, 0.8, size=(N, N))
    d = rng.integers(0, d_max + 1, size=(N, N))
    v, z = recurrent_neurons(current, np.ascontiguousarray(W.T), np.ascontiguousarray(d.T), d_max, 0.8, 1.0)
    v_ref, z_ref = np.zeros((B, T, N)), np.zeros((B, T, N))
    for b in range(B):
        for t in range(T):
            for j in range(N):
                rec = sum(W[j, k] * z_ref[b, t - 1 - d[j, k], k] for k in range(N) if t - 1 - d[j, k] >= 0)
                prev_v = v_ref[b, t - 1, j] if t else 0.0
                prev_z = z_ref[b, t - 1, j] if t else 0.0
                v_ref[b, t, j] = 0.8 * prev_v + current[b, t, j] + rec - prev_z
                z_ref[b, t, j] = float(v_ref[b, t, j] > 1.0)
    assert 0.05 < z_ref.mean() < 0.8
    np.testing.assert_array_equal(z, z_ref)
    np.testing.assert_allclose(v, v_ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_axonal_gradient_formula_against_lag_correlations(backend):
    """The axonal shortcut (two products and a short filter) against Σ_j W Σ_k h C[d + k]."""
    rng = np.random.default_rng(9)
    B, T, P, N, d_max, sigma = 2, 20, 5, 4, 6, 1.2
    lam = rng.normal(size=(B, T, N))
    src = (rng.random((B, T, P)) < 0.3).astype(float)
    W = rng.normal(size=(N, P))
    D = rng.uniform(0, d_max, size=P)
    grad_W, grad_D = fast._axonal_gradients(lam, src, W, D, sigma, d_max, False, fast._kernels(backend))
    d, k, H = delay_taps(D, sigma, d_max)
    ref_W, ref_D = np.zeros((N, P)), np.zeros(P)
    for p in range(P):
        for j in range(N):
            C = {m: float((lam[:, :, j] * shift(src[:, :, p:p + 1], m)[:, :, 0]).sum()) for m in range(-5, 15)}
            ref_W[j, p] = C[d[p]]
            ref_D[p] += W[j, p] * sum(H[p, n] * C[d[p] + kn] for n, kn in enumerate(k))
    np.testing.assert_allclose(grad_W, ref_W, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_D, ref_D, rtol=1e-12, atol=1e-12)


# ----------------------------------------------------------------------------- the shared time loops
def _loops(backend):
    """Where a back end's time loops live: snnlib.neurons (NumPy) or snnlib.kernels (compiled)."""
    import importlib

    return importlib.import_module("snnlib.neurons" if backend == "numpy" else "snnlib.kernels")


def _loop_lif(current, alpha, theta):
    """v[t] = α v[t−1] + I[t] − ϑ z[t−1], z[t] = [v[t] > ϑ], written out element by element."""
    B, T, N = current.shape
    v, z = np.zeros_like(current), np.zeros_like(current)
    for b in range(B):
        for j in range(N):
            pv = pz = 0.0
            for t in range(T):
                pv = alpha * pv + current[b, t, j] - theta * pz
                pz = float(pv > theta)
                v[b, t, j], z[b, t, j] = pv, pz
    return v, z


@pytest.mark.parametrize("backend", BACKENDS)
def test_lif_sequence_matches_the_equations_written_out(backend):
    run = _loops(backend).lif_sequence
    current = np.random.default_rng(8).normal(0.4, 0.7, size=(3, 40, 6))
    v, z = run(current, 0.85, 1.0)
    v_ref, z_ref = _loop_lif(current, 0.85, 1.0)
    assert 0.05 < z_ref.mean() < 0.8
    np.testing.assert_array_equal(z, z_ref)
    np.testing.assert_allclose(v, v_ref, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("reverse", [False, True])
def test_leaky_filter_forward_and_reverse_by_hand(backend, reverse):
    run = _loops(backend).leaky_filter
    signal = np.zeros((1, 4, 2))
    signal[0, :, 0] = [1.0, 0.0, 2.0, 0.0]
    signal[0, :, 1] = [0.0, 0.0, 0.0, 4.0]
    out = run(signal, 0.5, reverse=reverse)
    if reverse:   # y[t] = s[t] + 0.5 y[t+1]
        want = [[1.0 + 0.5 * 0 + 0.25 * 2, 2.0 * 0.5, 2.0, 0.0], [0.5, 1.0, 2.0, 4.0]]
    else:         # y[t] = 0.5 y[t−1] + s[t]
        want = [[1.0, 0.5, 2.25, 1.125], [0.0, 0.0, 0.0, 4.0]]
    np.testing.assert_allclose(out[0].T, want, rtol=0, atol=1e-15)


@needs_numba
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_compiled_time_loops_give_numpys_numbers_bit_for_bit(dtype):
    """The compiled twins do the same floating-point operations in the same order: not close, equal."""
    from snnlib import kernels, neurons

    rng = np.random.default_rng(9)
    current = rng.normal(0.3, 0.8, size=(4, 60, 7)).astype(dtype)
    for alpha in (0.9, 0.951229424500714):                       # one exact in float32, one not
        a, b = neurons.lif_sequence(current, alpha, 1.0), kernels.lif_sequence(current, alpha, 1.0)
        assert a[0].dtype == b[0].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(a[0], b[0])
        np.testing.assert_array_equal(a[1], b[1])
        for reverse in (False, True):
            np.testing.assert_array_equal(neurons.leaky_filter(current, alpha, reverse),
                                          kernels.leaky_filter(current, alpha, reverse))


def test_delay_sources_and_split_by_delay_by_hand():
    from snnlib.delays import delay_sources, delayed_current, split_by_delay

    x = np.arange(1, 13, dtype=float).reshape(1, 4, 3)            # x[0, t, p] = 3t + p + 1
    out = delay_sources(x, np.array([0, 2, 1]), extra=2)
    assert out.shape == (1, 6, 3)
    np.testing.assert_array_equal(out[0, :, 0], [1, 4, 7, 10, 0, 0])
    np.testing.assert_array_equal(out[0, :, 1], [0, 0, 2, 5, 8, 11])
    np.testing.assert_array_equal(out[0, :, 2], [0, 3, 6, 9, 12, 0])
    W = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])
    d = np.array([[0, 2, 2], [1, 0, 2]])
    groups = split_by_delay(W, d)
    assert [k for k, _ in groups] == [0, 1, 2]
    np.testing.assert_array_equal(sum(W_k for _, W_k in groups), W)
    np.testing.assert_array_equal(groups[2][1], [[0.0, -2.0, 3.0], [0.0, 0.0, -6.0]])
    # axonal d (P,) splits by column
    np.testing.assert_array_equal(split_by_delay(W, np.array([1, 0, 1]))[0][1], [[0.0, -2.0, 0.0], [0.0, 5.0, 0.0]])
    # the synaptic current, one connection at a time
    cur = delayed_current(x, W, d)
    for t in range(4):
        for j in range(2):
            want = sum(W[j, p] * x[0, t - d[j, p], p] for p in range(3) if t - d[j, p] >= 0)
            assert cur[0, t, j] == want
