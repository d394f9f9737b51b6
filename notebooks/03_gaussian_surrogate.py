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
# # 03 · The Gaussian surrogate: a gradient for a delay
#
# The forward pass moves binary spikes by whole steps. As a function of the delay parameter $D$, the
# loss is therefore a staircase: flat almost everywhere, with jumps in between. Its derivative is
# zero wherever it exists, and gradient descent cannot learn a delay from it. This notebook shows
# the fix used throughout `snnlib`: for the learning rule (never for the forward pass), each spike
# is represented by a **Gaussian bump** of width $\sigma$, which *can* be differentiated with respect
# to its position.
#
# **You will learn**
# - why a binary spike train has no useful derivative with respect to its delay;
# - the Gaussian representation, its derivative, and how to check it by finite differences;
# - what $\sigma$ does: too small and the gradient vanishes, too large and spikes blur together;
# - why the exact kernel looks into the future, and how an online learner handles it with a lag;
# - how annealing $\sigma$ combines a long reach with precision.
#
# **Prerequisites:** notebooks 01–02; derivatives and the chain rule.
#
# **Estimated time:** 35 minutes.

# %%
# %matplotlib inline
import numpy as np

import snnlib
from snnlib import course, plots, surrogate, widgets

# %% [markdown]
# ## 1. A staircase loss
#
# Our test bed (`course.DelayToy`) is the neuron of notebook 01 inside a tiny classifier: input A
# spikes at step 10 with a learnable delay $D$, input B at step 30 without delay, both with weight
# 0.6, $\tau_\text{mem} = 10$ ms, steps of 1 ms. The hidden neuron's spike votes for the correct
# class, so the loss $E$ (cross-entropy, counted from step 30 on) is low when the delayed spike of A
# meets B within the coincidence window — when $D$ is about 20.
#
# The forward pass only sees the integer delay $d = \lfloor D + \tfrac12 \rfloor$, so $E(D)$ is
# constant on every interval $[k - \tfrac12, k + \tfrac12)$:

# %%
toy = course.DelayToy()
grid = np.linspace(0, toy.d_max, 4 * toy.d_max + 1)          # steps of 0.25
loss, gradient, integral = toy.landscape(grid, sigma=1.0)
for k in range(toy.d_max):
    cell = (grid >= k - 0.5) & (grid < k + 0.5)
    assert np.ptp(loss[cell]) == 0.0                          # flat within each integer cell
print(f"E(D) takes {len(np.unique(loss.round(12)))} distinct values on {len(grid)} grid points;",
      f"lowest for D in [{grid[loss == loss.min()].min()}, {grid[loss == loss.min()].max()}]")

# %% tags=["nbval-ignore-output"]
plots.plot_loss_landscape(grid, loss, title="the true loss as a function of the delay D (σ-independent)")

# %% [markdown]
# Away from the window, nothing changes when $D$ moves a little: the true derivative is 0, and a
# gradient step goes nowhere. We need a derivative that says *in which direction* the spike should move.
#
# ## 2. The Gaussian representation
#
# For the learning rule only, the spike train of an input with spikes at steps $t_f$ is represented
# as a sum of Gaussians of width $\sigma$ (in steps, peak 1), truncated at $w = \lceil 3\sigma \rceil$
# steps (MODEL.md §6):
#
# $$ s(\tau) = \sum_f \exp\!\Big(-\frac{(\tau - t_f)^2}{2\sigma^2}\Big), \qquad |\tau - t_f| \le w . $$
#
# The delayed input is $\tilde x(t) \approx s(t - D)$, and *this* has a derivative with respect to $D$:
#
# $$ \frac{\partial \tilde x(t)}{\partial D} \approx -s'(t - D)
#    = \sum_f \frac{t - D - t_f}{\sigma^2}\, \exp\!\Big(-\frac{(t - D - t_f)^2}{2\sigma^2}\Big) . $$
#
# It is positive just after the delayed spike (increasing $D$ brings the bump's mass there) and
# negative just before. The learning rule evaluates it at the **continuous** $D$ and at the integer
# steps $t$ of the simulation. In `snnlib.surrogate`: `smoothed_train` gives $s$, `delay_kernel` the
# bump's derivative $h(u) = \frac{u}{\sigma^2} e^{-u^2/2\sigma^2}$, and `delayed_derivative` the sum above.

# %%
train = np.zeros(40)
train[[8, 20]] = 1.0                 # spikes at steps 8 and 20
D, sigma = 4.3, 1.0
tau = np.linspace(0, 39, 800)
smooth = surrogate.smoothed_train(train, tau - D, sigma)              # s(τ − D)
derivative = surrogate.delay_kernel(tau[:, None] - D - np.array([8, 20])[None, :], sigma).sum(axis=1)
at_steps = surrogate.delayed_derivative(train, D, sigma)              # ∂x̃[t]/∂D at t = 0 … 39

# %% tags=["nbval-ignore-output"]
fig = plots.plot_surrogate(tau, train, smooth, derivative, D=D, sigma=sigma)
fig.axes[0].plot(np.arange(40), at_steps, "o", ms=3.5, color=plots.COLORS["surrogate"], label="at integer steps")
fig.axes[0].legend(fontsize=8, frameon=False, loc="upper right")
fig

# %% [markdown]
# ## 3. Check the derivative by finite differences
#
# Never trust a hand-derived gradient until it has been compared with a numerical one. We shift the
# Gaussian representation by $D \pm h$ and compare the central difference with `delayed_derivative`:
#
# $$ \frac{\partial \tilde x(t)}{\partial D} \approx \frac{s(t - D - h) - s(t - D + h)}{2h} . $$

# %%
h = 1e-5
steps = np.arange(40)
for D in (0.3, 4.3, 7.75, 12.5):       # fractional parts keep t − D − t_f off the truncation edge ±w
    for sigma in (0.7, 1.0, 2.5):
        numeric = (surrogate.smoothed_train(train, steps - D - h, sigma)
                   - surrogate.smoothed_train(train, steps - D + h, sigma)) / (2 * h)
        analytic = surrogate.delayed_derivative(train, D, sigma)
        assert np.max(np.abs(numeric - analytic)) < 1e-6, (D, sigma)
print("finite differences agree with the analytic derivative (max error < 1e-6)")

# %% [markdown]
# ## 4. The loss the surrogate sees
#
# Feeding this derivative through the network's learning rule (the eligibility traces of notebook 04;
# here computed by `snnlib.bptt_gradients`, which gives the same numbers for this network) yields a
# **surrogate gradient** $\partial E/\partial D$ at every $D$. Integrating it along $D$ draws the
# loss the learning rule "believes in": a smooth valley around the window, where the true loss is a
# staircase.
#
# Move $\sigma$ and $D$ below. Top: the delayed spike of input A, its Gaussian representation and
# the derivative, with the values at integer steps that the learner actually uses. Middle: true loss
# and surrogate picture. Bottom: the surrogate gradient. Note the saw-tooth: the forward pass keeps
# the integer delay while the kernel moves with the continuous $D$ inside each step.

# %% tags=["nbval-ignore-output"]
widgets.surrogate_explorer();

# %% [markdown]
# The valley is not the true loss — its height is off, and it keeps rising where the true loss is
# flat again — but its slope points toward the window from far away. That is all gradient descent needs.
#
# ## 5. Choosing σ
#
# ### Too small: the gradient vanishes
#
# The derivative is only evaluated at integer steps. When $\sigma$ is far below one step, almost no
# step falls inside the bump: at $\sigma = 0.1$ a step one whole step away sees $e^{-50} \approx 10^{-22}$,
# and even half a step away only $e^{-12.5} \approx 4 \cdot 10^{-6}$.

# %%
sigmas = np.array([0.1, 0.15, 0.2, 0.3, 0.5, 0.75, 1.0, 2.0, 3.0, 5.0])
coarse = np.linspace(0, toy.d_max, 41)
reach = np.array([np.abs(toy.landscape(coarse, sigma=s)[1]).max() for s in sigmas])
for s, r in zip(sigmas, reach):
    print(f"σ = {s:<4}: largest |∂E/∂D| = {r:.2e}")
assert reach[0] < 1e-3 * reach[sigmas == 1.0][0]

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(6, 3))
ax.semilogy(sigmas, reach, "o-", color=plots.COLORS["surrogate"])
ax.set_xlabel("σ [step]")
ax.set_ylabel("largest |∂E/∂D|")
ax.set_title("the surrogate gradient vanishes for σ ≪ 1 step")
fig

# %% [markdown]
# ### Too large: spikes blur together
#
# A wide bump reaches far, but it also merges neighbouring spikes: the gradient can no longer tell
# which spike should move. Spikes at steps 10 and 13 are two bumps at $\sigma = 1$ and one at $\sigma = 3$:

# %%
blur_train = np.zeros(40)
blur_train[[10, 13, 30]] = 1.0
fine = np.linspace(0, 39, 2000)
peaks = {}
for s in (0.5, 1.0, 3.0):
    curve = surrogate.smoothed_train(blur_train, fine, s)
    top = curve[1:-1]
    peaks[s] = int(np.sum((top > curve[:-2]) & (top >= curve[2:]) & (top > 0.1)))   # ignore truncation ripples
    print(f"σ = {s}: {peaks[s]} separate bumps for 3 spikes")
assert peaks[1.0] == 3 and peaks[3.0] == 2

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(7, 3))
ax.vlines(np.nonzero(blur_train)[0], 0, 1, color=plots.COLORS["true"], lw=2, label="spikes")
for n, s in enumerate((0.5, 1.0, 3.0)):
    ax.plot(fine, surrogate.smoothed_train(blur_train, fine, s), lw=1.8, label=f"σ = {s}",
            color=("#4c72b0", "#dd8452", "#55a868")[n])
ax.set_xlabel("time [step]")
ax.set_ylabel("s(τ)")
ax.set_title("the Gaussian representation at three widths")
ax.legend(fontsize=8, frameon=False)
fig

# %% [markdown]
# ## 6. The kernel looks into the future: the lag buffer
#
# $\partial \tilde x[t]/\partial D$ sums over spikes with $|t - D - t_f| \le w$, i.e. input spikes up
# to step $t - D + w$. When $D < w$ some of these lie **in the future** of step $t$. An online learner
# cannot wait for the future, so `snnlib.OnlineLearner` runs its delay traces $w$ steps **behind** the
# forward pass, reading old spikes from its ring buffers (now $d_\text{max} + 2w + 1$ deep) and the
# old $\psi$ and learning signals from short queues. This lag is a property of the algorithm, not an
# approximation: with the same truncation it gives exactly the same gradient (notebook 04 checks this).

# %%
for sigma in (0.5, 1.0, 2.0):
    config = snnlib.SNNConfig(n_in=4, n_hidden=3, n_out=2, d_max=10, sigma=sigma)
    learner = snnlib.OnlineLearner(config, snnlib.init_params(config))
    learner.begin(np.array([0]), n_steps=20)
    depth = learner.net.in_ring.depth
    print(f"σ = {sigma}: w = {config.w}, delay traces lag {config.lag} steps, ring depth {depth}")
    assert config.lag == config.w and depth == config.d_max + 2 * config.w + 1

# %% tags=["nbval-ignore-output"]
u = np.linspace(-4, 4, 400)
fig, ax = plots.new_figure(figsize=(6.5, 3))
ax.plot(u, surrogate.delay_kernel(u, 1.0), color=plots.COLORS["surrogate"], lw=2, label="centred kernel h(u)")
ax.plot(u, surrogate.delay_kernel(u, 1.0, causal=True), color=plots.COLORS["input"], lw=1.5, ls="--",
        label="causal option (u ≥ 0 only)")
ax.axvspan(-4, 0, color="#dddddd", alpha=0.6, label="spikes after t − D (future)")
ax.set_xlabel("u = t − D − t_f  [step]")
ax.set_ylabel("h(u)")
ax.set_title("σ = 1: the kernel needs spikes up to w = 3 steps ahead")
ax.legend(fontsize=8, frameon=False)
fig

# %% [markdown]
# `SNNConfig(kernel="causal")` offers a kernel without lag that keeps only the past half. It is
# **not** the derivative of anything the forward pass does — an open question in the literature, offered
# clearly labelled as an option. How much does it differ here?

# %%
_, grad_causal, _ = toy.landscape(grid, sigma=1.0, kernel="causal")
cosine = grad_causal @ gradient / (np.linalg.norm(grad_causal) * np.linalg.norm(gradient))
agree = np.mean(np.sign(grad_causal) == np.sign(gradient))
print(f"causal vs centred kernel: cosine similarity {cosine:.3f}, same sign at {100 * agree:.0f} % of the delays")
assert cosine < 0.999    # a genuinely different gradient

# %% [markdown]
# ## 7. Annealing σ
#
# A large $\sigma$ gives a long reach and averages the saw-tooth of section 4 away; a small one is
# precise. Annealing — start wide, end narrow (as the DCLS method does for delays) — takes both.
# Here only the delay of input A is trained, with Adam (learning rate 0.5 steps per update), from
# two starting points: $\sigma = 0.2$ fixed, $\sigma = 3$ fixed, and $\sigma$ annealed geometrically
# from 3 to 0.5 over 60 updates. Changing $\sigma$ between updates is just `config.replace(sigma=...)`.

# %%
def train_delay(schedule, D0, n_updates=60, lr=0.5):
    """Train only D (input A) of the toy with Adam; ``schedule(update) -> sigma``. Returns (D path, final loss)."""
    config, params, x, labels = toy.network(sigma=1.0)
    params["D_in"] = np.array([[D0, 0.0]])
    optimizer = snnlib.Adam(config, lr_weights=0.0, lr_delays=lr)     # weights stay fixed
    path = [D0]
    for update in range(n_updates):
        _, grads = snnlib.bptt_gradients(config.replace(sigma=schedule(update)), params, x, labels)
        optimizer.step(params, {key: g if key == "D_in" else 0 * g for key, g in grads.items()})
        path.append(params["D_in"][0, 0])
    return np.array(path), snnlib.evaluate(config, params, x, labels)[0]


schedules = {
    "σ = 0.2": lambda update: 0.2,
    "σ = 3": lambda update: 3.0,
    "σ: 3 → 0.5": lambda update: 3.0 * (0.5 / 3.0) ** (update / 59),
}
runs = {(name, D0): train_delay(schedule, D0) for name, schedule in schedules.items() for D0 in (4.0, 36.0)}
for (name, D0), (path, final_loss) in runs.items():
    print(f"{name:<11} from D = {D0:>4}: ends at D = {path[-1]:5.2f}, loss {final_loss:.3f}")

# %%
assert abs(runs[("σ = 0.2", 4.0)][0][-1] - 4.0) < 0.5                 # stuck: no usable gradient
for D0 in (4.0, 36.0):
    assert runs[("σ: 3 → 0.5", D0)][1] < 0.5                         # annealed: the neuron fires

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(7, 3.4))
colors = {"σ = 0.2": "#8c8c8c", "σ = 3": plots.COLORS["input"], "σ: 3 → 0.5": plots.COLORS["surrogate"]}
for (name, D0), (path, _) in runs.items():
    ax.plot(path, color=colors[name], lw=1.8, label=name if D0 == 4.0 else None)
ax.axhspan(15.5, 24.5, color=plots.COLORS["signal"], alpha=0.15, label="delays that make the neuron fire")
ax.set_xlabel("update")
ax.set_ylabel("delay D [step]")
ax.set_title("learning one delay from two starting points")
ax.legend(fontsize=8, frameon=False, loc="center right")
fig

# %% [markdown]
# With $\sigma = 0.2$ the delay starting at 4 never moves: each step's gradient flips sign within the
# step, and there is no slope to follow. A fixed wide $\sigma$ finds the window but, being blurry,
# settles near its edge; the annealed run travels with the wide kernel and lands with the narrow one.
#
# ## Exercise 3 · The derivative kernel
#
# Write `kernel(u, sigma)`: the derivative of one delayed spike with respect to its delay, as a
# function of $u = t - D - t_f$ (in steps), truncated to $|u| \le w = \lceil 3\sigma \rceil$:
# $h(u) = \frac{u}{\sigma^2} e^{-u^2/2\sigma^2}$ inside, 0 outside. It must accept an array `u`.

# %% tags=["raises-exception"]
def kernel(u, sigma):
    """h(u) = (u/σ²)·exp(−u²/2σ²) for |u| ≤ ceil(3σ), else 0."""
    u = np.asarray(u, dtype=float)
    # your code here
    raise NotImplementedError("Exercise 3: write the derivative kernel")


kernel([-1.0, 0.0, 1.0], 1.0)

# %% tags=["solution"]
def kernel(u, sigma):
    """h(u) = (u/σ²)·exp(−u²/2σ²) for |u| ≤ ceil(3σ), else 0."""
    u = np.asarray(u, dtype=float)
    w = np.ceil(3 * sigma)
    return np.where(np.abs(u) <= w, u / sigma**2 * np.exp(-u**2 / (2 * sigma**2)), 0.0)


kernel([-1.0, 0.0, 1.0], 1.0)

# %% [markdown]
# The check compares your kernel with a finite difference of the Gaussian bump (its derivative with
# respect to the delay is minus its derivative in time) and with `snnlib.surrogate.delay_kernel`.

# %% tags=["exercise-check"]
u = np.linspace(-8, 8, 161) + 0.013
for sigma in (0.5, 1.0, 2.2):
    bump = lambda v: surrogate.gaussian(v, sigma)
    numeric = (bump(u - 1e-6) - bump(u + 1e-6)) / 2e-6    # −d/du of the bump = d/dD of the delayed bump
    assert np.allclose(kernel(u, sigma), numeric, atol=1e-6), sigma
    assert np.allclose(kernel(u, sigma), surrogate.delay_kernel(u, sigma), atol=1e-12), sigma
print("Exercise 3: correct")

# %% [markdown]
# ## Summary
#
# - The forward pass moves spikes by whole steps, so the loss is a staircase in $D$ with zero derivative.
# - For the learning rule, spikes become Gaussian bumps; $\partial \tilde x/\partial D = -s'(t - D)$ gives
#   a direction, checked here against finite differences.
# - $\sigma$ sets the reach: far below a step the gradient vanishes, far above it spikes blur. Annealing
#   $\sigma$ from wide to narrow gets reach and precision.
# - The centred kernel needs spikes $w$ steps ahead, so online learners run their delay traces $w$
#   steps behind, with deeper ring buffers — exactly, not approximately.
#
# **Next:** [04 · Eligibility traces](04_eligibility_traces.py) — how a neuron computes these
# gradients *online*, one step at a time, with three factors.
