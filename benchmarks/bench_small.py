"""Small problems, where the per-step loops in time cost more than the arithmetic (prints a table).

The course runs many tiny networks: notebook 03's two-input toy (one gradient per update, 60
updates per run, dozens of runs), and fast-mode training of N = 32 networks on a few hundred
samples. For these the engine's cost is the loops over time steps (the LIF layer, the leaky
readout and the backward filters of the credit), not the delayed current or the correlations.
This script times, per call (median of ``--repeats`` after one warm-up call):

* the toy's gradient with BPTT (``snnlib.bptt_gradients``: NumPy loops, the yardstick) and with
  the online rule's batched engine on each back end (``online_gradients(engine="fast")``);
* one training step (``fast_gradients``) of an N = 32 network on a batch of 16 shd-like-shaped
  samples (700 inputs, 105 steps, 5 % density), synaptic and axonal delays, on each back end.

    python benchmarks/bench_small.py
    python benchmarks/bench_small.py --repeats 50

Compiled kernels are loaded from numba's on-disk cache (or compiled) during the warm-up call.
The load average before and after is printed. Not a test; nothing is asserted.
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

import snnlib
from snnlib import course, fast


def median_ms(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=200, help="timed calls per row (default 200)")
    args = parser.parse_args(argv)
    backends = ["numpy"] + (["numba"] if fast.numba_available() else [])
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| problem | how | ms per call |")
    print("|---|---|---:|")

    config, params, x, labels = course.DelayToy().network(sigma=1.0)
    params["D_in"] = np.array([[4.3, 0.0]])
    print(f"| toy (1 × 60 steps, 2 → 1 → 2) | BPTT (NumPy) | "
          f"{median_ms(lambda: snnlib.bptt_gradients(config, params, x, labels), args.repeats):.3f} |")
    for backend in backends:
        ms = median_ms(lambda: fast.fast_gradients(config, params, x, labels, backend=backend), args.repeats)
        print(f"| toy (1 × 60 steps, 2 → 1 → 2) | online rule, fast engine, {backend} | {ms:.3f} |")

    rng = np.random.default_rng(0)
    xb = (rng.random((16, 105, 700)) < 0.05).astype(np.float32)
    yb = rng.integers(0, 20, 16)
    for delays in ("synaptic", "axonal"):
        cfg = snnlib.SNNConfig(n_in=700, n_hidden=32, n_out=20, delays=delays, d_max=25, seed=0)
        p = snnlib.init_params(cfg)
        for backend in backends:
            ms = median_ms(lambda: fast.fast_gradients(cfg, p, xb, yb, backend=backend), max(5, args.repeats // 10))
            print(f"| training step, N = 32, batch 16 × 105 steps, {delays} | fast engine, {backend} | {ms:.3f} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
