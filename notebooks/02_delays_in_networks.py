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
# # 02 · Delays in networks
#
# Notebook 01 gave one neuron a delay per input. In a network with $M$ inputs and $N$ hidden
# neurons there are two natural places to put delays, and they cost very different amounts of
# memory. This notebook compares them, shows how a streaming implementation stores delayed spikes
# in **ring buffers**, and uses delays to re-align spatio-temporal patterns.
#
# **You will learn**
# - synaptic delays (one per connection, $N \cdot M$) versus axonal delays (one per input, $M$);
# - how a continuous delay parameter becomes the integer delay of the forward pass;
# - how a ring buffer of depth $d_\text{max}+1$ delivers delayed spikes one step at a time;
# - what delays cost in memory and in latency;
# - why one shared set of axonal delays can still tell several patterns apart.
#
# **Prerequisites:** notebook 01 (LIF neuron, coincidence window). Symbols ($d_\text{max}$, $D$, $d$, …)
# are defined once in the [glossary](../docs/glossary.md).
#
# **What you do here:** sliders for $d_\text{max}$ and the layer sizes of a memory calculation
# (section 3); 4 exercises — 02.1 write a ring buffer that delays a spike train, 02.2 find how long the
# delays can be before they cost more memory than the weights, 02.3 compute delays that align a pattern,
# 02.4 a Think! question. Each check prints `Exercise 02.k: correct` only when your answer agrees with an
# independent computation (on inputs you have not seen, for 02.1 and 02.3).
#
# **Estimated time:** 50 minutes (30 for reading and sliders, 20 for the exercises).

# %%
# %matplotlib inline
import tempfile

import numpy as np

import snnlib
from snnlib import course, data, exercises, metrics, plots, widgets
from snnlib.delays import SpikeRing, shift
from snnlib.surrogate import integer_delay

# %% [markdown]
# ## 1. Synaptic and axonal delays
#
# Every delay has a **continuous** parameter $D \ge 0$ (in steps; continuous so that it can be
# learned, notebook 03) and an **integer** delay used by the forward pass (MODEL.md §2):
#
# $$ d = \operatorname{clip}\big(\lfloor D + \tfrac12 \rfloor,\; 0,\; d_\text{max}\big). $$
#
# - **Synaptic** delays, one per connection $i \to j$: $\tilde x[j, i, t] = x[i, t - d[j, i]]$,
#   an array of shape $(N, M)$.
# - **Axonal** delays, one per input $i$, shared by all its targets: $\tilde x[j, i, t] = x[i, t - d[i]]$,
#   shape $(M,)$.

# %%
print("integer delays of D =", [0.2, 0.5, 1.49, 2.5, 30.0], "→", integer_delay([0.2, 0.5, 1.49, 2.5, 30.0], d_max=25))
assert list(integer_delay([0.2, 0.5, 1.49, 2.5, 30.0], d_max=25)) == [0, 1, 1, 3, 25]

shapes = {}
for kind in ("synaptic", "axonal"):
    config = snnlib.SNNConfig(n_in=20, n_hidden=8, n_out=3, delays=kind, d_max=25, seed=0)
    shapes[kind] = snnlib.init_params(config)["D_in"]
    print(f"{kind:>8}: D_in has shape {shapes[kind].shape}")
assert shapes["synaptic"].shape == (8, 20) and shapes["axonal"].shape == (20,)

# %% tags=["nbval-ignore-output"]
fig, axes = plots.new_figure(1, 2, figsize=(10, 3.2))
plots.plot_delay_matrix(shapes["synaptic"], d_max=25, ax=axes[0], title="synaptic: one delay per connection")
plots.plot_delay_matrix(np.broadcast_to(shapes["axonal"], (8, 20)), d_max=25, ax=axes[1],
                        title="axonal: one delay per input (same in each column)")
fig

# %% [markdown]
# ## 2. Ring buffers: delays in a stream
#
# A streaming implementation (a chip, or `snnlib.OnlineLearner`) sees one step at a time. To deliver
# $x[i, t - d]$ at step $t$ it must remember the last $d_\text{max} + 1$ steps of every delayed input.
# A **ring buffer** does this in fixed memory: a circular array of depth $d_\text{max}+1$ whose
# *head* advances by one slot per step, overwriting the oldest entry. Reading "$d$ steps ago" is
# reading slot $(\text{head} - d) \bmod (d_\text{max}+1)$.
#
# Below, a sloped pattern (input $k$ fires at step $5 + k$) streams through a `SpikeRing`. We read
# every input at its own axonal delay, and also every connection at its own synaptic delay, and
# compare with shifting the whole recording at once.

# %%
M, N, d_max, T = 8, 3, 10, 30
pattern = np.zeros((T, M))
pattern[5 + np.arange(M), np.arange(M)] = 1.0          # input k fires at step 5 + k

rng = np.random.default_rng(1)
d_axonal = rng.integers(0, d_max + 1, size=M)           # (M,)
d_synaptic = rng.integers(0, d_max + 1, size=(N, M))    # (N, M)

ring = SpikeRing(depth=d_max + 1, batch=1, width=M)
streamed_axonal = np.zeros((T, M))
streamed_synaptic = np.zeros((T, N, M))
for t in range(T):
    ring.push(pattern[t][None, :])                       # the newest step, shape (batch, M)
    streamed_axonal[t] = ring.gather_axonal(d_axonal)[0]
    streamed_synaptic[t] = ring.gather(d_synaptic)[0]
    if t == 12:
        snapshot, head = ring.buffer[:, 0, :].copy(), ring.head

# the same delays applied to the whole recording at once
whole = pattern[None]                                    # (1, T, M)
for k in range(M):
    assert np.array_equal(streamed_axonal[:, k], shift(whole[..., [k]], int(d_axonal[k]))[0, :, 0])
    for j in range(N):
        assert np.array_equal(streamed_synaptic[:, j, k], shift(whole[..., [k]], int(d_synaptic[j, k]))[0, :, 0])
print("streamed through the ring == shifted recording (axonal and synaptic)")

# %% tags=["nbval-ignore-output"]
plots.plot_ring(snapshot, head, title=f"the ring at step 12: newest step in slot {head}, depth {d_max + 1}")

# %% [markdown]
# Each column of the ring is one past step; the framed slot is the newest (step 12, when input 7
# fires). The diagonal of spikes is our sloped pattern, wrapped around the circle. Note two things:
#
# - The ring stores *spikes*, one bit per input and step, **not** one entry per connection: synaptic
#   delays read the same ring at different taps. Both kinds need $M \cdot (d_\text{max} + 1)$ bits
#   for the forward pass. (An online *learner* keeps $2w$ more steps for its delay gradient — notebook 03
#   derives the depth $d_\text{max} + 2w + 1$.)
# - The cost of synaptic delays is in the delay *parameters*: $N \cdot M$ of them instead of $M$.

# %% [markdown]
# ### Exercise 02.1 — a ring buffer of your own
#
# **(a) implement.** Write `ring_delay(x, delays, d_max)`: stream a spike recording `x` of shape
# $(T, M)$ through **one** circular array of depth $d_\text{max} + 1$, one step at a time, and deliver
# input $k$ delayed by `delays[k]` steps (integers $0 \dots d_\text{max}$). At each step, overwrite the
# oldest slot with the newest spikes and read every input at its own delay. Return the delayed
# recording, shape $(T, M)$ (zeros before a delayed spike has arrived). Do not use `SpikeRing` or `shift`.
#
# *Checked:* against `snnlib.delays.shift` on random recordings, delay ranges and delays (the largest
# delay, $d_\text{max}$, always among them).

# %% tags=["exercise"]
def ring_delay(x, delays, d_max):
    """(T, M) spikes delayed per input by delays (M,) integer steps, through one ring of depth d_max + 1."""
    x, delays = np.asarray(x), np.asarray(delays, dtype=int)
    # your code here
    raise NotImplementedError("Exercise 02.1: stream x through a ring buffer")

# %% tags=["solution"]
def ring_delay(x, delays, d_max):
    """(T, M) spikes delayed per input by delays (M,) integer steps, through one ring of depth d_max + 1."""
    x, delays = np.asarray(x), np.asarray(delays, dtype=int)
    T, M = x.shape
    ring = np.zeros((d_max + 1, M), dtype=x.dtype)
    out = np.zeros_like(x)
    for t in range(T):
        head = t % (d_max + 1)
        ring[head] = x[t]                                     # the newest step overwrites the oldest
        out[t] = ring[(head - delays) % (d_max + 1), np.arange(M)]
    return out

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(201)
    for _ in range(5):
        T, M, d_max = int(rng.integers(15, 60)), int(rng.integers(2, 9)), int(rng.integers(1, 14))
        recording = (rng.random((T, M)) < 0.2).astype(float)
        delays = rng.integers(0, d_max + 1, size=M)
        delays[rng.integers(M)] = d_max
        expected = np.stack([shift(recording[None, :, [k]], int(delays[k]))[0, :, 0] for k in range(M)], axis=1)
        answer = np.asarray(ring_delay(recording.copy(), delays.copy(), d_max))
        assert answer.shape == (T, M), f"the result should have shape {(T, M)}, not {answer.shape}"
        wrong = np.nonzero(np.any(answer != expected, axis=0))[0]
        assert wrong.size == 0, (f"d_max = {d_max}: input {wrong[0]} with delay {delays[wrong[0]]} is delivered "
                                 f"at the wrong steps")


exercises.check("02.1", test, hint="slot of step t: t mod (d_max + 1); 'd steps ago' is the slot (head − d) mod (d_max + 1)")

# %% [markdown]
# ## 3. What delays cost
#
# `snnlib.metrics` counts this the way a hardware implementation would (MODEL.md §9): weights at
# 8 bit, delays at $\lceil \log_2(d_\text{max}+1) \rceil$ bits, and the ring buffers at one bit per
# entry. A decision also has to wait for the slowest delayed spike: the added **latency** is
# $d_\text{max} \cdot \Delta t$ per delayed layer.
#
# Here is an SHD-sized layer: 700 inputs, 128 hidden neurons, 20 classes, $d_\text{max} = 25$ steps of 10 ms.

# %%
reports = {}
for kind in ("none", "axonal", "synaptic"):
    config = snnlib.SNNConfig(n_in=700, n_hidden=128, n_out=20, delays=kind, d_max=25, dt=0.01)
    counts = metrics.parameter_counts(config)
    reports[kind] = metrics.memory(config)
    print(f"{kind:>8}: {counts['weights']:,} weights, {counts['delays']:,} delays, "
          f"ring buffers {reports[kind]['buffer_bits']:,} bit, latency {metrics.latency(config)['added_latency_s'] * 1e3:.0f} ms")
assert metrics.parameter_counts(config)["delays"] == 128 * 700            # synaptic: N·M
assert reports["axonal"]["delays_bytes"] * 8 == 700 * 5                   # axonal: M delays of 5 bit
assert reports["axonal"]["buffer_bits"] == reports["synaptic"]["buffer_bits"] == 700 * 26

# %% [markdown]
# ### Try it
#
# Move $d_\text{max}$ and the layer sizes. Synaptic delay memory grows with $N \cdot M \cdot \log_2(d_\text{max}+1)$,
# axonal with $M \log_2(d_\text{max}+1)$, the ring buffers with $M (d_\text{max}+1)$ — and the latency
# with $d_\text{max}$ alone.

# %% tags=["nbval-ignore-output"]
widgets.delay_memory_explorer();

# %% [markdown]
# ### Exercise 02.2 — how long can the delays be?
#
# **(b) experiment.** For the SHD-sized layer above (700 inputs, 128 hidden neurons, 20 classes,
# **synaptic** delays), use `metrics.memory` to find the **largest $d_\text{max}$ (1 … 1000) at which the
# delay parameters take no more memory than the weights at 8 bit** (`delays_bytes` against
# `weights_bytes[8]`), and store it in `longest_d_max`. Then compare the ring buffers at that
# $d_\text{max}$ with those at $d_\text{max} = 25$: which cost grows faster with the delay range, and what
# else grows with it (section 3)?
#
# *Checked:* against the memory counted by hand: $N \cdot M$ delays of $\lceil\log_2(d_\text{max}+1)\rceil$
# bits against $(M N + N K + K)$ weights of 8 bits.

# %% tags=["exercise"]
longest_d_max = None
# your code here

# %% tags=["solution"]
def delay_memory(d_max):
    config = snnlib.SNNConfig(n_in=700, n_hidden=128, n_out=20, delays="synaptic", d_max=d_max, dt=0.01)
    return metrics.memory(config)


longest_d_max = max(d for d in range(1, 1001)
                    if delay_memory(d)["delays_bytes"] <= delay_memory(d)["weights_bytes"][8])
print(f"longest d_max: {longest_d_max} ({delay_memory(longest_d_max)['delay_bits']} bits per delay); ring buffers "
      f"{delay_memory(longest_d_max)['buffer_bytes']:,.0f} B against {delay_memory(25)['buffer_bytes']:,.0f} B at d_max = 25")

# %% tags=["exercise-check"]
def test():
    if longest_d_max is None:
        raise NotImplementedError("set longest_d_max")
    M, N, K = 700, 128, 20
    weight_bits = 8 * (M * N + N * K + K)

    def fits(d_max):
        return N * M * int(np.ceil(np.log2(d_max + 1))) <= weight_bits

    assert isinstance(longest_d_max, (int, np.integer)) and 1 <= longest_d_max <= 1000, \
        f"longest_d_max should be a whole number of steps in 1 … 1000, not {longest_d_max!r}"
    assert fits(longest_d_max), f"at d_max = {longest_d_max} the delays already take more memory than the weights"
    assert not fits(longest_d_max + 1), f"d_max = {longest_d_max + 1} still fits: look for a longer delay range"


exercises.check("02.2", test, hint="loop over d_max, build the SNNConfig with delays='synaptic', compare "
                                   "metrics.memory(config)['delays_bytes'] with ['weights_bytes'][8]")

# %% [markdown]
# A delay of $d_\text{max} = 255$ steps still needs only 8 bits: delay *parameters* grow with
# $\log_2 d_\text{max}$, while the ring buffers grow linearly (about 10× from $d_\text{max} = 25$ to 255) —
# and so does the latency, $d_\text{max}\,\Delta t$: 2.55 s at 10 ms steps.

# %% [markdown]
# ## 4. Delays re-align a pattern
#
# Back to the sloped pattern: input $k$ fires at step $5 + k$. No two spikes are closer than one
# step, and with weights of 0.3 a neuron needs about four coincident spikes to fire. Axonal delays
# $d_k = 7 - k$ move every spike to step 12, and the neuron fires.

# %%
d_align = np.arange(M)[::-1].astype(float)             # 7, 6, …, 0
fired = {}
for name, delays in (("without delays", np.zeros(M)), ("with delays", d_align)):
    config = snnlib.SNNConfig(n_in=M, n_hidden=1, n_out=2, delays="axonal", d_max=d_max, tau_mem=0.002,
                              dt=0.001, dtype="float64")
    params = snnlib.init_params(config)
    params["W_in"] = np.full((1, M), 0.3)
    params["D_in"] = delays
    out = snnlib.forward(config, params, pattern[None])
    fired[name] = np.nonzero(out.z[0, :, 0])[0]
    print(f"{name}: output spikes at steps {fired[name]}")
assert fired["without delays"].size == 0 and list(fired["with delays"]) == [12]

# %% tags=["nbval-ignore-output"]
aligned = np.stack([shift(pattern[None, :, [k]], int(d_align[k]))[0, :, 0] for k in range(M)], axis=1)
fig, axes = plots.new_figure(1, 2, figsize=(10, 3.0), sharey=True)
plots.plot_raster(pattern, ax=axes[0], title="the pattern as sent")
plots.plot_raster(aligned, ax=axes[1], color=plots.COLORS["delayed"], title="after the delays: one volley at step 12")
fig

# %% [markdown]
# ### Exercise 02.3 — delays that align a pattern
#
# **(a) implement.** Given the step at which each input fires (one spike per input), return integer
# axonal delays $0 \dots d_\text{max}$ that make every spike arrive at the same step, as early as possible
# (the smallest delay is then 0). When no such delays exist within $d_\text{max}$, return `None`.
#
# *Checked:* on random patterns, some of which cannot be aligned within $d_\text{max}$, by simulating
# a coincidence detector that needs *every* spike to fire: its spike must come, and at the earliest step possible.

# %% tags=["exercise"]
def aligning_delays(spike_steps, d_max):
    """(M,) integer delays in 0 … d_max that move every spike to the same, earliest possible step; or None."""
    spike_steps = np.asarray(spike_steps)
    # your code here
    raise NotImplementedError("Exercise 02.3: compute the aligning delays")

# %% tags=["solution"]
def aligning_delays(spike_steps, d_max):
    """(M,) integer delays in 0 … d_max that move every spike to the same, earliest possible step; or None."""
    spike_steps = np.asarray(spike_steps)
    if np.ptp(spike_steps) > d_max:
        return None
    return spike_steps.max() - spike_steps

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(202)
    for n in range(10):
        M, d_max = int(rng.integers(2, 9)), int(rng.integers(3, 15))
        steps = rng.integers(2, 3 + d_max, size=M)
        if n % 3 == 0:                                          # one spike too late to be caught up
            steps[0], steps[-1] = 2, 3 + d_max + int(rng.integers(0, 3))
            rng.shuffle(steps)
        steps = [int(step) for step in steps]
        answer = aligning_delays(np.array(steps), d_max)
        if np.ptp(steps) > d_max:
            assert answer is None, f"spikes at {steps} cannot be aligned with d_max = {d_max}: return None"
            continue
        assert answer is not None, f"spikes at {steps} can be aligned with d_max = {d_max}"
        answer = np.asarray(answer)
        assert answer.shape == (M,) and np.all((answer >= 0) & (answer <= d_max)), \
            f"delays must be M = {M} integers in 0 … {d_max}; got {answer}"
        config = snnlib.SNNConfig(n_in=M, n_hidden=1, n_out=2, delays="axonal", d_max=d_max, tau_mem=0.001,
                                  dt=0.001, dtype="float64")
        params = snnlib.init_params(config)
        params["W_in"] = np.full((1, M), 1.0 / M + 1e-3)       # fires only when all M spikes coincide
        params["D_in"] = answer.astype(float)
        x = np.zeros((1, 40, M))
        x[0, steps, np.arange(M)] = 1.0
        fired = np.nonzero(snnlib.forward(config, params, x).z[0, :, 0])[0]
        assert list(fired) == [max(steps)], (f"spikes at {steps} with your delays {answer.tolist()}: "
                                             f"the detector fires at {fired.tolist()}, expected step {max(steps)}")


exercises.check("02.3", test, hint="the latest spike cannot move earlier, every other spike must wait for it; "
                                   "a spread of spike steps larger than d_max cannot be closed")

# %% [markdown]
# **Think!** 02.4 A chip with **synaptic** delays stores $N \cdot M$ delay values, yet section 2 says its
# ring buffers need only $M\,(d_\text{max}+1)$ bits, the same as axonal delays. Why is one ring per
# *input* enough? What would force a chip to store delayed events per *connection* instead?

# %% [markdown] tags=["solution"]
# *Model answer.* A ring buffer stores what was **sent**: input $i$'s spike at each of the last
# $d_\text{max}+1$ steps. That history is the same for every target neuron; a synaptic delay only
# decides *which slot* neuron $j$ reads ($x[i, t - d_{ji}]$), so the $N$ connections of input $i$ read the
# same ring at different taps (section 2's `ring.gather`). Per-connection storage would be needed if
# the thing being delayed differed from connection to connection — e.g. a delayed *weighted current*
# $W_{ji}\,x_i$, or per-synapse dynamics (a synaptic current with its own time constant) applied before
# the delay, or an event queue per synapse (each event stored with its arrival time). Then memory grows
# with $N \cdot M$, not $M$. The price of synaptic delays is in the parameters ($N \cdot M$ delay values
# of $\lceil\log_2(d_\text{max}+1)\rceil$ bits) and in the gather, not in the buffers.

# %% [markdown]
# ## 5. Several patterns: synaptic delays, and what axonal delays can do
#
# The `delay-task` dataset (from `snnlib.data`, generated offline in a second) is built so that
# **only timing** tells its classes apart. Its 20 channels form 10 pairs; in each pair one channel
# fires `lag` = 10 steps after the other, and the class decides which one leads. Each pair starts at
# a random time, so there is no global order to read either. Every class has the same channels and
# the same number of spikes.
#
# A neuron for class $c$ with delay $\text{lag} - \text{offset}_c[k]$ on channel $k$ sees the two
# spikes of *every* pair coincide for samples of its class. Those delays differ from class to class,
# so "one neuron per class, all pairs aligned" needs **one delay per connection** — synaptic delays.
# Axonal delays (one per input channel, shared by all neurons) cannot align every pair for every
# class; we will see below that they do not need to.

# %%
with tempfile.TemporaryDirectory() as folder:
    paths = data.make_delay_task(folder, n_train=60, n_valid=0, n_test=60, seed=0)
    with data.open_dataset(paths["test"]) as test:
        offsets = test.attrs["class_offsets"]        # (classes, channels): 0 or lag, per class
        lag = int(test.attrs["lag"])
        samples = [test[i] for i in range(len(test))]  # (times, units, label) each
        x_test = data.bin_batch(samples, test.n_channels, dt=0.01, max_time=0.5)   # (B, T, M)
        y_test = np.array([label for _, _, label in samples])
        class_names = test.class_names
n_classes, n_channels = offsets.shape
print(f"{len(y_test)} test samples, {n_channels} channels, {n_classes} classes {class_names}, lag {lag} steps")
print("offsets of class A:", offsets[0])

# %% tags=["nbval-ignore-output"]
sample = int(np.nonzero(y_test == 0)[0][0])
fig, axes = plots.new_figure(1, 2, figsize=(10, 3.6), sharey=True)
plots.plot_raster(x_test[sample], dt=0.01, ax=axes[0], title=f"a sample of {class_names[0]} as sent")
realigned = np.stack([shift(x_test[sample][None, :, [k]], int(lag - offsets[0, k]))[0, :, 0]
                      for k in range(n_channels)], axis=1)
plots.plot_raster(realigned, dt=0.01, ax=axes[1], color=plots.COLORS["delayed"],
                  title=f"through the delays of {class_names[0]}: pairs coincide")
fig

# %% [markdown]
# Now a hand-built detector: one neuron per class, weights 0.6 (two coincident spikes fire it) and
# the ideal synaptic delays of its class. Count its spikes for test samples of each class:

# %%
config = snnlib.SNNConfig(n_in=n_channels, n_hidden=n_classes, n_out=n_classes, delays="synaptic", d_max=2 * lag,
                          tau_mem=0.005, dt=0.01, dtype="float64")
params = snnlib.init_params(config)
params["W_in"] = np.full((n_classes, n_channels), 0.6)
params["D_in"] = (lag - offsets).astype(float)          # (N = classes, M = channels)
spikes = snnlib.forward(config, params, x_test).z.sum(axis=1)   # (samples, neurons)
response = np.array([spikes[y_test == c].mean(axis=0) for c in range(n_classes)])
print("mean spikes of each neuron (columns) for samples of each class (rows):")
print(np.round(response, 1))
assert np.all(np.argmax(response, axis=1) == np.arange(n_classes))
accuracy = np.mean(np.argmax(spikes, axis=1) == y_test)
print(f"reading out the most active neuron: {100 * accuracy:.0f} % correct (chance: {100 / n_classes:.0f} %)")
assert accuracy > 0.5

# %% [markdown]
# Each neuron answers most to its own class: the pairs that its delays align are exactly those of
# its class. It is not perfect — two classes share about half of their pair orientations, and noise
# spikes make chance coincidences — but it is far above chance. Without any delays a coincidence
# detector sees no pair coincide (the two spikes of a pair are always `lag` steps apart).
#
# ### One shared alignment is enough to read the class
#
# What can **axonal** delays do, with one delay per channel shared by every neuron? They cannot align
# all pairs for all classes, but they can align a *fixed half*: delay the first channel of every pair by
# `lag` and the second by 0. Pair $p$ then coincides exactly in the classes where its first channel
# leads — and which pairs coincide is different for each class. Give each hidden neuron its own
# **weights** (here: neuron $p$ listens to pair $p$ only) and the pattern of coincidences across
# neurons is a class-specific code that a readout can learn. The alignment is shared; the
# selectivity comes from the per-neuron weights.

# %%
n_pairs = n_channels // 2
config = snnlib.SNNConfig(n_in=n_channels, n_hidden=n_pairs, n_out=n_classes, delays="axonal", d_max=2 * lag,
                          tau_mem=0.005, dt=0.01, dtype="float64")
params = snnlib.init_params(config)
params["D_in"] = np.where(np.arange(n_channels) % 2 == 0, float(lag), 0.0)   # (M,): first of each pair by lag
params["W_in"] = np.zeros((n_pairs, n_channels))
for p in range(n_pairs):
    params["W_in"][p, [2 * p, 2 * p + 1]] = 0.6                               # neuron p: pair p only
fired = snnlib.forward(config, params, x_test).z.sum(axis=1) > 0            # (samples, pairs)
first_leads = offsets[:, 0::2] == 0                                          # (classes, pairs): the code
print("pairs whose first channel leads, per class (1 = the shared delays align this pair):")
print(first_leads.astype(int))
readout = np.where(first_leads, 1.0, -1.0)                                   # vote +1 if expected, −1 if not
axonal_accuracy = np.mean(np.argmax(fired @ readout.T, axis=1) == y_test)
print(f"shared axonal delays + per-neuron weights: {100 * axonal_accuracy:.0f} % correct "
      f"(one-neuron-per-class synaptic detector above: {100 * accuracy:.0f} %, chance {100 / n_classes:.0f} %)")
assert len({tuple(row) for row in first_leads}) == n_classes                 # a different code per class
assert axonal_accuracy > 0.6

# %% [markdown]
# Training finds such solutions by itself. With the project's trainer on the full `delay-task`
# (600 training / 200 validation / 200 test samples, N = 16 hidden neurons, 15 epochs,
# `configs/delay-task.toml`), five seeds each (the seed sets the initial parameters and the data order;
# the generated data are the same), test accuracy, mean ± sd:
#
# | network | test accuracy (5 seeds) | parameters |
# |---|---:|---:|
# | weights only | 38.7 ± 2.1 % | 371 |
# | learned axonal delays | 87.9 ± 5.8 % (78.5–94.0) | 371 weights + 20 delays |
# | learned synaptic delays | 91.9 ± 2.2 % | 371 weights + 320 delays |
#
# (`python -m snnlib train --config configs/delay-task.toml --delays axonal --seed S` for S = 0 … 4, and
# likewise with `--delays synaptic` and `--delays none`; about 25 s each.) Axonal delays get most of the
# way with 20 delays instead of 320; the 4-point difference to synaptic delays is smaller than the
# spread of the axonal runs. According to a summary of the paper, its online-learned axonal delays
# trail BPTT by about 8 %, a gap the authors attribute to accumulated approximation errors. Notebook 05
# trains such networks.
#
# ## Summary
#
# - Synaptic delays: $N \cdot M$ parameters, one pattern per neuron. Axonal delays: $M$ parameters,
#   one pattern shared by all targets.
# - Both are served by the same ring buffers, $d_\text{max}+1$ steps deep per input; the price of
#   delays is in parameters and in latency ($d_\text{max}\,\Delta t$ per delayed layer).
# - Delays re-align spatio-temporal patterns into coincidences that a LIF neuron detects.
# - Synaptic delays can align every pattern for its own neuron; a single shared set of axonal delays
#   aligns a fixed subset, and the class-specific *pattern* of coincidences, read by per-neuron
#   weights, still tells the classes apart (trained on `delay-task`: 87.9 ± 5.8 % axonal, 91.9 ± 2.2 %
#   synaptic, 38.7 ± 2.1 % weights only; 5 seeds).
# - You wrote a ring buffer (02.1), found that delays up to 255 steps cost no more memory than 8-bit weights
#   while buffers and latency grow linearly (02.2), and computed delays that align a pattern (02.3).
#
# **Next:** [03 · The Gaussian surrogate](03_gaussian_surrogate.py) — the forward pass moves spikes by
# whole steps, so how can gradient descent learn a delay?
#
# ## References
#
# - Izhikevich, E. M. (2006). Polychronization: computation with spikes. *Neural Computation* 18, 245–282.
#   (Networks with axonal conduction delays hold many more reproducible time-locked firing groups than
#   they have neurons.)
# - Hammouamri, I., Khalfaoui-Hassani, I. & Masquelier, T. (2024). Learning delays in spiking neural
#   networks using dilated convolutions with learnable spacings. *ICLR 2024*; arXiv:2306.17670.
#   (Learned synaptic delays, trained offline; fixed random delays help, learned ones more.)
# - Vassallo, L. & Taherinejad, N. (2026). Three factor delay learning rules for spiking neural networks.
#   arXiv:2601.00668. (Synaptic and axonal delays learned online; its abstract reports up to 20 % higher
#   accuracy than weights only.)
#
# The full list of the course's references is in [docs/references.md](../docs/references.md).
