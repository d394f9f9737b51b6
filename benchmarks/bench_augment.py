"""What augmenting a training batch costs, next to training on it (a script that prints figures; not a test).

    python benchmarks/bench_augment.py                    # FSDD at 700 channels if encoded, else shd-like
    python benchmarks/bench_augment.py --dataset shd-like

Takes batches of 32 training samples as the trainer holds them (binned, pooled by 5), and times, per batch,
``augment_batch`` with the channel shift, the time stretch and both, against one update of the online rule on the
fast engine for a network of N = 64 with learned synaptic delays (``snnlib.gradients``): the work the trainer
does per batch. Median of ``--repeats`` batches, one thread.
"""
from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402


def median_ms(fn, repeats: int) -> float:
    times = []
    for i in range(repeats):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return 1e3 * float(np.median(times))


def main() -> None:
    from snnlib import SNNConfig, gradients, init_params
    from snnlib.data import augment_batch
    from snnlib.train import DATASET_DEFAULTS, DataConfig, load_data

    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dataset", default=None, help="fsdd (if encoded) or shd-like")
    p.add_argument("--repeats", type=int, default=20)
    args = p.parse_args()
    dataset = args.dataset
    if dataset is None:
        try:
            data = load_data(DataConfig("fsdd", pool=5))  # whole window: 229 steps, as part II trains
            dataset = "fsdd"
        except ValueError:
            dataset = "shd-like"
    if dataset != "fsdd":
        data = load_data(DataConfig(dataset, pool=5))
    x = data.train.x
    rng = np.random.default_rng(0)
    batches = [x[rng.choice(len(x), 32, replace=False)].astype(np.float32) for _ in range(args.repeats)]
    labels = [data.train.labels[:32]] * args.repeats
    B, T, M = batches[0].shape
    d_max = DATASET_DEFAULTS.get(dataset, {}).get("d_max", 25)
    config = SNNConfig(n_in=M, n_hidden=64, n_out=data.n_classes, delays="synaptic", d_max=d_max, dt=data.dt)
    params = init_params(config)
    gradients(config, params, batches[0], labels[0], rule="online", engine="fast")  # compile once
    print(f"{dataset}: batches of {B} samples × {T} steps × {M} channels, "
          f"{np.mean([b.sum() for b in batches]):.0f} spikes per batch on average; median of {args.repeats}")
    print("| per batch | ms |")
    print("|---|---:|")
    for label, kw in (("shift ±3 channels", dict(shift=3)), ("stretch 1 ± 0.1", dict(stretch=0.1)),
                      ("both", dict(shift=3, stretch=0.1))):
        ms = median_ms(lambda i: augment_batch(batches[i], np.random.default_rng(i), **kw), args.repeats)
        print(f"| augment: {label} | {ms:.1f} |")
    ms = median_ms(lambda i: gradients(config, params, batches[i], labels[i], rule="online", engine="fast"),
                   args.repeats)
    print(f"| one update of the online rule, N = 64, learned synaptic delays | {ms:.1f} |")


if __name__ == "__main__":
    main()
