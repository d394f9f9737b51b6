"""The encoder's stages, each checked against an independent computation or a known closed form."""
import numpy as np
import pytest

from snnlib.audio import (
    BushyParams,
    Filterbank,
    MeddisParams,
    NerveParams,
    bushy_cells,
    channel_frequencies,
    check_stability,
    erb,
    gammatone_response,
    haircell,
    hann_taper,
    meddis_step,
    nerve_spikes,
    resample,
    rest_state,
    rms_normalise,
)
from snnlib.audio.haircell import permeability, spontaneous_rate
from snnlib.audio.nerve import _poisson_cells, dead_time_keep, refractory_steps

# -- waveform -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rate_in, rate_out", [(8000, 48000), (44100, 48000), (48000, 16000)])
def test_resample_preserves_an_in_band_sine(rate_in, rate_out):
    f, n = 440.0, int(0.25 * rate_in)
    x = np.sin(2 * np.pi * f * np.arange(n) / rate_in + 0.3)
    y = resample(x, rate_in, rate_out)
    assert len(y) == round(n * rate_out / rate_in)
    expected = np.sin(2 * np.pi * f * np.arange(len(y)) / rate_out + 0.3)
    inner = slice(len(y) // 10, -len(y) // 10)  # away from the abrupt ends
    assert np.max(np.abs(y[inner] - expected[inner])) < 2e-3


def test_resample_removes_what_the_new_rate_cannot_hold():
    rate = 48000
    x = np.sin(2 * np.pi * 10000 * np.arange(rate // 4) / rate)  # 10 kHz: above 16 kHz's Nyquist frequency
    y = resample(x, rate, 16000)
    assert np.sqrt(np.mean(y[400:-400] ** 2)) < 1e-3  # no alias at 6 kHz


def test_rms_normalise_and_taper():
    rng = np.random.default_rng(0)
    x = 0.01 * rng.standard_normal(4800)
    y = rms_normalise(x)
    assert np.sqrt(np.mean(y ** 2)) == pytest.approx(1.0)
    assert np.array_equal(rms_normalise(np.zeros(100)), np.zeros(100))  # silence is not amplified
    z = hann_taper(y, 48000, 0.005)  # 240-sample ramps
    assert z[0] == 0.0 and z[-1] == pytest.approx(0.0, abs=1e-3)
    assert np.array_equal(z[240:-240], y[240:-240])
    assert np.all(np.abs(z[:240]) <= np.abs(y[:240]))

# -- cochlea --------------------------------------------------------------------------------------------------------


def test_channel_frequencies_are_tonotopic():
    cf = channel_frequencies(700, 50.0, 8000.0)
    assert cf.shape == (700,)
    assert cf[0] == pytest.approx(8000.0) and cf[-1] == pytest.approx(50.0)
    assert np.all(np.diff(cf) < 0)  # unit 0 is the highest frequency, as in SHD


def test_gammatone_peaks_at_cf_with_unit_gain():
    cf = np.array([300.0, 1000.0, 4000.0])
    freqs = np.linspace(1.0, 8000.0, 80000)
    mag = np.abs(gammatone_response(freqs, cf))  # (C, F)
    assert np.allclose(mag.max(axis=1), 1.0, atol=1e-5)
    assert np.allclose(freqs[mag.argmax(axis=1)], cf, atol=0.2)
    # 4th-order: at cf ± b the gain is 2**-2 (−12 dB), with b = 1.019 ERB(cf)
    b = 1.019 * erb(cf)
    edge = np.abs(gammatone_response(cf + b, cf))
    assert np.allclose(np.diag(edge), 0.25, rtol=1e-4)


@pytest.mark.parametrize("decimation", [1, 2])
def test_filterbank_passes_a_tone_at_its_cf(decimation):
    rate, f = 48000, 1000.0
    cf = np.array([4000.0, 2000.0, 1200.0, 1000.0, 800.0, 500.0, 250.0])
    x = np.sin(2 * np.pi * f * np.arange(rate // 5) / rate)
    y = Filterbank(cf, rate, decimation=decimation, gain=3.0).apply(x)
    assert y.shape == (-(-len(x) // decimation), 7) and y.dtype == np.float32
    rms = np.sqrt(np.mean(y[len(y) // 2:] ** 2, axis=0))
    assert int(np.argmax(rms)) == 3
    assert rms[3] == pytest.approx(3.0 / np.sqrt(2), rel=0.01)  # gain 3 at CF; a sine's RMS is amplitude / √2
    assert rms[0] < 0.01 * rms[3] and rms[6] < 0.01 * rms[3]  # two octaves away: below −40 dB

# -- hair cell ------------------------------------------------------------------------------------------------------


def test_rest_state_is_a_fixed_point():
    p = MeddisParams()
    q, c, w = rest_state(p)
    k = p.g * p.A / (p.A + p.B)
    assert p.y * (p.M - q) + p.x * w - k * q == pytest.approx(0.0, abs=1e-12)
    assert k * q - (p.l + p.r) * c == pytest.approx(0.0, abs=1e-12)
    assert p.r * c - p.x * w == pytest.approx(0.0, abs=1e-12)
    assert spontaneous_rate(p) == pytest.approx(64.77, abs=0.01)  # h · c with Meddis's 1988 parameters


def test_fast_haircell_equals_the_step_function():
    p, dt = MeddisParams(), 1 / 24000
    rng = np.random.default_rng(1)
    s = (400 * rng.standard_normal((600, 3))).astype(np.float32)
    fast = haircell(s, p, dt)
    state = rest_state(p, (3,))
    slow = []
    for t in range(600):
        state = meddis_step(s[t].astype(np.float64), state, p, dt)
        slow.append(state.c)
    np.testing.assert_allclose(fast, np.array(slow), rtol=2e-4, atol=1e-9)


def test_haircell_adapts_after_an_onset():
    p, dt = MeddisParams(), 1 / 24000
    s = np.zeros((4800, 1), np.float32)
    s[1200:] = 500.0  # a sustained step at 50 ms
    rate = p.h * haircell(s, p, dt)[:, 0]
    onset = rate[1200:1440].max()  # first 10 ms
    sustained = rate[-480:].mean()  # last 20 ms
    assert onset > 3 * sustained > 3 * spontaneous_rate(p)


def test_permeability_is_zero_below_minus_a():
    p = MeddisParams()
    assert permeability(np.array([-10.0]), p)[0] == 0.0
    assert permeability(np.array([1e9]), p)[0] == pytest.approx(p.g, rel=1e-6)


def test_stability_guard_names_the_rate_and_the_bound():
    check_stability(MeddisParams(), 1 / 24000)  # fine
    with pytest.raises(ValueError, match=r"l \+ r = 9080/s.*dt < 0\.00011"):
        check_stability(MeddisParams(), 1 / 8000)
    with pytest.raises(ValueError, match=r"y \+ g"):
        check_stability(MeddisParams(g=30000.0), 1 / 24000)
    with pytest.raises(ValueError, match=r"MeddisParams\.h must be > 0"):
        MeddisParams(h=0.0)

# -- nerve ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("mean", [0.02, 0.4, 3.0])
def test_candidate_counts_are_poisson(mean):
    n = 200_000
    cells, counts = _poisson_cells(np.full(n, 255 - 256 * mean, np.float32), np.random.default_rng(2))
    k = np.zeros(n, int)
    k[cells] = counts
    se = np.sqrt(mean / n)
    assert abs(k.mean() - mean) < 5 * se
    assert abs(k.var() - mean) < 0.05 * mean + 5 * se
    assert abs(np.mean(k == 0) - np.exp(-mean)) < 5 * np.sqrt(np.exp(-mean) / n) + 1e-4


def test_dead_time_matches_a_plain_loop():
    rng = np.random.default_rng(3)
    step = np.sort(rng.integers(0, 400, 3000))
    key = rng.integers(0, 7, 3000).astype(np.uint16)
    keep = dead_time_keep(key, step, 9)
    last = {}
    expected = np.zeros(3000, bool)
    for i, (k, s) in enumerate(zip(key, step)):
        if k not in last or s - last[k] >= 9:
            expected[i] = True
            last[k] = s
    assert np.array_equal(keep, expected)


def test_fibres_respect_refractoriness_and_the_dead_time_rate():
    p, dt = MeddisParams(), 1 / 24000
    nerve = NerveParams(n_fibres=40, refractory=1e-3)
    cleft = np.full((12000, 20), 0.002, np.float32)  # 0.5 s, fibre rate λ = h c = 100 spikes/s
    sp = nerve_spikes(cleft, dt, p.h, nerve, np.random.default_rng(4))
    assert np.all(np.diff(sp.step) >= 0)
    fibre = sp.channel * 40 + sp.fibre
    order = np.lexsort((sp.step, fibre))
    same = fibre[order][1:] == fibre[order][:-1]
    assert np.all(np.diff(sp.step[order])[same] >= refractory_steps(1e-3, dt))
    lam, dead = 100.0, 24 * dt
    # per step a free fibre fires with probability 1 − exp(−λ dt); mean rate with a dead time of 24 steps:
    p_fire = 1 - np.exp(-lam * dt)
    expected = p_fire / (dt * (1 + (dead / dt - 1) * p_fire))
    rate = len(sp.step) / (20 * 40 * 0.5)
    assert rate == pytest.approx(expected, rel=0.03)


def test_bushy_cells_match_a_plain_loop():
    params = BushyParams(tau=0.5e-3, weight=0.3, threshold=1.0, refractory=0.4e-3)
    dt = 1 / 24000
    rng = np.random.default_rng(5)
    counts = rng.poisson(0.5, (3000, 4)).astype(np.uint8)
    fast = bushy_cells(counts, params, dt)
    alpha, dead = np.exp(-dt / params.tau), round(params.refractory / dt)
    slow = np.zeros_like(fast)
    for j in range(4):
        v, last = 0.0, -10**9
        for t in range(3000):
            v = np.float32(alpha) * v + np.float32(params.weight) * counts[t, j]
            if t - last < dead:
                v = 0.0
            if v >= 1.0:
                slow[t, j] = True
                v, last = 0.0, t
    assert fast.sum() > 50
    assert np.array_equal(fast, slow)


def test_filterbank_without_its_response_cache_gives_the_same_output(monkeypatch):
    from snnlib.audio import cochlea

    cf = channel_frequencies(70, 100.0, 6000.0)
    x = np.random.default_rng(6).standard_normal(9000)
    cached = Filterbank(cf, 48000, decimation=2).apply(x)
    monkeypatch.setattr(cochlea, "_CACHE_BYTES", 0)  # as for a very long recording
    fresh = Filterbank(cf, 48000, decimation=2)
    assert np.array_equal(fresh.apply(x), cached)
    assert np.array_equal(fresh.apply(x, channels=slice(20, 55)), cached[:, 20:55])
    assert fresh._cache == {}
