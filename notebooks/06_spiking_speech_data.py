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
# # 06 · Spiking speech data: SHD and SSC
#
# Part II of the course leaves the toy tasks for the two benchmarks on which delay learning is
# usually measured: the **Spiking Heidelberg Digits** (SHD) and the **Spiking Speech Commands** (SSC).
# Before training anything on them (notebooks 07 and 08), we look at what they hold, how spike times
# become the `(B, T, M)` arrays the network reads, and how to split them without fooling ourselves.
#
# **You will learn**
# - where SHD and SSC come from: speech turned into 700 channels of spikes by a model of the cochlea;
# - the file layout, and what samples of different classes look like;
# - what the step width `dt` and channel pooling do to a sample (size, lost spikes, lost timing);
# - the float16 time resolution of the published files, and why a spike at 0.98 s lands in step 97;
# - speakers, partitions, and why SHD needs a validation split held out of the *training* file.
#
# **Widgets:** a raster browser (sliders for class, speaker, sample, `dt` and pooling) that shows a sample next to
# its binned counts and prints how many spikes binning keeps, merges and drops.
#
# **Exercises:** 4 — 06.1 bin spike times into counts (implement), 06.2 find the largest `dt` that keeps spikes
# apart (experiment), 06.3 what a coarse `dt` takes away (Think!), 06.4 hold out speakers without leakage (implement).
#
# **Prerequisites:** notebooks 01–05 (part I); `snnlib.data` is introduced here (docs/data.md has the details).
#
# **Estimated time:** 45 minutes with the exercises (with the published files, a few seconds of it reading them;
# the notebook runs in about 10 seconds, in fast mode and in the full setting on `shd-like`).

# %%
# %matplotlib inline
import tempfile

import numpy as np

from snnlib import course, data, exercises, explorers, plots

print("fast mode" if course.fast_mode() else "full setting")

# %% [markdown]
# ## 1. Which data? The published files, or an offline stand-in
#
# The published files are large (hundreds of megabytes for SHD, gigabytes for SSC) and need a download:
# `python -m snnlib data download shd` puts them, verified, into the data folder
# (`data.resolve_data_dir()`: `$SNNLIB_DATA`, else `~/.cache/snnlib`). This notebook uses them when they
# are there. Otherwise it writes **`shd-like`**, an offline dataset in exactly the same file format
# (700 channels, 20 digit classes in two languages, speakers, float16 times) whose classes differ only
# in the *time course* of their spikes. Every line of code below is the same for both.

# %%
folder = data.resolve_data_dir()
available = {name: all((folder / info.filename(part)).exists() for part in info.splits)
             for name, info in data.PUBLISHED.items()}
use_published = available["shd"]
if use_published:
    name, files = "shd", {part: folder / data.PUBLISHED["shd"].filename(part) for part in ("train", "test")}
    print(f"data: the published SHD files in {folder}")
else:
    scratch = tempfile.TemporaryDirectory(prefix="snnlib-06-")
    name = "shd-like"
    files = data.make_shd_like(scratch.name, n_train=course.sized(full=2000, fast=400),
                               n_test=course.sized(full=500, fast=150), seed=0)
    print(f"data: shd-like, an offline stand-in written to a temporary folder (no SHD files in {folder}; "
          "`python -m snnlib data download shd` fetches them)")

# %% [markdown]
# > **Note.** Read the line above: it says whether the numbers in this notebook describe the real SHD
# > or the `shd-like` stand-in. They differ: real SHD samples come from real voices (the next cell counts
# > their spikes when the files are here; we quote no published figure, having found none we could check);
# > `shd-like` samples carry about 1,500 spikes in four formant-like sweeps per word.
# > What the notebook teaches (binning, resolution, splits) holds for both.
#
# ## 2. Where the spikes come from
#
# Cramer, Stradmann, Schemmel & Zenke (2020, *IEEE TNNLS*, "The Heidelberg spiking data sets for the
# systematic evaluation of spiking neural networks") recorded spoken digits, zero to nine in English
# and in German (the Heidelberg Digits, 12 speakers; counted below when the files are here), and took one-second words from Google's Speech
# Commands (v0.02, 35 classes). Each recording went through a model of the inner ear: the sound moves a
# model basilar membrane, model hair cells along it turn the motion into firing probabilities, and a
# layer of model neurons turns those into spikes. The result: **700 channels**, ordered along the
# cochlea, i.e. by the frequency each responds to best; each spike is stored as a *time* and a *channel*.
# (`snnlib.audio` builds a front end of the same kind; see docs/audio.md.)
#
# A file holds one partition: `spikes/times` (float16, seconds), `spikes/units` (channel), `labels`,
# `extra/speaker`, `extra/keys` (class names). `data.open_dataset` reads it lazily, one sample at a time.

# %%
train_set = data.open_dataset(files["train"])
test_set = data.open_dataset(files["test"])
print(f"train: {len(train_set)} samples, test: {len(test_set)} samples, {train_set.n_channels} channels, "
      f"{train_set.n_classes} classes")
print("classes:", ", ".join(train_set.class_names))
times, units, label = train_set[0]
print(f"sample 0: class {train_set.class_names[label]!r}, speaker {train_set.speakers[0]}, {len(times)} spikes")
print("first spikes: times [s]", np.round(times[:6], 5), "channels", units[:6])

# %%
n_scan = min(len(train_set), course.sized(full=2000, fast=200))
counts = np.array([len(train_set[i][0]) for i in range(n_scan)])
last = np.array([train_set[i][0].max(initial=0.0) for i in range(n_scan)])
print(f"over {n_scan} training samples: spikes per sample mean {counts.mean():.0f} "
      f"(min {counts.min()}, max {counts.max()}); last spike at {1e3 * last.mean():.0f} ms on average, "
      f"latest {1e3 * last.max():.0f} ms")

# %% [markdown]
# The checks below hold for any file in the schema, and, with the published files, the sizes the
# authors published (`data.PUBLISHED`).

# %%
assert train_set.n_channels == 700 and train_set.n_classes == 20
assert np.all(np.diff(times) >= 0) and units.min() >= 0 and units.max() < 700
if use_published:
    assert (len(train_set), len(test_set)) == (data.PUBLISHED["shd"].splits["train"], data.PUBLISHED["shd"].splits["test"])

# %% [markdown]
# ## 3. What a word looks like
#
# One sample of four classes: two English digits and their German counterparts. Time runs left to
# right, channels (low to high frequency) bottom to top.

# %% tags=["nbval-ignore-output"]
shown = [0, 1, 10, 11]                       # "zero", "one", "null", "eins"
fig, axes = plots.new_figure(2, 2, figsize=(10, 5.6), sharex=True, sharey=True)
for ax, c in zip(axes.ravel(), shown):
    i = int(np.flatnonzero(train_set.labels == c)[0])
    t, u, _ = train_set[i]
    plots.gallery.plot_spike_events(t, u, ax=ax, max_time=1.0, n_channels=700,
                                    title=f"{train_set.class_names[c]!r} (sample {i}, {len(t)} spikes)")
fig

# %% [markdown]
# ## 4. From spike times to time steps: `dt` and pooling
#
# The network of MODEL.md runs in steps of width `dt` and reads spike **counts** per step and channel.
# The data layer's rule (docs/data.md): `step = floor(t / dt)`, `T = round(max_time / dt)`, spikes at or
# after `max_time` are dropped; **pooling** sums groups of `pool` neighbouring channels (700 → 140 with
# `pool = 5`). Each choice trades size against detail:
#
# - a coarser `dt` makes fewer steps (faster, smaller), but spikes of one channel that fall in the same
#   step add up, and the order of spikes within a step is lost;
# - pooling shrinks the input layer (and the weights and delays that feed on it) by the pool factor,
#   at the price of frequency resolution.

# %%
sample = int(np.argmax(counts))                   # the busiest sample we scanned
t, u, c = train_set[sample]
print(f"sample {sample} ({train_set.class_names[c]!r}): {len(t)} spikes")
print(f"{'dt':>6} {'pool':>4} {'shape (T, C)':>13} {'values':>7} {'max count':>9} {'bins with >1 spike':>19}"
      f" {'dropped':>7}")
binned = {}
for dt in (0.001, 0.005, 0.01, 0.025):
    for pool in (1, 5, 10):
        x, dropped = data.bin_sample(t, u, 700, dt=dt, max_time=1.0, pool=pool, return_dropped=True)
        binned[dt, pool] = x
        busy = np.count_nonzero(x > 1) / max(np.count_nonzero(x), 1)
        print(f"{1e3 * dt:4.0f}ms {pool:4d} {str(x.shape):>13} {x.size:7d} {int(x.max()):9d} {100 * busy:18.1f}%"
              f" {dropped:7d}")
        # every spike before max_time is counted exactly once, whatever dt and pool
        assert int(x.sum()) + dropped == len(t) and int(x.sum()) == np.count_nonzero(t < 1.0)

# %% [markdown]
# With `binary=True` every count above one would be clipped to one: the "bins with > 1 spike" column is
# the share of non-empty bins that would lose spikes. SHD work usually takes `dt = 10 ms` (100 steps per
# second) and often `pool = 5` (140 inputs), as `snnlib`'s SHD defaults do.

# %% tags=["nbval-ignore-output"]
fig, axes = plots.new_figure(1, 4, figsize=(14, 3.2))
for ax, (dt, pool) in zip(axes, [(0.001, 1), (0.01, 1), (0.01, 5), (0.025, 10)]):
    plots.gallery.plot_binned(binned[dt, pool], dt=dt, ax=ax, colorbar=False,
                              title=f"dt = {1e3 * dt:g} ms, pool = {pool}: {binned[dt, pool].shape}")
fig

# %% [markdown]
# ### Browse the samples, and watch what binning keeps
#
# Choose a class, a speaker (-1: any) and a sample; then move `dt` and the pooling. The left panel is the sample
# as stored, the right one what the network reads. The line above the figure counts the spikes **kept**, those
# **merged** into a bin that already holds a spike of the same (pooled) channel — their order inside the bin is
# lost, and `binary=True` would delete them — and those **dropped** at or after the end of the window (the window
# is cut to a whole number of steps: at `dt` = 30 ms it ends at 990 ms). A pooling that does not divide the 700
# channels is refused in that line. Things to try: the same word from two speakers; `dt` from 1 to 50 ms on a
# busy sample; pool 5 against pool 20.

# %% tags=["nbval-ignore-output"]
explorers.raster_explorer(files["train"], cls=0, speaker=-1, sample=0);

# %% [markdown]
# The explorer's counts come from the library's `bin_sample`: the kept and dropped spikes add up to the sample.

# %%
summary = explorers.binning_summary(t, u, 700, 0.01, 1.0, pool=5)
assert summary["kept"] + summary["dropped"] == len(t) and summary["merged"] == summary["kept"] - summary["bins"]
assert summary["merged"] == int(binned[0.01, 5].sum()) - int(np.count_nonzero(binned[0.01, 5]))

# %% [markdown]
# ### Exercise 06.1 — Bin a sample yourself (implement)
#
# Write `bin_counts(times, units, n_channels, dt, max_time, pool)` returning the `(T, n_channels // pool)`
# count array of the data layer's rule, with `np.floor` and `np.bincount` (no loop over spikes). Careful: the
# popular `np.digitize(t, np.linspace(0, max_time, T))` puts a spike at `t = 0` into "bin 1", shifting every
# spike by one step; and spikes at or after `max_time` must be dropped, not piled into the last step.
#
# *Checked:* your counts equal `data.bin_sample`'s exactly, on fresh random spike trains (including spikes at
# `t = 0`, on step boundaries and after the window) for several `dt`, windows and poolings.

# %% tags=["exercise"]
def bin_counts(times, units, n_channels, dt, max_time, pool=1):
    """(T, n_channels // pool) spike counts: step = floor(t / dt), spikes at t >= max_time dropped."""
    # your code here
    raise NotImplementedError("Exercise 06.1: floor the times, drop late spikes, pool the channels, count with bincount")


# %% tags=["solution"]
def bin_counts(times, units, n_channels, dt, max_time, pool=1):
    """(T, n_channels // pool) spike counts: step = floor(t / dt), spikes at t >= max_time dropped."""
    T, C = int(round(max_time / dt)), n_channels // pool
    times = np.asarray(times, dtype=float)
    steps = np.floor(times / dt).astype(np.int64)
    kept = (times < max_time) & (steps < T)
    flat = steps[kept] * C + np.asarray(units)[kept] // pool
    return np.bincount(flat, minlength=T * C).reshape(T, C)


# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(606)
    for dt, max_time, n_channels, pool in ((0.01, 1.0, 700, 1), (0.01, 0.5, 700, 5), (0.004, 0.8, 40, 4),
                                           (0.025, 1.0, 12, 3)):
        n = int(rng.integers(50, 400))
        times = np.concatenate([rng.uniform(0, 1.3 * max_time, n), [0.0, dt, max_time, 2 * dt]])
        units = rng.integers(0, n_channels, len(times))
        mine = np.asarray(bin_counts(times, units, n_channels, dt, max_time, pool))
        expected = data.bin_sample(times, units, n_channels, dt, max_time, pool)
        assert mine.shape == expected.shape, f"shape {mine.shape}, expected {expected.shape} (T = round(max_time / dt))"
        assert np.array_equal(mine, expected), (
            f"counts differ at dt = {dt}, pool = {pool}: {int(mine.sum())} spikes counted, {int(expected.sum())} expected")


exercises.check("06.1", test, hint="step = floor(t / dt); keep only t < max_time; channel = unit // pool; "
                                   "np.bincount(step * C + channel, minlength=T * C).reshape(T, C)")

# %% [markdown]
# ### Exercise 06.2 — How fine must `dt` be? (experiment)
#
# A bin that holds two spikes of one channel loses their order (and `binary=True` would lose one of them). Over
# the first 20 training samples (`train_set[i]`, `i = 0 … 19`), measure for each `dt` in `dts` the **share of the
# kept spikes that are merged** into a bin with another spike (kept − non-empty bins, summed over the samples,
# divided by the kept spikes summed; window 1 s, no pooling). Store the shares in `merged_share` (a dict
# `dt → share`) and the **largest** `dt` whose share is below 5 % in `largest_dt`. Use `data.bin_sample`.
#
# *Checked:* the check recomputes the shares and the largest `dt` on the same samples.

# %%
dts = (0.0005, 0.001, 0.002, 0.004, 0.005, 0.01, 0.02, 0.025, 0.05)

# %% tags=["exercise"]
merged_share = None       # your code here: {dt: share of kept spikes merged}
largest_dt = None         # your code here: the largest dt in dts with a share below 0.05

# %% tags=["solution"]
merged_share = {}
for dt in dts:
    kept = merged = 0
    for i in range(20):
        t_i, u_i, _ = train_set[i]
        x = data.bin_sample(t_i, u_i, 700, dt, 1.0)
        kept += int(x.sum())
        merged += int(x.sum()) - int(np.count_nonzero(x))
    merged_share[dt] = merged / kept
largest_dt = max(dt for dt in dts if merged_share[dt] < 0.05)
print({f"{1e3 * dt:g} ms": round(share, 3) for dt, share in merged_share.items()}, "→ largest dt:", largest_dt)


# %% tags=["exercise-check"]
def test():
    if merged_share is None or largest_dt is None:
        raise NotImplementedError
    share = {}
    for dt in dts:
        s = [explorers.binning_summary(*train_set[i][:2], 700, dt, 1.0) for i in range(20)]
        share[dt] = sum(x["merged"] for x in s) / sum(x["kept"] for x in s)
    for dt in dts:
        assert dt in merged_share, f"merged_share has no entry for dt = {dt}"
        assert abs(merged_share[dt] - share[dt]) < 1e-9, (
            f"at dt = {1e3 * dt:g} ms the share is {share[dt]:.4f}, you have {merged_share[dt]:.4f}")
    expected = max((dt for dt in dts if share[dt] < 0.05), default=None)
    assert largest_dt == expected, f"largest_dt = {largest_dt}; the shares say {expected}"


exercises.check("06.2", test, hint="merged = x.sum() - np.count_nonzero(x) for each sample; sum over samples "
                                   "before dividing; then the largest dt with a share under 0.05")

# %% [markdown]
# **Think!** 06.3 Networks on SHD are usually run at `dt` = 10 ms or coarser, although the exercise shows that
# many spikes share bins there. Why can a network still do well, and what kind of information does a coarse `dt`
# take away from it?

# %% [markdown] tags=["solution"]
# *Model answer.* Binning keeps every spike as a count, so the rate of each channel within each step survives;
# what is lost is the order and the exact times of spikes *within* a step (and, with `binary=True`, the extra
# spikes). Speech information in SHD lies largely in how the activity moves across channels over tens of
# milliseconds (formants, onsets), which 10 ms steps still resolve; and the network's membrane and readout time
# constants (20 ms in `snnlib`'s defaults) integrate over several steps anyway. What a coarse `dt` removes is fine timing — sub-step
# coincidences and, for delay learning, delay differences smaller than one step: a delay is a whole number of
# steps, so the resolution of what delays can align is `dt` itself.

# %% [markdown]
# ## 5. The time resolution of the files: float16
#
# The published files store times as **float16**: 11 significant bits. A float16 number in
# $[2^{k}, 2^{k+1})$ is a multiple of $2^{k-10}$, so between 0.5 s and 1 s the stored times are
# multiples of $2^{-11}$ s ≈ 0.49 ms, and below 0.5 s finer. At `dt = 1 ms` this quantisation is half a
# step; at 10 ms it is invisible, *except* at the boundary of a step: 0.98 s is stored as
# 0.97998046875 s, which is in step 97, not 98. The data layer bins the times as stored.

# %%
print(f"{'time':>6} {'stored as float16':>18} {'spacing there':>14}")
for value in (0.01, 0.1, 0.3, 0.6, 0.98, 1.2):
    stored = np.float16(value)
    print(f"{value:6.2f} {float(stored):18.11f} {1e3 * float(np.spacing(stored)):11.3f} ms")

# %%
assert float(np.float16(0.98)) == 0.97998046875                # 2007 * 2**-11
assert int(np.floor(0.97998046875 / 0.01)) == 97
assert float(np.spacing(np.float16(0.75))) == 2.0 ** -11       # 0.488 ms between 0.5 s and 1 s
assert data.bin_sample(np.array([0.97998046875]), np.array([0]), 1, dt=0.01, max_time=1.0)[97, 0] == 1
# every time in the file is a float16 value (the reader converts them exactly to float64)
assert np.array_equal(times, times.astype(np.float16).astype(np.float64))

# %% [markdown]
# ## 6. Speakers and partitions
#
# SHD's test file is a **mix**. The dataset's README (section "Partitioning") states the rule: *all*
# digits of two speakers (speakers 4 and 5) go to the test file, and 5 % of the recordings of each digit
# and language of every other speaker are added to it. So part of the test file is new voices, and the rest
# is new recordings of voices the network trained on; the test accuracy mixes both kinds of generalisation.
# (The README's table lists 8,332 training and 2,088 test samples; the published files hold 8,156 and
# 2,264 — the sizes `data.PUBLISHED` records and the check of section 2 asserts; 2,264 is also the test size
# the DelRec paper quotes.) The cell below counts, in the files at hand, how many test samples come from
# test-only speakers and how many from speakers also in training. `shd-like` imitates the mix.

# %%
train_speakers, test_speakers = np.unique(train_set.speakers), np.unique(test_set.speakers)
test_only = sorted(set(test_speakers.tolist()) - set(train_speakers.tolist()))
print("speaker:        " + " ".join(f"{s:5d}" for s in test_speakers))
print("train samples:  " + " ".join(f"{np.sum(train_set.speakers == s):5d}" for s in test_speakers))
print("test samples:   " + " ".join(f"{np.sum(test_set.speakers == s):5d}" for s in test_speakers))
print("speakers only in the test file:", test_only)
from_new = int(np.isin(test_set.speakers, test_only).sum())
from_known = len(test_set) - from_new
print(f"test samples from test-only speakers: {from_new} ({100 * from_new / len(test_set):.0f} %); "
      f"from speakers also in training: {from_known} ({100 * from_known / len(test_set):.0f} %)")
if train_set.meta_info:
    print("speaker metadata:", ", ".join(sorted(train_set.meta_info)))
assert len(test_only) >= 1 and from_new + from_known == len(test_set)
assert from_known > 0                       # the test file is a mix: known voices too
if use_published:
    assert len(test_only) == 2              # the README's rule: speakers 4 and 5 only in the test file
    assert len(set(train_speakers.tolist()) | set(test_speakers.tolist())) == 12

# %% [markdown]
# ### Why a held-out validation split
#
# SHD has no validation file. Training runs for many epochs, and it is tempting to report the **best
# test accuracy over the epochs**. That number is optimistic: it picks the epoch that happened to suit
# the test set. A small model of it: a network whose true accuracy no longer changes (80 %), whose
# borderline predictions flip from epoch to epoch, evaluated on a test file of this size after each of
# 30 epochs. (Real epochs are correlated, so the real bias is smaller; it is still positive.)

# %%
rng = np.random.default_rng(0)
n_test, true_accuracy, n_epochs = len(test_set), 0.80, 30
per_epoch = rng.binomial(n_test, true_accuracy, size=(5000, n_epochs)) / n_test
bias = per_epoch.max(axis=1).mean() - true_accuracy
print(f"{n_test} test samples: the best of {n_epochs} epochs overstates the accuracy by {100 * bias:.1f} points "
      f"on average (one epoch's spread: ±{100 * per_epoch.std():.1f} points)")
assert bias > 0.5 * per_epoch.std()

# %% [markdown]
# The honest protocol: hold a validation set out of the **training** file, choose epochs and
# hyper-parameters on it, and look at the test file once. `data.load_splits` offers two ways:
#
# - `valid="fraction"`: a random, class-stratified 10 % of the training samples. Its speakers are also
#   in training, so it estimates accuracy on new recordings of *known* voices;
# - `valid="speaker"`: every sample of some speakers. It mimics SHD's test file (new voices) and is the
#   harder, closer estimate. `snnlib`'s SHD default (`python -m snnlib train --dataset shd`) holds out
#   by speaker.

# %%
split_folder = folder if use_published else scratch.name
for how in ("fraction", "speaker"):
    with data.load_splits(name, split_folder, valid=how, seed=0) as splits:
        train_ids, valid_ids = splits.train.indices, splits.valid.indices
        shared = set(np.unique(splits.train.speakers)) & set(np.unique(splits.valid.speakers))
        print(f"valid={how!r:11}: {len(splits.train)} train, {len(splits.valid)} validation, {len(splits.test)} test; "
              f"validation speakers {sorted(np.unique(splits.valid.speakers).tolist())}, "
              f"shared with training: {len(shared)}")
        assert len(np.intersect1d(train_ids, valid_ids)) == 0
        assert len(train_ids) + len(valid_ids) == len(train_set)
        if how == "speaker":
            assert not shared

# %% [markdown]
# ### Exercise 06.4 — Hold out speakers, without leakage (implement)
#
# Write `hold_out_speakers(speakers, n_valid, seed)` returning `(train_indices, valid_indices)`: choose `n_valid`
# distinct speakers at random (`np.random.default_rng(seed)`), put **every** sample of theirs in validation and
# every other sample in training; both index arrays sorted.
#
# *Checked:* on fresh random speaker lists, every sample is in exactly one part, validation holds exactly
# `n_valid` speakers and all their samples, no speaker is in both, and different seeds can pick different speakers.

# %% tags=["exercise"]
def hold_out_speakers(speakers, n_valid=1, seed=0):
    """(train_indices, valid_indices): all samples of n_valid randomly chosen speakers go to validation."""
    # your code here
    raise NotImplementedError("Exercise 06.4: choose speakers among np.unique(speakers), then np.isin")


# %% tags=["solution"]
def hold_out_speakers(speakers, n_valid=1, seed=0):
    """(train_indices, valid_indices): all samples of n_valid randomly chosen speakers go to validation."""
    speakers = np.asarray(speakers)
    chosen = np.random.default_rng(seed).choice(np.unique(speakers), size=n_valid, replace=False)
    in_valid = np.isin(speakers, chosen)
    return np.flatnonzero(~in_valid), np.flatnonzero(in_valid)


# %% tags=["exercise-check"]
def test():
    rng = np.random.default_rng(64)
    picks = set()
    for trial in range(12):
        speakers = rng.choice(rng.permutation(100)[:int(rng.integers(4, 12))], size=int(rng.integers(40, 300)))
        n_valid = int(rng.integers(1, 3))
        train_idx, valid_idx = (np.asarray(a) for a in hold_out_speakers(speakers, n_valid=n_valid, seed=trial))
        assert np.array_equal(np.sort(np.concatenate([train_idx, valid_idx])), np.arange(len(speakers))), \
            "every sample must be in exactly one of the two parts"
        valid_speakers = set(speakers[valid_idx].tolist())
        assert len(valid_speakers) == n_valid, f"validation holds {len(valid_speakers)} speakers, expected {n_valid}"
        assert not valid_speakers & set(speakers[train_idx].tolist()), "a validation speaker is also in training"
        picks.add(tuple(sorted(valid_speakers)))
    assert len(picks) > 1, "the held-out speakers never change with the seed: choose them at random"


exercises.check("06.4", test, hint="np.unique(speakers), rng.choice(..., replace=False), then np.isin(speakers, chosen)")

# %% [markdown]
# ## 7. SSC in one paragraph
#
# SSC is built the same way from Google Speech Commands: **35 classes** (words such as "yes", "no",
# "left", digits), about 10 times more data, and — unlike SHD — its own validation file, which is used
# as it is. Notebook 08 trains on it. Published sizes:

# %%
for dataset_name, info in data.PUBLISHED.items():
    sizes = ", ".join(f"{part} {n:,}" for part, n in info.splits.items())
    where = "present" if available[dataset_name] else "not downloaded"
    print(f"{dataset_name.upper()}: {info.n_classes} classes; {sizes}  ({where} in {folder})")
if available["ssc"]:
    with data.open_dataset(folder / data.PUBLISHED["ssc"].filename("valid")) as ssc_valid:
        print("SSC classes:", ", ".join(ssc_valid.class_names))
        assert ssc_valid.n_classes == 35 and len(ssc_valid) == data.PUBLISHED["ssc"].splits["valid"]

# %%
train_set.close()
test_set.close()

# %% [markdown]
# ## Summary
#
# - SHD and SSC are speech passed through a cochlea model: 700 channels of spike times (float16
#   seconds) and channels; 20 and 35 classes.
# - Binning (`step = floor(t / dt)`) and pooling set the size of the network's input: 10 ms and
#   700 → 140 channels are the usual choices; counts above one per bin are common.
# - float16 times have 0.5 ms resolution near 1 s: 0.98 s lands in step 97 at `dt = 10 ms`.
# - SHD's test file mixes two speakers who appear only there with 5 % of the recordings of every other
#   speaker. Choose epochs on a validation split held out of the *training* file (by speaker is closest to
#   the new-voice part), never on the test file: the best test epoch is optimistic.
#
# **Next:** notebook 07 trains delay networks on SHD (or `shd-like`) with `snnlib`'s trainer and places the
# numbers among published results.
#
# ## References
#
# Symbols and terms of this notebook ([SHD](../docs/glossary.md#shd), [dt](../docs/glossary.md#dt), [validation split](../docs/glossary.md#validation-split), …) are defined in the course [glossary](../docs/glossary.md);
# how each reference below was checked, and the source of every published number, is in
# [docs/references.md](../docs/references.md).
#
# - Cramer, B., Stradmann, Y., Schemmel, J. & Zenke, F. (2022; online 2020). The Heidelberg spiking data sets for the systematic evaluation of spiking neural networks. *IEEE Transactions on Neural Networks and Learning Systems* 33(7), 2744–2757. doi:10.1109/TNNLS.2020.3044364. arXiv 1910.07407.
# - Queant, A., Rançon, U., Cottereau, B. R. & Masquelier, T. (2025). DelRec: learning delays in recurrent spiking neural networks. arXiv 2509.24852.
