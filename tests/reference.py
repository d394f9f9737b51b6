"""An independent, deliberately naive implementation of MODEL.md for tests.

Explicit loops over samples, steps and synapses, written straight from the equations and
sharing no code with snnlib: the forward pass, BPTT with the reset treated as constant, and the
Gaussian delay derivative summed spike by spike. Slow; for tiny networks only.
"""
import math

import numpy as np


def gaussian_delay_derivative(train, D, sigma, t):
    """∂/∂D of the Gaussian-smoothed train delayed by D, at step t: Σ_f (u/σ²) e^{−u²/2σ²}, |u| ≤ w."""
    w = math.ceil(3 * sigma)
    total = 0.0
    for t_f, count in enumerate(train):
        u = t - D - t_f
        if count and abs(u) <= w:
            total += count * (u / sigma**2) * math.exp(-u * u / (2 * sigma**2))
    return total


def psi_triangle(v, theta, gamma):
    return (gamma / theta) * max(0.0, 1.0 - abs(v - theta) / theta)


def naive_bptt(c, p, x, labels, mask=None):
    """Loss and gradients (batch means) of the model in ``c`` by explicit loops.

    ``mask``: the (N, M) 0/1 input mask, or None for a dense layer.
    """
    B, T, M = x.shape
    N, K = c.n_hidden, c.n_out
    alpha, kappa = math.exp(-c.dt / c.tau_mem), math.exp(-c.dt / c.tau_out)
    theta = c.threshold
    mask = np.ones((N, M)) if mask is None else mask
    W = p["W_in"] * mask

    def idelay(D):
        return min(max(int(math.floor(D + 0.5)), 0), c.d_max)

    def d_in(j, i):
        if c.delays == "none":
            return 0
        D = p["D_in"][i] if c.delays == "axonal" else p["D_in"][j, i]
        return idelay(D)

    def d_rec(j, k):
        if c.rec_delays == "none":
            return 0
        D = p["D_rec"][k] if c.rec_delays == "axonal" else p["D_rec"][j, k]
        return idelay(D)

    window = [t >= c.loss_start for t in range(T)]
    n_win = sum(window)
    grads = {key: np.zeros_like(val, dtype=float) for key, val in p.items()}
    loss = 0.0
    for b in range(B):
        v = np.zeros((T, N)); z = np.zeros((T, N)); y = np.zeros((T, K))
        for t in range(T):
            for j in range(N):
                current = 0.0
                for i in range(M):
                    s = t - d_in(j, i)
                    if s >= 0:
                        current += W[j, i] * x[b, s, i]
                if c.recurrent:
                    for k in range(N):
                        s = t - 1 - d_rec(j, k)
                        if s >= 0:
                            current += p["W_rec"][j, k] * z[s, k]
                prev_v = v[t - 1, j] if t else 0.0
                prev_z = z[t - 1, j] if t else 0.0
                v[t, j] = alpha * prev_v + current - theta * prev_z
                z[t, j] = 1.0 if v[t, j] > theta else 0.0
            for k in range(K):
                y[t, k] = (kappa * y[t - 1, k] if t else 0.0) + p["W_out"][k] @ z[t] + p["b_out"][k]
        # loss and dE/dy
        gy = np.zeros((T, K))
        for t in range(T):
            if window[t]:
                e = np.exp(y[t] - y[t].max())
                pi = e / e.sum()
                loss += -math.log(pi[labels[b]]) / n_win / B
                gy[t] = pi
                gy[t, labels[b]] -= 1
                gy[t] /= n_win * B
        dy = np.zeros((T, K))
        for t in reversed(range(T)):
            dy[t] = gy[t] + (kappa * dy[t + 1] if t + 1 < T else 0.0)
        dv = np.zeros((T, N))
        for t in reversed(range(T)):
            for k in range(N):
                dz = p["W_out"][:, k] @ dy[t]
                if c.recurrent:
                    for j in range(N):
                        s = t + 1 + d_rec(j, k)
                        if s < T:
                            dz += p["W_rec"][j, k] * dv[s, j]
                dv[t, k] = psi_triangle(v[t, k], theta, c.gamma) * dz + (alpha * dv[t + 1, k] if t + 1 < T else 0.0)
        # parameter gradients
        for t in range(T):
            grads["W_out"] += np.outer(dy[t], z[t])
            grads["b_out"] += dy[t]
            for j in range(N):
                for i in range(M):
                    s = t - d_in(j, i)
                    if s >= 0:
                        grads["W_in"][j, i] += dv[t, j] * x[b, s, i] * mask[j, i]
                    if c.delays in ("synaptic", "axonal"):
                        D = p["D_in"][i] if c.delays == "axonal" else p["D_in"][j, i]
                        g = dv[t, j] * W[j, i] * gaussian_delay_derivative(x[b, :, i], D, c.sigma, t)
                        if c.delays == "axonal":
                            grads["D_in"][i] += g
                        else:
                            grads["D_in"][j, i] += g
                if c.recurrent:
                    for k in range(N):
                        r = np.zeros(T)
                        r[1:] = z[:-1, k]  # the recurrent source: z[k] one step later
                        s = t - d_rec(j, k)
                        if s >= 0:
                            grads["W_rec"][j, k] += dv[t, j] * r[s]
                        if c.rec_delays in ("synaptic", "axonal"):
                            D = p["D_rec"][k] if c.rec_delays == "axonal" else p["D_rec"][j, k]
                            g = dv[t, j] * p["W_rec"][j, k] * gaussian_delay_derivative(r, D, c.sigma, t)
                            if c.rec_delays == "axonal":
                                grads["D_rec"][k] += g
                            else:
                                grads["D_rec"][j, k] += g
    return loss, grads, (v, z, y)
