"""snnlib.explorers: the data and result explorers of notebooks 06, 08, 09 and 10.

Expected numbers are worked by hand from the binning rule (docs/data.md) and the accounting rules
(MODEL.md §9), not read from the functions under test.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from snnlib import data, explorers

ipywidgets = pytest.importorskip("ipywidgets")


# ----------------------------------------------------------------------------- 06: binning and the raster
TIMES = np.array([0.0, 0.005, 0.0199, 0.02, 1.0, 1.5])
UNITS = np.array([3, 3, 3, 4, 0, 0])


def test_binning_summary_by_hand():
    # dt = 10 ms: step 0 ch 3 holds 2 spikes, step 1 ch 3 one, step 2 ch 4 one; 1.0 s and 1.5 s are dropped
    s = explorers.binning_summary(TIMES, UNITS, 10, 0.01, 1.0)
    assert (s["spikes"], s["kept"], s["dropped"], s["bins"], s["merged"]) == (6, 4, 2, 3, 1)
    assert s["x"].shape == (100, 10) and s["x"][0, 3] == 2 and s["x"][1, 3] == 1 and s["x"][2, 4] == 1
    # dt = 20 ms: the three channel-3 spikes share step 0
    s = explorers.binning_summary(TIMES, UNITS, 10, 0.02, 1.0)
    assert (s["kept"], s["bins"], s["merged"]) == (4, 2, 2)
    # pool = 5 puts channels 3 and 4 together: step 0 (2), step 1 (1), step 2 (1)
    s = explorers.binning_summary(TIMES, UNITS, 10, 0.01, 1.0, pool=5)
    assert s["x"].shape == (100, 2) and s["x"][:3, 0].tolist() == [2, 1, 1] and s["merged"] == 1
    # pool = 10 at dt = 50 ms: all four kept spikes in one bin
    s = explorers.binning_summary(TIMES, UNITS, 10, 0.05, 1.0, pool=10)
    assert (s["bins"], s["merged"]) == (1, 3)


@pytest.fixture
def small_dataset(tmp_path):
    # class 0: speakers 7 (two samples) and 9; class 1: speaker 9 only
    samples = [(TIMES, UNITS), (np.array([0.1, 0.2]), np.array([1, 2])), (np.array([0.3]), np.array([5])),
               (np.array([0.0615, 0.0625, 0.0635]), np.array([6, 6, 6]))]
    path = data.write_dataset(tmp_path / "tiny.h5", samples, [0, 0, 0, 1], ["zero", "one"], [7, 7, 9, 9],
                              n_channels=10)
    with data.open_dataset(path) as ds:
        yield ds


def test_raster_figure_reads_what_binning_keeps(small_dataset):
    fig, text = explorers.raster_figure(small_dataset, cls=0, speaker=0, sample=0, dt_ms=10, pool=1)
    assert "6 spikes: 4 kept in 3 bins, 1 merged" in text and "2 dropped" in text and "100 × 10" in text
    assert "sample 0" in fig.axes[0].get_title() and "(1 of 2)" in fig.axes[0].get_title()
    # the second of speaker 7's class-0 samples, and wrap-around to the first again
    assert explorers.raster_figure(small_dataset, cls=0, speaker=0, sample=1)[1].startswith("2 spikes: 2 kept in 2")
    assert explorers.raster_figure(small_dataset, cls=0, speaker=0, sample=2)[1].startswith("6 spikes")
    # any speaker: three samples of class 0
    assert "(3 of 3)" in explorers.raster_figure(small_dataset, cls=0, speaker=-1, sample=2)[0].axes[0].get_title()
    # class 1, speaker 9: three spikes of one channel within 2 ms merge at dt = 10 ms, not at 1 ms
    assert "3 kept in 1 bins, 2 merged" in explorers.raster_figure(small_dataset, cls=1, speaker=1)[1]
    assert "3 kept in 3 bins, 0 merged" in explorers.raster_figure(small_dataset, cls=1, speaker=1, dt_ms=1)[1]
    # a dt that does not divide the window: the window is cut to a whole number of steps (3 × 300 ms)
    assert "at or after 900 ms" in explorers.raster_figure(small_dataset, cls=0, speaker=0, dt_ms=300)[1]


def test_raster_figure_says_when_nothing_matches(small_dataset):
    _, text = explorers.raster_figure(small_dataset, cls=1, speaker=0)
    assert text.startswith("no sample of class 'one' from speaker 7")


def test_raster_explorer_refuses_a_pool_that_does_not_divide(small_dataset):
    ex = explorers.raster_explorer(small_dataset, show=False, live=False)
    assert ex.readout.startswith("6 spikes") and ex.png
    ex.set(pool=5)
    assert "100 × 2" in ex.readout
    with pytest.raises(ValueError, match="does not divide"):
        ex.set(pool=3)                       # static: raised; live: shown as "error: …" in the readout
    live = explorers.raster_explorer(small_dataset, show=False, live=True)
    live.sliders["pool"].value = 3
    assert live.readout.startswith("error: pool = 3 does not divide the 10 channels")
    assert all(s.continuous_update is False for s in live.sliders.values())
    assert live.sliders["speaker"].min == -1 and live.sliders["speaker"].max == 1


def test_raster_explorer_opens_a_path(tmp_path, small_dataset):
    path = tmp_path / "tiny.h5"                 # the fixture's file, opened again by the explorer
    assert path.exists()
    ex = explorers.raster_explorer(str(path), show=False, live=False, cls=1)
    assert ex.readout.startswith("3 spikes")


# ----------------------------------------------------------------------------- 08: confusion matrix
def test_confusion_matrix_and_normalisations_by_hand():
    C = explorers.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)
    assert C.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert np.allclose(explorers.normalised(C, 1), [[0.5, 0.5, 0], [0, 1, 0], [1 / 3, 0, 2 / 3]])
    assert np.allclose(explorers.normalised(C, 2), [[0.5, 0.5, 0], [0, 0.5, 0], [0.5, 0, 1]])
    assert np.array_equal(explorers.normalised(np.zeros((2, 2)), 1), np.zeros((2, 2)))   # empty rows stay 0
    with pytest.raises(ValueError, match="must lie in 0 … 2"):
        explorers.confusion_matrix([0, 3], [0, 0], 3)
    with pytest.raises(ValueError, match="normalise = 4"):
        explorers.normalised(C, 4)


def test_confusion_figure_names_the_confusions():
    labels = [0, 0, 0, 0, 1, 1, 2, 2]
    predicted = [0, 2, 2, 1, 1, 0, 2, 2]
    fig, text = explorers.confusion_figure(labels, predicted, ["a", "b", "c"], focus=0, normalise=1)
    assert text.startswith("'a': 4 samples, 1 right (25 %); taken for 'c' (2), 'b' (1)")
    assert text.endswith("1 samples of other classes predicted as 'a'")
    heights = [p.get_height() for p in fig.axes[1].patches]
    assert np.allclose(heights, [0.25, 0.25, 0.5])
    assert "never confused" in explorers.confusion_figure(labels, predicted, ["a", "b", "c"], focus=2)[1]
    ex = explorers.confusion_explorer(labels, predicted, ["a", "b", "c"], show=False, live=True)
    ex.sliders["focus"].value = 1
    assert ex.readout.startswith("'b': 2 samples, 1 right (50 %); taken for 'a' (1)")


# ----------------------------------------------------------------------------- 09: the grid
def test_network_cost_by_hand():
    # 140 → 128 → 20, synaptic: weights 140·128 + 20·128 + 20; delays 140·128 at 5 bits; buffers 140 × 26 bits
    c = explorers.network_cost(140, 128, 20, "synaptic")
    assert c["weights"] == 20_500 and c["delays"] == 17_920 and c["parameters"] == 38_420
    assert math.isclose(c["bytes"], 20_500 + 17_920 * 5 / 8 + 140 * 26 / 8) and math.isclose(c["latency_ms"], 250)
    a = explorers.network_cost(140, 128, 20, "axonal")
    assert a["delays"] == 140 and math.isclose(a["bytes"], 20_500 + 140 * 5 / 8 + 140 * 26 / 8)
    n = explorers.network_cost(140, 128, 20, "none")
    assert n["delays"] == 0 and n["bytes"] == 20_500 and n["latency_ms"] == 0
    s = explorers.network_cost(140, 128, 20, "synaptic", sparsity=0.8)
    assert s["delays"] == round(0.2 * 140 * 128)


def test_grid_figure_readout_and_nearest_trained_network():
    rows = [dict(hidden=128, sparsity=0.0, delays="none", test_accuracy=0.4, bytes_8bit=20_500),
            dict(hidden=128, sparsity=0.0, delays="synaptic", test_accuracy=0.8, bytes_8bit=32_155),
            dict(hidden=128, sparsity=0.8, delays="synaptic", test_accuracy=0.7, bytes_8bit=9_000)]
    fig, text = explorers.grid_figure(rows, n_hidden=128, sparsity=0.0, delay_kind=2)
    assert text.startswith("N = 128, 0 % sparse, delays synaptic: 38,420 parameters (20,500 weights + 17,920 delays)")
    assert "added latency 250 ms" in text and "closest in memory: N = 128, synaptic, 0 % sparse" in text
    _, text = explorers.grid_figure(rows, n_hidden=128, sparsity=0.0, delay_kind=0)
    assert "delays none" in text and "latency 0 ms" in text and "closest in memory: N = 128, none" in text
    ex = explorers.grid_explorer(rows, show=False, live=True)
    ex.sliders["sparsity"].value = 0.8
    assert "80 % sparse" in ex.readout and "closest in memory: N = 128, synaptic, 80 % sparse" in ex.readout
    assert all(s.continuous_update is False for s in ex.sliders.values())


# ----------------------------------------------------------------------------- 10: the ear model
def test_ear_explorer_on_a_tone(tmp_path):
    from snnlib import audio

    rate = 16000
    t = np.arange(int(0.1 * rate)) / rate
    path = audio.write_wav(tmp_path / "tone.wav", 0.1 * np.sin(2 * np.pi * 1000 * t), rate)
    ex = explorers.ear_explorer([path], show=False, live=False, n_channels=16)
    assert ex.readout.startswith("tone: ") and "in 16 channels" in ex.readout and ex.png
    with pytest.raises(ValueError, match="recording 1 is outside"):
        explorers.ear_figure([path], recording=1)


def test_explorers_are_static_without_a_widget_front_end(monkeypatch, small_dataset):
    monkeypatch.setenv("SNNLIB_STATIC", "1")
    ex = explorers.confusion_explorer([0, 1, 1], [0, 1, 0], ["a", "b"], show=False)
    assert ex.live is False and ex.widget is None and ex.png.startswith(b"\x89PNG")
    assert ex.readout.startswith("'a': 1 samples, 1 right (100 %)")
    with pytest.raises(ValueError, match="has no control"):
        explorers.raster_explorer(small_dataset, show=False, threshold=3)
