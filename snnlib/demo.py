"""``python -m snnlib demo``: learn the delays of a coincidence detector, end to end, headless.

Two classes of input share the same spikes on the same channels and differ only in their order:
class 0 sweeps the channels upwards in time, class 1 downwards. A neuron can tell them apart only
if its delays make the spikes of one order arrive together. The demo trains input delays and
weights with the three-factor rule through the library's trainer (:func:`snnlib.train.train`), watches
validation accuracy, reports test accuracy before and after, and saves a figure.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from snnlib import _io
from snnlib.config import SNNConfig
from snnlib.data.partitions import Dataset, SpikeArrays
from snnlib.gradients import evaluate
from snnlib.network import forward, init_params
from snnlib.train import TrainConfig, train


def sweep_task(n_samples: int, n_channels: int = 5, spacing: int = 4, T: int = 40, seed: int = 0):
    """Spike trains (n_samples, T, n_channels) and labels: one spike per channel, order = class."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n_samples)
    x = np.zeros((n_samples, T, n_channels))
    offsets = spacing * np.arange(n_channels)
    span = offsets[-1]
    for n, label in enumerate(labels):
        start = rng.integers(0, T - span - 1)
        times = start + (offsets if label == 0 else offsets[::-1])
        x[n, times, np.arange(n_channels)] = 1.0
    return x, labels


def run_demo(epochs: int = 40, seed: int = 0, delays: str = "synaptic", progress: bool = True):
    """Train with the library's trainer and return a dict with the history, the parameters before/after and
    the task. Validation data (a third draw of the task) is watched every epoch; the test data is read only
    before and after training."""
    x, labels = sweep_task(256, seed=seed)
    x_test, labels_test = sweep_task(256, seed=seed + 1)
    x_valid, labels_valid = sweep_task(256, seed=seed + 2)
    config = SNNConfig(n_in=x.shape[2], n_hidden=2, n_out=2, delays=delays, d_max=20, sigma=1.0,
                       tau_mem=0.01, tau_out=0.05, weight_scale=1.5, seed=seed, dtype="float64")
    data = Dataset(train=SpikeArrays(x, labels), valid=SpikeArrays(x_valid, labels_valid),
                   test=SpikeArrays(x_test, labels_test), class_names=["upwards", "downwards"], dt=config.dt)
    settings = TrainConfig(epochs=epochs, batch_size=32, lr_weights=0.02, lr_delays=0.1, lr_schedule="constant",
                           seed=seed)
    params = init_params(config)
    before = {k: v.copy() for k, v in params.items()}
    delay_history = []

    def listen(event):
        if event.kind != "epoch":
            return
        if "D_in" in event.params:
            delay_history.append(event.params["D_in"].copy())
        if progress:
            row = event.history[-1]
            print(f"epoch {row['epoch']:3d}/{epochs}  training loss {row['train_loss']:.3f}  "
                  f"validation accuracy {row['val_accuracy']:.1%}", flush=True)

    run = train(config, settings, data, callback=listen, progress=False, params=params)
    history = {"loss": [row["val_loss"] for row in run.history],
               "accuracy": [row["val_accuracy"] for row in run.history], "delays": delay_history}
    return {"config": config, "before": before, "after": run.params, "history": history,
            "x": x_test, "labels": labels_test,
            "accuracy_before": evaluate(config, before, x_test, labels_test)[1],
            "accuracy_after": evaluate(config, run.params, x_test, labels_test)[1]}


def demo_figure(result):
    """A four-panel summary: the two input orders, the delays learning, accuracy, membranes after."""
    import matplotlib
    from matplotlib.figure import Figure  # no pyplot state: the caller's backend is left alone

    config, x, labels = result["config"], result["x"], result["labels"]
    fig = Figure(figsize=(10, 7), constrained_layout=True)
    axes = fig.subplots(2, 2)
    ax = axes[0, 0]
    for label, color in ((0, "tab:blue"), (1, "tab:orange")):
        n = int(np.flatnonzero(labels == label)[0])
        t, ch = np.nonzero(x[n])
        ax.scatter(t, ch + (0.1 if label else -0.1), color=color, label=f"class {label}", s=40)
    ax.set(xlabel="time step", ylabel="input channel", title="The two classes: same spikes, opposite order")
    ax.legend(loc="upper right")
    ax = axes[0, 1]
    if result["history"]["delays"]:
        D = np.array(result["history"]["delays"])  # (epochs, N, M)
        epochs = np.arange(1, D.shape[0] + 1)
        for j, style in zip(range(D.shape[1]), ("-", "--")):
            for i in range(D.shape[2]):
                ax.plot(epochs, D[:, j, i], style,
                        color=matplotlib.colormaps["viridis"](i / max(D.shape[2] - 1, 1)))
        ax.set(xlabel="epoch", ylabel="delay (steps)",
               title="Learned delays\n(solid/dashed: neuron 0/1, colour: channel)")
    ax = axes[1, 0]
    ax.plot(np.arange(1, len(result["history"]["accuracy"]) + 1), result["history"]["accuracy"], color="k")
    ax.axhline(0.5, color="grey", lw=0.8, ls=":")
    ax.set(xlabel="epoch", ylabel="validation accuracy", ylim=(0, 1.02), title="Accuracy while learning")
    ax = axes[1, 1]
    out = forward(config, result["after"], x[:8])
    for n in range(8):
        color = "tab:orange" if labels[n] else "tab:blue"
        ax.plot(out.v[n, :, 0], color=color, alpha=0.6)
    ax.axhline(config.threshold, color="k", ls="--", lw=1, label="threshold ϑ")
    ax.set(xlabel="time step", ylabel="v (neuron 0)", title="Membrane of neuron 0 after learning")
    ax.legend(loc="upper right")
    return fig


def main(args) -> int:
    started = time.perf_counter()
    path = _io.prepare_folder(args.out) / "demo_coincidence.png"  # refused before any work if not writable
    result = run_demo(epochs=args.epochs, seed=args.seed, delays=args.delays, progress=not args.quiet)
    with _io.atomic_path(path) as tmp:  # a whole figure or none, readable by the group like any output
        demo_figure(result).savefig(tmp, format="png", dpi=110)
    print(f"test accuracy {result['accuracy_before']:.1%} before, {result['accuracy_after']:.1%} after "
          f"{args.epochs} epochs ({time.perf_counter() - started:.1f} s); figure: {path}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("demo", help="learn the delays of a coincidence detector (headless)",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--epochs", type=int, default=40)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--delays", choices=("none", "fixed", "synaptic", "axonal"), default="synaptic")
    p.add_argument("--out", default="figures", help="folder for the figure (default: figures)")
    p.add_argument("--quiet", action="store_true", help="no per-epoch lines")
    p.set_defaults(func=main)
