"""The whole encoder: tonotopy, silence, gain invariance, determinism, batching, parameter checks."""
from dataclasses import replace

import numpy as np
import pytest

from snnlib.audio import EncoderParams, MeddisParams, encode, encode_many, encode_stages

RATE = 16000
P = EncoderParams(n_channels=64)


def tone(freq, seconds=0.2, amplitude=0.5, rate=RATE):
    return amplitude * np.sin(2 * np.pi * freq * np.arange(int(seconds * rate)) / rate)


def speechlike(seconds=0.3, rate=RATE, seed=0):
    """A vowel-ish test signal: 120 Hz pulses through two resonances, with a slow amplitude envelope."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    glottal = np.sin(2 * np.pi * 120 * t) ** 15
    x = glottal * (np.sin(2 * np.pi * 700 * t) + 0.5 * np.sin(2 * np.pi * 1800 * t))
    return np.sin(np.pi * t / seconds) * x + 0.01 * rng.standard_normal(len(t))


def test_output_format():
    times, units = encode(speechlike(), RATE, P)
    assert times.dtype == np.float64 and units.dtype == np.uint16 and times.shape == units.shape
    assert len(times) > 100
    assert np.all(np.diff(times) >= 0) and times[0] >= 0 and times[-1] <= 0.3
    assert units.max() < 64


def test_tonotopy_higher_tones_excite_lower_unit_ids():
    """Unit 0 is the highest CF (as in SHD): the most active unit moves towards 0 as the tone rises."""
    peaks = []
    for freq in (250, 500, 1000, 2000, 4000):
        _, units = encode(tone(freq), RATE, P, seed=1)
        counts = np.convolve(np.bincount(units, minlength=64), np.ones(3), "same")
        peaks.append(int(np.argmax(counts)))
    assert all(a > b for a, b in zip(peaks, peaks[1:])), peaks
    cf = P.cf
    for freq, peak in zip((250, 500, 1000, 2000, 4000), peaks):
        assert freq / 2 < cf[peak] < freq * 2  # and near the right place


def test_silence_gives_almost_no_spikes():
    times, _ = encode(np.zeros(RATE // 2), RATE, P)
    loud, _ = encode(speechlike(0.5), RATE, P)
    assert len(times) < 0.1 * P.n_channels  # < 0.2 spikes per channel per second, from spontaneous fibres
    assert len(loud) > 100 * max(len(times), 1)


def test_rms_normalisation_makes_the_output_gain_invariant():
    x = speechlike(seed=2)
    ref_t, ref_u = encode(x, RATE, P, seed=3)
    for gain in (0.01, 7.3):
        t, u = encode(gain * x, RATE, P, seed=3)
        assert len(t) == pytest.approx(len(ref_t), rel=0.005)
        same = len(set(zip(t.tolist(), u.tolist())) & set(zip(ref_t.tolist(), ref_u.tolist())))
        assert same >= 0.995 * len(ref_t)
    # the contrast: without the normalisation (a 100× quieter level) the output changes a lot
    quiet_t, _ = encode(x, RATE, replace(P, level=P.level / 100), seed=3)
    assert len(quiet_t) < 0.5 * len(ref_t)


def test_same_seed_same_spikes_other_seed_other_spikes():
    x = speechlike(seed=4)
    a = encode(x, RATE, P, seed=11)
    b = encode(x, RATE, P, seed=11)
    c = encode(x, RATE, P, seed=12)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not (len(a[0]) == len(c[0]) and np.array_equal(a[0], c[0]))


def test_batching_and_stages_do_not_change_the_spikes():
    recordings = [(speechlike(0.3, seed=5), RATE), (tone(700, 0.12), RATE), (speechlike(0.2, 8000, 6), 8000)]
    seeds = [7, 8, 9]
    together = encode_many(recordings, P, seeds)
    for (x, rate), seed, (t, u) in zip(recordings, seeds, together):
        alone_t, alone_u = encode(x, rate, P, seed=seed)
        assert np.array_equal(t, alone_t) and np.array_equal(u, alone_u)
    stages = encode_stages(*recordings[0], P, seed=7)
    assert np.array_equal(stages.times, together[0][0]) and np.array_equal(stages.units, together[0][1])


def test_stages_are_consistent():
    s = encode_stages(speechlike(0.25), RATE, P, seed=0)
    n = len(s.waveform)
    assert s.sample_rate == 48000 and n == round(0.25 * 48000)
    assert np.sqrt(np.mean(s.waveform[1000:-1000] ** 2)) == pytest.approx(1.0, rel=0.2)
    T = -(-n // P.decimation)
    assert s.basilar.shape == s.cleft.shape == s.bushy.shape == (T, 64)
    assert s.model_rate == 24000 and s.cf.shape == (64,)
    assert np.all(s.cleft >= 0) and s.release_rate.max() > 500  # onsets drive the fibres far above spontaneous
    steps, units = np.nonzero(s.bushy)
    assert np.allclose(steps / s.model_rate, s.times, rtol=0, atol=1e-12) and np.array_equal(units, s.units)
    assert s.nerve.step.max() < T and s.nerve.fibre.max() < P.nerve.n_fibres
    # the bushy cells fire only in steps where their own fibres fire
    fired = set(zip(s.nerve.step.tolist(), s.nerve.channel.tolist()))
    assert all((int(t), int(u)) in fired for t, u in zip(steps, units))


@pytest.mark.parametrize("change, message", [
    (dict(n_channels=0), r"n_channels must be an integer"),
    (dict(f_min=9000.0), r"f_min .* must be below f_max"),
    (dict(f_max=11000.0), r"Nyquist frequency"),
    (dict(level=-1.0), r"level must be a positive number"),
    (dict(decimation=4), r"Nyquist frequency"),
    (dict(haircell=MeddisParams(r=30000.0)), r"unstable hair-cell integration.*l \+ r"),
])
def test_bad_parameters_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        replace(EncoderParams(), **change)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError, match="NaN or inf"):
        encode(np.array([0.0, np.nan, 0.1]), RATE, P)
    with pytest.raises(ValueError, match="non-empty 1-D signal"):
        encode(np.zeros((10, 2)), RATE, P)
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        encode(tone(500), RATE, P, seed=-1)


def test_long_recordings_are_split_into_channel_blocks(monkeypatch):
    """A recording too long for one array is simulated a block of channels at a time; the output stays whole."""
    from snnlib.audio import encoder

    x = speechlike(0.3, seed=7)
    monkeypatch.setattr(encoder, "_MAX_ELEMENTS", 22 * 7200)  # 0.3 s = 7200 steps at 24 kHz: blocks of 21-22 units
    assert len(encoder._channel_blocks(7200, 64)) == 3
    times, units = encode(x, RATE, P, seed=2)
    stages = encode_stages(x, RATE, P, seed=2)
    assert np.array_equal(times, stages.times) and np.array_equal(units, stages.units)
    assert np.all(np.diff(times) >= 0)
    assert units.min() < 21 and units.max() >= 42  # spikes from the first and the last block
    steps, chans = np.nonzero(stages.bushy)
    assert np.array_equal(chans, units)
    assert np.all(np.diff(stages.nerve.step) >= 0)
