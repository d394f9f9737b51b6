"""Regenerate the figures the README shows, into ``figures/`` (what ``make figures`` runs).

    python scripts/make_figures.py                  # the full setting (about 1.5 min on 2 cores)
    python scripts/make_figures.py --fast           # small data, few epochs (well under a minute)
    python scripts/make_figures.py --only surrogate online_vs_bptt --out /tmp/figs

Every figure is computed here from the library (the trainer, the experiment grid, the engine) and drawn by
:mod:`snnlib.plots`, :mod:`snnlib.gallery` or :mod:`snnlib.demo`; nothing is hand-edited. The offline datasets
are generated on first use into the data folder (``$SNNLIB_DATA``, else ``~/.cache/snnlib``). Each figure is
written atomically (temporary name, then renamed), as a PNG small enough to commit (< 200 kB).

Figures (``--only`` names):

- ``demo``: ``demo_coincidence.png``, the coincidence-detector demo of ``python -m snnlib demo``;
- ``data``: ``spiking_data.png``, one word of four classes of ``shd-like``, spike by spike;
- ``surrogate``: ``surrogate_kernels.png``, the Gaussian representation and the delay-gradient kernel for
  several widths σ;
- ``delay_learning``: ``delay_learning.png``, ``delay-task`` trained by the trainer with and without learned
  delays: delays before and after, validation accuracy per epoch;
- ``online_vs_bptt``: ``online_vs_bptt.png``, every gradient entry of the online rule against BPTT, for a
  feedforward network (identical) and a recurrent one (e-prop's approximation);
- ``pareto``: ``efficiency_pareto.png``, accuracy against memory for dense, sparse and equal-parameter
  networks on ``shd-like`` (the experiment grid).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script from anywhere: import this checkout's snnlib
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

#: Largest PNG we are willing to commit, bytes.
MAX_BYTES = 200_000
DPI = 100


def save(fig, path: Path) -> Path:
    """Write ``fig`` as PNG to ``path`` atomically (:func:`snnlib._io.atomic_path`: temporary name, fsync, rename,
    usual permissions; the temporary file is removed on any error); refuses files above :data:`MAX_BYTES`."""
    from snnlib import _io

    with _io.atomic_path(path) as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, facecolor="white", bbox_inches="tight")
        size = tmp.stat().st_size
        if size > MAX_BYTES:
            raise ValueError(f"{path.name} would be {size:,} bytes, above the {MAX_BYTES:,} allowed for the gallery; "
                             "lower DPI or simplify the figure")
    return path


# ----------------------------------------------------------------------------- the figures
def figure_demo(out: Path, fast: bool) -> Path:
    import matplotlib.pyplot as plt

    from snnlib.demo import demo_figure, run_demo

    result = run_demo(epochs=3 if fast else 40, seed=0, progress=False)
    fig = demo_figure(result)
    try:
        return save(fig, out / "demo_coincidence.png")
    finally:
        plt.close(fig)


def figure_data(out: Path, fast: bool) -> Path:
    import tempfile

    from snnlib import data, gallery, plots

    with tempfile.TemporaryDirectory(prefix="snnlib-figures-") as folder:
        paths = data.make_shd_like(folder, n_train=40, n_test=20, seed=0)
        fig, axes = plots.new_figure(1, 4, figsize=(14, 3.0), sharey=True)
        with data.open_dataset(paths["train"]) as ds:
            for ax, c in zip(axes, (0, 1, 10, 11)):
                i = int(np.flatnonzero(ds.labels == c)[0])
                times, units, _ = ds[i]
                gallery.plot_spike_events(times, units, ax=ax, max_time=1.0, n_channels=700,
                                          title=f"class {ds.class_names[c]!r}")
        for ax in axes[1:]:
            ax.set_ylabel("")
        fig.suptitle("shd-like: 700 channels, classes that differ only in the time course of their spikes")
        return save(fig, out / "spiking_data.png")


def figure_surrogate(out: Path, fast: bool) -> Path:
    from snnlib import gallery, surrogate

    u = np.linspace(-13, 13, 1041)
    sigmas = (0.5, 1.0, 2.0, 4.0)
    bumps = {s: surrogate.gaussian(u, s) for s in sigmas}
    kernels = {s: surrogate.delay_kernel(u, s) for s in sigmas}
    fig = gallery.plot_surrogate_kernels(u, bumps, kernels)
    return save(fig, out / "surrogate_kernels.png")


def figure_delay_learning(out: Path, fast: bool) -> Path:
    from snnlib import gallery
    from snnlib.config import SNNConfig
    from snnlib.network import init_params
    from snnlib.train import DATASET_DEFAULTS, DataConfig, TrainConfig, load_data, train

    options = DATASET_DEFAULTS["delay-task"]
    generator = dict(n_train=200, n_valid=60, n_test=60) if fast else {}
    dataset = load_data(DataConfig("delay-task", generator=generator))
    epochs = 3 if fast else options["epochs"]
    curves, params = {}, {}
    for label, delays in (("weights only", "none"), ("learned synaptic delays", "synaptic")):
        model = SNNConfig(n_in=dataset.n_in, n_hidden=options["hidden"], n_out=dataset.n_classes, delays=delays,
                          d_max=options["d_max"], dt=dataset.dt, seed=0)
        settings = TrainConfig(epochs=epochs, lr_weights=options["lr_weights"], lr_delays=options["lr_delays"])
        params[delays] = (init_params(model), train(model, settings, dataset, progress=False))
        history = params[delays][1].history
        curves[label] = ([h["epoch"] for h in history], [h["val_accuracy"] for h in history])
    before, result = params["synaptic"]
    accuracy = {k: v[1].metrics["test_accuracy"] for k, v in params.items()}
    fig = gallery.plot_delay_learning(
        before["D_in"], result.params["D_in"], curves, d_max=options["d_max"], n_classes=dataset.n_classes,
        title=f"delay-task, {options['hidden']} hidden neurons, online three-factor rule: test accuracy "
              f"{100 * accuracy['none']:.0f} % (weights only) vs {100 * accuracy['synaptic']:.0f} % (learned delays)")
    return save(fig, out / "delay_learning.png")


def figure_online_vs_bptt(out: Path, fast: bool) -> Path:
    import snnlib
    from snnlib import gallery, plots

    rng = np.random.default_rng(3)
    x = (rng.random((8, 60, 12)) < 0.08).astype(float)
    labels = rng.integers(0, 3, 8)
    fig, axes = plots.new_figure(1, 2, figsize=(10.0, 4.6))
    for ax, recurrent in zip(axes, (False, True)):
        config = snnlib.SNNConfig(n_in=12, n_hidden=16, n_out=3, delays="synaptic", recurrent=recurrent, d_max=8,
                                  sigma=1.0, weight_scale=6.0, dtype="float64", seed=4)
        params = snnlib.init_params(config)
        _, online = snnlib.online_gradients(config, params, x, labels, engine="fast")
        _, exact = snnlib.bptt_gradients(config, params, x, labels)
        cosine = {k: float(np.dot(online[k].ravel(), exact[k].ravel())
                            / (np.linalg.norm(online[k]) * np.linalg.norm(exact[k]) + 1e-300)) for k in online}
        worst = max(float(np.max(np.abs(online[k] - exact[k])) / (np.max(np.abs(exact[k])) + 1e-300)) for k in online)
        title = ("recurrent: e-prop's approximation" if recurrent
                 else f"feedforward: identical (max rel. error {worst:.0e})")
        gallery.plot_gradient_check(online, exact, ax=ax, similarity=cosine, title=title)
    fig.suptitle("online three-factor gradients against BPTT (float64, 16 hidden neurons, synaptic delays)")
    return save(fig, out / "online_vs_bptt.png")


def figure_pareto(out: Path, fast: bool) -> Path:
    from snnlib import experiments, gallery

    generator = dict(n_train=120, n_test=60) if fast else {}
    options = dict(hidden=16, epochs=1, train_overrides={"batch_size": 16, "lr_weights": 1e-2}) if fast else {}
    specs, _, _, settings = experiments.make_specs("shd-like", only=["sparsity", "equal-params"],
                                                   generator=generator, **options)
    by_key = {s["key"]: s for s in specs}
    by_key["sparse-axonal"] = {**by_key["sparse"], "key": "sparse-axonal",  # the one sparse network not in the grid
                               "model": {**by_key["sparse"]["model"], "delays": "axonal"}}
    names = {"none": "weights only", "synaptic": "synaptic", "axonal": "axonal", "sparse-none": "weights only, sparse",
             "sparse": "synaptic, sparse", "sparse-axonal": "axonal, sparse", "none-wide": "weights only, wide",
             "synaptic-narrow": "synaptic, narrow"}
    rows = experiments.run_grid([by_key[k] for k in names])
    points = [{"label": names[r["key"]], "bytes": r["bytes_8bit"], "accuracy": r["test_accuracy"],
               "delays": r["delays"], "sparsity": r["sparsity"]} for r in rows]
    fig = gallery.plot_pareto(points, chance=1 / settings["n_classes"],
                              title=f"shd-like, {settings['epochs']} epochs, N = {settings['hidden']} "
                                    "(wide/narrow: equal parameters; sparse: 80 % of inputs removed)")
    return save(fig, out / "efficiency_pareto.png")


FIGURES = {
    "demo": figure_demo,
    "data": figure_data,
    "surrogate": figure_surrogate,
    "delay_learning": figure_delay_learning,
    "online_vs_bptt": figure_online_vs_bptt,
    "pareto": figure_pareto,
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate the README's figures into a folder.")
    parser.add_argument("--out", default=str(ROOT / "figures"), help="output folder (default: figures/)")
    parser.add_argument("--fast", action="store_true", help="small data and few epochs (for tests and CI)")
    parser.add_argument("--only", nargs="+", choices=sorted(FIGURES), metavar="NAME",
                        help=f"make only these figures: {', '.join(FIGURES)}")
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.only or FIGURES:
        started = time.perf_counter()
        path = FIGURES[name](out, args.fast)
        print(f"{path} ({path.stat().st_size / 1e3:.0f} kB, {time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
