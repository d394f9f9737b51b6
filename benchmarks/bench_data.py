"""Time and memory of the data layer on an SHD-sized file (a script that prints figures; not a test).

    python benchmarks/bench_data.py                  # 8156 samples, ~9000 spikes each, in a temporary folder
    python benchmarks/bench_data.py --samples 1000   # quicker

The file is generated with ``make_shd_like`` (700 channels, 20 classes): SHD's training-file size (8156 samples) and
about 9000 spikes per sample, the order of magnitude of the real recordings (8-10 k spikes over 0.7-1 s; the
figure used is printed). Each measurement runs in a fresh Python process, so its peak resident memory (RSS) is its
own; the "open only" row is the baseline of the interpreter, NumPy and h5py.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DT, MAX_TIME = 0.01, 1.0


def measure(step: str, path: Path) -> dict:
    """Run one step in a child process; return its wall time (s) and peak RSS (MB)."""
    out = subprocess.run([sys.executable, __file__, "--step", step, "--file", str(path)], check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_step(step: str, path: Path) -> dict:
    from snnlib.data import bin_sample, iterate_batches, open_dataset

    spikes = None
    start = time.perf_counter()
    with open_dataset(path) as ds:
        n = len(ds)
        if step == "open":
            pass
        elif step == "lazy":
            spikes = sum(len(ds[i][0]) for i in range(n))
        elif step in ("dense", "dense-pool5"):
            pool = 5 if step == "dense-pool5" else 1
            x = np.zeros((n, round(MAX_TIME / DT), ds.n_channels // pool), dtype=np.float32)
            for i in range(n):
                times, units, _ = ds[i]
                x[i] = bin_sample(times, units, ds.n_channels, DT, MAX_TIME, pool=pool)
            spikes = int(x.sum())
        elif step == "batches-pool5":
            spikes = 0
            for x, _ in iterate_batches(ds, 64, dt=DT, max_time=MAX_TIME, pool=5, shuffle=True, seed=0):
                spikes += int(x.sum())
        else:
            raise SystemExit(f"unknown step {step}")
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    return {"seconds": seconds, "peak_mb": peak_mb, "samples": n, "spikes": spikes}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=8156, help="samples in the file (SHD train: 8156)")
    parser.add_argument("--spikes", type=float, default=8500.0,
                        help="shd-like spikes_per_sample (mean spikes of a 0.6 s word; ~9000 per sample overall)")
    parser.add_argument("--dir", type=Path, default=None, help="keep the file here instead of a temporary folder")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        print(json.dumps(run_step(args.step, args.file)))
        return

    from snnlib.data import make_shd_like

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.dir or Path(tmp)
        start = time.perf_counter()
        path = make_shd_like(folder, n_train=args.samples, n_test=1, spikes_per_sample=args.spikes, seed=0)["train"]
        write_seconds = time.perf_counter() - start
        size_mb = path.stat().st_size / 1e6
        rows = [("generate + write (make_shd_like)", {"seconds": write_seconds, "peak_mb": float("nan")})]
        for label, step in (("open only (baseline)", "open"), ("lazy pass, every sample read", "lazy"),
                            ("dense (N, 100, 700) float32", "dense"), ("dense (N, 100, 140) float32, pool 5",
                                                                      "dense-pool5"),
                            ("iterate_batches, 64 per batch, pool 5", "batches-pool5")):
            rows.append((label, measure(step, path)))
        lazy = rows[2][1]
        print(f"file: {args.samples} samples, {lazy['spikes'] / args.samples:.0f} spikes per sample on average, "
              f"{size_mb:.0f} MB; dt = {DT * 1000:.0f} ms, max_time = {MAX_TIME} s")
        print("| step | time (s) | per sample (ms) | peak RSS (MB) |")
        print("|---|---:|---:|---:|")
        for label, r in rows:
            peak = "" if np.isnan(r["peak_mb"]) else f"{r['peak_mb']:.0f}"
            print(f"| {label} | {r['seconds']:.1f} | {1000 * r['seconds'] / args.samples:.2f} | {peak} |")


if __name__ == "__main__":
    main()
