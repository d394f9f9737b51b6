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
# Backpropagation through time (BPTT) computes gradients by storing the whole forward pass and
# running backwards through it. A brain — or a chip learning on the fly — cannot do that. The
# **three-factor** rule instead keeps, at every synapse, a running *eligibility trace* of what the
# synapse could have contributed, and multiplies it by a *learning signal* broadcast from the
# output at every step. This notebook steps one neuron through time to watch the factors at work,
# **derives** why the trace is filtered by the readout's decay $\kappa$ and under which conditions the
# result equals BPTT, checks it numerically, and measures the price of online learning in memory and,
# for recurrent networks, in accuracy of the gradient.
#
# **You will learn**
# - the three factors — presynaptic trace, postsynaptic pseudo-derivative, learning signal — for
#   weights and for delays;
# - how `snnlib.OnlineLearner` advances them tick by tick, with the delay traces lagging behind;
# - why the learning signal $L$ is *not* $\partial E/\partial z$, and why the trace $\bar e$ is filtered by
#   $\kappa$ (a derivation, checked by finite differences);
# - that online gradients equal BPTT of the same surrogate graph for a feedforward network — and the
#   exact conditions under which this holds;
# - what traces cost in memory, and how good e-prop's approximation is with recurrent connections.
#
# **Prerequisites:** notebooks 01–03; the chain rule; what a softmax and a cross-entropy are.
#
# **What you do here:** a time slider over the factors of one synapse (section 2); 4 exercises —
# 04.1 compute one synapse's gradient forward in time from what the synapse sees, 04.2 measure how much
# of the gradient a rule without the $\kappa$-filter misses, 04.3 count the traces a learner keeps, 04.4 a
# Think! question (when e-prop's dropped term matters). Each check prints `Exercise 04.k: correct` only when your answer agrees with an independent
# computation (BPTT, the learner's own arrays) on inputs you have not seen.
#
# **Estimated time:** 70 minutes (50 for reading, 20 for the exercises).

# %%
# %matplotlib inline
import numpy as np

import snnlib
from snnlib import course, exercises, plots, widgets

# %% [markdown]
# ## 1. The three factors
#
# With the network of [MODEL.md](../docs/MODEL.md) (§3–6) — input $x$, delayed input
# $\tilde x[j,i,t] = x[i, t - d_{ji}]$, LIF neurons $v, z$, leaky readout $y$ with softmax $\pi$ and
# per-step cross-entropy over the loss window $\mathcal W$ — the gradient of the loss with respect to an
# input weight is computed as a sum over time of three factors. (Every symbol — $\alpha$, $\kappa$,
# $\psi$, $\varepsilon$, $\bar e$, $L$, $B$, $U$, $w$ — is defined once in the
# [glossary](../docs/glossary.md).)
#
# 1. **Presynaptic trace**, the delayed input low-pass filtered by the membrane:
#    $\varepsilon[j,i,t] = \alpha\,\varepsilon[j,i,t-1] + \tilde x[j,i,t]$.
# 2. **Postsynaptic factor**, the pseudo-derivative of the spike (the Heaviside has none):
#    $\psi[j,t] = \frac{\gamma}{\vartheta}\max\!\big(0,\, 1 - \frac{|v[j,t] - \vartheta|}{\vartheta}\big)$, $\gamma = 0.3$.
# 3. **Learning signal**, the readout error of the *current* step fed back through weights $B$:
#    $L[j,t] = \sum_k B[k,j]\,\big(\pi[k,t] - \mathbb 1[k = c]\big) / |\mathcal W|$ for $t \in \mathcal W$.
#    With $B = W_\text{out}$ the feedback is **symmetric**; with a fixed random $B$ it is **random
#    feedback** (feedback alignment, Lillicrap et al. 2016) — and then the rule no longer follows the
#    gradient (§4 measures how far it is from it).
#
# The product of the first two is filtered once more by the readout's decay $\kappa$, giving the
# **eligibility trace**, and the gradient accumulates as
#
# $$ \bar e[j,i,t] = \kappa\, \bar e[j,i,t-1] + \psi[j,t]\,\varepsilon[j,i,t], \qquad
#    g^W[j,i] = \sum_t L[j,t]\, \bar e[j,i,t] , $$
#
# $g^W$ being the rule's estimate of $\partial E/\partial W_\text{in}[j,i]$ (the optimiser moves $W_\text{in}$
# against it).
#
# The **delay traces** mirror them, with the surrogate derivative of notebook 03 in place of $\tilde x$:
#
# $$ \varepsilon_D[j,i,t] = \alpha\,\varepsilon_D[j,i,t-1] + W_\text{in}[j,i]\,\frac{\partial \tilde x[j,i,t]}{\partial D[j,i]}, \qquad
#    \bar e_D = \kappa\,\bar e_D + \psi\,\varepsilon_D, \qquad
#    g^D[j,i] = \sum_t L[j,t]\,\bar e_D[j,i,t] . $$
#
# Everything a synapse needs is local (its own input, its neuron's potential) except $L$, one number
# per neuron and step, broadcast from the output. This is the three-factor scheme of neuromodulated
# plasticity (Frémaux & Gerstner 2016; Gerstner et al. 2018), with a supervised error as third factor
# as in SuperSpike (Zenke & Ganguli 2018) and e-prop (Bellec et al. 2020). Why the second filter is
# $\kappa$, and when $g^W$ *is* a gradient, is derived in §3.
#
# ## 2. One synapse, tick by tick
#
# A small network: 4 inputs, 2 hidden neurons, 2 classes, steps of 10 ms, synaptic delays up to 6
# steps, $\sigma = 1$ (so the delay traces lag $w = \lceil 3\sigma \rceil = 3$ steps). We set the weights
# and delays by hand so that input 0 (delay 3) meets input 1 at neuron 0 twice.

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
assert lagged.sum() == record["lag"] == int(np.ceil(3 * config.sigma))

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
# ## 3. Why $\bar e$ is filtered by $\kappa$: a derivation
#
# It is tempting to read $L[j,t]$ as "the gradient of the loss with respect to neuron $j$'s spike at
# step $t$". It is not, and the difference is exactly what the second filter $\kappa$ repairs. Take a
# **feedforward** network (no $W_\text{rec}$) and one sample; write the output error of step $r$ as
# $e_k[r] = \partial E / \partial y_k[r] = (\pi[k,r] - \mathbb 1[k=c]) / |\mathcal W|$ for $r \in \mathcal W$
# (0 outside), the derivative of the per-step cross-entropy through the softmax.
#
# **Step 1 — a spike stays in the readout.** The readout is linear in the spikes and leaks with $\kappa$:
#
# $$ y_k[r] = \kappa\,y_k[r-1] + \sum_j W_\text{out}[k,j]\,z_j[r] + b_k
#    = \sum_{t \le r} \kappa^{\,r-t}\Big(\sum_j W_\text{out}[k,j]\,z_j[t] + b_k\Big),
#    \qquad\text{so}\qquad \frac{\partial y_k[r]}{\partial z_j[t]} = \kappa^{\,r-t}\,W_\text{out}[k,j]\quad (r \ge t). $$
#
# **Step 2 — the spike's gradient sums over the future.** By the chain rule over every later output,
#
# $$ \frac{\partial E}{\partial z_j[t]} = \sum_{r \ge t} \sum_k e_k[r]\,\kappa^{\,r-t}\,W_\text{out}[k,j]
#    = \sum_{r \ge t} \kappa^{\,r-t}\, L[j,r] \qquad (B = W_\text{out}). $$
#
# $L[j,t]$ is only the $r = t$ term: the spike's effect on the *current* output. The rest — its effect on
# every later output, through the readout's memory — lies in the future at step $t$.
#
# **Step 3 — the surrogate graph.** $z = H(v - \vartheta)$ has derivative 0 almost everywhere and none
# at the threshold, so the *true* gradient of a spiking network's loss with respect to its weights is 0
# almost everywhere (or undefined): useless for learning. Surrogate-gradient learning (Zenke & Ganguli
# 2018; Neftci, Mostafa & Zenke 2019) differentiates a different graph: $\partial z/\partial v$ is replaced by
# $\psi$, and here the reset term $-\vartheta z[t-1]$ is treated as a constant ("detached"). In that graph
# $v_j[s] = \sum_{t \le s} \alpha^{s-t}\big(\sum_i W_\text{in}[j,i]\,\tilde x[j,i,t] - \vartheta z_j[t-1]\big)$ gives
# $\partial v_j[s]/\partial W_\text{in}[j,i] = \sum_{t\le s}\alpha^{s-t}\tilde x[j,i,t] = \varepsilon[j,i,s]$, hence
#
# $$ \frac{\partial E}{\partial W_\text{in}[j,i]} = \sum_s \frac{\partial E}{\partial z_j[s]}\;\psi[j,s]\;\varepsilon[j,i,s] . $$
#
# **Step 4 — swap the two sums.** Insert Step 2 and exchange the order of summation over $s \le r$:
#
# $$ \frac{\partial E}{\partial W_\text{in}[j,i]}
#    = \sum_s \sum_{r \ge s} \kappa^{\,r-s} L[j,r]\,\psi[j,s]\,\varepsilon[j,i,s]
#    = \sum_r L[j,r] \underbrace{\sum_{s \le r} \kappa^{\,r-s}\,\psi[j,s]\,\varepsilon[j,i,s]}_{\bar e[j,i,r]}
#    = \sum_r L[j,r]\,\bar e[j,i,r] = g^W[j,i] . $$
#
# The inner sum is exactly the recursion $\bar e[r] = \kappa\,\bar e[r-1] + \psi[r]\,\varepsilon[r]$. The future
# part of $\partial E/\partial z$ has not been dropped: it has been moved into the trace, which carries each
# past $\psi\,\varepsilon$ forward with the readout's own decay, so that at every step $r$ the signal $L[r]$ of
# that step meets everything it should be multiplied with. Nothing from the future is needed — that is
# what makes the rule online. The delays follow the same steps with $\partial v/\partial D = \varepsilon_D$
# (the delay acts on $v$ only through $W\,\partial\tilde x/\partial D$, filtered by $\alpha$).
#
# **When is $g^W$ exactly a gradient?** The derivation used four assumptions; under them $g^W$ and $g^D$
# equal BPTT to rounding error, and without any of them they do not:
# 1. **symmetric feedback**, $B = W_\text{out}$ (with random $B$, Step 2 no longer holds);
# 2. **one update per sample** ($U = T$): with updates during the sample, different steps run with
#    different parameters and the accumulated sum is no longer the gradient of one loss;
# 3. **no recurrent connections** (§6): otherwise a spike also reaches the loss through other neurons;
# 4. the gradient meant is that of **the same surrogate graph** — BPTT with the same $\psi$, the reset
#    detached and the same Gaussian derivative for the delays (notebook 03) — never the true gradient of
#    the spiking network.
#
# Check Steps 2–4 on the network above, with two independent computations: $\partial E/\partial z$ by finite
# differences of the loss written out from the readout equations (below, in plain NumPy), and the
# gradient by `snnlib.bptt_gradients`.

# %%
fwd = snnlib.forward(config, params, x)
z, c, kappa = fwd.z[0], int(labels[0]), config.kappa
W_out, b_out = params["W_out"], params["b_out"]


def loss_of_spikes(z):
    """E as a function of the hidden spikes (T, N), treated as real numbers: readout, softmax, cross-entropy."""
    y, E = np.zeros(len(b_out)), 0.0
    for t in range(len(z)):
        y = kappa * y + W_out @ z[t] + b_out
        E -= y[c] - np.log(np.sum(np.exp(y)))
    return E / len(z)                     # 𝒲 = every step here


h = 1e-6
dE_dz = np.zeros_like(z)                   # central finite differences, one spike at a time
for t in range(T):
    for j in range(z.shape[1]):
        up, down = z.copy(), z.copy()
        up[t, j] += h
        down[t, j] -= h
        dE_dz[t, j] = (loss_of_spikes(up) - loss_of_spikes(down)) / (2 * h)

err = fwd.probs[0].copy()
err[:, c] -= 1.0
L_all = err @ W_out / T                    # L[t, j] with symmetric feedback
future_sum = np.zeros_like(L_all)          # Step 2: Σ_{r ≥ t} κ^{r−t} L[r]
running = np.zeros(L_all.shape[1])
for t in reversed(range(T)):
    running = L_all[t] + kappa * running
    future_sum[t] = running
step2_error = np.abs(future_sum - dE_dz).max() / np.abs(dE_dz).max()
L_error = np.abs(L_all - dE_dz).max() / np.abs(dE_dz).max()
print(f"Step 2: Σ κ^(r−t) L[r] vs finite differences of E: max relative error {step2_error:.1e}")
print(f"        L[t] alone vs ∂E/∂z[t]:                      max relative error {L_error:.2f}  (L is not ∂E/∂z)")
assert step2_error < 1e-6
assert L_error > 0.3

# %% [markdown]
# Now Steps 3–4 for every one of the 8 input synapses: the sum written with $\partial E/\partial z$,
# the online rule's $\sum_t L\,\bar e$, and BPTT must agree — and a rule that forgot the $\kappa$-filter
# ($\sum_t L\,\psi\,\varepsilon$, i.e. reading $L$ as $\partial E/\partial z$) must not.

# %%
_, g_bptt = snnlib.bptt_gradients(config, params, x, labels)
rows = []
for j in range(config.n_hidden):
    for i in range(config.n_in):
        rec = course.record_synapse(snnlib.OnlineLearner(config, params), x, labels, j=j, i=i)
        via_dE_dz = np.sum(dE_dz[:, j] * rec["psi"] * rec["eps"])     # Step 3
        online = np.sum(rec["L"] * rec["ebar"])                         # Step 4, the rule
        unfiltered = np.sum(rec["L"] * rec["psi"] * rec["eps"])        # without the κ-filter
        rows.append((via_dE_dz, online, g_bptt["W_in"][j, i], unfiltered))
rows = np.array(rows)
print("  Σ ∂E/∂z·ψ·ε      Σ L·ē       BPTT      Σ L·ψ·ε (no κ-filter)")
for row in rows:
    print("  ".join(f"{value:+.6f}" for value in row))
scale = np.abs(rows[:, 2]).max()
assert np.abs(rows[:, 0] - rows[:, 2]).max() < 1e-6 * scale     # finite differences: rounding of h
assert np.abs(rows[:, 1] - rows[:, 2]).max() < 1e-12 * scale    # the rule = BPTT of the surrogate graph
ratio = rows[:, 3] / rows[:, 2]
print(f"without the κ-filter the rule finds {ratio.min():.0%}–{ratio.max():.0%} of the gradient")
assert ratio.max() < 0.9

# %% [markdown]
# ### Exercise 04.1 — one synapse's gradient, forward in time only
#
# **(a) implement.** Write `synapse_gradient(x_tilde, v, L, alpha, kappa, threshold, gamma)`: given only
# what synapse $i \to j$ can see during one sample — its delayed input $\tilde x[t]$, its neuron's membrane
# potential $v[t]$ (before reset) and the broadcast learning signal $L[t]$, each a (T,) array — return its
# gradient $g^W[j,i]$ (a number). You must rebuild $\psi$ (the library's form is
# `snnlib.neurons.pseudo_derivative` with `kind="triangle"`: read it, do not call it), $\varepsilon$ and
# $\bar e$ yourself, in **one loop forward in time** that keeps a few numbers and never looks at a later
# step: this is what an online learner does at every synapse.
#
# *Checked:* on random networks you have not seen (other time constants, thresholds and loss windows),
# for synapses chosen at random, against `snnlib.bptt_gradients` — an independent backward pass.

# %% tags=["exercise"]
def synapse_gradient(x_tilde, v, L, alpha, kappa, threshold, gamma):
    """g^W of one input synapse from its delayed input, its neuron's potential and the learning signal."""
    # your code here
    raise NotImplementedError("Exercise 04.1: rebuild ψ, ε and ē step by step and accumulate L·ē")

# %% tags=["solution"]
def synapse_gradient(x_tilde, v, L, alpha, kappa, threshold, gamma):
    """g^W of one input synapse from its delayed input, its neuron's potential and the learning signal."""
    eps = ebar = g = 0.0
    for t in range(len(v)):
        psi = (gamma / threshold) * max(0.0, 1.0 - abs(v[t] - threshold) / threshold)
        eps = alpha * eps + x_tilde[t]
        ebar = kappa * ebar + psi * eps
        g += L[t] * ebar
    return g

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(404)
    for _ in range(4):
        cfg = snnlib.SNNConfig(n_in=6, n_hidden=3, n_out=3, delays="synaptic", d_max=5, sigma=1.0,
                               tau_mem=float(rng.uniform(0.01, 0.04)), tau_out=float(rng.uniform(0.01, 0.06)),
                               threshold=float(rng.uniform(0.7, 1.3)), weight_scale=6.0, dtype="float64",
                               loss_start=int(rng.integers(0, 10)), seed=int(rng.integers(1000)))
        p = snnlib.init_params(cfg)
        xs = (rng.random((1, 35, 6)) < 0.2).astype(float)
        ys = rng.integers(0, 3, size=1)
        _, g_bptt = snnlib.bptt_gradients(cfg, p, xs, ys)
        candidates = np.argwhere(np.abs(g_bptt["W_in"]) > 1e-6)         # synapses with something to learn
        for j, i in candidates[rng.choice(len(candidates), size=min(2, len(candidates)), replace=False)]:
            rec = course.record_synapse(snnlib.OnlineLearner(cfg, p), xs, ys, j=j, i=i)
            answer = float(synapse_gradient(rec["x_tilde"].copy(), rec["v"].copy(), rec["L"].copy(),
                                            cfg.alpha, cfg.kappa, cfg.threshold, cfg.gamma))
            target = float(g_bptt["W_in"][j, i])
            assert np.isclose(answer, target, rtol=1e-8, atol=1e-12), (
                f"synapse {i} → {j} of a random network (τ_mem {1e3 * cfg.tau_mem:.0f} ms, τ_out "
                f"{1e3 * cfg.tau_out:.0f} ms, ϑ {cfg.threshold:.2f}): you give {answer:+.6f}, BPTT gives {target:+.6f}")


exercises.check("04.1", test, hint="per step: ψ = (γ/ϑ)·max(0, 1 − |v − ϑ|/ϑ); ε ← α ε + x̃; ē ← κ ē + ψ ε; "
                                   "g += L·ē — the order matters: ē[t] already contains ψ[t]·ε[t]")

# %% [markdown]
# ### Exercise 04.2 — how much does the unfiltered rule miss?
#
# **(b) experiment.** Suppose the readout had no memory ($\tau_\text{out} \to 0$, so $\kappa \to 0$): what
# would $\bar e$ become, and what would $L[j,t]$ then be? Predict how the share of the gradient that the rule
# *without* the $\kappa$-filter finds changes as $\tau_\text{out}$ grows, then measure it. For each $\tau_\text{out}$
# in `tau_outs`, on the network, input and label of §2 (`config`, `params`, `x`, `labels`) with only
# $\tau_\text{out}$ changed (`dataclasses.replace(config, tau_out=tau)`), compute for all 8 input synapses the
# unfiltered sum $u[j,i] = \sum_t L\,\psi\,\varepsilon$ (with `course.record_synapse`) and the BPTT gradient
# $g[j,i]$, and store in `shares[tau]` the share of the gradient found,
# $\sum_{j,i} u[j,i]\,g[j,i] \,/\, \sum_{j,i} g[j,i]^2$ (1 means all of it). Compare the numbers with
# $1 - \kappa$. (About 1 s.)
#
# *Checked:* the check recomputes the shares with the library.

# %% tags=["exercise"]
import dataclasses

tau_outs = (0.005, 0.01, 0.02, 0.05, 0.1)      # seconds; the steps are 10 ms
shares = None                                   # {tau_out: share}
# your code here

# %% tags=["solution"]
shares = {}
for tau in tau_outs:
    cfg_tau = dataclasses.replace(config, tau_out=tau)
    _, g_tau = snnlib.bptt_gradients(cfg_tau, params, x, labels)
    unfiltered = np.zeros_like(g_tau["W_in"])
    for j in range(cfg_tau.n_hidden):
        for i in range(cfg_tau.n_in):
            rec = course.record_synapse(snnlib.OnlineLearner(cfg_tau, params), x, labels, j=j, i=i)
            unfiltered[j, i] = np.sum(rec["L"] * rec["psi"] * rec["eps"])
    shares[tau] = float(np.sum(unfiltered * g_tau["W_in"]) / np.sum(g_tau["W_in"] ** 2))
    print(f"τ_out {1e3 * tau:5.0f} ms: κ = {cfg_tau.kappa:.3f}, 1 − κ = {1 - cfg_tau.kappa:.3f}, "
          f"share found without the κ-filter {shares[tau]:.3f}")

# %% tags=["exercise-check"]
def test():
    if shares is None:
        raise NotImplementedError("fill in shares")
    assert set(shares) == {0.005, 0.01, 0.02, 0.05, 0.1}, f"shares needs one entry per τ_out of tau_outs, not {sorted(shares)}"
    for tau in (0.1, 0.005, 0.02, 0.01, 0.05):
        cfg_tau = dataclasses.replace(config, tau_out=tau)
        _, g = snnlib.bptt_gradients(cfg_tau, params, x, labels)
        learner = snnlib.OnlineLearner(cfg_tau, params)       # the learner's own traces, all synapses at once
        learner.begin(labels, n_steps=x.shape[1])
        tr, u = learner.traces["in"], np.zeros_like(g["W_in"])
        B_fb = snnlib.network.feedback_matrix(cfg_tau, params)
        for t in range(x.shape[1]):
            out = learner.step(x[:, t])
            err = out.probs[0].copy()
            err[int(labels[0])] -= 1.0
            L = err @ B_fb / (x.shape[1] - cfg_tau.loss_start) * (t >= cfg_tau.loss_start)
            psi = snnlib.neurons.pseudo_derivative(out.v, cfg_tau.threshold, cfg_tau.gamma, cfg_tau.surrogate)[0]
            u += L[:, None] * psi[:, None] * tr.eps[0]
        learner.finish()
        truth = np.sum(u * g["W_in"]) / np.sum(g["W_in"] ** 2)
        assert np.isclose(float(shares[tau]), truth, atol=1e-6), (
            f"τ_out = {1e3 * tau:.0f} ms: you give {float(shares[tau]):.4f}, the check measures {truth:.4f}")


exercises.check("04.2", test, hint="the table cell of §3 computes u for one τ_out: loop it over tau_outs with "
                                   "cfg = dataclasses.replace(config, tau_out=tau), and use that cfg everywhere")

# %% [markdown] tags=["solution"]
# *Model answer.* With $\kappa = 0$ the trace is $\bar e[t] = \psi[t]\,\varepsilon[t]$: the filter disappears.
# Step 1 of the derivation gives $\partial y[r]/\partial z[t] = 0$ for $r > t$, so $\partial E/\partial z_j[t] = L[j,t]$
# exactly: the learning signal *is* the spike's gradient, and the unfiltered rule is the gradient. The longer
# the readout remembers, the larger the part of $\partial E/\partial z_j[t] = \sum_{r\ge t}\kappa^{r-t}L[j,r]$ that
# lies in later steps: if $L$ changed slowly, $L[j,t]$ would be the fraction $1-\kappa$ of the geometric sum.
# Measured on this network: 0.85, 0.60, 0.37, 0.17, 0.10 for $\tau_\text{out}$ = 5, 10, 20, 50, 100 ms, against
# $1 - \kappa$ = 0.86, 0.63, 0.39, 0.18, 0.10 — close on this one network and input. The $\kappa$-filter is the
# readout's memory moved into the synapse: the trace must forget at the rate at which the readout forgets.

# %% [markdown]
# ## 4. Online equals BPTT for a feedforward network — under the four conditions
#
# §3 derived it for one weight; here it is checked for every parameter and every kind of delay. For a
# network without recurrent connections, with symmetric feedback, one update per sample, and BPTT of the
# same surrogate graph ($\psi$, reset detached, the same Gaussian derivative), the three-factor rule
# reorders the sums of BPTT, nothing more ([MODEL.md](../docs/MODEL.md) §7). The gradients must agree to
# rounding error. We compare in double precision on random networks and inputs — and, to see condition 1
# matter, also with **random feedback** (Lillicrap et al. 2016), where the rule no longer follows the
# gradient: we measure its cosine similarity to the BPTT gradient.

# %%
def cosine(a, b):
    return float(np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b)))


errors, random_cosines = {}, {}
for kind in ("none", "fixed", "synaptic", "axonal"):
    for feedback in ("symmetric", "random"):
        cfg = snnlib.SNNConfig(n_in=12, n_hidden=10, n_out=3, delays=kind, d_max=6, sigma=1.0, feedback=feedback,
                               weight_scale=6.0, dtype="float64", seed=7)
        p = snnlib.init_params(cfg)
        rng = np.random.default_rng(11)
        xb = (rng.random((4, 40, 12)) < 0.15).astype(float)
        yb = rng.integers(0, 3, size=4)
        loss_online, g_online = snnlib.online_gradients(cfg, p, xb, yb, engine="stepwise")
        loss_bptt, g_bptt = snnlib.bptt_gradients(cfg, p, xb, yb)
        assert abs(loss_online - loss_bptt) < 1e-12
        if feedback == "random":
            for key in ("W_in", "D_in"):
                if key in g_bptt and kind != "fixed":
                    random_cosines[(kind, key)] = cosine(g_online[key], g_bptt[key])
            continue
        for key in g_bptt:
            scale = np.linalg.norm(g_bptt[key])
            errors[(kind, key)] = np.linalg.norm(g_online[key] - g_bptt[key]) / scale if scale > 0 else 0.0
        if kind == "synaptic":
            synaptic_online, synaptic_bptt = g_online, g_bptt
for (kind, key), error in errors.items():
    print(f"symmetric {kind:>8} {key:>6}: relative error {error:.1e}")
for (kind, key), value in random_cosines.items():
    print(f"random    {kind:>8} {key:>6}: cosine similarity to BPTT {value:+.2f}")
assert max(errors.values()) < 1e-10
assert max(abs(v) for v in random_cosines.values()) < 0.9     # random feedback: not the gradient

# %% [markdown]
# With random feedback the rule's update is, on these untrained networks, far from the gradient — the
# cosines fall on both sides of 0, so it sometimes points uphill. Feedback alignment does not claim
# otherwise: Lillicrap et al. (2016) show that during training the forward weights come to *align* with
# $B$, which is how such a rule can still learn (notebook 05 measures it on a task).

# %% tags=["nbval-ignore-output"]
plots.plot_gradient_agreement(synaptic_online, synaptic_bptt, title="synaptic delays: every gradient entry")

# %% [markdown]
# ## 5. What the traces cost
#
# BPTT must store the forward pass — potentials, spikes, readout, for all $T$ steps — before it can
# go backwards: memory grows with the length of the sequence. The online learner stores its traces
# (a few numbers per synapse) and its ring buffers, and nothing that grows with $T$. The input ring
# holds $d_\text{max} + 2w + 1$ steps, $w = \lceil 3\sigma \rceil$: the delay traces run $w$ steps behind
# the newest input (the **lag**), and at that lagged step $s$ the Gaussian kernel reads spikes from
# $s - d - w$ to $s - d + w$ — with $d$ up to $d_\text{max}$, the oldest is $d_\text{max} + 2w$ steps behind the
# newest: one $w$ for the lag, one for the kernel's backward half-width, plus the newest step itself.
# We measure both with the actual arrays: the learner's trace arrays and ring after `begin()`, and the
# arrays of the forward pass that BPTT keeps.

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
w = int(np.ceil(3 * cfg.sigma))
print(f"input ring: {learner.net.in_ring.depth} steps = d_max {cfg.d_max} + 2w {2 * w} + 1")
assert learner.net.in_ring.depth == cfg.d_max + 2 * w + 1
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

# %% [markdown]
# ### Exercise 04.3 — count the traces
#
# **(a) implement.** Which trace arrays exist depends on the kind of delay. Per sample, the learner keeps
# - $\varepsilon$: one per connection $(N \cdot M)$ when delays are per synapse (`synaptic`, `fixed`);
#   otherwise $\tilde x$ is the same for every target, so one per input $(M)$;
# - $\bar e$: one per connection, always;
# - $\varepsilon_D$ and $\bar e_D$: one per connection each, but only when delays are learned
#   (`synaptic` or `axonal`).
#
# Write `trace_count(n_hidden, n_in, delays)` returning the number of trace values per sample, then use it:
# for $N = 32$, $M = 40$, how many times more trace values do learned synaptic delays need than no delays?
#
# *Checked:* against the sizes of the trace arrays of `snnlib.OnlineLearner` for every kind of delay, on
# layer sizes you have not seen.

# %% tags=["exercise"]
def trace_count(n_hidden, n_in, delays):
    """Eligibility-trace values per sample for an input layer with delays none|fixed|synaptic|axonal."""
    # your code here
    raise NotImplementedError("Exercise 04.3: count the trace values")

# %% tags=["solution"]
def trace_count(n_hidden, n_in, delays):
    """Eligibility-trace values per sample for an input layer with delays none|fixed|synaptic|axonal."""
    per_synapse = n_hidden * n_in
    eps = per_synapse if delays in ("synaptic", "fixed") else n_in
    delay_traces = 2 * per_synapse if delays in ("synaptic", "axonal") else 0
    return eps + per_synapse + delay_traces


print(f"learned synaptic delays need {trace_count(32, 40, 'synaptic') / trace_count(32, 40, 'none'):.2f}× "
      "the trace values of no delays")

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(43)
    for n_hidden, n_in in zip(rng.integers(2, 30, size=3), rng.integers(2, 30, size=3)):
        for kind in ("none", "fixed", "synaptic", "axonal"):
            cfg = snnlib.SNNConfig(n_in=int(n_in), n_hidden=int(n_hidden), n_out=2, delays=kind, d_max=4)
            learner = snnlib.OnlineLearner(cfg, snnlib.init_params(cfg))
            learner.begin(np.array([0]), n_steps=10)
            tr = learner.traces["in"]
            arrays = [tr.eps, tr.ebar] + ([tr.eps_D, tr.ebar_D] if tr.learns_delay else [])
            truth = sum(a.size for a in arrays)
            answer = trace_count(int(n_hidden), int(n_in), kind)
            assert answer == truth, f"N = {n_hidden}, M = {n_in}, delays = {kind!r}: you count {answer}, the learner keeps {truth}"


exercises.check("04.3", test, hint="ε is per connection only when each connection has its own delayed input; "
                                   "ē always; the delay pair only when delays learn")

# %% [markdown]
# ## 6. Recurrent networks: e-prop's approximation, derived and measured
#
# With recurrent weights, neuron $j$ also receives the hidden spikes, each after one step of
# transmission and its own delay: $\tilde r[j,k,t] = z_k[t - 1 - d^\text{rec}_{jk}]$, and
# $I_j[t] = \sum_i W_\text{in}[j,i]\,\tilde x[j,i,t] + \sum_k W_\text{rec}[j,k]\,\tilde r[j,k,t]$.
# For the neuron receiving them, the recurrent spikes are inputs like any other, so the traces are the
# same with $\tilde r$ in place of $\tilde x$:
#
# $$ \varepsilon^\text{rec}[j,k,t] = \alpha\,\varepsilon^\text{rec}[j,k,t-1] + \tilde r[j,k,t], \qquad
#    \bar e^\text{rec} = \kappa\,\bar e^\text{rec} + \psi_j\,\varepsilon^\text{rec}, \qquad
#    g^{W_\text{rec}}[j,k] = \sum_t L[j,t]\,\bar e^\text{rec}[j,k,t], $$
#
# $$ \varepsilon_D^\text{rec}[j,k,t] = \alpha\,\varepsilon_D^\text{rec}[j,k,t-1]
#      + W_\text{rec}[j,k]\,\frac{\partial \tilde r[j,k,t]}{\partial D_\text{rec}[j,k]}, \qquad
#    \bar e_D^\text{rec} = \kappa\,\bar e_D^\text{rec} + \psi_j\,\varepsilon_D^\text{rec}, \qquad
#    g^{D_\text{rec}}[j,k] = \sum_t L[j,t]\,\bar e_D^\text{rec}[j,k,t], $$
#
# with $\partial\tilde r/\partial D$ from the Gaussian representation of the hidden spike train $z_k$ (notebook
# 03), and, for axonal recurrent delays $D_\text{rec}[k]$, the sum over targets $j$.
#
# **What is dropped.** In a recurrent network a spike $z_j[t]$ reaches the loss not only through the
# readout (Step 2 of §3) but also through every neuron $m$ it projects to, whose later potentials and
# spikes it changes. BPTT's total derivative is
#
# $$ \frac{dE}{dz_j[t]} = \underbrace{\sum_{r\ge t}\kappa^{\,r-t}\,L[j,r]}_{\text{through the readout: kept}}
#    \; + \; \underbrace{\sum_m W_\text{rec}[m,j]\;\frac{dE}{dv_m[t+1+d^\text{rec}_{mj}]}}_{\text{through the other neurons: dropped}},
#    \qquad \frac{dE}{dv_m[s]} = \psi_m[s]\,\frac{dE}{dz_m[s]} + \alpha\,\frac{dE}{dv_m[s+1]} . $$
#
# The second term is a sum over every path $z_j[t] \to v_m[t'] \to z_m[t'] \to \dots \to E$, i.e. it contains
# the factors $\partial z_m[t']/\partial z_j[t]$ for $t' > t$ — including, through a self-connection, neuron
# $j$'s effect on itself. The rule keeps only the first term: it uses the *partial* derivative of $E$ with
# respect to $z_j[t]$ (other neurons' spikes held fixed) in place of the *total* one, and each trace follows
# only its own neuron's state. This is the approximation of **e-prop** (Bellec et al. 2020). It is dropped
# because it cannot be computed online and locally: $dE/dv_m$ at later steps is the future of *other*
# neurons, known only after a backward pass, and neuron $j$ would need the weights and errors of all its
# targets. The price is a gradient that is no longer exact, and the more credit flows through the
# recurrent weights, the larger the error.
#
# **Measured.** We compare the rule with BPTT (cosine similarity per parameter) over many random
# recurrent networks and inputs, and repeat with the recurrent weights scaled by a gain $g$, each
# network re-created inside the loop. `engine="fast"` computes the same numbers as the tick-by-tick
# learner (checked on the first network), in a fraction of the time.

# %%
def recurrent_case(seed, gain):
    cfg = snnlib.SNNConfig(n_in=12, n_hidden=10, n_out=3, delays="synaptic", recurrent=True, rec_delays="synaptic",
                           d_max=6, sigma=1.0, weight_scale=6.0, dtype="float64", seed=seed)
    p = snnlib.init_params(cfg)
    p["W_rec"] = gain * p["W_rec"]
    rng = np.random.default_rng(100 + seed)
    xb = (rng.random((4, 40, 12)) < 0.15).astype(float)
    return cfg, p, xb, rng.integers(0, 3, size=4)


cfg, p, xb, yb = recurrent_case(0, 1.0)
_, g_step = snnlib.online_gradients(cfg, p, xb, yb, engine="stepwise")
_, g_fast = snnlib.online_gradients(cfg, p, xb, yb, engine="fast")
assert all(np.allclose(g_step[key], g_fast[key], rtol=1e-9, atol=1e-14) for key in g_step)

n_seeds = course.sized(full=20, fast=6)
gains = (1.0, 2.0, 4.0)
similarity = {}                                   # (gain, parameter) -> one cosine per network
for gain in gains:
    for seed in range(n_seeds):
        cfg, p, xb, yb = recurrent_case(seed, gain)
        _, g_online = snnlib.online_gradients(cfg, p, xb, yb, engine="fast")
        _, g_bptt = snnlib.bptt_gradients(cfg, p, xb, yb)
        for key in g_bptt:
            similarity.setdefault((gain, key), []).append(cosine(g_online[key], g_bptt[key]))
hidden = ("W_in", "D_in", "W_rec", "D_rec")
median = {key: np.median(values) for key, values in similarity.items()}
print(f"cosine similarity online vs BPTT over {n_seeds} networks: min / median / max")
for gain in gains:
    print(f"gain {gain:.0f}: " + "   ".join(f"{key} {min(similarity[gain, key]):.3f}/{median[gain, key]:.3f}/"
                                         f"{max(similarity[gain, key]):.3f}" for key in hidden))
assert all(min(similarity[gain, key]) > 1 - 1e-12 for gain in gains for key in ("W_out", "b_out"))  # readout exact
assert all(median[1.0, key] < 1 - 1e-6 for key in hidden)         # hidden parameters: not exact
assert min(min(similarity[1.0, key]) for key in hidden) > 0.9     # but close at the initial scale
assert all(median[4.0, key] < median[1.0, key] for key in hidden)  # and worse with stronger recurrence

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(7.5, 3.2))
jitter = np.random.default_rng(0).uniform(-0.08, 0.08, n_seeds)
for n, gain in enumerate(gains):
    for m, key in enumerate(hidden):
        ax.plot(m + 0.25 * (n - 1) + jitter, similarity[gain, key], "o", ms=3, alpha=0.7,
                color=plots.COLORS["delay"] if n == 0 else ("#555555" if n == 1 else plots.COLORS["signal"]),
                label=f"W_rec × {gain:.0f}" if m == 0 else None)
ax.set_xticks(range(len(hidden)))
ax.set_xticklabels(hidden)
ax.axhline(1.0, color="#999999", lw=0.8, ls="--")
ax.set_ylabel("cosine similarity to BPTT")
ax.set_title(f"recurrent networks: online rule vs BPTT ({n_seeds} networks per gain)")
ax.legend(fontsize=8, frameon=False, loc="lower left")
fig

# %% [markdown]
# The readout gradients are exact (nothing recurrent lies between them and the loss). The hidden
# parameters lose a little at the initial scale — every network's cosine stays above 0.9 and the
# medians are near 0.99 — and more as the recurrent weights grow and more of the credit flows through
# the paths the rule ignores (the delay parameters first). The figures for more networks and other kinds
# of delay are in [docs/core.md](../docs/core.md) (`benchmarks/recurrent_approximation.py`). A cosine near 1
# says the direction is close, not that learning will match BPTT; Bellec et al. (2020) report that e-prop
# approaches the performance of BPTT on their tasks.

# %% [markdown]
# **Think!** 04.4 The measurement above drops the paths through the other neurons. Name two situations
# in which the dropped term is small and two in which it is large, using the formula for $dE/dz_j[t]$.
# Why does the delay gradient suffer first?

# %% [markdown] tags=["solution"]
# *Model answer.* The dropped term is $\sum_m W_\text{rec}[m,j]\,dE/dv_m[\dots]$. It is **small** when the
# recurrent weights are weak compared with the input weights (gain $g \ll 1$, or sparse recurrence), and
# when the targets $m$ are rarely near threshold ($\psi_m \approx 0$: a perturbation of their input does not
# change their spikes, in the surrogate graph). It is **large** with strong recurrent weights (the gain 4
# above), with many active neurons near threshold, and on tasks whose credit must travel through several
# neurons over time (memory kept in the recurrent activity, not in the readout). The delay gradient is a
# *timing* derivative: $W\,\partial\tilde r/\partial D$ is built from the Gaussian slope of a spike train and
# changes sign around each spike, so small errors in the credit that reaches a neuron at a given step flip
# or cancel it more easily than the weight gradient, a sum of non-negative traces $\varepsilon$. That is a
# reading of the measurement above, not a proof.

# %% [markdown]
# ## Summary
#
# - Each synapse keeps an eligibility trace: its filtered input $\varepsilon$, gated by the neuron's
#   $\psi$ and filtered again, $\bar e$; delays keep the same pair with $W\,\partial\tilde x/\partial D$.
#   The update is $\sum_t L\,\bar e$ with the broadcast learning signal $L$.
# - $L[j,t]$ is not $\partial E/\partial z_j[t]$: it is the first term of
#   $\partial E/\partial z_j[t] = \sum_{r \ge t}\kappa^{r-t}L[j,r]$. Filtering the trace with the readout's $\kappa$
#   reorders that sum so that nothing from the future is needed (derived in §3, checked by finite differences).
# - The online gradient **equals** BPTT of the same surrogate graph (same $\psi$, reset detached, same
#   Gaussian delay derivative) for feedforward networks with symmetric feedback and one update per sample;
#   it is never the true gradient of the spiking network, which is zero almost everywhere. With random
#   feedback it does not follow the gradient (cosines between about −0.5 and +0.5 on untrained networks).
# - The delay traces lag $w = \lceil 3\sigma\rceil$ steps behind, because the surrogate kernel looks ahead;
#   the ring buffers hold $d_\text{max} + 2w + 1$ steps.
# - Online memory does not grow with the sequence; it grows with the number of synapses.
# - With recurrence the rule drops the paths through other neurons (e-prop's approximation): measured
#   cosine similarity to BPTT above 0.9 at the initial scale, decreasing as the recurrent weights grow.
#
# **Next:** [05 · Three-factor learning](05_three_factor_learning.py) — training a network with these
# gradients, delays included, and watching it learn.
#
# ## References
#
# - Bellec, G., Scherr, F., Subramoney, A., Hajek, E., Salaj, D., Legenstein, R. & Maass, W. (2020).
#   A solution to the learning dilemma for recurrent networks of spiking neurons. *Nature Communications*
#   11, 3625. https://doi.org/10.1038/s41467-020-17236-y
# - Frémaux, N. & Gerstner, W. (2016). Neuromodulated spike-timing-dependent plasticity, and theory of
#   three-factor learning rules. *Frontiers in Neural Circuits* 9, 85. https://doi.org/10.3389/fncir.2015.00085
# - Gerstner, W., Lehmann, M., Liakoni, V., Corneil, D. & Brea, J. (2018). Eligibility traces and
#   plasticity on behavioral time scales: experimental support of neoHebbian three-factor learning rules.
#   *Frontiers in Neural Circuits* 12, 53. https://doi.org/10.3389/fncir.2018.00053
# - Lillicrap, T. P., Cownden, D., Tweed, D. B. & Akerman, C. J. (2016). Random synaptic feedback weights
#   support error backpropagation for deep learning. *Nature Communications* 7, 13276.
#   https://doi.org/10.1038/ncomms13276
# - Neftci, E. O., Mostafa, H. & Zenke, F. (2019). Surrogate gradient learning in spiking neural networks.
#   *IEEE Signal Processing Magazine* 36(6), 51–63. https://doi.org/10.1109/MSP.2019.2931595
# - Vassallo, L. & Taherinejad, N. (2026). Three factor delay learning rules for spiking neural networks.
#   arXiv:2601.00668. https://arxiv.org/abs/2601.00668
# - Zenke, F. & Ganguli, S. (2018). SuperSpike: supervised learning in multilayer spiking neural networks.
#   *Neural Computation* 30(6), 1514–1541. https://doi.org/10.1162/neco_a_01086
