"""Throughput and memory of the batched engine on SHD-shaped synthetic input (prints tables).

Training = forward pass + all three-factor gradients (``snnlib.fast.fast_gradients``), inference =
forward pass only (``snnlib.fast.fast_forward``), both in samples per second: the batch size over
the median wall-clock time of ``--repeats`` calls after one warm-up call (which also compiles the
numba kernels, or loads them from numba's on-disk cache). Every configuration runs in a fresh
subprocess, so its peak resident memory (``ru_maxrss``, the whole Python process) is its own;
``alloc`` is the peak of NumPy allocations during one training call (tracemalloc; memory that
numba's kernels allocate internally is not counted there, but is in ``peak RSS``).

The default workload mirrors SHD: 700 inputs (140 when pooled), 128 hidden neurons, 20 classes,
T = 100 steps of 10 ms, d_max = 25, batch 32, 5 % input density (Bernoulli spikes), float32.

    python benchmarks/bench_engine.py                 # main table + scaling sweeps
    python benchmarks/bench_engine.py --quick         # fewer points and repeats
    python benchmarks/bench_engine.py --backend both  # NumPy and numba side by side
    python benchmarks/bench_engine.py --no-sweeps --backend numba --repeats 9

The machine is shared by whatever else runs on it: the load average before and after is printed
so that a disturbed run can be recognised. Not a test; nothing is asserted.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHD = dict(M=700, N=128, K=20, T=100, d_max=25, B=32, density=0.05, delays="synaptic", recurrent=False,
           dtype="float32")


# ----------------------------------------------------------------------------- one configuration
def worker(spec: dict) -> dict:
    """Run in a subprocess: time training and inference for one configuration."""
    import resource
    import tracemalloc

    import numpy as np

    sys.path.insert(0, ROOT)
    import snnlib
    from snnlib import fast

    backend = fast.resolve_backend(spec["backend"])
    rec = spec["recurrent"]
    config = snnlib.SNNConfig(n_in=spec["M"], n_hidden=spec["N"], n_out=spec["K"], delays=spec["delays"],
                              recurrent=rec, rec_delays=spec["delays"] if rec and spec["delays"] != "fixed" else "none",
                              d_max=spec["d_max"], dtype=spec["dtype"], seed=1)
    params = snnlib.init_params(config)
    rng = np.random.default_rng(2)
    x = (rng.random((spec["B"], spec["T"], spec["M"])) < spec["density"]).astype(config.np_dtype)
    labels = rng.integers(0, spec["K"], size=spec["B"])

    def timed(fn):
        fn()  # warm-up (and compilation)
        wall, cpu = [], []
        for _ in range(spec["repeats"]):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        return float(np.median(wall)), float(np.min(wall)), float(np.median(cpu))

    train, train_best, train_cpu = timed(lambda: fast.fast_gradients(config, params, x, labels, backend=backend))
    infer, infer_best, infer_cpu = timed(lambda: fast.fast_forward(config, params, x, backend=backend))
    tracemalloc.start()
    fast.fast_gradients(config, params, x, labels, backend=backend)
    alloc = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return dict(spec, backend=backend, train_s=train, train_best_s=train_best, train_cpu_s=train_cpu, infer_s=infer,
                infer_best_s=infer_best, infer_cpu_s=infer_cpu, alloc_mib=alloc / 2**20, rss_mib=rss_kib / 1024,
                spikes=int((x != 0).sum()), hidden_rate=float(snnlib.forward(config, params, x).z.mean()))


THREADS: int | None = None  # set by --threads: the thread count of every worker


def run(spec: dict) -> dict:
    """One configuration in a fresh interpreter (its own peak memory)."""
    env = dict(os.environ)
    if THREADS:
        for name in ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[name] = str(THREADS)
    proc = subprocess.run([sys.executable, os.path.abspath(__file__), "--worker", json.dumps(spec)],
                          capture_output=True, text=True, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"worker failed for {spec}:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------------------- tables
def describe(r: dict) -> str:
    kind = r["delays"] + (" +rec" if r["recurrent"] else "")
    return f"{kind:<14} M={r['M']:<4}"


def table_header(title: str, head: str) -> None:
    print(f"\n## {title}\n")
    print(head)
    print("-" * len(head))


def main_table(backends, repeats):
    table_header("Training and inference, SHD-shaped input (N=128, K=20, T=100, d_max=25, B=32, 5 % density, "
                 "float32)",
                 f"{'configuration':<21} {'backend':<7} {'train/s':>8} {'ms/batch':>9} {'cpu ms':>7} {'infer/s':>8} "
                 f"{'inf/train':>9} {'peak RSS':>9} {'alloc':>7}")
    rows = []
    for M in (700, 140):
        for delays in ("none", "synaptic", "axonal"):
            for recurrent in (False, True):
                for backend in backends:
                    r = run(dict(SHD, M=M, delays=delays, recurrent=recurrent, backend=backend, repeats=repeats))
                    rows.append(r)
                    B = r["B"]
                    print(f"{describe(r):<21} {r['backend']:<7} {B / r['train_s']:>8.0f} {1e3 * r['train_s']:>9.1f} "
                          f"{1e3 * r['train_cpu_s']:>7.0f} {B / r['infer_s']:>8.0f} "
                          f"{r['train_s'] / r['infer_s']:>9.1f} "
                          f"{r['rss_mib']:>6.0f} MiB {r['alloc_mib']:>4.0f} MiB", flush=True)
    return rows


SWEEPS = {
    "N": (64, 128, 256),
    "M": (140, 350, 700, 1400),
    "T": (50, 100, 200),
    "d_max": (5, 10, 25, 50),
    "B": (8, 16, 32, 64),
    "density": (0.01, 0.02, 0.05, 0.1, 0.2),
}


def sweeps(backend, repeats, quick):
    table_header(f"Scaling: synaptic delays, feedforward, backend={backend}; one factor varied from the SHD point",
                 f"{'vary':<8} {'value':>7} {'spikes':>8} {'train ms':>9} {'cpu ms':>7} {'train/s':>8} "
                 f"{'infer ms':>9} {'infer/s':>8}")
    rows = []
    for name, values in SWEEPS.items():
        if quick:
            values = (values[0], values[-1])
        for value in values:
            r = run(dict(SHD, **{name: value}, backend=backend, repeats=repeats))
            rows.append(r)
            print(f"{name:<8} {value:>7} {r['spikes']:>8} {1e3 * r['train_s']:>9.1f} {1e3 * r['train_cpu_s']:>7.0f} "
                  f"{r['B'] / r['train_s']:>8.0f} "
                  f"{1e3 * r['infer_s']:>9.1f} {r['B'] / r['infer_s']:>8.0f}", flush=True)
    return rows


def machine() -> str:
    import numpy as np

    parts = [f"python {platform.python_version()}", f"numpy {np.__version__}", f"{os.cpu_count()} CPUs"]
    try:
        import numba

        parts.append(f"numba {numba.__version__} ({numba.config.NUMBA_NUM_THREADS} threads)")
    except ImportError:
        parts.append("numba not installed")
    return ", ".join(parts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="fewer sweep points and 3 repeats")
    ap.add_argument("--backend", default="auto", choices=("auto", "numpy", "numba", "both"))
    ap.add_argument("--repeats", type=int, default=None, help="timed calls per configuration (median)")
    ap.add_argument("--no-sweeps", action="store_true", help="only the main table")
    ap.add_argument("--no-table", action="store_true", help="only the scaling sweeps")
    ap.add_argument("--threads", type=int, help="threads per worker (numba, OpenBLAS); default: all cores")
    ap.add_argument("--json", help="also write every measured row to this file")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(json.loads(args.worker))))
        return 0
    global THREADS
    THREADS = args.threads
    repeats = args.repeats or (3 if args.quick else 7)
    backends = ["numpy", "numba"] if args.backend == "both" else [args.backend]
    print(f"# snnlib fast engine benchmark — {machine()}")
    print(f"# load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}; median of {repeats} calls; "
          f"threads per worker: {THREADS or 'default'}")
    print("# train/s, infer/s: samples per second (wall clock); cpu ms: process CPU time per training batch")
    rows = []
    if not args.no_table:
        rows += main_table(backends, repeats)
    if not args.no_sweeps:
        rows += sweeps("numba" if args.backend == "both" else args.backend, repeats, args.quick)
    print(f"\n# load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(rows, fh, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
