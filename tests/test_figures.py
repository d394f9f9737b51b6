"""The README gallery: ``scripts/make_figures.py --fast`` writes every figure, and the figure helpers of
:mod:`snnlib.plots.gallery` draw what they are given (the Pareto front checked against hand-worked examples)."""
from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import numpy as np
import pytest

from snnlib.plots import gallery

ROOT = Path(__file__).resolve().parent.parent
EXPECTED = ("demo_coincidence.png", "spiking_data.png", "surrogate_kernels.png", "delay_learning.png",
            "online_vs_bptt.png", "efficiency_pareto.png")


def _script():
    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "scripts" / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _png_size(path: Path) -> tuple[int, int]:
    """(width, height) from the PNG header; fails if the file is not a PNG."""
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


@pytest.fixture
def data_home(tmp_path, monkeypatch):
    monkeypatch.setenv("SNNLIB_DATA", str(tmp_path / "data"))
    return tmp_path


@pytest.mark.slow
def test_fast_mode_writes_every_figure(data_home, capsys):
    out = data_home / "figures"
    script = _script()
    assert script.main(["--fast", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(EXPECTED)   # no leftover temporary files
    for name in EXPECTED:
        path = out / name
        width, height = _png_size(path)
        assert 5_000 < path.stat().st_size < script.MAX_BYTES, name
        assert width >= 500 and height >= 250, f"{name}: {width} × {height} px"
    printed = capsys.readouterr().out
    assert all(name in printed for name in EXPECTED)


def test_only_makes_the_figures_asked_for(data_home):
    out = data_home / "some"
    assert _script().main(["--fast", "--only", "surrogate", "online_vs_bptt", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["online_vs_bptt.png", "surrogate_kernels.png"]


def test_a_figure_too_large_for_the_gallery_is_refused(tmp_path):
    from snnlib.plots import new_figure

    script = _script()
    fig, ax = new_figure(figsize=(16, 16))
    ax.imshow(np.random.default_rng(0).random((1600, 1600)), interpolation="nearest")  # noise does not compress
    with pytest.raises(ValueError, match="above the 200,000"):
        script.save(fig, tmp_path / "noise.png")
    assert list(tmp_path.iterdir()) == []


# ----------------------------------------------------------------------------- the Pareto front
def test_pareto_front_by_hand():
    # (cost, value): (1, 1) cheapest; (2, 3) better; (3, 2) beaten by (2, 3); (3, 3) ties (2, 3) in value at a
    # higher cost; (4, 5) most accurate; (5, 5) ties (4, 5) at a higher cost
    cost = [1, 2, 3, 3, 4, 5]
    value = [1, 3, 2, 3, 5, 5]
    assert gallery.pareto_front(cost, value).tolist() == [True, True, False, False, True, False]
    # identical points do not beat each other
    assert gallery.pareto_front([2, 2], [0.5, 0.5]).tolist() == [True, True]
    # one point is always on the front
    assert gallery.pareto_front([7.0], [0.1]).tolist() == [True]


def test_pareto_front_refuses_mismatched_inputs():
    with pytest.raises(ValueError, match="same length"):
        gallery.pareto_front([1, 2, 3], [0.1, 0.2])


def test_plot_pareto_draws_the_front_as_steps():
    points = [dict(label="a", bytes=1000, accuracy=0.10, delays="none"),
              dict(label="b", bytes=4000, accuracy=0.30, delays="synaptic"),
              dict(label="c", bytes=2000, accuracy=0.05, delays="axonal", sparsity=0.8),
              dict(label="d", bytes=8000, accuracy=0.25, delays="fixed")]
    fig = gallery.plot_pareto(points, chance=0.05)
    ax = fig.axes[0]
    front = next(line for line in ax.lines if line.get_label() == "Pareto front")
    # front: a (1 kB, 10 %) then b (4 kB, 30 %), extended to the right at 30 %
    assert np.allclose(front.get_xdata()[:2], [1.0, 4.0]) and np.allclose(front.get_ydata(), [10, 30, 30])
    assert ax.get_xscale() == "log" and "memory" in ax.get_xlabel() and "%" in ax.get_ylabel()
    with pytest.raises(ValueError, match="at least one point"):
        gallery.plot_pareto([])


def test_gradient_check_scales_each_parameter_by_its_largest_entry():
    reference = {"W_in": np.array([[2.0, -4.0]]), "D_in": np.array([[0.01, 0.005]])}
    online = {"W_in": np.array([[2.0, -4.0]]), "D_in": np.array([[0.01, 0.0]])}
    fig = gallery.plot_gradient_check(online, reference)
    offsets = {c.get_label(): c.get_offsets() for c in fig.axes[0].collections}
    assert np.allclose(offsets["W_in"], [[0.5, 0.5], [-1.0, -1.0]])
    assert np.allclose(offsets["D_in"], [[1.0, 1.0], [0.5, 0.0]])
