"""How close is the online (e-prop style) gradient to BPTT in recurrent networks?

Prints, per parameter, the cosine similarity between the online rule's gradient and the BPTT
gradient over many random networks and inputs (min / median / max), and the feedforward
relative error for comparison. Usage: ``python benchmarks/recurrent_approximation.py [--seeds 20]``.
"""
import argparse

import numpy as np

import snnlib


def cosine(a, b):
    return float((a * b).sum() / (np.linalg.norm(a) * np.linalg.norm(b)))


def case(delays, recurrent, rec_delays, seed, B=4, T=40, M=12, N=10, K=3):
    c = snnlib.SNNConfig(n_in=M, n_hidden=N, n_out=K, delays=delays, recurrent=recurrent, rec_delays=rec_delays,
                         d_max=6, sigma=1.0, dtype="float64", weight_scale=6.0, seed=seed)
    p = snnlib.init_params(c)
    rng = np.random.default_rng(seed + 100)
    x = (rng.random((B, T, M)) < 0.15).astype(float)
    return c, p, x, rng.integers(0, K, size=B)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    print("feedforward: max relative error |online − BPTT| / max|BPTT| (float64)")
    for delays in ("none", "synaptic", "axonal"):
        worst = {}
        for seed in range(args.seeds):
            c, p, x, y = case(delays, False, "none", seed)
            _, g_on = snnlib.online_gradients(c, p, x, y)
            _, g_bp = snnlib.bptt_gradients(c, p, x, y)
            for k in p:
                e = np.abs(g_on[k] - g_bp[k]).max() / np.abs(g_bp[k]).max()
                worst[k] = max(worst.get(k, 0.0), e)
        print(f"  delays={delays:9s} " + "  ".join(f"{k} {v:.1e}" for k, v in worst.items()))
    print("\nrecurrent: cosine similarity online vs BPTT, min / median / max over seeds")
    for delays, rec_delays in (("synaptic", "none"), ("synaptic", "synaptic"), ("axonal", "axonal"),
                               ("none", "synaptic")):
        sims: dict[str, list[float]] = {}
        for seed in range(args.seeds):
            c, p, x, y = case(delays, True, rec_delays, seed)
            _, g_on = snnlib.online_gradients(c, p, x, y, engine="fast")
            _, g_bp = snnlib.bptt_gradients(c, p, x, y)
            for k in p:
                sims.setdefault(k, []).append(cosine(g_on[k], g_bp[k]))
        print(f"  delays={delays}, rec_delays={rec_delays}")
        for k, v in sims.items():
            print(f"    {k:6s} {np.min(v):.3f} / {np.median(v):.3f} / {np.max(v):.3f}")


if __name__ == "__main__":
    main()
