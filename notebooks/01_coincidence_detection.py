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
# # 01 · Coincidence detection
#
# A spiking neuron does not just count its input spikes: it responds to spikes that arrive
# *together*. This notebook builds that intuition with one leaky integrate-and-fire (LIF) neuron,
# then shows how a **delay** on a connection turns two spikes that are *not* coincident into a
# spike, and how a bank of neurons with different delays reads out a time difference.
#
# **You will learn**
# - the discrete-time LIF neuron of `snnlib` (exact decay, reset by subtraction);
# - how postsynaptic potentials sum, and how wide the *coincidence window* is;
# - how a delay makes a neuron fire, and how a bank of delays detects a temporal pattern (Jeffress);
# - why the exact decay `α = exp(−dt/τ)` matters compared with Euler's `1 − dt/τ`.
#
# **Prerequisites:** notebook 00; Python and NumPy; the exponential function. Symbols ($\alpha$,
# $\vartheta$, $\tau_\text{mem}$, $W$, $d$, …) are defined once in the [glossary](../docs/glossary.md).
#
# **What you do here:** sliders for two input times, two delays and $\tau_\text{mem}$ (section 3) and for
# a delay bank (section 4); 4 exercises — 01.1 write the LIF neuron, 01.2 predict from the window formula
# which delays make a neuron fire, 01.3 a Think! question, 01.4 measure when Euler's decay changes the
# window. Each check prints `Exercise 01.k: correct` only when your answer agrees with an independent
# computation (on inputs you have not seen, for 01.1 and 01.2).
#
# **Estimated time:** 50 minutes (30 for reading and sliders, 20 for the exercises).

# %%
# %matplotlib inline
import numpy as np

import snnlib
from snnlib import course, exercises, plots, widgets
from snnlib.neurons import LIFState, lif_step

# %% [markdown]
# ## 1. The neuron
#
# Time runs in steps $t = 0, 1, \dots$ of width $\Delta t$. Input channel $i$ delivers $x_i[t]$ spikes
# in step $t$, delayed by $d_i$ steps: $\tilde x_i[t] = x_i[t - d_i]$. A hidden LIF neuron
# (MODEL.md §3) integrates the weighted input current, leaks, and fires when its potential
# exceeds the threshold $\vartheta$:
#
# $$
# I[t] = \sum_i W_i\,\tilde x_i[t], \qquad
# v[t] = \alpha\, v[t-1] + I[t] - \vartheta\, z[t-1], \qquad
# z[t] = H\big(v[t] - \vartheta\big), \qquad \alpha = e^{-\Delta t/\tau_\text{mem}} .
# $$
#
# $H$ is the Heaviside step (a spike when $v > \vartheta$), and $-\vartheta z[t-1]$ is the *reset by
# subtraction*: after a spike, the potential drops by one threshold. Potentials are measured in
# units of $\vartheta = 1$.
#
# The synapse is a **delta current**: $I[t]$ is just the weighted sum of the spikes arriving in step
# $t$, so each input spike lifts $v$ by $W_i$ at once, and from then on only the membrane leak
# ($\tau_\text{mem}$) shapes its effect. There is no synaptic time constant. (Many tutorials, e.g.
# SpyTorch, use a *current-based* synapse instead: the spike enters a synaptic current that decays with
# its own $\tau_\text{syn}$ — 5 ms there, with $\tau_\text{mem} = 10$ ms — and that current charges the
# membrane, which spreads each spike's effect over several steps.) With a delta current, the
# postsynaptic potential is a jump followed by an exponential decay, which is what makes the
# coincidence window of section 2 a one-line formula.
#
# In this notebook one step is **1 ms** and $\tau_\text{mem} = 10$ ms, so $\alpha = e^{-0.1} \approx 0.905$.
# We build a network with 2 inputs and 1 hidden neuron and run `snnlib.forward`.

# %%
config = snnlib.SNNConfig(n_in=2, n_hidden=1, n_out=2, delays="synaptic", d_max=20,
                          tau_mem=0.010, dt=0.001, dtype="float64")
params = snnlib.init_params(config)
params["W_in"] = np.array([[0.6, 0.6]])   # each input spike lifts v by 0.6 threshold
params["D_in"] = np.array([[0.0, 0.0]])   # no delays yet

T = 80
x = np.zeros((1, T, 2))                   # (batch, steps, inputs)
x[0, 20, 0] = 1.0                          # input 1 spikes at step 20
x[0, 30, 1] = 1.0                          # input 2 spikes at step 30

out = snnlib.forward(config, params, x)
v, z = out.v[0, :, 0], out.z[0, :, 0]
print(f"alpha = {config.alpha:.4f};  peak potential {v.max():.3f};  spikes: {int(z.sum())}")

# %% tags=["nbval-ignore-output"]
plots.plot_coincidence(v, z, x[0], [0, 0], title="two input spikes, 10 steps apart: no output spike")

# %% [markdown]
# The forward pass is nothing more than the recursion above. Let us run it by hand with
# `snnlib.neurons.lif_step` — the same step function the network uses — and compare.

# %%
state = LIFState(v=np.zeros((1, 1)), z=np.zeros((1, 1)))
by_hand = []
for t in range(T):
    current = x[:, t] @ params["W_in"].T          # I[t] = Σ_i W_i x̃_i[t] (no delays here)
    state = lif_step(current, state, config.alpha, config.threshold)
    by_hand.append(state.v[0, 0])
assert np.allclose(by_hand, v, rtol=0, atol=1e-14)
print("snnlib.forward == step-by-step recursion")

# %% [markdown]
# ### Exercise 01.1 — the LIF neuron, written by you
#
# **(a) implement.** Write `lif_run(current, tau_mem, dt, threshold)`: one LIF neuron driven by a given
# input current $I[0], \dots, I[T-1]$ (units of the threshold), starting from $v = 0$ with no spike before
# step 0. Use the **exact** decay for a step of `dt` seconds and a membrane time constant of `tau_mem`
# seconds, fire when the potential *strictly* exceeds the threshold, and reset by subtraction in the
# following step. Return `(v, z)`, two arrays of length $T$ (potential and spikes, 0 or 1).
#
# *Checked:* your `v` and `z` against `snnlib.neurons.lif_step` on random currents, time constants, step
# widths and thresholds that are not shown here.

# %% tags=["exercise"]
def lif_run(current, tau_mem, dt, threshold=1.0):
    """(v, z), each (T,): one LIF neuron (exact decay, reset by subtraction) driven by current (T,)."""
    current = np.asarray(current, dtype=float)
    # your code here
    raise NotImplementedError("Exercise 01.1: run the LIF recursion over the currents")

# %% tags=["solution"]
def lif_run(current, tau_mem, dt, threshold=1.0):
    """(v, z), each (T,): one LIF neuron (exact decay, reset by subtraction) driven by current (T,)."""
    current = np.asarray(current, dtype=float)
    alpha = np.exp(-dt / tau_mem)
    v, z = np.zeros(len(current)), np.zeros(len(current))
    v_prev = z_prev = 0.0
    for t, I in enumerate(current):
        v[t] = alpha * v_prev + I - threshold * z_prev
        z[t] = float(v[t] > threshold)
        v_prev, z_prev = v[t], z[t]
    return v, z

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(101)
    for _ in range(6):
        T, tau, dt, theta = int(rng.integers(30, 80)), rng.uniform(0.003, 0.03), rng.choice([0.001, 0.002]), rng.uniform(0.5, 2.0)
        current = rng.uniform(0.1, 0.9, T) * theta * (rng.random(T) < 0.4)
        state, v_ref, z_ref = LIFState(v=np.zeros((1, 1)), z=np.zeros((1, 1))), [], []
        for t in range(T):
            state = lif_step(np.array([[current[t]]]), state, np.exp(-dt / tau), theta)
            v_ref.append(state.v[0, 0])
            z_ref.append(state.z[0, 0])
        v, z = lif_run(current.copy(), tau, dt, theta)
        assert np.shape(v) == (T,) and np.shape(z) == (T,), f"v and z should have shape ({T},), not {np.shape(v)}, {np.shape(z)}"
        wrong = np.nonzero(~np.isclose(v, v_ref, rtol=0, atol=1e-9))[0]
        assert wrong.size == 0, (f"v differs from the reference from step {wrong[0]} on (τ = {1e3 * tau:.1f} ms, "
                                 f"dt = {1e3 * dt:.0f} ms, ϑ = {theta:.2f})")
        assert np.array_equal(np.asarray(z) > 0, np.array(z_ref) > 0), "v is right but the spikes are not"
        assert np.sum(z_ref) > 0, "this test should have made the neuron fire"


exercises.check("01.1", test, hint="α = exp(−dt/τ_mem); v[t] = α v[t−1] + I[t] − ϑ z[t−1]; z[t] = 1 if v[t] > ϑ")

# %% [markdown]
# ## 2. Summation and the coincidence window
#
# One input spike lifts $v$ by $w = 0.6$; afterwards $v$ decays by the factor $\alpha$ per step.
# If a second spike arrives $\Delta$ steps after the first, the potential just after it is
#
# $$ v = w\,\alpha^{\Delta} + w . $$
#
# The neuron fires when this exceeds $\vartheta$, i.e. when
#
# $$ \alpha^{\Delta} > \frac{\vartheta - w}{w}
#    \quad\Longleftrightarrow\quad
#    \Delta < \frac{\tau_\text{mem}}{\Delta t}\,\ln\frac{w}{\vartheta - w} \;=\; \Delta_\text{max} . $$
#
# With $w = 0.6$ and $\tau_\text{mem} = 10$ steps, $\Delta_\text{max} = 10 \ln 1.5 \approx 4.05$:
# spikes up to 4 steps apart are "coincident". Let us check the formula against the simulation.

# %%
w, theta = 0.6, 1.0
window = (config.tau_mem / config.dt) * np.log(w / (theta - w))
print(f"coincidence window: Δ < {window:.2f} steps")

gaps = np.arange(0, 12)
fires = []
peaks = []
for gap in gaps:
    v_gap, z_gap, _ = course.coincidence_neuron([20, 20 + gap], weight=w, tau_mem=config.tau_mem, dt=config.dt)
    fires.append(bool(z_gap.any()))
    peaks.append(v_gap.max())
print("fires for gaps:", [int(g) for g, f in zip(gaps, fires) if f])
assert fires == [gap < window for gap in gaps]

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(6.5, 3.0))
ax.plot(gaps, peaks, "o-", color=plots.COLORS["membrane"], label="highest potential")
ax.plot(gaps, w + w * config.alpha ** gaps, ":", color=plots.COLORS["surrogate"], label="w + w·α^Δ")
ax.axhline(theta, color=plots.COLORS["threshold"], ls="--", label="threshold ϑ")
ax.axvline(window, color=plots.COLORS["signal"], ls=":", label=f"Δ_max = {window:.2f}")
ax.set_xlabel("gap Δ between the two input spikes [step]")
ax.set_ylabel("potential [ϑ]")
ax.set_title("the coincidence window (w = 0.6, τ_mem = 10 ms)")
ax.legend(fontsize=8, frameon=False)
fig

# %% [markdown]
# (For gaps that fire, the "highest potential" is the value just before the reset: the reset happens
# in the next step, so the plotted peak can exceed $\vartheta$.)
#
# ## 3. A delay turns two spikes into one output spike
#
# Our two spikes are 10 steps apart — far outside the window. A delay of $d$ steps on input 1 moves
# its spike to step $20 + d$. With $d = 10$ both arrive at step 30 and the neuron fires.

# %%
params["D_in"] = np.array([[10.0, 0.0]])
out = snnlib.forward(config, params, x)
spike_steps = np.nonzero(out.z[0, :, 0])[0]
print("output spikes at steps", spike_steps)
assert list(spike_steps) == [30]

# %% tags=["nbval-ignore-output"]
plots.plot_coincidence(out.v[0, :, 0], out.z[0, :, 0], x[0], [10, 0],
                       title="a delay of 10 steps on input 1: both spikes arrive at step 30")

# %% [markdown]
# ### Try it
#
# Move the input times, the two delays and $\tau_\text{mem}$. The line above the figure reads
# *spike at step t* or *no spike*. Things to try:
# - keep the gap at 10 steps and find every delay on input 1 that makes the neuron fire;
# - make $\tau_\text{mem}$ longer: the window widens ($\Delta_\text{max} \propto \tau_\text{mem}$);
# - put the delay on input 2 instead: what changes?

# %% tags=["nbval-ignore-output"]
widgets.coincidence_explorer();

# %% [markdown]
# ### Exercise 01.2 — which delays make the neuron fire?
#
# **(a) implement.** Input 1 spikes at step `t1`, input 2 at step `t2` (no delay on input 2), both
# with weight `weight`; the neuron has threshold `threshold` and time constant `tau_mem` (steps of
# `dt` seconds). Write `firing_delays` that returns the sorted list of integer delays
# $d \in \{0, \dots, d_\text{max}\}$ on input 1 for which the neuron fires — **without simulating**:
# derive the answer from the equations of section 2. Assume $\vartheta/2 < w < \vartheta$. Input 1 may
# spike before or after input 2.
#
# *Checked:* against a brute-force simulation of every delay, for random spike times, weights,
# thresholds and time constants.

# %% tags=["exercise"]
def firing_delays(t1, t2, weight, tau_mem, dt, threshold=1.0, d_max=20):
    """Integer delays on input 1 (0 … d_max) that make the neuron fire."""
    # your code here
    raise NotImplementedError("Exercise 01.2: compute the delays from the coincidence window")

# %% tags=["solution"]
def firing_delays(t1, t2, weight, tau_mem, dt, threshold=1.0, d_max=20):
    """Integer delays on input 1 (0 … d_max) that make the neuron fire."""
    window = (tau_mem / dt) * np.log(weight / (threshold - weight))
    return [d for d in range(d_max + 1) if abs(t1 + d - t2) < window]

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(102)
    tried = 0
    while tried < 12:
        t1, gap = int(rng.integers(5, 30)), int(rng.integers(-4, 25))
        theta = float(rng.choice([1.0, 1.5, 2.0]))
        weight, tau, dt = theta * rng.uniform(0.52, 0.95), rng.uniform(0.002, 0.02), 0.001
        window = (tau / dt) * np.log(weight / (theta - weight))
        if abs(window - round(window)) < 1e-6:
            continue                                    # a gap exactly on the window's edge: skip
        tried += 1
        simulated = [d for d in range(21) if course.coincidence_neuron(
            [t1, t1 + gap], [d, 0], weight=weight, tau_mem=tau, dt=dt, threshold=theta, n_steps=90)[1].any()]
        answer = firing_delays(t1, t1 + gap, weight, tau, dt, threshold=theta, d_max=20)
        assert list(answer) == simulated, (f"t1 = {t1}, t2 = {t1 + gap}, w = {weight:.3f}, ϑ = {theta}, "
                                           f"τ_mem = {1e3 * tau:.1f} ms: you give {list(answer)}, the simulation {simulated}")


exercises.check("01.2", test, hint="the delayed spike of input 1 arrives at t1 + d; the neuron fires when the "
                                   "gap |t1 + d − t2| is below the window Δ_max of section 2 (in steps, for any ϑ)")

# %% [markdown]
# **Think!** 01.3 The window formula assumes $\vartheta/2 < w < \vartheta$. What happens to the
# coincidence window when $w \le \vartheta/2$, and when $w \ge \vartheta$? And why does the window
# depend on $\tau_\text{mem}$ but not on when the first spike arrives?

# %% [markdown] tags=["solution"]
# *Model answer.* For $w \le \vartheta/2$ even two *simultaneous* spikes reach only $2w \le \vartheta$, and
# the neuron fires only when $v$ strictly exceeds $\vartheta$: no gap fires, the window is empty (the
# neuron would need three or more coincident inputs, a different calculation). For $w > \vartheta$ a
# single spike fires the neuron on its own: every delay "works" and the neuron detects nothing about
# timing. (At $w = \vartheta$ exactly, one spike reaches $v = \vartheta$ without firing, and a second
# spike fires it at *any* gap, since $w\alpha^\Delta > 0$: an infinite window.) The window depends only
# on how much of the first PSP is left when the second arrives, $w\,\alpha^{\Delta}$: the recursion is
# the same at every step and starts from rest, so only the *gap* matters, and the leak per step
# $\alpha = e^{-\Delta t/\tau_\text{mem}}$ sets how fast that residue decays — the window scales with
# $\tau_\text{mem}/\Delta t$.

# %% [markdown]
# ## 4. A bank of delays reads a time difference (Jeffress)
#
# In 1948 Lloyd Jeffress proposed how the brain could measure the tiny difference between the times
# a sound reaches the two ears: an array of coincidence detectors, each fed by the two ears through
# delay lines of *opposite* lengths. Neuron $j$ delays input A by $j$ steps and input B by
# $d_\text{max} - j$ steps, so its two delayed spikes coincide when
#
# $$ t_A + j = t_B + d_\text{max} - j \quad\Longleftrightarrow\quad d_A - d_B = 2j - d_\text{max} = t_B - t_A . $$
#
# The neuron whose delay difference compensates the input time difference fires; its neighbours
# within the coincidence window fire too. The *position* of activity in the bank encodes time.
# (`course.delay_bank` builds this network with `snnlib.SNNConfig` and runs `snnlib.forward`.)
# The bank's neurons have $\tau_\text{mem} = 5$ ms (with $W = 0.6$ and 1 ms steps), half of section 2's,
# so their coincidence window is $\Delta < 5 \ln 1.5 \approx 2.03$ steps.
#
# **Biology, with care.** Jeffress proposed this as a model. In the barn owl, Carr & Konishi (1990)
# found a circuit of this kind in the brainstem: axons from nucleus magnocellularis act as delay
# lines, and neurons of nucleus laminaris act as coincidence detectors that form a map of interaural
# time difference. For mammals the picture is less clear: a review (Grothe, Pecka & McAlpine, 2010)
# argues that recent evidence challenges this "textbook" account of mammalian sound localization and
# discusses other mechanisms, among them a role for precisely timed inhibition. Delay lines are one
# way brains may use delays, not *the* way; this course uses them as an engineering idea.

# %%
difference = 6
delays, counts, v_bank, z_bank = course.delay_bank((30, 30 + difference), max_delay=20, n_steps=80)
compensated = delays[:, 0] - delays[:, 1]
print("neurons that fire compensate", compensated[counts > 0], "steps")

# %% tags=["nbval-ignore-output"]
plots.plot_delay_bank(compensated, counts, expected=difference)

# %% [markdown]
# The narrow window ($\tau_\text{mem} = 5$ ms) keeps the answer sharp. Check that the active neurons are
# exactly those whose delayed spikes fall within the window, and that their centre sits on the true
# difference:

# %%
bank_window = 5.0 * np.log(0.6 / (1.0 - 0.6))              # τ_mem/Δt · ln(w/(ϑ − w)) with τ_mem = 5 ms
for difference in (-12, -6, 0, 4, 10):
    delays, counts, _, _ = course.delay_bank((30, 30 + difference), max_delay=20, n_steps=80)
    compensated = delays[:, 0] - delays[:, 1]
    active = compensated[counts > 0]
    centre = 0.5 * (active.min() + active.max())
    print(f"t_B − t_A = {difference:+3d}: active {active.min():+d} … {active.max():+d}, centre {centre:+.0f}")
    assert set(active) == {c for c in compensated if abs(c - difference) < bank_window}
    assert centre == difference

# %% tags=["nbval-ignore-output"]
widgets.delay_bank_explorer();

# %% [markdown]
# ## 5. Exact decay versus Euler's
#
# Between input spikes the membrane obeys $\tau\,\dot v = -v$, whose solution over one step is
# $v(t + \Delta t) = e^{-\Delta t/\tau}\, v(t)$: the factor $\alpha = e^{-\Delta t/\tau}$ is **exact**
# for any step size. The forward-Euler discretisation $v \leftarrow v - \frac{\Delta t}{\tau} v$
# uses $\alpha_\text{Euler} = 1 - \Delta t/\tau$ instead, which is only close when $\Delta t \ll \tau$.
# With the 10 ms bins used for speech data and $\tau = 20$ ms the two differ a lot:

# %%
for dt_over_tau in (0.01, 0.1, 0.5):
    exact, euler = np.exp(-dt_over_tau), 1 - dt_over_tau
    print(f"dt/τ = {dt_over_tau:<4}: α exact {exact:.4f}   α Euler {euler:.4f}   ({100 * (euler / exact - 1):+.1f} %)")

# %%
dt, tau = 0.010, 0.020
potentials = {}
for decay in ("exact", "euler"):
    v_decay, _, _ = course.coincidence_neuron([2, 99], weight=0.8, tau_mem=tau, dt=dt, n_steps=12, decay=decay)
    potentials[decay] = v_decay
steps = np.arange(12)
continuous = np.where(steps >= 2, 0.8 * np.exp(-(steps - 2) * dt / tau), 0.0)
assert np.allclose(potentials["exact"], continuous, atol=1e-12)   # exact at every step
print("largest error of Euler:", np.abs(potentials["euler"] - continuous).max().round(3))

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(6.5, 3.0))
fine = np.linspace(2, 11, 200)
ax.plot(fine * dt * 1e3, 0.8 * np.exp(-(fine - 2) * dt / tau), color="#999999", lw=3, alpha=0.6,
        label="continuous time")
plots.plot_membrane(potentials["exact"], dt=dt, ax=ax, label="exact α = e^(−dt/τ)", show_threshold=False)
plots.plot_membrane(potentials["euler"], dt=dt, ax=ax, label="Euler α = 1 − dt/τ", color=plots.COLORS["surrogate"],
                    show_threshold=False)
for line in ax.lines[1:]:
    line.set_marker("o")
ax.set_title("one input spike, dt = 10 ms, τ_mem = 20 ms")
ax.legend(fontsize=8, frameon=False)
fig

# %% [markdown]
# The error is not cosmetic: it changes which spikes count as coincident. With $w = 0.75$, the exact
# window is $\Delta < 2 \ln 3 \approx 2.20$ steps, Euler's only $\Delta < \log_{0.5} \tfrac13 \approx 1.58$:

# %%
for decay in ("exact", "euler"):
    window_steps = [gap for gap in range(6)
                    if course.coincidence_neuron([5, 5 + gap], weight=0.75, tau_mem=tau, dt=dt, n_steps=20,
                                                 decay=decay)[1].any()]
    print(f"{decay:>5}: fires for gaps {window_steps}")
    assert window_steps == ([0, 1, 2] if decay == "exact" else [0, 1])

# %% [markdown]
# ### Exercise 01.4 — how coarse can the steps be before Euler changes the window?
#
# **(b) experiment.** Keep $w = 0.75$ and $\tau_\text{mem} = 20$ ms. For each step width in `dts_ms`,
# find by simulation (`course.coincidence_neuron(..., decay="exact")` and `decay="euler"`) the gaps
# $0, 1, 2, \dots$ steps between the two input spikes that make the neuron fire, with either decay. Set
# `largest_agreeing_dt` to the **largest step width (in ms) of the grid at which both decays give the same
# firing gaps**. What is $\Delta t/\tau_\text{mem}$ there — is Euler "safe" only when $\Delta t \ll \tau$?
#
# *Checked:* the check re-simulates both decays at your step width and at every larger one of the grid.

# %% tags=["exercise"]
dts_ms = (1, 2, 3, 4, 5, 10)
largest_agreeing_dt = None
# your code here

# %% tags=["solution"]
def firing_gaps(dt_ms, decay):
    return [gap for gap in range(30)
            if course.coincidence_neuron([5, 5 + gap], weight=0.75, tau_mem=0.020, dt=dt_ms / 1000, n_steps=40,
                                         decay=decay)[1].any()]


agree = {}
for dt_ms in dts_ms:
    agree[dt_ms] = firing_gaps(dt_ms, "exact") == firing_gaps(dt_ms, "euler")
    print(f"dt = {dt_ms:2d} ms (dt/τ = {dt_ms / 20:.2f}): exact fires for gaps up to {max(firing_gaps(dt_ms, 'exact'))}, "
          f"Euler up to {max(firing_gaps(dt_ms, 'euler'))} steps")
largest_agreeing_dt = max(dt_ms for dt_ms in dts_ms if agree[dt_ms])
print("largest step width with the same window:", largest_agreeing_dt, "ms")

# %% tags=["exercise-check"]
def test():
    if largest_agreeing_dt is None:
        raise NotImplementedError("set largest_agreeing_dt")
    grid = (1, 2, 3, 4, 5, 10)
    assert largest_agreeing_dt in grid, f"choose largest_agreeing_dt from the grid {grid} (ms), not {largest_agreeing_dt!r}"

    def gaps(dt_ms, decay):
        return {gap for gap in range(30) if course.coincidence_neuron(
            [3, 3 + gap], weight=0.75, tau_mem=0.020, dt=dt_ms / 1000, n_steps=45, decay=decay)[1].any()}

    for dt_ms in (d for d in grid if d >= largest_agreeing_dt):
        same = gaps(dt_ms, "exact") == gaps(dt_ms, "euler")
        if dt_ms == largest_agreeing_dt:
            assert same, f"at dt = {dt_ms} ms the two decays fire for different gaps"
        else:
            assert not same, f"at dt = {dt_ms} ms, a larger step, the two decays still fire for the same gaps"


exercises.check("01.4", test, hint="for each dt: the list of gaps that fire with decay='exact' and with decay='euler'; "
                                   "compare the lists; dt is in seconds in coincidence_neuron")

# %% [markdown]
# Euler's window is shorter at *every* step width — $\ln 3 / (-\ln(1 - \Delta t/\tau))$ against
# $(\tau/\Delta t) \ln 3$ steps: 21.4 against 22.0 at 1 ms — but a simulation only sees whole-step gaps,
# so the difference shows once it crosses an integer: from $\Delta t/\tau = 0.15$ on this grid.
#
# A network trained with one decay and run with the other sees different coincidences; this is a
# known source of large accuracy gaps between implementations. `snnlib` uses the exact decay
# everywhere (`SNNConfig(decay="exact")`, the default); `decay="euler"` exists only for comparisons
# like this one.
#
# ## Summary
#
# - A LIF neuron sums inputs that arrive within about $\tau_\text{mem}\ln\frac{w}{\vartheta - w}$ of
#   each other: it is a **coincidence detector**.
# - A delay on a connection shifts a spike in time, so the right delays turn a temporal pattern into
#   a coincidence — and a bank of neurons with different delays turns *time* into *place* (Jeffress).
# - The exact decay $\alpha = e^{-\Delta t/\tau}$ is right for any step size; Euler's is not.
# - You wrote the neuron (01.1), predicted from the window formula which delays make it fire (01.2), and
#   measured that Euler's decay already shrinks the window at $\Delta t/\tau = 0.15$ (01.4).
#
# **Next:** [02 · Delays in networks](02_delays_in_networks.py) — where delays live in a network
# (per synapse or per axon), how a streaming implementation stores them, and what they cost.
#
# ## References
#
# - Jeffress, L. A. (1948). A place theory of sound localization. *Journal of Comparative and
#   Physiological Psychology* 41, 35–39. (Title, author and year checked; journal, volume and pages
#   unverified here.)
# - Carr, C. E. & Konishi, M. (1990). A circuit for detection of interaural time differences in the
#   brain stem of the barn owl. *Journal of Neuroscience* 10, 3227–3246.
# - Grothe, B., Pecka, M. & McAlpine, D. (2010). Mechanisms of sound localization in mammals.
#   *Physiological Reviews* 90, 983–1012. doi:10.1152/physrev.00026.2009
# - Zenke, F. SpyTorch: a tutorial on surrogate gradient learning in spiking neural networks.
#   https://github.com/fzenke/spytorch (its Tutorial 1 uses a current-based synapse, τ_syn = 5 ms, τ_mem = 10 ms).
# - Vassallo, L. & Taherinejad, N. (2026). Three factor delay learning rules for spiking neural networks.
#   arXiv:2601.00668 — the method this course teaches (notebooks 03–05).
#
# The full list of the course's references is in [docs/references.md](../docs/references.md).
