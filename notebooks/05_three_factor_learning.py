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
# # 05 · Three-factor learning of weights and delays
#
# Everything comes together: a network of LIF neurons with learnable synaptic delays is trained,
# online, by the three-factor rule of notebook 04 with the Gaussian surrogate of notebook 03, on a
# task that *only* timing can solve. We compare it with a network that can only learn weights, try a
# learning signal sent back through random instead of symmetric weights, update the parameters at
# every step instead of once per sample, and watch the delays organise themselves while training runs.
#
# **You will learn**
# - what the learning signal is (and is not), with symmetric or random feedback weights;
# - to write a training loop with `snnlib.online_gradients` and `snnlib.Adam`, monitored on a
#   **validation** set, with the test set used once at the end;
# - that learned delays solve `delay-task`, where weights alone stay near chance (over several seeds),
#   and what fixed random delays already give;
# - why the loss stays far above 0 even at high accuracy, and how to read it;
# - how updating every step ($U = 1$) compares with once per sample, measured;
# - to watch and steer a training run live: σ, d_max, learning rates and feedback (on Restart); delays by class,
#   clipping at 0 and d_max, validation accuracy.
#
# **Prerequisites:** notebooks 01–04.
#
# **What you do here:** the live training view of section 8; 4 exercises — 05.1 derive
# and write the readout's gradient from its own traces, 05.2 find which class a neuron's delays look for,
# 05.4 measure where feedback alignment happens, 05.3 a Think! question on fixed random delays.
# Each check prints `Exercise 05.k: correct` only when your answer agrees with an independent computation
# (BPTT, neurons built with known answers, the trained parameters).
#
# **Estimated time:** 80 minutes (up to about 13 minutes of it training in the full setting, as measured
# on a busy 2-core machine; with `SNNLIB_FAST=1` under a minute).

# %%
# %matplotlib inline
import tempfile

import numpy as np

import snnlib
from snnlib import course, data, exercises, plots
from snnlib.network import feedback_matrix
from snnlib.train import Dataset, SpikeArrays, TrainConfig, train
from snnlib.widgets import LiveTrainingView

print("fast mode" if course.fast_mode() else "full setting")

# %% [markdown]
# ## 1. The learning signal
#
# The third factor carries the output error of the current step back to hidden neuron $j$
# ([MODEL.md](../docs/MODEL.md) §5; every symbol — $\alpha$, $\kappa$, $\psi$, $\varepsilon$, $\bar e$, $L$,
# $B$, $U$, $w$ — is defined in the [glossary](../docs/glossary.md)):
#
# $$ L[j,t] = \sum_k B[k,j]\,\frac{\pi[k,t] - \mathbb 1[k = c]}{|\mathcal W|}, \qquad t \in \mathcal W . $$
#
# With $B = W_\text{out}$ (**symmetric** feedback) $L[j,t]$ is *not* the gradient of the loss with respect
# to the neuron's spike: because the leaky readout remembers the spike,
# $\partial E/\partial z_j[t] = \sum_{r \ge t} \kappa^{\,r-t} L[j,r]$, and $L[j,t]$ is only its first term.
# The eligibility trace $\bar e$ is filtered by the same $\kappa$, which reorders that sum, so that
# $\sum_t L\,\bar e$ is nevertheless the whole gradient (derived in notebook 04, §3). It is exactly the
# BPTT gradient only under four conditions: symmetric feedback, one update per sample ($U = T$), no
# recurrent connections, and BPTT of the *same surrogate graph* ($\psi$ in place of the Heaviside's
# derivative, reset detached, the Gaussian delay derivative) — never the true gradient of a spiking
# network, which is zero almost everywhere.
#
# But a synapse deep in a chip or a brain cannot know the *forward* weights of the readout. **Random
# feedback** replaces $B$ by a fixed random matrix (feedback alignment, Lillicrap et al. 2016). The rule
# then no longer follows the gradient — notebook 04 (§4) measured it far from the gradient on untrained
# networks — but the signal still says "more" or "less" per neuron, and the forward weights
# can come to *align* with $B$ during learning. `snnlib.network.feedback_matrix` returns the $B$ a
# configuration uses.

# %%
for kind in ("symmetric", "random"):
    cfg = snnlib.SNNConfig(n_in=20, n_hidden=8, n_out=3, feedback=kind, seed=0)
    p = snnlib.init_params(cfg)
    B = feedback_matrix(cfg, p)
    print(f"{kind:>9}: B has shape {B.shape}; B is W_out: {B is p['W_out']}")

# %% [markdown]
# ### Exercise 05.1 — the readout's own eligibility trace
#
# **(a) implement.** The readout weights learn with the same scheme, and their gradient is exact with any
# feedback. Derive it: from $y_k[t] = \kappa\,y_k[t-1] + \sum_j W_\text{out}[k,j]\,z_j[t] + b_k$ (MODEL.md §3), what
# is $\partial y_k[t]/\partial W_\text{out}[k,j]$, and what is $\partial y_k[t]/\partial b_k$? Both are traces that
# a synapse of the readout can keep online. Then write `readout_gradient(z, probs, labels, kappa, loss_start)`:
# from the hidden spikes `z` (B, T, N), the softmax outputs `probs` (B, T, K), the labels (B,), $\kappa$ and the
# first step of the loss window, return `(g_W_out, g_b_out)` of shapes (K, N) and (K,), **averaged over the
# batch** as the library does. (The output error of a step is $e_k[t] = (\pi[k,t] - \mathbb 1[k=c])/|\mathcal W|$
# for $t \in \mathcal W$, 0 before it.)
#
# *Checked:* against `snnlib.bptt_gradients` on random networks, batches and loss windows you have not seen.

# %% tags=["exercise"]
def readout_gradient(z, probs, labels, kappa, loss_start):
    """(∂E/∂W_out (K, N), ∂E/∂b_out (K,)), batch mean, from hidden spikes z (B, T, N) and probs (B, T, K)."""
    # your code here
    raise NotImplementedError("Exercise 05.1: filter the presynaptic spikes and multiply by the output error")

# %% tags=["solution"]
def readout_gradient(z, probs, labels, kappa, loss_start):
    """(∂E/∂W_out (K, N), ∂E/∂b_out (K,)), batch mean, from hidden spikes z (B, T, N) and probs (B, T, K)."""
    n_batch, n_steps, _ = z.shape
    error = probs.astype(float).copy()
    error[np.arange(n_batch), :, labels] -= 1.0
    error[:, :loss_start] = 0.0
    error /= (n_steps - loss_start) * n_batch                  # per-step mean over 𝒲, batch mean
    z_bar = np.zeros((n_batch, z.shape[2]))                   # (B, N): Σ_{s≤t} κ^(t−s) z[s], online
    one_bar = 0.0                                              # the same trace for the constant input of b
    g_W, g_b = 0.0, 0.0
    for t in range(n_steps):
        z_bar = kappa * z_bar + z[:, t]
        one_bar = kappa * one_bar + 1.0
        g_W = g_W + error[:, t].T @ z_bar
        g_b = g_b + error[:, t].sum(0) * one_bar
    return g_W, g_b

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(501)
    for _ in range(3):
        n_out = int(rng.integers(2, 5))
        cfg = snnlib.SNNConfig(n_in=10, n_hidden=int(rng.integers(3, 9)), n_out=n_out, delays="synaptic", d_max=5,
                               tau_out=float(rng.uniform(0.01, 0.08)), weight_scale=6.0, dtype="float64",
                               loss_start=int(rng.integers(0, 15)), seed=int(rng.integers(1000)))
        p = snnlib.init_params(cfg)
        xs = (rng.random((3, 30, 10)) < 0.2).astype(float)
        ys = rng.integers(0, n_out, size=3)
        _, g = snnlib.bptt_gradients(cfg, p, xs, ys)
        out = snnlib.forward(cfg, p, xs)
        g_W, g_b = readout_gradient(out.z.copy(), out.probs.copy(), ys.copy(), cfg.kappa, cfg.loss_start)
        g_W, g_b = np.asarray(g_W, dtype=float), np.asarray(g_b, dtype=float)
        setting = f"(τ_out {1e3 * cfg.tau_out:.0f} ms, loss window from step {cfg.loss_start})"
        assert g_W.shape == g["W_out"].shape, f"g_W_out should have shape {g['W_out'].shape}, not {g_W.shape}"
        assert g_b.shape == g["b_out"].shape, f"g_b_out should have shape {g['b_out'].shape}, not {g_b.shape}"
        assert np.allclose(g_W, g["W_out"], rtol=1e-8, atol=1e-12), (
            f"W_out {setting}: largest difference to BPTT {np.abs(g_W - g['W_out']).max():.2e} "
            f"(BPTT's largest entry {np.abs(g['W_out']).max():.2e})")
        assert np.allclose(g_b, g["b_out"], rtol=1e-8, atol=1e-12), (
            f"b_out {setting}: you give {np.round(g_b, 5)}, BPTT gives {np.round(g['b_out'], 5)}")


exercises.check("05.1", test, hint="y_k[t] remembers every earlier spike and every earlier b_k with weight κ^(t−s): "
                                   "the traces are κ-filtered z_j and κ-filtered 1; sum error × trace over steps")

# %% [markdown]
# ## 2. The task: `delay-task`
#
# As in notebook 02: 20 channels in 10 pairs; in each pair one channel fires 10 steps (100 ms) after the
# other, and the class decides which one leads; every pair starts at a random time; a little Poisson
# noise on top. Same channels, same spike counts for every class — only relative timing differs. The
# membrane and readout time constants (20 ms) are much shorter than the 100 ms lag, so a network
# without delays cannot bridge it. Three files: **train** to learn from, **validation** to watch while
# training (and to choose anything we choose), **test** read once at the end — notebook 06 explains why
# a score watched during training is optimistic. The dataset is small, so we bin it once into arrays.

# %%
n_train = course.sized(full=1200, fast=600)
with tempfile.TemporaryDirectory() as folder:
    paths = data.make_delay_task(folder, n_train=n_train, n_valid=300, n_test=300, seed=0)
    arrays = {}
    for part in ("train", "valid", "test"):
        with data.open_dataset(paths[part]) as dataset:
            arrays[part] = next(iter(data.iterate_batches(dataset, len(dataset), dt=0.01, max_time=0.5)))
            if part == "train":
                class_names, offsets = dataset.class_names, dataset.attrs["class_offsets"]
                lag = int(dataset.attrs["lag"])
(x_train, y_train), (x_valid, y_valid), (x_test, y_test) = arrays["train"], arrays["valid"], arrays["test"]
n_classes = len(class_names)
print(f"train {x_train.shape}, validation {x_valid.shape}, test {x_test.shape} (samples, steps, channels);",
      f"classes {class_names}")

# %% tags=["nbval-ignore-output"]
fig, axes = plots.new_figure(1, n_classes, figsize=(11, 3.2), sharey=True)
for c, ax in enumerate(axes):
    plots.plot_raster(x_train[np.nonzero(y_train == c)[0][0]], dt=0.01, ax=ax, title=class_names[c])
fig

# %% [markdown]
# ## 3. The training loop
#
# One update per mini-batch: `snnlib.online_gradients(..., engine="fast")` returns exactly what the
# tick-by-tick `OnlineLearner` accumulates over a sample (notebook 04), computed with batched array
# operations; `Adam.step` applies it, with separate learning rates for weights and delays, and clips
# the delays to $[0, d_\text{max}]$. Written out, the loop is a *generator*: it yields a record after every
# update, with the validation loss and accuracy at the end of each epoch. The library's trainer,
# `snnlib.train.train` (the loop of notebook 07, of `python -m snnlib train` and of the live view), runs this
# same loop and adds what a real run needs: events for a callback, the best epoch on validation data,
# checkpoints, a clean stop on Ctrl-C. Below we check that the two give the same parameters, bit for bit,
# and from then on train with the library's.
#
# **Learning rates.** Here: Adam with $10^{-2}$ for the weights and 1 step for the delays (our choice
# for this notebook). The library's training presets (`python -m snnlib train`, notebook 07) use
# 0.5 step for the delays. According to a summary of the paper, it used learning rates of about
# $10^{-2}$ for delays and $10^{-4}$ for weights; the summary does not name the optimiser, so the numbers
# cannot be carried over one to one. Ours are larger because with Adam a parameter moves by about
# one learning rate per update, whatever the gradient's scale: a delay must travel several steps
# (the lag is 10) within the few hundred updates of this notebook; at $10^{-2}$ a delay could move at most
# about 0.01 step per update — some 8 steps over the 760 updates of the full setting, and less whenever
# the sign of its gradient changes from batch to batch. That does not make the paper's rates fail here:
# measured outside this notebook (full setting, 20 epochs, our weight rate), $10^{-2}$ for the delays
# reached 97.3, 98.3 and 96.3 % validation accuracy (3 seeds) — as good as ours — with the delays moving
# only about 1.3 steps on average (ours: 5.8 steps in the full setting, seed 0, printed in §4), so that
# the weights did the work by choosing among the random initial delays (§4's fixed-delay control shows how far that goes). With $10^{-4}$ for the weights as well, 20
# epochs ended at 50.0, 49.0 and 48.0 %: too few updates for so small a rate. Our rates are a choice for a
# short run of this small task, not a finding.

# %%
def training_loop(config, params, n_epochs, lr_weights=1e-2, lr_delays=1.0, batch_size=32, seed=0):
    """Train ``params`` in place; yields {"step", "loss" (batch), "val_loss", "val_acc" (end of epoch), "delays"}."""
    optimizer = snnlib.Adam(config, lr_weights=lr_weights, lr_delays=lr_delays)
    rng = np.random.default_rng(seed)
    step = 0
    for epoch in range(n_epochs):
        order = rng.permutation(len(y_train))
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            loss, grads = snnlib.online_gradients(config, params, x_train[batch], y_train[batch], engine="fast")
            optimizer.step(params, grads)
            step += 1
            record = {"step": step, "loss": loss, "delays": params.get("D_in")}
            if start + batch_size >= len(order):                       # end of the epoch
                record["val_loss"], record["val_acc"] = snnlib.evaluate(config, params, x_valid, y_valid)
            yield record


delay_task = Dataset(train=SpikeArrays(x_train, y_train), valid=SpikeArrays(x_valid, y_valid),
                     test=SpikeArrays(x_test, y_test), class_names=list(class_names), dt=0.01)


def run(config, n_epochs, lr_weights=1e-2, lr_delays=1.0, batch_size=32):
    """Train a fresh network with the library's trainer; returns (params, history): the loss of every update,
    and the validation loss and accuracy at the end of each epoch (NaN after the other updates)."""
    history = {"step": [], "loss": [], "val_loss": [], "val_acc": []}

    def listen(event):                                           # the trainer's events, one per update
        if event.kind not in ("batch", "epoch"):
            return
        row = event.history[-1] if event.kind == "epoch" else {}
        updates_before = (event.epoch - 1) * event.n_batches
        history["step"].append(updates_before + (event.n_batches if event.kind == "epoch" else event.batch))
        history["loss"].append(event.batch_loss)
        history["val_loss"].append(row.get("val_loss", np.nan))
        history["val_acc"].append(row.get("val_accuracy", np.nan))

    settings = TrainConfig(epochs=n_epochs, batch_size=batch_size, lr_weights=lr_weights, lr_delays=lr_delays,
                           lr_schedule="constant", seed=config.seed, callback_every=1)
    result = train(config, settings, delay_task, callback=listen, progress=False)
    return result.params, history


def network(delays, feedback="symmetric", seed=0):
    return snnlib.SNNConfig(n_in=20, n_hidden=32, n_out=n_classes, delays=delays, d_max=15, sigma=2.0,
                            tau_mem=0.02, tau_out=0.02, feedback=feedback, seed=seed)


def epoch_values(history, key="val_acc"):
    values = np.asarray(history[key], dtype=float)
    return values[np.isfinite(values)]


n_epochs = course.sized(full=20, fast=4)
n_seeds = course.sized(full=5, fast=1)
print(f"{n_epochs} epochs on {n_train} samples, {n_seeds} seed(s) per variant")

# the written-out loop and the library's trainer, one epoch from the same start: the same parameters
config = network("synaptic", seed=0)
by_hand = snnlib.init_params(config)
for _ in training_loop(config, by_hand, 1, seed=config.seed):
    pass
by_library, _ = run(config, 1)
assert all(np.array_equal(by_hand[key], by_library[key]) for key in by_hand)
print("one epoch: training_loop and snnlib.train.train give the same parameters, bit for bit")

# %% [markdown]
# ## 4. Weights only, fixed random delays, learned delays
#
# Same network (32 hidden neurons, $\tau_\text{mem} = \tau_\text{out} = 20$ ms), same data, same
# optimiser: once without delays, once with synaptic delays ($d_\text{max} = 15$ steps, $\sigma = 2$) learned
# with the weights — and, as a control, with the same random initial delays kept **fixed** (rounded to
# whole steps, only the weights learn): it separates *having* delays from *learning* them. Each variant
# is trained from `n_seeds` initialisations (the seed also sets the order of the batches); the test set
# is evaluated once, after training. In fast mode there is one seed: a single illustration.

# %%
results, test_scores = {}, {}
for name, delays in (("weights only", "none"), ("fixed random delays", "fixed"), ("learned delays", "synaptic")):
    for seed in range(n_seeds):
        params, history = run(network(delays, seed=seed), n_epochs)
        results.setdefault(name, []).append((params, history))
        test_scores.setdefault(name, []).append(snnlib.evaluate(network(delays, seed=seed), params, x_test, y_test))
    print(f"{name:>19}: validation accuracy after each epoch (seed 0)",
          np.round(epoch_values(results[name][0][1]), 3))


def summary(name):
    """(mean, sd) over seeds of the final validation accuracy and of the test accuracy."""
    val = np.array([epoch_values(history)[-1] for _, history in results[name]])
    test = np.array([acc for _, acc in test_scores[name]])
    sd = (lambda a: a.std(ddof=1) if len(a) > 1 else 0.0)
    return val.mean(), sd(val), test.mean(), sd(test)


for name in results:
    v, v_sd, t, t_sd = summary(name)
    print(f"{name:>19}: final validation accuracy {100 * v:.1f} ± {100 * v_sd:.1f} %, "
          f"test {100 * t:.1f} ± {100 * t_sd:.1f} % (mean ± sd over {n_seeds} seed(s))")

# %% tags=["nbval-ignore-output"]
fig, axes = plots.new_figure(1, 2, figsize=(10, 3.2))
colors = {"weights only": "#8c8c8c", "fixed random delays": "#55a868", "learned delays": plots.COLORS["delay"]}
for name, runs in results.items():
    for n, (_, history) in enumerate(runs):
        label = name if n == 0 else None
        axes[0].plot(history["step"], history["loss"], color=colors[name], lw=1.0, alpha=0.7, label=label)
        epoch_ends = [s for s, acc in zip(history["step"], history["val_acc"]) if np.isfinite(acc)]
        axes[1].plot(epoch_ends, 100 * epoch_values(history), "o-", ms=3, color=colors[name], alpha=0.7, label=label)
axes[1].axhline(100 / n_classes, color="#999999", ls=":", label="chance")
axes[0].axhline(np.log(n_classes), color="#999999", ls=":", label="ln K")
axes[0].set(xlabel="update", ylabel="training loss (batch)", title="loss")
axes[1].set(xlabel="update", ylabel="validation accuracy [%]", ylim=(0, 102),
            title=f"validation accuracy after each epoch ({n_seeds} seed(s))")
for ax in axes:
    ax.legend(fontsize=8, frameon=False)
fig

# %% [markdown]
# The check below is the point of the course: learned delays must beat weights only by **at least 20
# percentage points** on the test set (mean over seeds) — and so must fixed random delays; learning
# the delays must make the network learn faster (validation accuracy after 3 epochs). The floors are
# chosen to hold in fast mode too (4 epochs on 600 samples, one seed). In the full setting (20 epochs on
# 1200 samples, 5 seeds) we measured: weights only 40.9 ± 2.2 % validation, 41.3 ± 2.4 % test; learned
# delays 96.4 ± 2.3 % validation, 96.8 ± 2.2 % test; fixed random delays 93.8 ± 3.1 % validation,
# 93.8 ± 2.6 % test (mean ± sd).
#
# Read it carefully. Most of the gain over weights only comes from *having* delays: 32 neurons × 10 pairs
# of random relative delays already contain enough pairs near ±10 steps for the weights to pick out
# (on SHD, according to a summary of the paper, fixed random delays gave ≈ 92 % against ≈ 79 % for
# weights only). At the end of training, learned delays are ahead of fixed ones
# by 3 points, about one standard deviation — not a difference we can claim with 5 seeds. What learning
# the delays clearly buys here is **speed**: after 3 epochs 83.9 ± 9.0 % against 58.7 ± 10.6 % validation
# accuracy, and 90 % reached after 3–6 epochs against 8–17 (full setting, 5 seeds each).

# %%
acc_weights, acc_fixed, acc_delays = (summary(name)[2] for name in ("weights only", "fixed random delays",
                                                                      "learned delays"))
print(f"test accuracy: weights only {100 * acc_weights:.1f} %, fixed random delays {100 * acc_fixed:.1f} %, "
      f"learned delays {100 * acc_delays:.1f} %")
early = {}
for name, runs in results.items():
    curves = [epoch_values(history) for _, history in runs]
    early[name] = np.mean([curve[2] for curve in curves])          # after 3 epochs
    reached = [int(np.argmax(curve >= 0.9)) + 1 if (curve >= 0.9).any() else None for curve in curves]
    print(f"{name:>19}: validation accuracy after 3 epochs {100 * early[name]:.1f} % (mean); "
          f"first epoch at ≥ 90 %, per seed: {reached}")
assert acc_weights < 0.5, "weights alone should not solve a task that needs delays"
assert acc_delays - acc_weights >= 0.20
assert acc_fixed - acc_weights >= 0.20                              # having delays: most of the gain
assert early["learned delays"] > early["fixed random delays"]        # learning them: faster

# %% [markdown]
# Where did the delays go? Initially uniform in $[0, d_\text{max}]$; after training, within each pair
# the *relative* delay $D[j, 2g] - D[j, 2g{+}1]$ is what decides which class a neuron responds to:
# the ideal values are $\pm\text{lag} = \pm 10$ steps.

# %%
params_delays = results["learned delays"][0][0]
D_start = snnlib.init_params(network("synaptic"))["D_in"]
relative_start = D_start[:, 0::2] - D_start[:, 1::2]
relative_end = params_delays["D_in"][:, 0::2] - params_delays["D_in"][:, 1::2]
near_lag = lambda r: np.mean(np.abs(np.abs(r) - lag) <= 2)
print(f"relative delays within 2 steps of ±{lag}: {100 * near_lag(relative_start):.0f} % at the start, "
      f"{100 * near_lag(relative_end):.0f} % after training (seed 0)")
print(f"a delay moved by {np.abs(params_delays['D_in'] - D_start).mean():.1f} steps on average")

# %% tags=["nbval-ignore-output"]
fig, axes = plots.new_figure(1, 2, figsize=(10, 3.2))
plots.plot_delay_matrix(params_delays["D_in"], d_max=15, ax=axes[0], title="learned synaptic delays")
bins = np.arange(-15.5, 16, 1)
axes[1].hist(relative_start.ravel(), bins=bins, color="#bbbbbb", label="at the start")
axes[1].hist(relative_end.ravel(), bins=bins, color=plots.COLORS["delay"], alpha=0.8, label="after training")
for sign in (-1, 1):
    axes[1].axvline(sign * lag, color=plots.COLORS["signal"], ls="--", lw=1.2)
axes[1].set_xlabel("relative delay within a pair [step]")
axes[1].set_ylabel("pairs × neurons")
axes[1].set_title(f"relative delays within pairs (ideal: ±{lag})")
axes[1].legend(fontsize=8, frameon=False)
fig

# %% [markdown]
# ### Exercise 05.2 — which class does a neuron look for?
#
# **(a) implement.** A neuron whose delays make the pairs of class $c$ coincide has, for every pair $g$,
# the relative delay that cancels the class's relative onset of that pair (the offsets of class $c$ are in
# `offsets[c]`, one per channel, in steps). Work out the ideal value of $D[2g] - D[2g{+}1]$ from the
# offsets, then write `preferred_class(D_row, offsets)`: for one neuron's delays `D_row` (channels,) and the
# class offsets `offsets` (classes, channels), return the class whose ideal relative delays are closest in
# mean absolute difference. Then count how many trained neurons look for each class
# (`params_delays["D_in"]`): is every class covered?
#
# *Checked:* on neurons built with known answers — a class's ideal delays plus noise — for random classes,
# offsets and numbers of pairs you have not seen.

# %% tags=["exercise"]
def preferred_class(D_row, offsets):
    """Index of the class whose ideal relative delays within pairs best match D_row."""
    # your code here
    raise NotImplementedError("Exercise 05.2: compare relative delays with each class's ideal ones")

# %% tags=["solution"]
def preferred_class(D_row, offsets):
    """Index of the class whose ideal relative delays within pairs best match D_row."""
    relative = D_row[0::2] - D_row[1::2]                       # (pairs,)
    ideal = offsets[:, 1::2] - offsets[:, 0::2]                # (classes, pairs)
    return int(np.argmin(np.abs(relative[None, :] - ideal).mean(axis=1)))


preferences = [preferred_class(row, offsets) for row in params_delays["D_in"]]
print("trained neurons per preferred class:", np.bincount(preferences, minlength=n_classes))

# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(52)
    for _ in range(20):
        n_cls, n_pairs, shift = int(rng.integers(2, 6)), int(rng.integers(3, 12)), int(rng.integers(5, 15))
        fresh = np.zeros((n_cls, 2 * n_pairs), dtype=int)               # one channel of each pair leads …
        late = rng.integers(0, 2, size=(n_cls, n_pairs))
        fresh[:, 0::2], fresh[:, 1::2] = shift * late, shift * (1 - late)   # … the other follows by `shift`
        fresh += rng.integers(0, 4, size=(n_cls, 1))                    # and the whole pattern may start later
        c = int(rng.integers(n_cls))
        ideal = (fresh.max() + 1 - fresh[c]).astype(float)              # every pair of class c coincides
        if np.all(fresh[:, 1::2] - fresh[:, 0::2] == fresh[c, 1::2] - fresh[c, 0::2], axis=1).sum() > 1:
            continue                                                    # another class with the same pattern
        D_row = ideal + rng.normal(0, 0.7, ideal.shape)
        answer = preferred_class(D_row.copy(), fresh.copy())
        assert answer == c, (f"{n_cls} classes, {n_pairs} pairs, lag {shift}: a neuron built for class {c} "
                             f"is said to look for class {answer}")


exercises.check("05.2", test, hint="the spike of channel 2g arrives at offset[2g] + D[2g]; for the pair to coincide "
                                   "both arrivals must be equal")

# %% [markdown]
# **Think!** 05.3 Fixed random delays reached most of the accuracy of learned ones (§4). Delays start
# uniform in $[0, d_\text{max}]$ with $d_\text{max} = 15$: what is the distribution of a relative delay
# $D[2g] - D[2g{+}1]$, and roughly what share of the 32 × 10 pairs starts within 2 steps of $\pm 10$ (compare
# with the value printed above)? What must the weights do with them? When would fixed random delays fail
# where learned ones still work?

# %% [markdown] tags=["solution"]
# *Model answer.* The difference of two independent uniform variables on $[0, 15]$ has a triangular
# density $f(r) = (15 - |r|)/15^2$ on $[-15, 15]$. The share within 2 steps of $+10$ is
# $\int_8^{12} (15 - r)\,dr / 225 = 20/225 \approx 9\,\%$, and as much around $-10$: about 18 % of the 320
# (neuron, pair) combinations, some 57 of them, fit a lag of 10 from the start — close to the share printed
# above for the initial delays. The weights only have to *select*: strengthen the synapses of the pairs whose
# relative delay matches a class, weaken the others, and send each neuron's spikes to the right output. That
# is a weight problem, which the rule solves well. Fixed random delays fail when the needed relative delay
# is rare among the random ones: a lag near or beyond $d_\text{max}$ (the density falls to 0 at $d_\text{max}$),
# few neurons or few pairs per neuron (too few lucky combinations), or a task that needs several pairs to
# coincide in the same neuron at once (the chance that all of them fit falls as a power of the number of
# pairs). Learned delays create the matches instead of waiting for them; here they mostly made learning faster.

# %% [markdown]
# ## 5. Reading the loss: why it stays near $\ln K$ at high accuracy
#
# The training loss above starts at $\ln K = \ln 3 \approx 1.10$ — the cross-entropy of a uniform guess —
# and, even when nearly every validation sample is classified correctly, stays far above 0. Training
# has not failed: the loss and the prediction measure different things. The loss is the **per-step**
# cross-entropy averaged over all 50 steps of the window, $E = \frac{1}{|\mathcal W|}\sum_{t} -\log\pi[c,t]$; the
# prediction is $\arg\max_k \sum_t \pi[k,t]$, which pools the evidence of all steps. Measure both, step by
# step, for the first trained delay network on the validation set:

# %%
config0, params0 = network("synaptic", seed=0), results["learned delays"][0][0]
probs = snnlib.forward(config0, params0, x_valid).probs                  # (B, T, K)
per_step_loss = -np.log(np.maximum(probs[np.arange(len(y_valid)), :, y_valid], np.finfo(probs.dtype).tiny)).mean(0)
per_step_acc = (probs.argmax(2) == y_valid[:, None]).mean(0)
val_loss, val_acc = snnlib.evaluate(config0, params0, x_valid, y_valid)
T_steps = len(per_step_loss)
print(f"validation: loss {val_loss:.3f} = mean of the per-step losses {per_step_loss.mean():.3f}; "
      f"accuracy of the pooled prediction {100 * val_acc:.1f} %")
print(f"per-step loss: step 0 {per_step_loss[0]:.3f} (ln K = {np.log(n_classes):.3f}), "
      f"steps 0–9 {per_step_loss[:10].mean():.3f}, lowest {per_step_loss.min():.3f} (step {per_step_loss.argmin()}), "
      f"last 10 steps {per_step_loss[-10:].mean():.3f}")
print(f"per-step accuracy: at most {100 * per_step_acc.max():.1f} % (step {per_step_acc.argmax()}), "
      f"mean {100 * per_step_acc.mean():.1f} %")
print(f"readout memory: κ = {config0.kappa:.2f}; a spike's contribution to y is down to "
      f"{100 * config0.kappa ** 5:.0f} % after 5 steps")
assert np.isclose(val_loss, per_step_loss.mean(), rtol=1e-5)                 # float32 rounding
assert abs(per_step_loss[0] - np.log(n_classes)) < 0.05      # before any evidence: a uniform guess
assert per_step_loss.min() > 0.4                              # no single step is confident …
assert val_acc > per_step_acc.max() + 0.05                    # … while the pooled prediction is better than any step

# %% tags=["nbval-ignore-output"]
fig, axes = plots.new_figure(1, 2, figsize=(10, 3.0))
steps = np.arange(T_steps)
axes[0].plot(steps, per_step_loss, color=plots.COLORS["delay"], lw=1.8, label="per-step loss −log π[c, t]")
axes[0].axhline(np.log(n_classes), color="#999999", ls=":", label="ln K (uniform guess)")
axes[0].axhline(val_loss, color="#555555", ls="--", lw=1, label=f"mean = reported loss {val_loss:.2f}")
axes[0].axvspan(0, lag - 1, color="#eeeeee", label=f"first {lag} steps")
axes[0].set(xlabel="step t", ylabel="validation loss", title="the loss, step by step")
axes[1].plot(steps, 100 * per_step_acc, color=plots.COLORS["delay"], lw=1.8, label="argmax π[·, t] at step t")
axes[1].axhline(100 * val_acc, color="#555555", ls="--", lw=1, label="pooled prediction (argmax Σ_t π)")
axes[1].axhline(100 / n_classes, color="#999999", ls=":", label="chance")
axes[1].set(xlabel="step t", ylabel="validation accuracy [%]", ylim=(0, 102), title="accuracy, step by step")
for ax in axes:
    ax.legend(fontsize=7, frameon=False)
fig

# %% [markdown]
# Two things keep the reported loss high. **The first steps carry no evidence**: a pair can only
# coincide once its second spike has arrived, at least $\text{lag} - 1 = 9$ steps after the pair's onset, so
# at step 0 the network can only guess ($-\log\pi[c,0] \approx \ln K$) and over the first ten steps the loss
# stays close to it. **Each step sees only the last few steps**: with $\tau_\text{out} = 20$ ms the readout
# keeps $\kappa^5 \approx 8$ % of a spike after 5 steps, so $\pi[\cdot, t]$ reflects the coincidences of the last
# few steps, not all ten pairs; no step is confident, and the per-step accuracy stays well below that of
# the pooled prediction, which adds up the evidence of all steps. The per-step loss is what makes a
# learning signal available at every step (online); read progress on the accuracy, or on the per-step
# curve above, rather than on the mean loss. (This is a property of the loss as defined in
# [MODEL.md](../docs/MODEL.md) §4 together with a short readout time constant; the library's definition is
# unchanged.) In the full setting (seed 0) we measured: validation loss 0.853 at 97.0 % accuracy; per-step
# loss 1.102 at step 0 (ln 3 = 1.099), 1.019 on average over steps 0–9, lowest 0.657 (step 23), 0.884 over
# the last 10 steps; per-step accuracy at most 72.7 %, 59.7 % on average over the steps.
# %% [markdown]
# ## 6. Symmetric or random feedback?
#
# Same network and data, but the learning signal travels back through a fixed random matrix $B$
# (Lillicrap et al. 2016). With random $B$ the rule's update is not the gradient; we measure how far it
# is from it — the cosine similarity between the rule's update and the BPTT gradient of the same
# surrogate graph, on 64 validation samples — before and after training. Feedback alignment predicts
# that the forward weights come to agree with $B$, so that the update turns *towards* the gradient.

# %%
def cosine(a, b):
    return float(np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b)))


def alignment(config, params):
    """Cosine similarity of the rule's update to the BPTT gradient, for W_in and D_in, on 64 validation samples."""
    _, g_rule = snnlib.online_gradients(config, params, x_valid[:64], y_valid[:64], engine="fast")
    _, g_bptt = snnlib.bptt_gradients(config, params, x_valid[:64], y_valid[:64])
    return [cosine(g_rule[key], g_bptt[key]) for key in ("W_in", "D_in")]


aligned = {"before": [], "after": []}
for seed in range(n_seeds):
    config = network("synaptic", feedback="random", seed=seed)
    aligned["before"].append(alignment(config, snnlib.init_params(config)))
    params, history = run(config, n_epochs)
    aligned["after"].append(alignment(config, params))
    results.setdefault("random feedback", []).append((params, history))
    test_scores.setdefault("random feedback", []).append(snnlib.evaluate(config, params, x_test, y_test))
for when, values in aligned.items():
    values = np.array(values)
    print(f"random feedback, cosine to the gradient {when:>6} training: W_in {values[:, 0].mean():+.2f}, "
          f"D_in {values[:, 1].mean():+.2f} (mean over {n_seeds} seed(s))")
for name in ("learned delays", "random feedback"):
    v, v_sd, t, t_sd = summary(name)
    print(f"{name:>15}: final validation accuracy {100 * v:.1f} ± {100 * v_sd:.1f} %, "
          f"test {100 * t:.1f} ± {100 * t_sd:.1f} %")
before, after = np.array(aligned["before"]), np.array(aligned["after"])
assert np.abs(before).max() < 0.5                     # untrained: the update is far from the gradient
assert after.mean() > before.mean() + 0.2             # training aligns it
assert summary("random feedback")[2] > 1 / n_classes + 0.1       # it learns, without knowing W_out

# %% [markdown]
# ### Exercise 05.4 — where does the alignment happen?
#
# **(b) experiment.** Feedback alignment says the *forward* weights come to agree with $B$. Test that
# directly on the readout of seed 0. With `feedback_matrix` get the random $B$ of
# `network("synaptic", feedback="random", seed=0)`, and compute the cosine similarity between $W_\text{out}$
# (all entries, flattened) and that $B$:
# - `cos_before`: for the initial $W_\text{out}$ of that network (`snnlib.init_params`);
# - `cos_random`: after training with random feedback (`results["random feedback"][0][0]`);
# - `cos_symmetric`: the *control* — the $W_\text{out}$ trained with symmetric feedback
#   (`results["learned delays"][0][0]`) against the same $B$, which that run never used.
#
# What do the three numbers say about why random feedback learns? (In fast mode: one short run; say what
# you would need to make it a finding.)
#
# *Checked:* the check recomputes the three cosines from the trained parameters.

# %% tags=["exercise"]
cos_before = cos_random = cos_symmetric = None
# your code here

# %% tags=["solution"]
B_random = feedback_matrix(network("synaptic", feedback="random", seed=0),
                           snnlib.init_params(network("synaptic", feedback="random", seed=0)))
cos_before = cosine(snnlib.init_params(network("synaptic", feedback="random", seed=0))["W_out"], B_random)
cos_random = cosine(results["random feedback"][0][0]["W_out"], B_random)
cos_symmetric = cosine(results["learned delays"][0][0]["W_out"], B_random)
print(f"cosine(W_out, B): before {cos_before:+.2f}; after training with random feedback {cos_random:+.2f}; "
      f"after training with symmetric feedback (control) {cos_symmetric:+.2f}")

# %% tags=["exercise-check"]
def test():
    if cos_before is None or cos_random is None or cos_symmetric is None:
        raise NotImplementedError("set cos_before, cos_random and cos_symmetric")
    config = network("synaptic", feedback="random", seed=0)
    B = np.asarray(feedback_matrix(config, snnlib.init_params(config)), dtype=float).ravel()
    for name, answer, W in (("cos_before", cos_before, snnlib.init_params(config)["W_out"]),
                            ("cos_random", cos_random, results["random feedback"][0][0]["W_out"]),
                            ("cos_symmetric", cos_symmetric, results["learned delays"][0][0]["W_out"])):
        W = np.asarray(W, dtype=float).ravel()
        truth = W @ B / np.sqrt((W @ W) * (B @ B))
        assert np.isclose(float(answer), truth, atol=1e-4), f"{name}: you give {float(answer):+.4f}, the check measures {truth:+.4f}"


exercises.check("05.4", test, hint="B = feedback_matrix(config, params) of the random-feedback configuration; "
                                   "cosine(a, b) = Σ a·b / (|a| |b|) over all entries")

# %% [markdown] tags=["solution"]
# *Model answer.* Before training $W_\text{out}$ and $B$ are unrelated (cosine near 0). After training with
# random feedback the cosine is clearly positive, while the symmetric run's $W_\text{out}$, trained just as
# long, stays unrelated to the $B$ it never used: the alignment is caused by learning *with* $B$, not by
# training as such. Mechanism: the hidden neurons learn to do what $B$ asks ("neuron $j$ should fire more
# for class $k$ when $B[k,j] > 0$"), and then the readout, which learns with its exact gradient (05.1),
# gives positive weight to the neurons that fire for class $k$ — i.e. $W_\text{out}$ turns towards $B$, and
# with it the update of the hidden layer turns towards the gradient (§6). Measured in fast mode outside
# the notebook (4 epochs, 600 samples, 3 seeds): before −0.09, +0.01, −0.14; after training with random
# feedback +0.44, +0.48, +0.46; the control, trained with symmetric feedback, −0.14, −0.01, −0.09
# (from its own start at −0.09, +0.01, −0.14). One run is an illustration; a finding needs several
# seeds (the full setting has 5) and the spread.

# %% [markdown]
# In the full setting (5 seeds) we measured: the cosine between the rule's update and the gradient is
# −0.07 (W_in) and −0.11 (D_in) on average before training and +0.82 and +0.81 after it; random feedback
# reached 96.9 ± 1.0 % validation and 96.9 ± 1.4 % test accuracy, symmetric feedback 96.4 ± 2.3 % and
# 96.8 ± 2.2 % — no difference beyond the spread on this task. That is feedback alignment at work: the
# readout weights learn to agree with $B$, and the update turns towards the gradient (Lillicrap et al.
# 2016). It is not guaranteed in general; Zenke & Ganguli (2018) found that simpler tasks could be
# solved with any type of feedback, while more complex tasks required symmetric feedback.
#
# ## 7. Update every step ($U = 1$) or once per sample
#
# The rule accumulates the update along a sample; the parameters can be changed once at its end
# ($U = T$, what we did above) or every $U$ steps, the forward pass continuing with the new values
# ([MODEL.md](../docs/MODEL.md) §8). $U = 1$ is fully online: no sample boundaries needed. With $U < T$
# the accumulated sum is no longer the gradient of one loss (notebook 04, §3): every step runs with
# slightly different parameters. It runs tick by tick with `snnlib.OnlineLearner(..., update_every=1)` —
# the stepwise engine, much slower in NumPy, so each run is one pass over a part of the training set in
# batches of 16 (the same batches for both variants). With $T = 50$ updates per sample instead of one,
# the learning rates are divided by $T$, to keep the total change per sample comparable. We compare the
# validation loss and accuracy before and after, over several seeds.

# %%
n_batches = course.sized(full=75, fast=8)          # full: 75 × 16 = all 1200 training samples once
n_u_seeds = course.sized(full=5, fast=1)
T = x_train.shape[1]
u_runs = {}
for seed in range(n_u_seeds):
    order = np.random.default_rng(seed).permutation(len(y_train))
    for name, every, scale in (("once per sample (U = T)", None, 1.0), ("every step (U = 1)", 1, 1.0 / T)):
        config = network("synaptic", seed=seed)
        params = snnlib.init_params(config)
        start = snnlib.evaluate(config, params, x_valid, y_valid)
        optimizer = snnlib.Adam(config, 1e-2 * scale, 1.0 * scale)
        learner = snnlib.OnlineLearner(config, params, update_every=every,
                                       on_update=lambda grads: optimizer.step(params, grads))
        losses = []
        for b in range(n_batches):
            batch = order[16 * b:16 * (b + 1)]
            learner.begin(y_train[batch], n_steps=T)
            for t in range(T):
                learner.step(x_train[batch, t])
            loss, _ = learner.finish()
            losses.append(loss)
        u_runs.setdefault(name, []).append({"losses": losses, "start": start,
                                            "end": snnlib.evaluate(config, params, x_valid, y_valid)})
u_summary = {}
for name, runs in u_runs.items():
    start = np.array([r["start"] for r in runs])          # (seeds, [loss, acc])
    end = np.array([r["end"] for r in runs])
    sd = end.std(0, ddof=1) if len(runs) > 1 else np.zeros(2)
    u_summary[name] = (end.mean(0), sd, start.mean(0))
    print(f"{name:>24}: validation loss {start[:, 0].mean():.3f} → {end[:, 0].mean():.3f} ± {sd[0]:.3f}, "
          f"accuracy {100 * start[:, 1].mean():.1f} → {100 * end[:, 1].mean():.1f} ± {100 * sd[1]:.1f} % "
          f"({n_u_seeds} seeds, {n_batches * 16} samples)")
for runs in u_runs.values():
    assert all(np.isfinite(r["losses"]).all() for r in runs)
    assert np.mean([r["end"][0] for r in runs]) < np.mean([r["start"][0] for r in runs])   # both learn
if not course.fast_mode():     # the measured comparison (the fast setting has too few updates to compare)
    (loss_T, acc_T), (sd_T, sdacc_T), _ = u_summary["once per sample (U = T)"]
    (loss_1, acc_1), (sd_1, sdacc_1), _ = u_summary["every step (U = 1)"]
    assert loss_1 - loss_T > 2 * max(sd_T, sd_1)         # U = 1 lowers the loss less, per sample …
    assert abs(acc_1 - acc_T) < 2 * max(sdacc_T, sdacc_1)  # … the accuracies differ by less than the spread

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(6.5, 3))
for n, (name, runs) in enumerate(u_runs.items()):
    curves = np.array([r["losses"] for r in runs])
    ax.plot(np.arange(1, n_batches + 1), curves.mean(0), "o-", ms=2, color=("#4c72b0", plots.COLORS["delay"])[n],
            label=f"{name} (mean of {len(runs)})")
ax.set_xlabel("batch of 16 samples")
ax.set_ylabel("training loss (during the batch)")
ax.set_title("online updates: every step vs once per sample")
ax.legend(fontsize=8, frameon=False)
fig

# %% [markdown]
# In the full setting (5 seeds, one pass over the 1200 training samples in batches of 16) we measured:
# once per sample, validation loss 1.115 → 1.061 ± 0.003 and accuracy 32.6 → 61.1 ± 11.4 %; every step,
# 1.115 → 1.083 ± 0.003 and 32.6 → 50.8 ± 14.0 %. Both learn, without and with sample boundaries. Per
# sample, with the learning rates divided by $T$, updating every step lowers the validation loss clearly
# less (a difference of 0.022, seven times the spread); the accuracies differ by 10 points, less than
# their spread, which is large this early in training — not a difference we can claim. We did not search
# for the learning rates that would suit $U = 1$; the comparison says only what it measured.
#
# ## 8. Watch it learn, and steer
#
# To watch a run and steer it, `LiveTrainingView` runs the same trainer (`snnlib.train.train`) on the same
# arrays and listens to its events. Its figure shows the delays with the hidden neurons **ordered by the class
# they vote for** (the largest entry of their column of $W_\text{out}$) and white dots where the ideal pattern of
# that class puts the longer delay of each pair; the **relative delay** within each pair, where the ideal is
# $\pm$lag (the share of pairs within 2 steps of their neuron's ideal is printed in the panel); the delay
# histogram, with delays **clipped** at 0 and at $d_\text{max}$ counted apart; and the training loss with the
# **validation** accuracy.
#
# The controls: **σ**, **d_max**, the learning rates of the weights and of the delays, the **feedback**
# (symmetric or random), and Start / Pause / Stop / **Restart**. A run keeps its configuration from start to
# end: move the sliders, then press Restart for a fresh network trained with the new values (σ too). Try a
# σ of 0.5 or 5, a $d_\text{max}$ below the lag of 10 steps (watch the pile-up at $d_\text{max}$), random
# feedback. In JupyterLab, Notebook 7 and VS Code the training runs in the background (the cell returns at
# once, the buttons stay responsive) for up to 100 epochs; on Colab, JupyterLite or with ipykernel 7.0.x, which
# cannot update widgets from a background thread, it runs in the foreground and updates as it goes (interrupt
# the kernel, ■, to stop it). Without a widget front end (headless runs) it trains briefly, prints its progress
# and shows the figure at the end.

# %%
live = course.widget_frontend()
live_settings = TrainConfig(epochs=100 if live else course.sized(full=10, fast=1),  # live: until you press Stop
                            batch_size=32, lr_weights=1e-2, lr_delays=1.0, lr_schedule="constant", seed=1,
                            callback_every=2)
view = LiveTrainingView("delay-task live", every=5)
view.train(network("synaptic", seed=1), live_settings, delay_task, ideal={"class_offsets": offsets, "lag": lag});

# %% [markdown]
# (If you want the result of the live run in a later cell, call `view.wait()` first: it blocks until
# training ends — interrupt the kernel to stop it from there. `view.history` holds the numbers so far,
# `view.best` the parameters of the epoch with the best validation accuracy, `view.result` what `train`
# returned.)
#
# ## Summary
#
# - The three factors — presynaptic trace, postsynaptic $\psi$, broadcast learning signal — train
#   weights and, through the Gaussian surrogate, delays, online. The learning signal is the readout error
#   of the current step, not $\partial E/\partial z$; the $\kappa$-filtered trace makes the sum the gradient of the
#   surrogate graph when feedback is symmetric and $U = T$ (feedforward).
# - On a task where only relative timing carries the class, learned synaptic delays reach high
#   accuracy while a weights-only network stays near chance (mean ± sd over seeds above; validation
#   watched during training, test read once). Fixed random delays get most of the way too; learning the
#   delays made learning clearly faster, and ended ahead by less than the spread.
# - The mean per-step loss stays far above 0 at high accuracy: the first steps carry no evidence and the
#   short readout sees only the last few steps; read progress on accuracy or on the per-step curve.
# - Random feedback also learns, although its update is not the gradient: it starts unrelated to it and
#   turns towards it during training (feedback alignment).
# - Updating every step ($U = 1$) also learns, without sample boundaries; measured per sample it lowers
#   the validation loss less than once-per-sample updates with these learning rates, and the accuracies
#   after one pass differ by less than their spread (§7).
#
# **Next:** part II of the course takes these networks to spoken digits (SHD and recordings turned into
# spikes), measures their size and latency, and compares the variants at scale.
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
#   arXiv:2601.00668. https://arxiv.org/abs/2601.00668 (learning rates: according to a summary of the paper,
#   not its abstract)
# - Zenke, F. & Ganguli, S. (2018). SuperSpike: supervised learning in multilayer spiking neural networks.
#   *Neural Computation* 30(6), 1514–1541. https://doi.org/10.1162/neco_a_01086
