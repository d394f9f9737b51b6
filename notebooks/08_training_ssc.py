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
# # 08 · Training on SSC: 35 classes, 75,000 samples
#
# The Spiking Speech Commands are SHD's big sibling: the same cochlea model and file format, but 35
# words, about nine times more training data, and a validation file of their own. Training on them is
# the same code as in notebook 07; what changes is **scale**, so this notebook measures before it trains:
# how fast is the engine on this machine, and what will one epoch cost?
#
# **You will learn**
# - what changes from SHD to SSC: classes, sizes, the validation file, memory for the binned data;
# - sensible settings, and where they come from;
# - to estimate the time per epoch from a **measured** throughput of the engine × 75,466 samples;
# - to train weights only vs learned delays on SSC (or an SSC-shaped stand-in) with the same trainer;
# - to read a 35-class result with a confusion matrix;
# - how learned delays fare on voices never heard in training: real speech (FSDD) with each speaker held out in turn.
#
# **Widgets:** a confusion-matrix explorer (sliders for the class in focus and the normalisation: counts, rows,
# columns) on the test predictions of the trained network.
#
# **Exercises:** 4 — the confusion matrix (implement), recall and precision per class (implement), the accuracy
# on time-reversed words (experiment), and a Think! question.
#
# **Prerequisites:** notebooks 06 and 07.
#
# **Estimated time:** 45 minutes of reading and exercises. Computing: with `SNNLIB_FAST=1` well under a
# minute (measured: 6–15 s); the full setting on the stand-in about a minute on 2 cores (measured: 42 s on an
# idle machine; the exercises and the explorer add about 7 s, measured on a busy one), plus section 7 on FSDD
# when this machine has it: 60 runs, the whole notebook 22 minutes on one core beside other jobs; on the
# published SSC the notebook prints its own estimate before training (see section 3).

# %%
# %matplotlib inline
import tempfile
import time
from pathlib import Path

import numpy as np
from IPython.display import Markdown, display

import snnlib
from snnlib import course, data, exercises, explorers, plots
from snnlib.train import DATASET_DEFAULTS, GENERIC_DEFAULTS, load_data, train
from snnlib.train_cli import build_configs

print("fast mode" if course.fast_mode() else "full setting")

# %% [markdown]
# ## 1. The data: published SSC, or an SSC-shaped stand-in
#
# With the published files in the data folder (`python -m snnlib data download ssc`, several GB) and
# outside fast mode, the notebook trains on SSC itself. Otherwise it builds a **stand-in with SSC's
# shape**: 700 channels, **35 classes**, a training, a validation and a test file. `shd-like` has at
# most 20 classes (the SHD digits), so the stand-in joins two `shd-like` sets: the 20 words of four
# sweeps, and 15 more words of *five* sweeps (a different set of channel bands), relabelled 20–34, with
# speakers of their own. Classes still differ only in the time course of their spikes.

# %%
folder = data.resolve_data_dir()
have_ssc = all((folder / data.PUBLISHED["ssc"].filename(p)).exists() for p in ("train", "valid", "test"))
use_published = have_ssc and not course.fast_mode()


def make_ssc_standin(out_dir, per_class, seed=0):
    """``ssc_like_{train,valid,test}.h5`` in ``out_dir``: 35 classes from two shd-like sets (4 and 5 sweeps).

    per_class: samples per class in each part, e.g. {"train": 40, "valid": 10, "test": 10}.
    """
    out_dir = Path(out_dir)
    sizes = {"n_" + part: n for part, n in per_class.items()}
    four = data.make_shd_like(out_dir / "four", **{k: 20 * n for k, n in sizes.items()}, seed=seed)
    five = data.make_shd_like(out_dir / "five", **{k: 15 * n for k, n in sizes.items()}, n_classes=15, n_bands=5,
                              seed=seed + 1)
    paths = {}
    for part in per_class:
        with data.open_dataset(four[part]) as a, data.open_dataset(five[part]) as b:
            samples = [a[i][:2] for i in range(len(a))] + [b[i][:2] for i in range(len(b))]
            labels = np.concatenate([a.labels, b.labels + a.n_classes])
            speakers = np.concatenate([a.speakers, b.speakers + a.speakers.max() + 1])
            names = a.class_names + [f"{name} (5 sweeps)" for name in b.class_names]
            paths[part] = data.write_dataset(out_dir / f"ssc_like_{part}.h5", samples, labels, names, speakers,
                                             attrs={"generator": "two shd-like sets (see notebook 08)"})
    return paths


if use_published:
    source = "ssc"
    print(f"data: the published SSC files in {folder}")
else:
    scratch = tempfile.TemporaryDirectory(prefix="snnlib-08-")
    per_class = course.sized(full={"train": 60, "valid": 15, "test": 20}, fast={"train": 8, "valid": 3, "test": 4})
    paths = make_ssc_standin(scratch.name, per_class)
    source = str(paths["train"])
    reason = "fast mode" if have_ssc else f"no SSC files in {folder}"
    print(f"data: an SSC-shaped offline stand-in ({reason}): 35 classes, {per_class} samples per class "
          "in train / valid / test")

# %% [markdown]
# > **Note.** The line above says which data this notebook's numbers come from. The stand-in is about
# > a hundred times smaller than SSC and easier in some ways (no noise, few speakers) and harder in
# > others (only timing separates its classes). Its accuracies say nothing about SSC's; its *timings*
# > are per sample and carry over, with one caveat in section 3.
#
# ## 2. What changes from SHD to SSC
#
# | | SHD | SSC |
# |---|---:|---:|
# | classes (chance) | 20 (5 %) | 35 (2.9 %) |
# | training / validation / test samples | 8,156 / — / 2,264 | 75,466 / 9,981 / 20,382 |
# | validation | held out of the training file (notebook 06) | its own file, used as it is |
# | binned training set in memory (T = 100, 140 inputs, 1 byte per count) | 0.11 GB | 1.06 GB |
#
# The last row is computed below: the trainer bins each partition once into memory (counts as
# `uint8`), which is fast to train from but needs the space — pooling matters (700 channels would
# need five times more).

# %%
for name, info in data.PUBLISHED.items():
    for pool in (5, 1):
        gigabytes = info.splits["train"] * 100 * (700 // pool) / 1e9
        print(f"{name.upper()} training set binned at 10 ms, pool {pool} ({700 // pool} inputs): {gigabytes:.2f} GB")
assert round(75466 * 100 * 140 / 1e9, 2) == 1.06

# %% [markdown]
# The settings come from `DATASET_DEFAULTS["ssc"]` (the command line's defaults for `--dataset ssc`):
# a wider network than the offline tasks need, the SHD-like step and pooling, and fewer epochs, each of
# which is nine times longer than on SHD.

# %%
ssc_defaults = {**GENERIC_DEFAULTS, **DATASET_DEFAULTS["ssc"]}
print({k: ssc_defaults[k] for k in ("hidden", "epochs", "pool", "dt", "d_max", "batch_size", "lr_weights",
                                    "lr_delays", "lr_schedule")})

fast_overrides = dict(hidden=32, epochs=2, batch_size=16, lr_weights=1e-2)
standin_overrides = dict(hidden=64, epochs=8)   # the stand-in is small: a narrower net, a few more epochs
options = {**ssc_defaults, "dataset": source, "max_time": 1.0, "valid_fraction": 0.0,
           **({} if use_published else standin_overrides), **(fast_overrides if course.fast_mode() else {})}
model, settings, data_config = build_configs({**options, "delays": "synaptic"})
ssc = load_data(data_config)
model = model.replace(n_in=ssc.n_in, n_out=ssc.n_classes)
print(f"train {ssc.train.x.shape}, validation {ssc.valid.x.shape} (the validation file), test {ssc.test.x.shape}; "
      f"{ssc.n_classes} classes")
assert ssc.n_classes == 35 and ssc.n_in == 140 and ssc.n_steps == 100

# %% [markdown]
# ## 3. What will an epoch cost? Measure, then multiply
#
# The time of an epoch is the number of samples divided by the **throughput** of a training step
# (forward pass + three-factor gradients + Adam update, what the trainer does per batch), plus the
# validation pass (the trainer's own evaluation, forward only). We measure both on a real batch of the
# data above, with the SSC-sized network of the defaults (N = 128, 35 classes, learned synaptic delays),
# on *this* machine: best of a few repeats, so that a busy moment does not inflate it.

# %%
probe = snnlib.SNNConfig(n_in=140, n_hidden=ssc_defaults["hidden"], n_out=35, delays="synaptic",
                         d_max=ssc_defaults["d_max"], dt=0.01, seed=0)
probe_params = snnlib.init_params(probe)
optimizer = snnlib.Adam(probe, lr_weights=1e-3, lr_delays=0.5)
B = 32
xb = ssc.train.x[:B].astype(np.float32)
yb = ssc.train.labels[:B]


def best_of(fn, repeats):
    fn()                                         # warm-up (loads the compiled kernels)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def training_step():
    loss, grads = snnlib.online_gradients(probe, probe_params, xb, yb, engine="fast")
    optimizer.step(probe_params, grads)


repeats = course.sized(full=5, fast=2)
train_per_sample = best_of(training_step, repeats) / B
infer_per_sample = best_of(lambda: snnlib.evaluate(probe, probe_params, xb, yb, batch_size=B, engine="fast"), repeats) / B
spikes = float(xb.sum()) / B
n_train, n_valid, n_test = (data.PUBLISHED["ssc"].splits[p] for p in ("train", "valid", "test"))
epoch_s = n_train * train_per_sample + n_valid * infer_per_sample
print(f"measured on {B} samples of this data ({spikes:.0f} input spikes per sample after binning), N = {probe.n_hidden}:")
print(f"  training  {1e3 * train_per_sample:6.2f} ms per sample  ({1 / train_per_sample:7.0f} samples/s)")
print(f"  inference {1e3 * infer_per_sample:6.2f} ms per sample  ({1 / infer_per_sample:7.0f} samples/s)")
print(f"one SSC epoch ≈ {n_train:,} × {1e3 * train_per_sample:.2f} ms + {n_valid:,} × {1e3 * infer_per_sample:.2f} ms "
      f"= {epoch_s / 60:.0f} min; the default {ssc_defaults['epochs']} epochs ≈ {ssc_defaults['epochs'] * epoch_s / 3600:.1f} h "
      f"per network, plus {n_test * infer_per_sample / 60:.0f} min for the test set at the end")
assert 0 < train_per_sample < 10 and 0 < infer_per_sample < 10

# %% [markdown]
# **The caveat.** With numba installed, `snnlib`'s fast engine is event-driven: its cost grows with the
# number of input spikes. We quote no published spike count for SSC samples (we found none we could check, and
# the files are not here to count); the stand-in's samples carry about 1,500. If the line above was measured on
# the stand-in, rerun this cell with the published files to know the real cost. The estimate also leaves out reading and binning
# the files (once, before the first epoch; docs/data.md measures it at a few ms per sample).
#
# The full SSC runs belong on the command line, where a run writes a checkpoint after every epoch and
# `--resume` continues an interrupted one:
#
# ```
# python -m snnlib data download ssc
# python -m snnlib train --dataset ssc --delays synaptic --out runs/ssc-synaptic      # N = 128, 10 epochs
# python -m snnlib train --dataset ssc --delays none     --out runs/ssc-weights
# python -m snnlib train --out runs/ssc-synaptic --resume --epochs 10                # after an interruption
# ```

# %% [markdown]
# ## 4. Training: weights only vs learned synaptic delays
#
# Two runs of the same trainer as in notebook 07, validated on the validation file after every epoch,
# tested once at the end.

# %%
width = model.n_hidden / probe.n_hidden          # a rough scaling: the cost is about proportional to N
per_epoch = (len(ssc.train) * train_per_sample + len(ssc.valid) * infer_per_sample) * width
print(f"2 networks × {settings.epochs} epochs × ({len(ssc.train):,} training + {len(ssc.valid):,} validation samples), "
      f"N = {model.n_hidden}: about {2 * settings.epochs * per_epoch / 60:.1f} min from the measurement above")

results = {}
for delays in ("none", "synaptic"):
    config, run_settings, _ = build_configs({**options, "delays": delays})
    config = config.replace(n_in=ssc.n_in, n_out=ssc.n_classes)
    results[delays] = train(config, run_settings, ssc, progress=False)
    r = results[delays]
    print(f"{delays:>8}: test accuracy {100 * r.metrics['test_accuracy']:5.1f} %, best validation "
          f"{100 * r.metrics['best_val_accuracy']:5.1f} % (epoch {r.metrics['best_epoch']}), "
          f"{r.metrics['timing']['per_epoch_s']:.1f} s per epoch")

# %%
table = ["| network | test acc. | best val. acc. (epoch) | weights | delays | memory (8-bit weights) | s per epoch |",
         "|---|---:|---:|---:|---:|---:|---:|"]
for delays, r in results.items():
    m = r.metrics
    table.append(f"| {'weights only' if delays == 'none' else 'learned synaptic delays'}, N = {model.n_hidden} "
                 f"| {100 * m['test_accuracy']:.1f} % | {100 * m['best_val_accuracy']:.1f} % ({m['best_epoch']}) "
                 f"| {m['parameters']['weights']:,} | {m['parameters']['delays']:,} "
                 f"| {m['memory']['total_bytes']['8'] / 1e3:.1f} kB | {m['timing']['per_epoch_s']:.1f} |")
display(Markdown("\n".join(table)))

# %% tags=["nbval-ignore-output"]
fig, ax = plots.new_figure(figsize=(6, 3.2))
for delays, r in results.items():
    epochs = [row["epoch"] for row in r.history]
    ax.plot(epochs, [100 * row["val_accuracy"] for row in r.history], "o-", label=delays)
ax.axhline(100 / 35, color="#999999", ls=":", label="chance")
ax.set(xlabel="epoch", ylabel="validation accuracy [%]", ylim=(0, 100), title="learning curves (validation file)")
ax.legend(fontsize=8, frameon=False)
fig

# %%
acc = {k: r.metrics["test_accuracy"] for k, r in results.items()}
assert all(r.status == "finished" for r in results.values())
assert acc["synaptic"] > 2 / 35                       # well above chance (2.9 %)
if not use_published:                                # the stand-in separates classes by timing only
    assert acc["synaptic"] > acc["none"] + 0.05

# %% [markdown]
# ## 5. Reading a 35-class result
#
# One accuracy hides *which* words are confused. The confusion matrix counts, for every true class
# (row), how often each class (column) was predicted. The prediction rule is the library's
# (`snnlib.predict`: the class with the largest summed probability over the loss window).

# %%
best = results["synaptic"]
best_config = build_configs({**options, "delays": "synaptic"})[0].replace(n_in=ssc.n_in, n_out=ssc.n_classes)
out = snnlib.forward(best_config, best.params, ssc.test.x.astype(np.float32))
predicted = snnlib.predict(best_config, out.probs)
print(f"{len(predicted)} test predictions, accuracy {100 * np.mean(predicted == ssc.test.labels):.1f} %")
assert np.isclose(np.mean(predicted == ssc.test.labels), best.metrics["test_accuracy"])   # the trainer's evaluation

# %% [markdown]
# ### Exercise 08.1 — The confusion matrix (implement)
#
# Write `confusion(labels, predicted, n_classes)` returning the `(n_classes, n_classes)` integer matrix with
# `C[true, predicted]` counts, without a Python loop over samples (`np.bincount` or `np.add.at`). Classes that
# never occur still get their row and column.
#
# *Checked:* against an independent count (`np.histogram2d`) on fresh random labels and predictions.

# %% tags=["exercise"]
def confusion(labels, predicted, n_classes):
    """(n_classes, n_classes) counts: C[t, p] = number of samples of class t predicted as p."""
    # your code here
    raise NotImplementedError("Exercise 08.1: one bincount and a reshape")


# %% tags=["solution"]
def confusion(labels, predicted, n_classes):
    """(n_classes, n_classes) counts: C[t, p] = number of samples of class t predicted as p."""
    flat = np.asarray(labels) * n_classes + np.asarray(predicted)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(808)
    for n_classes, n in ((3, 40), (35, 500), (7, 5)):
        labels = rng.integers(0, n_classes, n)
        guess = np.where(rng.random(n) < 0.6, labels, rng.integers(0, n_classes, n))
        expected, _, _ = np.histogram2d(labels, guess, bins=np.arange(n_classes + 1) - 0.5)
        C = np.asarray(confusion(labels, guess, n_classes))
        assert C.shape == (n_classes, n_classes), f"shape {C.shape}, expected {(n_classes, n_classes)}"
        assert np.array_equal(C, expected), "the counts differ from an independent count (rows: true, columns: predicted)"


exercises.check("08.1", test, hint="np.bincount(labels * n_classes + predicted, minlength=n_classes**2)")

# %% [markdown]
# ### Explore the confusions
#
# Choose a true class: the matrix marks its row, and the bar chart shows what its samples were predicted as (the
# class itself in blue). The normalisation slider switches between counts, rows (each row sums to 1: the share of
# a class's samples given to each prediction — the diagonal is the class's *recall*) and columns (each column sums
# to 1: the share of a prediction that was right — the diagonal is its *precision*). The line above the figure
# names the classes the chosen one is most often taken for.

# %% tags=["nbval-ignore-output"]
explorers.confusion_explorer(ssc.test.labels, predicted, ssc.class_names, focus=0, normalise=1);

# %% [markdown]
# ### Exercise 08.2 — Recall and precision per class (implement)
#
# From a confusion matrix `C` (rows true, columns predicted), write `recall_precision(C)` returning two arrays:
# the **recall** of each class (the share of its samples predicted right) and its **precision** (the share of the
# samples predicted as it that are really it), 0 where a class has no sample or is never predicted.
#
# *Checked:* against the definitions, counted directly on fresh random labels and predictions (not from a matrix).

# %% tags=["exercise"]
def recall_precision(C):
    """(recall, precision): two (n_classes,) arrays from the confusion matrix C[true, predicted]."""
    # your code here
    raise NotImplementedError("Exercise 08.2: the diagonal, divided by row sums and by column sums")


# %% tags=["solution"]
def recall_precision(C):
    """(recall, precision): two (n_classes,) arrays from the confusion matrix C[true, predicted]."""
    C = np.asarray(C, dtype=float)
    right, rows, cols = np.diag(C), C.sum(axis=1), C.sum(axis=0)
    recall = np.divide(right, rows, out=np.zeros_like(right), where=rows > 0)
    precision = np.divide(right, cols, out=np.zeros_like(right), where=cols > 0)
    return recall, precision


# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(82)
    for n_classes, n in ((4, 60), (35, 400)):
        labels = rng.integers(0, n_classes - 1, n)                 # the last class never occurs …
        guess = np.where(rng.random(n) < 0.5, labels, rng.integers(0, n_classes, n))
        guess[guess == 1] = 2                                      # … and class 1 is never predicted
        recall, precision = (np.asarray(a, dtype=float) for a in recall_precision(explorers.confusion_matrix(labels, guess, n_classes)))
        for c in range(n_classes):
            is_c, said_c = labels == c, guess == c
            r = np.mean(guess[is_c] == c) if is_c.any() else 0.0
            p = np.mean(labels[said_c] == c) if said_c.any() else 0.0
            assert np.isclose(recall[c], r), f"recall of class {c}: {recall[c]:.3f}, expected {r:.3f}"
            assert np.isclose(precision[c], p), f"precision of class {c}: {precision[c]:.3f}, expected {p:.3f}"


exercises.check("08.2", test, hint="recall divides the diagonal by the row sums (true class), precision by the "
                                   "column sums (prediction); np.divide(..., where=sums > 0) avoids 0/0")

# %% [markdown]
# ### Exercise 08.3 — Words played backwards (experiment)
#
# Every class of the stand-in has the same channels active; only the *time course* differs. Feed the trained
# network with learned delays (`best_config`, `best.params`) the test samples **reversed in time** (`x[:, ::-1]`
# on `ssc.test.x`) and measure its accuracy with the library's `snnlib.forward` and `snnlib.predict`. Store it in
# `reversed_accuracy` (a fraction), and compare with the accuracy above and with chance (1/35).
#
# *Checked:* the check runs the reversed test set through the network itself and compares.

# %% tags=["exercise"]
reversed_accuracy = None   # your code here

# %% tags=["solution"]
x_reversed = np.ascontiguousarray(ssc.test.x[:, ::-1]).astype(np.float32)
reversed_pred = snnlib.predict(best_config, snnlib.forward(best_config, best.params, x_reversed).probs)
reversed_accuracy = float(np.mean(reversed_pred == ssc.test.labels))
print(f"reversed in time: {100 * reversed_accuracy:.1f} % (forwards {100 * np.mean(predicted == ssc.test.labels):.1f} %, "
      f"chance {100 / 35:.1f} %)")


# %% tags=["exercise-check"]
def test():
    if reversed_accuracy is None:
        raise NotImplementedError
    x = np.ascontiguousarray(np.flip(ssc.test.x, axis=1), dtype=np.float32)
    expected = np.mean(snnlib.predict(best_config, snnlib.forward(best_config, best.params, x).probs) == ssc.test.labels)
    assert 0 <= reversed_accuracy <= 1, f"reversed_accuracy = {reversed_accuracy}: give a fraction, not a percentage"
    assert abs(reversed_accuracy - expected) < 1e-9, (
        f"reversed_accuracy = {reversed_accuracy:.4f}, but the reversed test set gives {expected:.4f}")


exercises.check("08.3", test, hint="reverse the time axis (axis 1) of the (samples, steps, channels) array, "
                                   "then snnlib.predict(best_config, snnlib.forward(...).probs)")

# %% [markdown]
# **Think!** 08.4 Reversing a sample in time keeps every channel's spike count. What does the accuracy on reversed
# words tell you about *what* the network uses? Would a classifier that only sums the spikes of each channel over
# the whole sample be hurt by the reversal?

# %% [markdown] tags=["solution"]
# *Model answer.* A classifier of per-channel spike totals sees exactly the same input forwards and backwards, so
# its accuracy would not change at all. If the trained network falls to chance (or below) on reversed words, it is not
# reading totals: it relies on the *order* of activity across channels — which channel fires before which — and
# that is what delays turn into coincidences. (On the stand-in, whose classes differ only in their time course, a
# drop is expected; on SSC, where words also differ in which channels are active, a smaller drop would show how
# much of the work the spectrum alone does.) With one network and one seed this is an illustration, not a
# measurement of a spread.

# %% [markdown]
# ## 6. Published results on SSC
#
# SSC comes with its own validation file, so published SSC results are not selected on the test file. Quoted as
# reported in the DelRec paper's SSC table (Queant et al. 2025; means ± sd over seeds, test accuracy); none is
# reproduced here:
#
# | work | delays | parameters | SSC test accuracy |
# |---|---|---:|---:|
# | Yin, Corradi & Bohté 2021 (adaptive recurrent SNN) | none | 0.78 M | 74.20 % |
# | Mészáros, Knight & Nowotny 2025 (EventProp with delays) | recurrent + feedforward | ≈ 5 M (estimated by the DelRec authors) | 76.1 ± 1.0 % |
# | Bittar & Garner 2022 (RadLIF) | none | 3.9 M | 77.40 % |
# | Baronig et al. 2025 (SE-adLIF) | none | 1.6 M | 80.44 ± 0.26 % |
# | Hammouamri et al. 2024 (DCLS-Delays) | feedforward, synaptic | 2.5 M | 80.69 ± 0.21 % |
# | Fabre et al. 2025 (SiLIF) | none | 0.35 M | 82.03 ± 0.25 % |
# | Queant et al. 2025 (DelRec, recurrent + feedforward delays) | both | 0.55 M | 82.19 ± 0.16 % |
# | Queant et al. 2025 (DelRec, recurrent delays only) | recurrent, axonal | 0.37 M | **82.58 ± 0.08 %** |
#
# DelRec sets the state of the art on SSC (its abstract: "new state-of-the-art … on Spiking Speech Command"),
# with LIF neurons and a fraction of the parameters; strong neurons *without* delays (SiLIF, SE-adLIF) come
# close. The ± values are spreads over seeds; a single test evaluation on SSC's test file has a sampling error
# of its own, computed below. The paper we follow reports SSC experiments as well (according to a summary of
# the paper); its abstract gives no SSC accuracy, so none is quoted here.

# %%
n_ssc_test = data.PUBLISHED["ssc"].splits["test"]                     # 20,382 samples
se_ssc = 100 * (0.82 * 0.18 / n_ssc_test) ** 0.5
print(f"one evaluation on {n_ssc_test:,} test samples at 82 %: standard error {se_ssc:.2f} points "
      f"(DelRec 82.58 % vs SiLIF 82.03 %: {(82.58 - 82.03) / se_ssc:.1f} standard errors)")
assert n_ssc_test == 20_382 and 0.2 < se_ssc < 0.35
assert 82.58 - 80.69 > 5 * se_ssc               # DelRec vs DCLS on SSC: well outside one run's sampling error

# %% [markdown]
# ## 7. New voices: real speech with one speaker held out (FSDD)
#
# The stand-in above says nothing about speech. Real recordings are here if FSDD is (notebook 07, section 1):
# 3000 spoken digits by six speakers, encoded at 700 channels. The hardest test a small corpus allows is
# **leave one speaker out**: train on five speakers, test on every recording of the sixth, whose voice the
# network has never heard — as for the speakers that SHD's test file holds out of its training file. Each of the
# six speakers is held out in turn (`DataConfig(generator={"test_speaker": name})`, `snnlib.data.leave_speaker_out`),
# weights only against learned synaptic delays, five seeds each in the full setting (60 runs of 10 epochs at
# N = 64; each finished run is kept under `runs/`, so a stopped notebook continues where it stopped). Validation is
# held out of the five training speakers; the held-out speaker is only ever the test set. Without FSDD this
# section is skipped; fast mode skips it unless `SNNLIB_SPEECH=fsdd` asks for a tiny version (two speakers, one
# seed, a subset).

# %%
from snnlib import experiments

fsdd = course.speech_data(published=None, n_train=(None, 240), n_test=(None, 60))
loso = {}
if fsdd.name != "fsdd":
    print(f"skipped: this section needs FSDD; the data here: {fsdd.why}")
else:
    print(f"data: {fsdd.why}")
    with data.open_dataset(data.resolve_data_dir() / "fsdd-700" / "fsdd_train.h5") as f:
        voices = list(f.speaker_names)
    voices = course.sized(full=voices, fast=voices[:2])
    loso_seeds = course.sized(full=range(5), fast=[0])
    loso_options = dict(seeds=loso_seeds, only=["delays"], hidden=course.sized(full=None, fast=16),
                        epochs=course.sized(full=None, fast=1))
    for voice in voices:
        specs, _, cells, loso_settings = experiments.make_specs(
            "fsdd", generator={**fsdd.generator, "test_speaker": voice}, **loso_options)
        specs = [spec for spec in specs if spec["key"] in ("none", "synaptic")]
        runs = experiments.run_grid(specs, store=course.sized(full="runs/fsdd-loso", fast=None))
        loso[voice] = {c["key"]: c for c in experiments.summarize_seeds(runs)}
        print(f"{voice:>9} held out ({loso_settings['n_test']} test recordings): weights only "
              f"{100 * loso[voice]['none']['test_accuracy']:5.1f} %, learned synaptic delays "
              f"{100 * loso[voice]['synaptic']['test_accuracy']:5.1f} %  (mean of {len(loso_seeds)} seed(s))")

# %%
if loso:
    table = ["| held-out speaker | weights only | learned synaptic delays | gain (points) |", "|---|---:|---:|---:|"]
    gains, beyond = [], []
    for voice, cells_ in loso.items():
        a, b = cells_["none"], cells_["synaptic"]
        gains.append(100 * (b["test_accuracy"] - a["test_accuracy"]))
        beyond.append(gains[-1] > 100 * max(a["test_accuracy_sd"], b["test_accuracy_sd"]))
        table.append(f"| {voice} | {100 * a['test_accuracy']:.1f} ± {100 * a['test_accuracy_sd']:.1f} % | "
                     f"{100 * b['test_accuracy']:.1f} ± {100 * b['test_accuracy_sd']:.1f} % | {gains[-1]:+.1f} |")
    means = {k: 100 * np.mean([c[k]["test_accuracy"] for c in loso.values()]) for k in ("none", "synaptic")}
    spreads = {k: 100 * np.std([c[k]["test_accuracy"] for c in loso.values()], ddof=1) if len(loso) > 1 else 0.0
               for k in ("none", "synaptic")}
    table.append(f"| **mean ± sd over the speakers** | {means['none']:.1f} ± {spreads['none']:.1f} % | "
                 f"{means['synaptic']:.1f} ± {spreads['synaptic']:.1f} % | {np.mean(gains):+.1f} |")
    display(Markdown("\n".join(table)))
    print(f"learned delays ahead for {sum(g > 0 for g in gains)} of {len(gains)} held-out speakers, by more than "
          f"the larger of the two spreads between seeds for {sum(beyond)}"
          + (f" ({', '.join(v for v, b in zip(loso, beyond) if b)})" if len(loso_seeds) > 1 else " (one seed: no spread)"))
    assert all(0 <= c[k]["test_accuracy"] <= 1 for c in loso.values() for k in ("none", "synaptic"))

# %% [markdown]
# Read the table speaker by speaker, and with the spread in mind: the "± sd" within a row is over seeds, the one
# in the last row over speakers. On new voices every network loses much of what it reaches on new recordings of
# known voices (notebook 07), and the speakers differ far more from each other than the seeds do — six speakers are
# few to learn what in the spikes belongs to the word rather than to the voice. A gain of the delays that is
# smaller than the spread for some speaker is no gain for that speaker; docs/fsdd.md lists the measured table.
#
# **Can a small network do better on new voices?** docs/fsdd.md ("Attempts to do better on new voices") measured
# it with these seeds and speakers. Two candidates tied on a voice held out of *training*, so the choice was never
# made on the test set: 20 epochs, and 20 epochs on batches the trainer changes at random before each update.
# The changes are channel shifts of up to ±3 channels (a higher or lower voice) and time stretches by 1 ± 0.1 (a
# faster or slower speaker): `TrainConfig(epochs=20, augment_shift=3, augment_stretch=0.1)`. Held out in turn,
# the six voices give:
# - 20 epochs with these changes: 73.7 ± 7.6 %, +4.4 ± 1.0 points over the table above (paired by seed);
# - longer training alone: +1.3 ± 1.0;
# - the largest gain is george's, +14.0 points;
# - weights only reach 62.7 ± 12.1 % in the same setting, so delays then gain beyond the seed spread for all six
#   voices.
#
# Stronger changes, coarser channels and the same changes with four training speakers did not help.

# %% [markdown]
# ## Summary
#
# - SSC is SHD at scale: 35 classes, 75,466 training samples, a validation file. The binned training set
#   takes about 1 GB at 140 inputs; pooling keeps it manageable.
# - Estimate before you train: measured throughput × samples gives the epoch time on *your* machine
#   (event-driven cost: measure on the real files). Full SSC runs belong on the command line, with
#   checkpoints and `--resume`.
# - The trainer, the settings and the comparison are the same as on SHD; with 35 classes, a confusion
#   matrix shows which words the network mixes up (rows normalised: recall; columns: precision), and reversing
#   the words in time shows whether it reads the order of the activity.
# - On voices never heard in training (FSDD, each of six speakers held out in turn, 5 seeds, full setting),
#   learned synaptic delays reach 69.3 ± 10.8 % against 57.6 ± 16.8 % for weights only (mean ± sd over the
#   speakers): a gain beyond the seed spread for three speakers, none for two. Training 20 epochs on randomly
#   shifted and stretched batches raises that to 73.7 ± 7.6 % (docs/fsdd.md).
# - Published SSC results (validation file, no test-set selection): DCLS-Delays 80.69 %, EventProp with delays
#   76.1 %, DelRec 82.58 % (the state of the art, with recurrent delays), strong non-delay neurons about 80–82 %.
#
# **Next:** notebook 09 counts what these networks cost in parameters, memory and latency, builds
# equal-parameter and sparse comparisons, and checks the abstract's "6.6× smaller, 67 % lower latency".
#
# ## References
#
# Symbols and terms of this notebook ([SSC](../docs/glossary.md#ssc), [fast mode](../docs/glossary.md#fast-mode), …) are defined in the course [glossary](../docs/glossary.md);
# how each reference below was checked, and the source of every published number, is in
# [docs/references.md](../docs/references.md).
#
# - Cramer, B., Stradmann, Y., Schemmel, J. & Zenke, F. (2022; online 2020). The Heidelberg spiking data sets for the systematic evaluation of spiking neural networks. *IEEE Transactions on Neural Networks and Learning Systems* 33(7), 2744–2757. doi:10.1109/TNNLS.2020.3044364. arXiv 1910.07407.
# - Vassallo & Taherinejad (2026). Three factor delay learning rules for spiking neural networks. arXiv 2601.00668 (abstract; further statements labelled as from a summary of the paper).
# - Hammouamri, I., Khalfaoui-Hassani, I. & Masquelier, T. (2024). Learning delays in spiking neural networks using dilated convolutions with learnable spacings. *ICLR 2024*. arXiv 2306.17670. Code: github.com/Thvnvtos/SNN-delays.
# - Mészáros, B., Knight, J. C. & Nowotny, T. (2025). Efficient event-based delay learning in spiking neural networks. arXiv 2501.07331.
# - Queant, A., Rançon, U., Cottereau, B. R. & Masquelier, T. (2025). DelRec: learning delays in recurrent spiking neural networks. arXiv 2509.24852.
# - Yin, B., Corradi, F. & Bohté, S. M. (2021). Accurate and efficient time-domain classification with adaptive spiking recurrent neural networks. *Nature Machine Intelligence* 3(10), 905–913. doi:10.1038/s42256-021-00383-x (as cited in the DelRec paper).
# - Bittar, A. & Garner, P. N. (2022). A surrogate gradient spiking baseline for speech command recognition. *Frontiers in Neuroscience* 16. doi:10.3389/fnins.2022.865897 (as cited in the DelRec paper).
# - Baronig, M., Ferrand, R., Sabathiel, S., et al. (2025). Advancing spatio-temporal processing through adaptation in spiking neural networks. *Nature Communications* 16, 5776. doi:10.1038/s41467-025-60878-z (as cited in the DelRec paper).
# - Fabre, M., Dudchenko, L. & Neftci, E. (2025). Structured state space model dynamics and parametrization for spiking neural networks. Preprint (as cited in the DelRec paper).
