"""Memory of shuffled multi-epoch reading: does it grow with the file, or stay bounded? (Prints figures; not a test.)

    python benchmarks/bench_data_memory.py                       # files of 1000 and 3000 samples, 4 epochs
    python benchmarks/bench_data_memory.py --samples 500 4000 --spikes 9000 --epochs 6

For each file size a file is written (random spikes, 700 channels) and two readers run, each in a fresh process so
that its resident memory (RSS, from /proc/self/status) is its own: ``take`` reads shuffled batches of 64 samples
(``SpikeDataset.take``), ``batches`` also bins them (``iterate_batches``, dt 10 ms, 1 s, pool 5). Printed: the
file size, the RSS after opening, the RSS after each epoch and the peak, and the growth (peak - after opening).
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BATCH = 64


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reader(path: str, mode: str, epochs: int) -> dict:
    from snnlib.data import batch_order, iterate_batches, open_dataset

    with open_dataset(path) as ds:
        opened = rss_mb()
        after = []
        for epoch in range(epochs):
            if mode == "take":
                for positions in batch_order(len(ds), BATCH, shuffle=True, seed=(0, epoch)):
                    ds.take(positions)
            else:
                for _ in iterate_batches(ds, BATCH, dt=0.01, max_time=1.0, pool=5, shuffle=True, seed=(0, epoch)):
                    pass
            after.append(rss_mb())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"opened": opened, "after": after, "peak": peak}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, nargs="+", default=[1000, 3000])
    parser.add_argument("--spikes", type=int, default=5000, help="spikes per sample")
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--child", nargs=3, metavar=("FILE", "MODE", "EPOCHS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(reader(args.child[0], args.child[1], int(args.child[2]))))
        return

    sys.path.insert(0, str(ROOT))
    from snnlib.data import write_dataset

    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    print(f"| samples | file (MB) | reader | RSS after open (MB) | RSS after each epoch (MB) | peak (MB) | growth (MB) |")
    print("|---:|---:|---|---:|---|---:|---:|")
    with tempfile.TemporaryDirectory(prefix="snnlib-bench-") as folder:
        for n in args.samples:
            rng = np.random.default_rng(0)
            samples = ((np.sort(rng.uniform(0, 1, args.spikes)), rng.integers(0, 700, args.spikes)) for _ in range(n))
            path = write_dataset(Path(folder) / f"f{n}.h5", samples, np.arange(n) % 20,
                                 [f"c{i}" for i in range(20)], np.zeros(n, int))
            size = path.stat().st_size / 1e6
            for mode in ("take", "batches"):
                out = subprocess.run([sys.executable, __file__, "--child", str(path), mode, str(args.epochs)],
                                     check=True, capture_output=True, text=True, env=env)
                r = json.loads(out.stdout.strip().splitlines()[-1])
                epochs = ", ".join(f"{a:.0f}" for a in r["after"])
                print(f"| {n} | {size:.0f} | {mode} | {r['opened']:.0f} | {epochs} | {r['peak']:.0f} | "
                      f"{r['peak'] - r['opened']:.0f} |", flush=True)


if __name__ == "__main__":
    main()
