"""snnlib's fast engine side by side with a PyTorch peer: learnable delays by DCLS, trained by BPTT.

The peer is the usual way delays are learned on SHD today: a dilated convolution with learnable
spacings (DCLS, Gaussian interpolation) in front of LIF neurons, trained by backpropagation
through time with autograd, here on the CPU. Same network as snnlib's: M inputs → N LIF neurons
(one learnable delay in 0 … d_max and one weight per synapse, reset by subtraction, triangle
pseudo-derivative) → K leaky-integrator readouts, per-step softmax cross-entropy.

One training step = forward + backward (all gradients); inference = forward only. Both sides
are timed in the same run on the same random input (median of ``--repeats`` calls after a
warm-up), each side in its own process and the two alternating for ``--rounds`` rounds, and
the ratio is printed.

Requirements (benchmark only; snnlib never imports torch):
``pip install torch==2.13.0 dcls`` (the DCLS package installs the module ``DCLS``). Without the
``DCLS`` module, or with ``--impl mini``, a minimal DCLS-style layer written here is used: each
synapse's kernel over the d_max + 1 taps is its weight times a normalised Gaussian centred on
its delay, applied as one dense 1-D convolution — the same computation DCLS's ``gauss`` version
performs.

    python benchmarks/bench_peer.py                       # SHD shape, synaptic delays
    python benchmarks/bench_peer.py --repeats 9 --impl mini
    python benchmarks/bench_peer.py --threads 1     # one core each: CPU-time figures, robust to load
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)


def build_peer(M, N, K, d_max, sigma, tau_mem, tau_out, dt, impl):
    import torch
    import torch.nn.functional as F

    alpha, kappa = float(np.exp(-dt / tau_mem)), float(np.exp(-dt / tau_out))

    class TriangleSpike(torch.autograd.Function):
        """z = H(v − 1) with the pseudo-derivative γ · max(0, 1 − |v − 1|), γ = 0.3."""

        @staticmethod
        def forward(ctx, v):
            ctx.save_for_backward(v)
            return (v > 1.0).to(v.dtype)

        @staticmethod
        def backward(ctx, grad):
            (v,) = ctx.saved_tensors
            return grad * 0.3 * torch.clamp(1.0 - (v - 1.0).abs(), min=0.0)

    class MiniDcls1d(torch.nn.Module):
        """Weight × normalised Gaussian bump at a learnable position, per synapse (DCLS 'gauss')."""

        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.randn(N, M) * (3.0 / np.sqrt(M)))
            self.P = torch.nn.Parameter(torch.rand(N, M) * d_max)
            self.register_buffer("taps", torch.arange(d_max + 1, dtype=torch.float32))

        def forward(self, x):  # x (B, M, T + d_max), left-padded
            g = torch.exp(-0.5 * ((self.taps - self.P[..., None]) / sigma) ** 2)
            kernel = self.weight[..., None] * g / (g.sum(-1, keepdim=True) + 1e-7)
            # conv1d correlates: tap τ of the flipped kernel is delay d_max − τ
            return F.conv1d(x, kernel.flip(-1))

    class Peer(torch.nn.Module):
        def __init__(self):
            super().__init__()
            if impl == "dcls":
                from DCLS.construct.modules import Dcls1d

                self.delay = Dcls1d(M, N, kernel_count=1, groups=1, dilated_kernel_size=d_max + 1, bias=False,
                                    version="gauss")
                with torch.no_grad():  # fixed width σ (DCLS adds 0.27 to |SIG|), positions anywhere in 0 … d_max
                    self.delay.SIG.fill_(max(sigma - 0.27, 0.0))
                self.delay.SIG.requires_grad_(False)
            else:
                self.delay = MiniDcls1d()
            self.readout = torch.nn.Linear(N, K)

        def forward(self, x):  # x (B, T, M)
            B, T, _ = x.shape
            current = self.delay(F.pad(x.transpose(1, 2), (d_max, 0)))  # (B, N, T)
            v = torch.zeros(B, N)
            z = torch.zeros(B, N)
            y = torch.zeros(B, K)
            ys = []
            for t in range(T):
                v = alpha * v + current[:, :, t] - z.detach() * 1.0  # reset treated as a constant
                z = TriangleSpike.apply(v)
                y = kappa * y + self.readout(z)
                ys.append(y)
            return torch.stack(ys, 1)  # (B, T, K)

    return Peer()


def median_time(fn, repeats):
    """(median wall-clock seconds, median process CPU seconds) per call, after one warm-up call."""
    fn()
    wall, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    return float(np.median(wall)), float(np.median(cpu))


def measure(side: str, args) -> dict:
    """Time one side in this process: ``ours`` (snnlib) or ``peer`` (PyTorch)."""
    import snnlib
    from snnlib import fast

    config = snnlib.SNNConfig(n_in=args.M, n_hidden=args.N, n_out=args.K, delays="synaptic", d_max=args.d_max,
                              dtype="float32", seed=1)
    rng = np.random.default_rng(2)
    x = (rng.random((args.B, args.T, args.M)) < args.density).astype(np.float32)
    labels = rng.integers(0, args.K, size=args.B)
    if side == "ours":
        params = snnlib.init_params(config)
        (train, train_cpu) = median_time(lambda: fast.fast_gradients(config, params, x, labels), args.repeats)
        (infer, _) = median_time(lambda: fast.fast_forward(config, params, x), args.repeats)
        return dict(train=train, train_cpu=train_cpu, infer=infer, what=f"snnlib backend {fast.resolve_backend()}")
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    peer = build_peer(args.M, args.N, args.K, args.d_max, config.sigma, config.tau_mem, config.tau_out, config.dt,
                      args.impl)
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)

    def peer_train():
        peer.zero_grad(set_to_none=True)
        logits = peer(xt)
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, args.K), yt.repeat_interleave(args.T))
        loss.backward()

    def peer_infer():
        with torch.no_grad():
            peer(xt)

    (train, train_cpu) = median_time(peer_train, args.repeats)
    (infer, _) = median_time(peer_infer, args.repeats)
    layer = "DCLS Dcls1d (gauss)" if args.impl == "dcls" else "minimal DCLS-style layer (this file)"
    return dict(train=train, train_cpu=train_cpu, infer=infer,
                what=f"torch {torch.__version__}, {torch.get_num_threads()} threads, {layer}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--M", type=int, default=700)
    ap.add_argument("--N", type=int, default=128)
    ap.add_argument("--K", type=int, default=20)
    ap.add_argument("--T", type=int, default=100)
    ap.add_argument("--B", type=int, default=32)
    ap.add_argument("--d-max", type=int, default=25)
    ap.add_argument("--density", type=float, default=0.05)
    ap.add_argument("--repeats", type=int, default=7, help="timed calls per side and round (median)")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds of both sides (median over rounds)")
    ap.add_argument("--impl", choices=("auto", "dcls", "mini"), default="auto")
    ap.add_argument("--threads", type=int, default=0, help="threads per side (numba, OpenBLAS, torch); 0: default")
    ap.add_argument("--side", choices=("ours", "peer"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.impl == "auto":
        try:
            import DCLS  # noqa: F401

            args.impl = "dcls"
        except ImportError:
            args.impl = "mini"
    if args.side:  # a worker: one side, in its own process (no thread pools shared between libraries)
        print(json.dumps(measure(args.side, args)))
        return 0

    def run(side):
        cmd = [sys.executable, os.path.abspath(__file__), "--side", side] + [
            f"--{k.replace('_', '-')}={v}" for k, v in vars(args).items() if k not in ("side", "rounds")]
        env = dict(os.environ)
        if args.threads:
            for name in ("NUMBA_NUM_THREADS", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
                env[name] = str(args.threads)
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
        if proc.returncode != 0:
            raise RuntimeError(f"{side} failed:\n{proc.stderr}")
        return json.loads(proc.stdout.strip().splitlines()[-1])

    print(f"# M={args.M} N={args.N} K={args.K} T={args.T} B={args.B} d_max={args.d_max} density={args.density:g} "
          f"float32, synaptic delays; median of {args.repeats} calls, median over {args.rounds} alternating rounds")
    print(f"# load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    results = {"ours": [], "peer": []}
    for _ in range(args.rounds):
        for side in ("ours", "peer"):
            results[side].append(run(side))
    B = args.B
    names = {"ours": "snnlib fast (three-factor)", "peer": "PyTorch + DCLS, BPTT"}
    med = {side: {key: float(np.median([r[key] for r in rs])) for key in ("train", "train_cpu", "infer")}
           for side, rs in results.items()}
    print(f"\n{'engine':<28} {'train/s':>8} {'ms/batch':>9} {'cpu ms':>7} {'infer/s':>8}  details")
    for side in ("ours", "peer"):
        m = med[side]
        print(f"{names[side]:<28} {B / m['train']:>8.0f} {1e3 * m['train']:>9.1f} {1e3 * m['train_cpu']:>7.0f} "
              f"{B / m['infer']:>8.0f}  {results[side][0]['what']}")
    print(f"\nratio snnlib / peer (wall clock): training {med['peer']['train'] / med['ours']['train']:.2f}x, "
          f"inference {med['peer']['infer'] / med['ours']['infer']:.2f}x; "
          f"training by CPU time {med['peer']['train_cpu'] / med['ours']['train_cpu']:.2f}x")
    print(f"# load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
