"""snnlib.plots: every function returns a Figure that shows the numbers it was given."""
from __future__ import annotations

import ast
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

import snnlib
from snnlib import metrics, plots
from snnlib.config import SNNConfig


def test_new_figure_and_png_size():
    fig, axes = plots.new_figure(2, 3, figsize=(6.0, 4.0))
    assert isinstance(fig, Figure) and axes.shape == (2, 3)
    png = plots.figure_png(fig, dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (300, 200)


def test_plots_never_load_pyplot():
    """Figures are made without pyplot's global registry (safe in threads, no leak in slider loops)."""
    code = ("import sys, numpy as np; from snnlib import plots, widgets; "
            "plots.plot_raster(np.eye(3)); plots.figure_png(plots.plot_membrane(np.zeros(5))); "
            "plots.figure_png(plots.live.delay_view_figure(None, d_max=5), dpi=20); "
            "plots.figure_png(plots.audio.plot_waveform(np.zeros(80), 8000.0), dpi=20); "
            "plots.figure_png(plots.gallery.plot_binned(np.eye(4), dt=0.01), dpi=20); "
            "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot was imported'")
    subprocess.run([sys.executable, "-c", code], check=True)


def _library_sources():
    root = Path(snnlib.__file__).parent
    return sorted(p for p in root.rglob("*.py") if "_course" not in p.parts)


def test_library_code_neither_imports_pyplot_nor_switches_the_backend():
    """Only scripts and tests may choose a Matplotlib backend; the library draws on plain Figures."""
    offenders = []
    for path in _library_sources():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{a.name}" for a in node.names] + [node.module or ""]
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "use" \
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in ("matplotlib", "mpl"):
                offenders.append(f"{path.name}:{node.lineno} matplotlib.use")
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names if n.startswith("matplotlib.pyplot")
                          or n == "matplotlib.use"]
    assert len(_library_sources()) > 40 and offenders == []


def test_every_figure_module_is_in_the_plots_package():
    """One home for figures: snnlib.plots and its submodules; snnlib.gallery is that package's gallery by name."""
    from snnlib import gallery
    from snnlib.plots import audio, gallery as home, live

    assert sorted(gallery.__all__) == sorted(home.__all__)
    assert [n for n in gallery.__all__ if getattr(gallery, n) is not getattr(home, n)] == []
    assert plots.live is live and plots.audio is audio and plots.gallery is home
    assert live.delay_view_figure.__module__ == "snnlib.plots.live"
    assert audio.plot_channel.__module__ == "snnlib.plots.audio"
    assert gallery.plot_pareto.__module__ == "snnlib.plots.gallery"
    root = Path(snnlib.__file__).parent
    assert sorted(p.name for p in root.glob("plots*")) == ["plots"]
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        plots.nope


def test_raster_marks_every_spike_in_ms():
    spikes = np.zeros((10, 4))
    spikes[[1, 3, 3, 9], [0, 2, 3, 1]] = 1
    fig = plots.plot_raster(spikes, dt=0.005)
    points = fig.axes[0].collections[0].get_offsets()
    assert sorted(map(tuple, np.asarray(points))) == sorted([(5.0, 0), (15.0, 2), (15.0, 3), (45.0, 1)])
    assert fig.axes[0].get_xlabel() == "time [ms]"
    with pytest.raises(ValueError, match=r"\(T, P\)"):
        plots.plot_raster(np.zeros(5))


def test_membrane_draws_v_threshold_and_spikes_into_given_axes():
    fig, ax = plots.new_figure()
    v = np.array([0.0, 0.5, 1.2, 0.2, 0.1])
    z = (v > 1).astype(float)
    assert plots.plot_membrane(v, threshold=1.0, spikes=z, ax=ax) is fig
    lines = ax.get_lines()
    assert np.array_equal(lines[0].get_ydata(), v)
    assert lines[1].get_ydata()[0] == 1.0  # the threshold line
    markers = ax.collections[0].get_offsets()
    assert np.array_equal(np.asarray(markers)[:, 0], [2])


def test_coincidence_shows_sent_and_arriving_spikes():
    x = np.zeros((40, 2))
    x[5, 0] = x[12, 1] = 1
    fig = plots.plot_coincidence(np.zeros(40), np.zeros(40), x, [7, 0])
    top = fig.axes[0]
    sent = [np.asarray(c.get_offsets()) for c in top.collections[0::2]]
    arrive = [np.asarray(c.get_offsets()) for c in top.collections[1::2]]
    assert sent[0].tolist() == [[5, 0]] and arrive[0].tolist() == [[12, 0]]
    assert sent[1].tolist() == [[12, 1]] and arrive[1].tolist() == [[12, 1]]


def test_delay_matrix_shows_the_delays_on_a_fixed_scale():
    D = np.arange(12.0).reshape(3, 4)
    fig = plots.plot_delay_matrix(D, d_max=25)
    image = fig.axes[0].images[0]
    assert np.array_equal(image.get_array(), D) and image.get_clim() == (0, 25)
    axonal = plots.plot_delay_matrix(np.array([1.0, 2.0, 3.0]), d_max=5, colorbar=False)
    assert np.array_equal(axonal.axes[0].images[0].get_array(), [[1.0, 2.0, 3.0]])
    assert "axonal" in axonal.axes[0].get_title()


def test_delay_histogram_has_one_bin_per_step():
    D = np.array([0.0, 0.2, 1.0, 2.9, 3.0, 3.1])
    fig = plots.plot_delay_histogram(D, d_max=4)
    heights = [p.get_height() for p in fig.axes[0].patches]
    assert heights == [2, 1, 0, 3, 0]  # bins [−0.5, 0.5), [0.5, 1.5), …


def test_memory_bars_stack_weights_delays_buffers_in_kb():
    reports = {k: metrics.memory(SNNConfig(n_in=700, n_hidden=128, n_out=20, delays=k, d_max=25))
               for k in ("none", "synaptic")}
    fig = plots.plot_memory(reports)
    patches = fig.axes[0].patches
    weights_kb = (700 * 128 + 128 * 20 + 20) * 8 / 8 / 1e3
    delays_kb = 700 * 128 * math.ceil(math.log2(26)) / 8 / 1e3
    assert patches[0].get_height() == pytest.approx(weights_kb)      # none: weights
    assert patches[3].get_height() == pytest.approx(delays_kb)       # synaptic: delays
    assert patches[5].get_height() == pytest.approx(700 * 26 / 8 / 1e3)  # synaptic: ring buffers


def test_loss_landscape_panels():
    grid = np.linspace(0, 4, 9)
    one = plots.plot_loss_landscape(grid, np.ones(9))
    two = plots.plot_loss_landscape(grid, np.ones(9), np.ones(9), np.zeros(9), D_now=2.0, sigma=1.0)
    assert len(one.axes) == 1 and len(two.axes) == 2
    assert "σ = 1" in two.axes[0].get_title()


def test_traces_hold_back_the_lagging_delay_quantities():
    T = 12
    record = {key: np.arange(T, dtype=float) for key in ("x_tilde", "v", "psi", "eps", "ebar", "eps_D", "ebar_D",
                                                        "L", "grad_W", "grad_D")}
    fig = plots.plot_traces(record, t_now=8, lag=3)
    assert len(fig.axes) == 6
    strong = {line.get_label(): len(line.get_xdata()) for ax in fig.axes for line in ax.get_lines()
              if not line.get_label().startswith("_")}
    assert strong["ε"] == 9 and strong["ε_D"] == 6 and strong["ē_D"] == 6 and strong["learning signal L"] == 9


def test_learning_curves_skip_missing_values():
    history = {"step": [1, 2, 3, 4], "loss": [1.0, 0.8, 0.7, 0.6], "test_acc": [np.nan, 0.5, np.nan, 0.75]}
    fig = plots.plot_learning_curves(history)
    acc = fig.axes[1].get_lines()[0]
    assert list(acc.get_xdata()) == [2, 4] and list(acc.get_ydata()) == [50.0, 75.0]


def test_training_view_with_and_without_delays():
    history = {"step": [1, 2], "loss": [1.0, 0.9]}
    with_delays = plots.plot_training(history, delays=np.ones((4, 5)), d_max=10, title="run")
    assert with_delays.axes[0].images and with_delays._suptitle.get_text() == "run"
    without = plots.plot_training({"step": []})
    assert "no learned delays" in [t.get_text() for t in without.axes[0].texts]


def test_similarity_and_gradient_agreement():
    fig = plots.plot_similarity({"W_in": 0.99, "W_out": 1.0})
    assert [p.get_height() for p in fig.axes[0].patches] == [0.99, 1.0]
    g = {"W": np.array([1.0, -2.0])}
    fig = plots.plot_gradient_agreement(g, g)
    assert np.array_equal(np.asarray(fig.axes[0].collections[0].get_offsets()), [[1.0, 1.0], [-2.0, -2.0]])
