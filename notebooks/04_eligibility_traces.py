# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 04 · Eligibility traces: gradients online, with three factors
#
# Backpropagation through time (BPTT) computes exact gradients by storing the whole forward pass
# and running backwards through it. A brain — or a chip learning on the fly — cannot do that. The
# **three-factor** rule instead keeps, at every synapse, a running *eligibility trace* of what the
# synapse could have contributed, and multiplies it by a *learning signal* broadcast from the
# output at every step. This notebook steps one neuron through time to watch the factors at work,
# checks that for a feedforward network the result **equals** BPTT, and measures the price of
# online learning in memory and, for recurrent networks, in accuracy of the gradient.
#
# **You will learn**
# - the three factors — presynaptic trace, postsynaptic pseudo-derivative, learning signal — for
#   weights and for delays;
# - how `snnlib.OnlineLearner` advances them tick by tick, with the delay traces lagging behind;
# - that online gradients equal BPTT for a feedforward network (to machine precision);
# - what traces cost in memory, and how good the approximation is with recurrent connections.
#
# **Prerequisites:** notebooks 01–03; the chain rule; what a softmax and a cross-entropy are.
#
# **Estimated time:** 40 minutes.

# %%
# %matplotlib inline
import numpy as np

import snnlib
from snnlib import course, plots, widgets

# %% [markdown]
# ## 1. The three factors
#
# With the network of MODEL.md (§3–6) — input $x$, delayed input $\tilde x[j,i,t] = x[i, t - d_{ji}]$,
# LIF neurons $v, z$, leaky readout $y$ with softmax $\pi$ and per-step cross-entropy over the loss
# window $\mathcal W$ — the gradient of the loss with respect to an input weight is approximated by
# a sum over time of three factors:
#
# 1. **Presynaptic trace**, the delayed input low-pass filtered by the membrane:
#    $\varepsilon[j,i,t] = \alpha\,\varepsilon[j,i,t-1] + \tilde x[j,i,t]$.
# 2. **Postsynaptic factor**, the pseudo-derivative of the spike (the Heaviside has none):
#    $\psi[j,t] = \frac{\gamma}{\vartheta}\max\!\big(0,\, 1 - \frac{|v[j,t] - \vartheta|}{\vartheta}\big)$, $\gamma = 0.3$.
# 3. **Learning signal**, the readout error fed back through weights $B$ (B = $W_\text{out}$, or fixed random):
#    $L[j,t] = \sum_k B[k,j]\,\big(\pi[k,t] - \mathbb 1[k = c]\big) / |\mathcal W|$ for $t \in \mathcal W$.
#
# The product of the first two is filtered once more by the readout's decay $\kappa$, giving the
# **eligibility trace**, and the gradient accumulates as
#
# $$ \bar e[j,i,t] = \kappa\, \bar e[j,i,t-1] + \psi[j,t]\,\varepsilon[j,i,t], \qquad
#    \frac{\partial E}{\partial W_\text{in}[j,i]} \approx \sum_t L[j,t]\, \bar e[j,i,t] . $$
#
# The **delay traces** mirror them, with the surrogate derivative of notebook 03 in place of $\tilde x$:
#
# $$ \varepsilon_D[j,i,t] = \alpha\,\varepsilon_D[j,i,t-1] + W_\text{in}[j,i]\,\frac{\partial \tilde x[j,i,t]}{\partial D[j,i]}, \qquad
#    \bar e_D = \kappa\,\bar e_D + \psi\,\varepsilon_D, \qquad
#    \frac{\partial E}{\partial D[j,i]} \approx \sum_t L[j,t]\,\bar e_D[j,i,t] . $$
#
# Everything a synapse needs is local (its own input, its neuron's potential) except $L$, one number
# per neuron and step, broadcast from the output.
#
# ## 2. One synapse, tick by tick
#
# A small network: 4 inputs, 2 hidden neurons, 2 classes, steps of 10 ms, synaptic delays up to 6
# steps, $\sigma = 1$ (so the delay traces lag $w = 3$ steps). We set the weights and delays by hand
# so that input 0 (delay 3) meets input 1 at neuron 0 twice.

# %%
config = snnlib.SNNConfig(n_in=4, n_hidden=2, n_out=2, delays="synaptic", d_max=6, sigma=1.0, dtype="float64", seed=3)
params = snnlib.init_params(config)
params["W_in"] = np.array([[0.7, 0.5, 0.2, 0.1],
                           [0.2, 0.3, 0.6, 0.6]])
params["D_in"] = np.array([[3.4, 0.2, 1.0, 2.0],
                           [0.0, 1.0, 4.0, 0.0]])
T = 40
x = np.zeros((1, T, 4))
x[0, [5, 15], 0] = 1.0          # input 0: steps 5 and 15 (arrive at 8 and 18 at neuron 0)
x[0, [8, 18], 1] = 1.0          # input 1: steps 8 and 18
x[0, [12, 25], 2] = 1.0
x[0, [20, 30], 3] = 1.0
labels = np.array([1])

# %% [markdown]
# This is all an online learner does — one call per step, then `finish()` to flush the lagged delay
# traces. Without an optimiser it only accumulates the gradient; with one it would also update the
# parameters every `update_every` steps (notebook 05).

# %%
learner = snnlib.OnlineLearner(config, params)
learner.begin(labels, n_steps=T)
for t in range(T):
    out = learner.step(x[:, t])          # forward one tick, update the traces, accumulate L·ē
    if out.z[0, 0]:
        print(f"step {t:2d}: neuron 0 fires; ∂E/∂W_in[0,0] accumulated so far = {learner.grads['W_in'][0, 0]:+.5f}")
loss, grads = learner.finish()
print(f"loss {loss:.4f};  ∂E/∂W_in[0,0] = {grads['W_in'][0, 0]:+.5f},  ∂E/∂D_in[0,0] = {grads['D_in'][0, 0]:+.5f}")

# %% [markdown]
# `course.record_synapse` runs the same loop and records every factor of one synapse ($0 \to 0$) at
# every step (it reads the learner's trace arrays). The factors multiply and sum exactly as the
# equations say — check it:

# %%
record = course.record_synapse(snnlib.OnlineLearner(config, params), x, labels, j=0, i=0)
reconstructed = np.sum(record["L"] * record["ebar"])
print(f"Σ_t L·ē = {reconstructed:+.6f}   learner: {record['grads']['W_in'][0, 0]:+.6f}")
assert np.isclose(reconstructed, record["grads"]["W_in"][0, 0], rtol=1e-12, atol=0)
lagged = np.isnan(record["eps_D"])
print(f"delay traces recorded up to step {np.nonzero(~lagged)[0].max()} while the forward pass ran to step {T - 1}:",
      f"they lag w = {record['lag']} steps; finish() computed the rest")
assert lagged.sum() == record["lag"]

# %% [markdown]
# ### Watch the factors
#
# Move the time slider. From top to bottom: the delayed input $\tilde x$ of synapse $0 \to 0$, the
# membrane and $\psi$ (×10), the weight traces, the delay traces (drawn $w$ steps behind the others),
# the learning signal, and the gradient accumulated so far. Note how $\bar e$ only grows when $\psi$
# is non-zero — when the neuron is near threshold — and how the gradient only moves when $L \ne 0$.

# %% tags=["nbval-ignore-output"]
widgets.trace_explorer(record, t=20);

# %% [markdown]
# ## 3. Online equals BPTT for a feedforward network
#
# For a network without recurrent connections, with the same $\psi$, the reset treated as a constant
# and the same Gaussian derivative, the three-factor rule is not an approximation: it reorders the
# sums of BPTT, nothing more (MODEL.md §7). The gradients must agree to rounding error, for every
# parameter and every kind of delay. We compare in double precision on random networks and inputs.

# %%
errors = {}
for kind in ("none", "fixed", "synaptic", "axonal"):
    cfg = snnlib.SNNConfig(n_in=12, n_hidden=10, n_out=3, delays=kind, d_max=6, sigma=1.0,
                           weight_scale=6.0, dtype="float64", seed=7)
    p = snnlib.init_params(cfg)
    rng = np.random.default_rng(11)
    xb = (rng.random((4, 40, 12)) < 0.15).astype(float)
    yb = rng.integers(0, 3, size=4)
    loss_online, g_online = snnlib.online_gradients(cfg, p, xb, yb, engine="stepwise")
    loss_bptt, g_bptt = snnlib.bptt_gradients(cfg, p, xb, yb)
    assert abs(loss_online - loss_bptt) < 1e-12
    for key in g_bptt:
        scale = np.linalg.norm(g_bptt[key])
        errors[(kind, key)] = np.linalg.norm(g_online[key] - g_bptt[key]) / scale if scale > 0 else 0.0
    if kind == "synaptic":
        synaptic_online, synaptic_bptt = g_online, g_bptt
for (kind, key), error in errors.items():
    print(f"{kind:>8} {key:>6}: relative error {error:.1e}")
assert max(errors.values()) < 1e-10

# %% tags=["nbval-ignore-output"]
plots.plot_gradient_agreement(synaptic_online, synaptic_bptt, title="synaptic delays: every gradient entry")

# %% [markdown]
# ## 4. What the traces cost
#
# BPTT must store the forward pass — potentials, spikes, readout, for all $T$ steps — before it can
# go backwards: memory grows with the length of the sequence. The online learner stores its traces
# (a few numbers per synapse) and its ring buffers ($d_\text{max} + 2w + 1$ steps per input), and
# nothing that grows with $T$. We measure both with the actual arrays: the learner's trace arrays
# after `begin()`, and the arrays of the forward pass that BPTT keeps.

# %%
cfg = snnlib.SNNConfig(n_in=40, n_hidden=32, n_out=5, delays="synaptic", d_max=10, dtype="float64", seed=0)
p = snnlib.init_params(cfg)
lengths = [25, 50, 100, 200, 400]
online_bytes, bptt_bytes = [], []
for n_steps in lengths:
    learner = snnlib.OnlineLearner(cfg, p)
    learner.begin(np.array([0]), n_steps=n_steps)
    tr = learner.traces["in"]
    traces = sum(a.nbytes for a in (tr.eps, tr.ebar, tr.eps_D, tr.ebar_D))
    online_bytes.append(traces + learner.net.in_ring.buffer.nbytes)
    xs = np.zeros((1, n_steps, cfg.n_in))
    fwd = snnlib.forward(cfg, p, xs)
    bptt_bytes.append(xs.nbytes + sum(a.nbytes for a in (fwd.v, fwd.z, fwd.y, fwd.probs, fwd.current_in)))
for n_steps, a, b in zip(lengths, online_bytes, bptt_bytes):
    print(f"T = {n_steps:4d}: online {a / 1e3:7.1f} kB   BPTT {b / 1e3:7.1f} kB")
assert len(set(online_bytes)) == 1           # independent of T
assert bptt_bytes[-1] > 10 * bptt_bytes[0]   # grows with T

# %% tags=["nbval-ignore-output"]
plots.plot_memory_scaling(lengths, {"online: traces + ring buffer": online_bytes,
                                    "BPTT: stored forward pass": bptt_bytes},
                          title="memory per sample (float64, M = 40, N = 32, synaptic delays)")

# %% [markdown]
# The flip side: the traces are **per synapse**, $O(N \cdot M)$ numbers, while the stored forward pass
# is per *neuron*, $O(T \cdot (N + M))$. Online learning wins for long sequences and small layers, and
# it is the only option when the sequence never ends.
#
# ## Exercise 4 · Count the traces
#
# Which trace arrays exist depends on the kind of delay. Per sample, the learner keeps
# - $\varepsilon$: one per connection $(N \cdot M)$ when delays are per synapse (`synaptic`, `fixed`);
#   otherwise $\tilde x$ is the same for every target, so one per input $(M)$;
# - $\bar e$: one per connection, always;
# - $\varepsilon_D$ and $\bar e_D$: one per connection each, but only when delays are learned
#   (`synaptic` or `axonal`).
#
# Write `trace_count(n_hidden, n_in, delays)` returning the number of trace values per sample.

# %% tags=["raises-exception"]
def trace_count(n_hidden, n_in, delays):
    """Eligibility-trace values per sample for an input layer with delays none|fixed|synaptic|axonal."""
    # your code here
    raise NotImplementedError("Exercise 4: count the trace values")


trace_count(32, 40, "synaptic")

# %% tags=["solution"]
def trace_count(n_hidden, n_in, delays):
    """Eligibility-trace values per sample for an input layer with delays none|fixed|synaptic|axonal."""
    per_synapse = n_hidden * n_in
    eps = per_synapse if delays in ("synaptic", "fixed") else n_in
    delay_traces = 2 * per_synapse if delays in ("synaptic", "axonal") else 0
    return eps + per_synapse + delay_traces


trace_count(32, 40, "synaptic")

# %% [markdown]
# The check counts the values of the learner's own trace arrays:

# %% tags=["exercise-check"]
for kind in ("none", "fixed", "synaptic", "axonal"):
    cfg = snnlib.SNNConfig(n_in=9, n_hidden=5, n_out=2, delays=kind, d_max=4)
    learner = snnlib.OnlineLearner(cfg, snnlib.init_params(cfg))
    learner.begin(np.array([0]), n_steps=10)
    tr = learner.traces["in"]
    arrays = [tr.eps, tr.ebar] + ([tr.eps_D, tr.ebar_D] if tr.learns_delay else [])
    assert trace_count(5, 9, kind) == sum(a.size for a in arrays), kind
print("Exercise 4: correct")

# %% [markdown]
# ## 5. Recurrent networks: an approximation, measured
#
# With recurrent weights, a neuron's spike also changes *other* neurons' potentials later on. The
# traces above only follow each synapse's own neuron; they ignore the paths through other hidden
# neurons (the approximation of e-prop). BPTT follows every path. How close is the online gradient?
# We report the cosine similarity to BPTT, per parameter, over several random networks.

# %%
def cosine(a, b):
    return float(np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b)))


similarity = {}
n_seeds = course.sized(full=8, fast=3)
for seed in range(n_seeds):
    cfg = snnlib.SNNConfig(n_in=12, n_hidden=10, n_out=3, delays="synaptic", recurrent=True, rec_delays="synaptic",
                           d_max=6, sigma=1.0, weight_scale=6.0, dtype="float64", seed=seed)
    p = snnlib.init_params(cfg)
    rng = np.random.default_rng(100 + seed)
    xb = (rng.random((4, 40, 12)) < 0.15).astype(float)
    yb = rng.integers(0, 3, size=4)
    _, g_online = snnlib.online_gradients(cfg, p, xb, yb, engine="stepwise")
    _, g_bptt = snnlib.bptt_gradients(cfg, p, xb, yb)
    for key in g_bptt:
        similarity.setdefault(key, []).append(cosine(g_online[key], g_bptt[key]))
median = {key: float(np.median(values)) for key, values in similarity.items()}
for key, values in similarity.items():
    print(f"{key:>6}: cosine similarity min {min(values):.3f}, median {median[key]:.3f}")
assert median["W_out"] > 1 - 1e-12 and median["b_out"] > 1 - 1e-12   # the readout gradient is exact
assert min(min(v) for v in similarity.values()) > 0.9                 # close, but not exact

# %% tags=["nbval-ignore-output"]
plots.plot_similarity(median, title=f"recurrent network: online vs BPTT (median of {n_seeds} networks)")

# %% [markdown]
# The readout gradients are exact (nothing recurrent lies between them and the loss). The hidden
# parameters lose a little — the directions still agree closely, which is what gradient descent needs.
# The approximation gets worse as recurrent weights grow and more of the credit flows through other
# neurons (try `p["W_rec"] *= 3` above).
#
# ## Summary
#
# - Each synapse keeps an eligibility trace: its filtered input $\varepsilon$, gated by the neuron's
#   $\psi$ and filtered again, $\bar e$; delays keep the same pair with $W\,\partial\tilde x/\partial D$.
#   The gradient is $\sum_t L\,\bar e$ with the broadcast learning signal $L$.
# - The delay traces lag $w$ steps behind, because the surrogate kernel looks ahead.
# - For feedforward networks the online gradient **equals** BPTT; with recurrence it is a close
#   approximation (cosine similarity above 0.9 here).
# - Online memory does not grow with the sequence; it grows with the number of synapses.
#
# **Next:** [05 · Three-factor learning](05_three_factor_learning.py) — training a network with these
# gradients, delays included, and watching it learn.
